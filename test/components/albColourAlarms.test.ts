import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AlbBlueGreen } from "../../components/albBlueGreen";
import { AlbAlarmThresholds, AlbColourAlarms, AlbColourAlarmsArgs } from "../../components/albColourAlarms";
import { AlarmThreshold, Colour } from "../../components/domain";
import type { BuiltInAlarm } from "../../infra/config/schema";
import { assertAll } from "../support/awsRules";
import { builtInAlarms, captureChildren, settle, urnsOf } from "../support/awsFixtures";
import {
  RecordedResource,
  resetResources,
  resourceNamed,
  resources,
  resourcesOfType,
  valueOf,
} from "../support/pulumi-mocks";

const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const LB_SUFFIX = "app/checkout-alb-a1b2c3d/50dc6c495c0c9188";
const TG_SUFFIX: Record<Colour, string> = {
  blue: "targetgroup/checkout-blue-a1b2c3d/73e2d6bc24d8a067",
  green: "targetgroup/checkout-green-a1b2c3d/73e2d6bc24d8a067",
};
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:deployments";

function thresholds(
  overrides: Partial<Record<BuiltInAlarm, Partial<AlarmThreshold>>> = {},
): AlbAlarmThresholds {
  const alarms = builtInAlarms(overrides);
  return {
    errorRate: alarms.errorRate,
    latencyP95: alarms.latencyP95,
    unhealthyHosts: alarms.unhealthyHosts,
  };
}

function args(colour: Colour, overrides: Partial<AlbColourAlarmsArgs> = {}): AlbColourAlarmsArgs {
  return {
    colour,
    loadBalancerArnSuffix: LB_SUFFIX,
    targetGroupArnSuffix: TG_SUFFIX[colour],
    thresholds: thresholds(),
    ...overrides,
  };
}

async function build(colour: Colour, overrides: Partial<AlbColourAlarmsArgs> = {}): Promise<AlbColourAlarms> {
  const component = new AlbColourAlarms(`checkout-${colour}`, args(colour, overrides));
  await settle(component.compositeAlarmName, component.memberAlarmNames);
  return component;
}

interface Query {
  id: string;
  expression?: string;
  returnData?: boolean;
  metric?: {
    namespace: string;
    metricName: string;
    stat: string;
    period: number;
    dimensions: Record<string, string>;
  };
}

function alarm(colour: Colour, key: string): RecordedResource {
  return resourceNamed(METRIC_ALARM, `checkout-${colour}-${key}`);
}

describe("AlbColourAlarms", () => {
  for (const colour of ["blue", "green"] as const) {
    describe(`the ${colour} colour`, () => {
      const dimensions = { LoadBalancer: LB_SUFFIX, TargetGroup: TG_SUFFIX[colour] };

      it("judges the error rate by metric math over its own target group, returning one series", async () => {
        await build(colour);
        const inputs = alarm(colour, "error-rate").inputs;
        const queries = inputs.metricQueries as Query[];
        const returned = queries.filter((query) => query.returnData !== false);
        assert.equal(returned.length, 1);
        assert.equal(returned[0].expression, "100 * FILL(m_5xx, 0) / m_req");
        const metrics = Object.fromEntries(
          queries.filter((query) => query.metric).map((query) => [query.id, query.metric]),
        );
        assert.deepEqual(metrics, {
          m_5xx: {
            namespace: "AWS/ApplicationELB",
            metricName: "HTTPCode_Target_5XX_Count",
            stat: "Sum",
            period: 60,
            dimensions,
          },
          m_req: {
            namespace: "AWS/ApplicationELB",
            metricName: "RequestCount",
            stat: "Sum",
            period: 60,
            dimensions,
          },
        });
        for (const field of ["metricName", "namespace", "statistic", "period", "dimensions"]) {
          assert.equal(inputs[field], undefined, `no top-level ${field}`);
        }
        assert.equal(inputs.threshold, 5);
        assert.equal(inputs.evaluationPeriods, 2);
        assert.equal(inputs.comparisonOperator, "GreaterThanThreshold");
        assert.equal(inputs.treatMissingData, "missing");
        assert.match(inputs.alarmDescription, new RegExp(`5XX.*5%.*judges the ${colour} colour`));
      });

      it("judges p95 response time in seconds", async () => {
        await build(colour);
        const inputs = alarm(colour, "latency-p95").inputs;
        assert.deepEqual(
          {
            namespace: inputs.namespace,
            metricName: inputs.metricName,
            extendedStatistic: inputs.extendedStatistic,
            statistic: inputs.statistic,
            period: inputs.period,
            threshold: inputs.threshold,
            dimensions: inputs.dimensions,
          },
          {
            namespace: "AWS/ApplicationELB",
            metricName: "TargetResponseTime",
            extendedStatistic: "p95",
            statistic: undefined,
            period: 60,
            threshold: 3,
            dimensions,
          },
        );
        assert.match(inputs.alarmDescription, new RegExp(`3s.*judges the ${colour} colour`));
      });

      it("breaches on any unhealthy target and on a missing health reading", async () => {
        await build(colour);
        const inputs = alarm(colour, "unhealthy-hosts").inputs;
        assert.equal(inputs.metricName, "UnHealthyHostCount");
        assert.equal(inputs.statistic, "Maximum");
        assert.equal(inputs.threshold, 0);
        assert.equal(inputs.comparisonOperator, "GreaterThanThreshold");
        assert.equal(inputs.treatMissingData, "breaching");
        assert.deepEqual(inputs.dimensions, dimensions);
      });

      it("joins the members in a composite alarm the driver watches as one", async () => {
        const component = await build(colour);
        const members = await valueOf(component.memberAlarmNames);
        assert.equal(members.length, 3);
        const [composite] = resourcesOfType(COMPOSITE);
        assert.equal(composite.inputs.alarmRule, members.map((name) => `ALARM("${name}")`).join(" OR "));
        assert.equal(await valueOf(component.compositeAlarmName), `checkout-${colour}`);
        assert.match(composite.inputs.alarmDescription, new RegExp(`judges the ${colour} colour`));
        assertAll(resources());
      });
    });
  }

  it("points each colour's alarms at that colour's target group of a real AlbBlueGreen", async () => {
    const alb = new AlbBlueGreen("checkout", {
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
      ingressCidrs: ["0.0.0.0/0"],
      testIngressCidrs: ["10.0.0.0/8"],
      targetPort: 8080,
      traffic: { blue: 90, green: 10 },
      testColour: "green",
    });
    const alarms = (["blue", "green"] as const).map(
      (colour) =>
        new AlbColourAlarms(`checkout-${colour}`, {
          colour,
          loadBalancerArnSuffix: alb.loadBalancerArnSuffix,
          targetGroupArnSuffix: alb.targetGroupArnSuffixes[colour],
          thresholds: thresholds(),
          alarmActions: [TOPIC],
        }),
    );
    await settle(...alarms.map((component) => component.compositeAlarmName), alb.listenerArn);
    for (const colour of ["blue", "green"] as const) {
      const suffix = await valueOf(alb.targetGroupArnSuffixes[colour]);
      assert.ok(suffix.startsWith(`targetgroup/checkout-${colour}-`));
      assert.equal(alarm(colour, "unhealthy-hosts").inputs.dimensions.TargetGroup, suffix);
      assert.equal(
        alarm(colour, "latency-p95").inputs.dimensions.LoadBalancer,
        await valueOf(alb.loadBalancerArnSuffix),
      );
    }
    assertAll(resources());
  });

  describe("enabled alarms", () => {
    const cases: { disabled: string[]; expected: string[] }[] = [
      { disabled: ["latencyP95"], expected: ["error-rate", "unhealthy-hosts"] },
      { disabled: ["errorRate", "unhealthyHosts"], expected: ["latency-p95"] },
    ];
    for (const { disabled, expected } of cases) {
      it(`creates only ${expected.join(" and ")} with ${disabled.join(" and ")} disabled`, async () => {
        const overrides = Object.fromEntries(disabled.map((key) => [key, { enabled: false }]));
        const component = await build("green", { thresholds: thresholds(overrides) });
        assert.deepEqual(
          resourcesOfType(METRIC_ALARM)
            .map((resource) => resource.name)
            .sort(),
          expected.map((key) => `checkout-green-${key}`),
        );
        const members = await valueOf(component.memberAlarmNames);
        assert.equal(members.length, expected.length);
        const rule = resourcesOfType(COMPOSITE)[0].inputs.alarmRule as string;
        assert.equal(rule, members.map((name) => `ALARM("${name}")`).join(" OR "));
        assertAll(resources());
      });
    }

    it("refuses to judge a colour with every alarm disabled", () => {
      const off = { enabled: false };
      assert.throws(
        () =>
          new AlbColourAlarms(
            "checkout-blue",
            args("blue", {
              thresholds: thresholds({ errorRate: off, latencyP95: off, unhealthyHosts: off }),
            }),
          ),
        /every alarm is disabled/,
      );
    });
  });

  describe("windows and actions", () => {
    it("carries the configured window onto the alarm", async () => {
      await build("blue", {
        thresholds: thresholds({
          errorRate: { threshold: 2, period: 300, evaluationPeriods: 3, datapointsToAlarm: 2 },
        }),
      });
      const inputs = alarm("blue", "error-rate").inputs;
      assert.equal(inputs.threshold, 2);
      assert.equal(inputs.evaluationPeriods, 3);
      assert.equal(inputs.datapointsToAlarm, 2);
      for (const query of (inputs.metricQueries as Query[]).filter((candidate) => candidate.metric)) {
        assert.equal(query.metric?.period, 300);
      }
      assert.match(inputs.alarmDescription, /in 2 of 3 5-minute period/);
      assertAll(resources());
    });

    it("notifies through the composite only, on ALARM and on OK", async () => {
      await build("blue", { alarmActions: [TOPIC] });
      const composite = resourcesOfType(COMPOSITE)[0].inputs;
      assert.equal(composite.actionsEnabled, true);
      assert.deepEqual(composite.alarmActions, [TOPIC]);
      assert.deepEqual(composite.okActions, [TOPIC]);
      for (const member of resourcesOfType(METRIC_ALARM)) {
        assert.equal(member.inputs.alarmActions, undefined, member.name);
      }
    });

    it("disables actions when no topic is given", async () => {
      await build("blue");
      assert.equal(resourcesOfType(COMPOSITE)[0].inputs.actionsEnabled, false);
    });

    it("names the composite as told", async () => {
      const component = await build("blue", { compositeAlarmName: "checkout-prod-blue" });
      assert.equal(await valueOf(component.compositeAlarmName), "checkout-prod-blue");
    });

    const invalid: { title: string; threshold: Partial<AlarmThreshold>; error: RegExp }[] = [
      {
        title: "a 30-second period",
        threshold: { period: 30 },
        error:
          /thresholds\.errorRate\.period is 30s; AWS publishes these metrics once a minute.*multiple of 60s/,
      },
      { title: "a 90-second period", threshold: { period: 90 }, error: /errorRate\.period is 90s/ },
      {
        title: "more than a day of evaluation",
        threshold: { period: 3_600, evaluationPeriods: 25 },
        error:
          /thresholds\.errorRate: period x evaluationPeriods is 90000s; CloudWatch allows at most one day \(86400s\)/,
      },
      {
        title: "more datapoints than periods",
        threshold: { evaluationPeriods: 2, datapointsToAlarm: 3 },
        error: /errorRate\.datapointsToAlarm is 3; expected a whole number from 1 to evaluationPeriods \(2\)/,
      },
      {
        title: "a negative threshold",
        threshold: { threshold: -1 },
        error: /errorRate\.threshold is -1; expected a number of at least 0/,
      },
    ];
    for (const { title, threshold, error } of invalid) {
      it(`rejects ${title}`, () => {
        const base = thresholds();
        const bad = { ...base, errorRate: { ...base.errorRate, ...threshold } };
        assert.throws(
          () => new AlbColourAlarms("checkout-blue", args("blue", { thresholds: bad })),
          (thrown: Error) => {
            assert.ok(pulumi.ResourceError.isInstance(thrown));
            assert.match(thrown.message, error);
            return true;
          },
        );
      });
    }
  });

  describe("identity", () => {
    it("keeps the same logical names across runs", async () => {
      const inventory = () =>
        resources()
          .map((resource) => `${resource.type}::${resource.name}`)
          .sort();
      await build("blue");
      const first = inventory();
      resetResources();
      await build("blue", { alarmActions: [TOPIC] });
      assert.deepEqual(inventory(), first);
    });

    it("parents every alarm to the component", async () => {
      const { opts, children } = captureChildren();
      const component = new AlbColourAlarms("checkout-blue", args("blue"), opts);
      await settle(component.compositeAlarmName);
      const urns = await urnsOf(children.filter((child) => child !== component));
      assert.equal(urns.length, 4);
      for (const urn of urns)
        assert.match(urn, /::bluegreen:aws:AlbColourAlarms\$aws:cloudwatch\/\w+:\w+::checkout-blue-/);
    });
  });
});
