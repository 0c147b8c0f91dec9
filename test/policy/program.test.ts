/**
 * The pack over what the program declares: every shipped stack passes every rule, and the same
 * stacks with an alarm removed or loosened, or a rule's subject broken, do not.
 */
import assert from "node:assert/strict";
import { listStacks } from "../../infra/config/stackFile";
import {
  PolicyInput,
  PropertyMap,
  Violation,
  colourAlarmViolations,
  colourTargets,
  controlTableViolations,
  kubernetesDeploymentViolations,
  lambdaAliasViolations,
  listenerTlsViolations,
  listenerWeightViolations,
  testListenerIngressViolations,
} from "../../infra/policy/rules";
import { PROJECT_DIR, programResources } from "./programResources";

/** Every rule of the pack over a stack's resources, as the pack runs them. */
function allViolations(resources: readonly PolicyInput[]): Violation[] {
  return [
    ...colourAlarmViolations(resources),
    ...listenerTlsViolations(resources),
    ...testListenerIngressViolations(resources),
    ...resources.flatMap((resource) => [
      ...listenerWeightViolations(resource),
      ...lambdaAliasViolations(resource),
      ...controlTableViolations(resource),
      ...kubernetesDeploymentViolations(resource),
    ]),
  ];
}

function messages(violations: readonly Violation[]): string[] {
  return violations.map((violation) => violation.message);
}

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function without(resources: readonly PolicyInput[], type: string, name: string): PolicyInput[] {
  const kept = resources.filter((resource) => !(resource.type === type && resource.name === name));
  assert.equal(kept.length, resources.length - 1, `no ${type} named ${name} to remove`);
  return kept;
}

function edited(
  resources: readonly PolicyInput[],
  type: string,
  name: string,
  edit: (props: PropertyMap) => PropertyMap,
): PolicyInput[] {
  let found = false;
  const result = resources.map((resource) => {
    if (resource.type !== type || resource.name !== name) return resource;
    found = true;
    return { ...resource, props: edit(resource.props) };
  });
  assert.ok(found, `no ${type} named ${name} to edit`);
  return result;
}

/** Colour targets each shipped stack must have, so the sweep below cannot pass by finding none. */
const EXPECTED_TARGETS: Readonly<Record<string, string[]>> = {
  dev: ["target group checkout-blue", "target group checkout-green"],
  staging: ["target group checkout-blue", "target group checkout-green"],
  prod: ["target group checkout-blue", "target group checkout-green"],
  "eks-dev": ["target group catalog-blue", "target group catalog-green"],
  "orders-dev": ["Lambda version orders-orders-dev-blue", "Lambda version orders-orders-dev-green"],
  // Gateway mode has no load balancer metrics; the team's own alarms judge the colours.
  "gateway-dev": [],
};

describe("the policy pack over the program", () => {
  for (const stack of listStacks(PROJECT_DIR)) {
    it(`finds no violation in stacks/Pulumi.${stack}.yaml`, async () => {
      const resources = await programResources(stack);
      assert.deepEqual(messages(allViolations(resources)), []);
      assert.deepEqual(
        colourTargets(resources).map((target) => `${target.kind} ${target.resource.name}`),
        EXPECTED_TARGETS[stack],
        "the colours the alarm rule judged",
      );
    });
  }

  describe("an ECS stack with one alarm removed or loosened", () => {
    it("reports the blue target group when its error-rate alarm is gone", async () => {
      const resources = without(await programResources("dev"), ALARM, "checkout-dev-blue-error-rate");
      const violations = allViolations(resources);
      assert.equal(violations.length, 1, messages(violations).join("\n"));
      assert.match(violations[0].message, /^target group "checkout-blue" \(blue\) has no error-rate alarm/);
      assert.match(violations[0].message, /Fix: keep bluegreen:alarms\.errorRate enabled/);
      assert.match(violations[0].urn, /aws:lb\/targetGroup:TargetGroup::checkout-blue$/);
    });

    it("reports both target groups when bluegreen:alarms.errorRate allows 10%", async () => {
      const resources = await programResources("dev", {
        "bluegreen:alarms": { errorRate: { threshold: 10 } },
      });
      const found = messages(allViolations(resources));
      assert.equal(found.length, 2, found.join("\n"));
      for (const colour of ["blue", "green"]) {
        assert.ok(
          found.some((message) =>
            message.includes(
              `target group "checkout-${colour}" (${colour}) has no error-rate alarm within the SOP (error rate above 5% for at most 120 s): alarm "checkout-dev-${colour}-error-rate": its threshold 10% is above the SOP's 5%`,
            ),
          ),
          found.join("\n"),
        );
      }
    });

    it("ties alarms by dimension: blue's error-rate alarm reading green's group does not count for blue", async () => {
      const dev = await programResources("dev");
      const green = dev.find(
        (resource) => resource.name === "checkout-green" && resource.type.endsWith("TargetGroup"),
      );
      const greenSuffix = green?.props.arnSuffix;
      assert.ok(typeof greenSuffix === "string", "the mocks give the green group an arnSuffix");
      const resources = edited(dev, ALARM, "checkout-dev-blue-error-rate", (props) => ({
        ...props,
        metricQueries: (props.metricQueries as PropertyMap[]).map((query) =>
          query.metric === undefined
            ? query
            : {
                ...query,
                metric: {
                  ...(query.metric as PropertyMap),
                  dimensions: {
                    ...((query.metric as PropertyMap).dimensions as PropertyMap),
                    TargetGroup: greenSuffix,
                  },
                },
              },
        ),
      }));
      const found = messages(allViolations(resources));
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(
        found[0],
        /^target group "checkout-blue" \(blue\) has no error-rate alarm, so nothing reverts/,
      );
    });

    it("reports the green target group when its latency alarm judges the average", async () => {
      const resources = edited(
        await programResources("staging"),
        ALARM,
        "checkout-staging-green-latency-p95",
        (props) => ({ ...props, extendedStatistic: undefined, statistic: "Average" }),
      );
      const found = messages(allViolations(resources));
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(
        found[0],
        /^target group "checkout-green" \(green\) has no latency alarm within the SOP .*it judges Average, not p95/,
      );
    });
  });

  describe("a Lambda stack with an alarm loosened or removed", () => {
    it("reports both versions when the duration alarm needs two minutes", async () => {
      const resources = await programResources("orders-dev", {
        "bluegreen:alarms": { lambdaDurationP95: { evaluationPeriods: 2 } },
      });
      const found = messages(allViolations(resources));
      assert.equal(found.length, 2, found.join("\n"));
      assert.ok(
        found.every((message) =>
          /^Lambda version "orders-orders-dev-(blue|green)" \((blue|green)\) has no latency alarm within the SOP .*it needs 120 s of breach to fire \(60 s × 2 datapoint\(s\)\), longer than the SOP's 60 s\. Fix: keep bluegreen:alarms\.lambdaDurationP95 enabled/.test(
            message,
          ),
        ),
        found.join("\n"),
      );
    });

    it("reports the green version when its error-rate alarm is gone", async () => {
      const resources = without(
        await programResources("orders-dev"),
        ALARM,
        "orders-orders-dev-green-error-rate",
      );
      const found = messages(allViolations(resources));
      assert.deepEqual(found.length, 1, found.join("\n"));
      assert.match(found[0], /^Lambda version "orders-orders-dev-green" \(green\) has no error-rate alarm/);
    });
  });

  describe("the other rules over the program's own resources", () => {
    it("an EKS stack whose green latency alarm is gone", async () => {
      const resources = without(
        await programResources("eks-dev"),
        ALARM,
        "catalog-eks-dev-green-latency-p95",
      );
      const found = messages(allViolations(resources));
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(found[0], /^target group "catalog-green" \(green\) has no latency alarm/);
    });

    it("a test listener open to the internet through bluegreen:network.testIngressCidrs", async () => {
      const resources = await programResources("dev", {
        "bluegreen:network": {
          vpcId: "vpc-0a1b2c3d4e5f60718",
          publicSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
          privateSubnetIds: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"],
          testIngressCidrs: ["0.0.0.0/0"],
        },
      });
      const found = messages(allViolations(resources));
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(
        found[0],
        /^security group "checkout-alb" admits 0\.0\.0\.0\/0 on port 8443, the port of test listener "checkout-test-listener".*Fix: set bluegreen:network\.testIngressCidrs/,
      );
    });

    it("an HTTPS stack whose bluegreen:alb.sslPolicy still accepts TLS 1.0", async () => {
      const resources = await programResources("staging", {
        "bluegreen:alb": {
          certificateArn:
            "arn:aws:acm:eu-west-1:123456789012:certificate/5f0c9d2e-0f4c-4a8e-9a54-1a2b3c4d5e6f",
          sslPolicy: "ELBSecurityPolicy-2016-08",
        },
      });
      const found = messages(allViolations(resources)).sort();
      assert.deepEqual(found, [
        'listener "checkout-listener" uses ELBSecurityPolicy-2016-08, which accepts protocols older than TLS 1.2. Fix: set bluegreen:alb.sslPolicy to a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06 (the default).',
        'listener "checkout-test-listener" uses ELBSecurityPolicy-2016-08, which accepts protocols older than TLS 1.2. Fix: set bluegreen:alb.sslPolicy to a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06 (the default).',
      ]);
    });

    it("a production listener whose weights were zeroed", async () => {
      const resources = edited(
        await programResources("dev"),
        "aws:lb/listener:Listener",
        "checkout-listener",
        (props) => {
          const [action] = props.defaultActions as PropertyMap[];
          const forward = action.forward as PropertyMap;
          const groups = (forward.targetGroups as PropertyMap[]).map((group) => ({ ...group, weight: 0 }));
          return { ...props, defaultActions: [{ ...action, forward: { ...forward, targetGroups: groups } }] };
        },
      );
      const found = messages(allViolations(resources));
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(
        found[0],
        /^listener "checkout-listener": forward action 1 gives every target group weight 0/,
      );
    });

    it("a Lambda alias pointed at $LATEST", async () => {
      const resources = edited(
        await programResources("orders-dev"),
        "aws:lambda/alias:Alias",
        "orders-orders-dev-alias",
        (props) => ({
          ...props,
          functionVersion: "$LATEST",
        }),
      );
      const found = messages(allViolations(resources));
      assert.deepEqual(found, [
        'Lambda alias "orders-orders-dev-alias" points its version at $LATEST. Fix: route only to published version numbers (LambdaBlueGreen publishes one per colour).',
      ]);
    });

    it("a colour's Deployment that may drop pods while it rolls", async () => {
      const resources = edited(
        await programResources("gateway-dev"),
        "kubernetes:apps/v1:Deployment",
        "catalog-blue",
        (props) => {
          const spec = props.spec as PropertyMap;
          return {
            ...props,
            spec: { ...spec, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } } },
          };
        },
      );
      const found = messages(allViolations(resources));
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(found[0], /^Deployment "catalog-blue" \(blue\) sets rollingUpdate\.maxUnavailable to 1/);
    });

    for (const stack of ["dev", "orders-dev", "gateway-dev"]) {
      it(`the control table of ${stack} is the one the rule judges, and loses its protection`, async () => {
        const program = await programResources(stack);
        const tables = program.filter((resource) => resource.type === "aws:dynamodb/table:Table");
        assert.equal(tables.length, 1, "the program declares the control table");
        const resources = edited(program, "aws:dynamodb/table:Table", tables[0].name, (props) => ({
          ...props,
          deletionProtectionEnabled: false,
        }));
        const found = messages(allViolations(resources));
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], /bluegreen:role=control\) has no deletion protection/);
      });
    }
  });
});
