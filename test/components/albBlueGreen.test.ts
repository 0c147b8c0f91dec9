import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AlbBlueGreen, AlbBlueGreenArgs } from "../../components/albBlueGreen";
import { Colour, DEFAULT_HEALTH_CHECK, TrafficSplit } from "../../components/domain";
import { assertAll } from "../support/awsRules";
import { captureChildren, settle, urnsOf } from "../support/awsFixtures";
import {
  RecordedResource,
  resetResources,
  resourceNamed,
  resources,
  resourcesOfType,
  valueOf,
} from "../support/pulumi-mocks";

const LISTENER = "aws:lb/listener:Listener";
const TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
const LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0d1c2b3a-1111-2222-3333-444455556666";
const EXISTING_ALB =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shared/0123456789abcdef";

function args(overrides: Partial<AlbBlueGreenArgs> = {}): AlbBlueGreenArgs {
  return {
    vpcId: "vpc-0abc1234",
    subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
    ingressCidrs: ["0.0.0.0/0"],
    testIngressCidrs: ["10.0.0.0/8"],
    targetPort: 8080,
    traffic: { blue: 100, green: 0 },
    testColour: "green",
    ...overrides,
  };
}

async function build(overrides: Partial<AlbBlueGreenArgs> = {}, name = "checkout"): Promise<AlbBlueGreen> {
  const component = new AlbBlueGreen(name, args(overrides));
  await settle(
    component.listenerArn,
    component.testListenerArn,
    component.testEndpoint,
    component.securityGroupId,
  );
  return component;
}

interface Forward {
  targetGroups: { arn: string; weight: number }[];
  stickiness?: { enabled: boolean; duration: number };
}

function forwardOf(listener: RecordedResource): Forward {
  const actions = listener.inputs.defaultActions as { type: string; forward: Forward }[];
  assert.equal(actions.length, 1, `${listener.name} has one default action`);
  assert.equal(actions[0].type, "forward");
  return actions[0].forward;
}

/** Weight per colour, read through the target group ARNs the component exported. */
async function weightsByColour(
  component: AlbBlueGreen,
  listenerName: string,
): Promise<Record<Colour, number>> {
  const forward = forwardOf(resourceNamed(LISTENER, listenerName));
  const arns = {
    blue: await valueOf(component.targetGroupArns.blue),
    green: await valueOf(component.targetGroupArns.green),
  };
  assert.equal(forward.targetGroups.length, 2, "both target groups stay in the action");
  const weightOf = (arn: string) => {
    const group = forward.targetGroups.find((candidate) => candidate.arn === arn);
    assert.ok(group, `the action names ${arn}`);
    return group.weight;
  };
  return { blue: weightOf(arns.blue), green: weightOf(arns.green) };
}

describe("AlbBlueGreen", () => {
  describe("production listener weights", () => {
    const splits: TrafficSplit[] = [
      { blue: 100, green: 0 },
      { blue: 90, green: 10 },
      { blue: 75, green: 25 },
      { blue: 50, green: 50 },
      { blue: 0, green: 100 },
    ];
    for (const traffic of splits) {
      it(`sends blue ${traffic.blue} / green ${traffic.green} with both groups in the action`, async () => {
        const component = await build({ traffic });
        assert.deepEqual(await weightsByColour(component, "checkout-listener"), traffic);
        assertAll(resources());
      });
    }

    it("accepts the split as an Output, as the release guard passes it", async () => {
      const component = await build({ traffic: pulumi.output({ blue: 90, green: 10 }) });
      assert.deepEqual(await weightsByColour(component, "checkout-listener"), { blue: 90, green: 10 });
    });
  });

  describe("stickiness", () => {
    it("pins clients to a target group for the configured duration", async () => {
      const component = await build({ stickinessSeconds: 300 });
      assert.deepEqual(forwardOf(resourceNamed(LISTENER, "checkout-listener")).stickiness, {
        enabled: true,
        duration: 300,
      });
      assert.equal(component.stickinessSeconds, 300);
      assertAll(resources());
    });

    it("leaves the forward action unpinned without stickinessSeconds", async () => {
      const component = await build();
      assert.equal(forwardOf(resourceNamed(LISTENER, "checkout-listener")).stickiness, undefined);
      assert.equal(component.stickinessSeconds, undefined);
    });

    it("never pins the test listener", async () => {
      await build({ stickinessSeconds: 300 });
      assert.equal(forwardOf(resourceNamed(LISTENER, "checkout-test-listener")).stickiness, undefined);
    });
  });

  describe("test listener", () => {
    for (const testColour of ["blue", "green"] as const) {
      it(`sends 100% to the ${testColour} target group while production splits 50/50`, async () => {
        const component = await build({ testColour, traffic: { blue: 50, green: 50 } });
        const weights = await weightsByColour(component, "checkout-test-listener");
        assert.equal(weights[testColour], 100);
        assert.equal(weights[testColour === "blue" ? "green" : "blue"], 0);
        assert.equal(resourceNamed(LISTENER, "checkout-test-listener").inputs.port, 8443);
        assertAll(resources());
      });
    }

    it("admits only the test CIDRs on the test port", async () => {
      await build({ testIngressCidrs: ["10.20.0.0/16"], testListenerPort: 9443 });
      const ingress = resourceNamed(SECURITY_GROUP, "checkout-alb").inputs.ingress as {
        fromPort: number;
        cidrBlocks: string[];
      }[];
      assert.deepEqual(ingress.find((rule) => rule.fromPort === 9443)?.cidrBlocks, ["10.20.0.0/16"]);
      assert.deepEqual(ingress.find((rule) => rule.fromPort === 80)?.cidrBlocks, ["0.0.0.0/0"]);
    });
  });

  describe("protocols", () => {
    it("serves HTTPS on 443 and the test port, and redirects HTTP with a 301, given a certificate", async () => {
      const component = await build({ certificateArn: CERTIFICATE });
      const listeners = resourcesOfType(LISTENER);
      assert.deepEqual(listeners.map((listener) => listener.name).sort(), [
        "checkout-http-redirect",
        "checkout-listener",
        "checkout-test-listener",
      ]);
      for (const [name, port] of [
        ["checkout-listener", 443],
        ["checkout-test-listener", 8443],
      ] as const) {
        const listener = resourceNamed(LISTENER, name);
        assert.equal(listener.inputs.protocol, "HTTPS", name);
        assert.equal(listener.inputs.port, port, name);
        assert.equal(listener.inputs.certificateArn, CERTIFICATE, name);
        assert.equal(listener.inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06", name);
      }
      const redirect = resourceNamed(LISTENER, "checkout-http-redirect");
      assert.equal(redirect.inputs.port, 80);
      assert.equal(redirect.inputs.protocol, "HTTP");
      assert.deepEqual(redirect.inputs.defaultActions, [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ]);
      const ports = (resourceNamed(SECURITY_GROUP, "checkout-alb").inputs.ingress as { fromPort: number }[])
        .map((rule) => rule.fromPort)
        .sort((a, b) => a - b);
      assert.deepEqual(ports, [80, 443, 8443]);
      assert.match(
        await valueOf(component.testEndpoint),
        /^https:\/\/checkout-alb-\w+-\d+\.eu-west-1\.elb\.amazonaws\.com:8443$/,
      );
      assertAll(resources());
    });

    it("serves plain HTTP on 80 without a certificate and creates no redirect", async () => {
      const component = await build();
      const listeners = resourcesOfType(LISTENER);
      assert.deepEqual(listeners.map((listener) => listener.name).sort(), [
        "checkout-listener",
        "checkout-test-listener",
      ]);
      const production = resourceNamed(LISTENER, "checkout-listener");
      assert.equal(production.inputs.protocol, "HTTP");
      assert.equal(production.inputs.port, 80);
      assert.equal(production.inputs.certificateArn, undefined);
      assert.equal(production.inputs.sslPolicy, undefined);
      assert.match(await valueOf(component.testEndpoint), /^http:\/\/.+:8443$/);
      assertAll(resources());
    });

    it("uses the configured production port", async () => {
      await build({ listenerPort: 8080, testListenerPort: 8081 });
      assert.equal(resourceNamed(LISTENER, "checkout-listener").inputs.port, 8080);
      assert.equal(resourceNamed(LISTENER, "checkout-test-listener").inputs.port, 8081);
    });
  });

  describe("load balancer", () => {
    it("creates an ALB that drops invalid headers, behind its own security group", async () => {
      const component = await build({ internal: true, idleTimeout: 120 });
      const [alb] = resourcesOfType(LOAD_BALANCER);
      assert.equal(alb.name, "checkout-alb");
      assert.equal(alb.inputs.dropInvalidHeaderFields, true);
      assert.equal(alb.inputs.internal, true);
      assert.equal(alb.inputs.idleTimeout, 120);
      assert.deepEqual(alb.inputs.subnets, ["subnet-0aaa1111", "subnet-0bbb2222"]);
      assert.deepEqual(alb.inputs.securityGroups, [await valueOf(component.securityGroupId)]);
      const egress = resourceNamed(SECURITY_GROUP, "checkout-alb").inputs.egress;
      assert.deepEqual(egress, [
        {
          description: "Requests and health checks to the targets",
          protocol: "tcp",
          fromPort: 8080,
          toPort: 8080,
          cidrBlocks: ["10.0.0.0/16"],
        },
      ]);
      assert.match(await valueOf(component.loadBalancerArnSuffix), /^app\/checkout-alb-\w+\/\w+$/);
    });

    it("reuses an existing ALB by ARN: no load balancer or security group, listeners still created", async () => {
      const component = await build({ existingLoadBalancerArn: EXISTING_ALB });
      assert.equal(resourcesOfType(LOAD_BALANCER).length, 0);
      assert.equal(resourcesOfType(SECURITY_GROUP).length, 0);
      const listeners = resourcesOfType(LISTENER);
      assert.equal(listeners.length, 2);
      for (const listener of listeners) assert.equal(listener.inputs.loadBalancerArn, EXISTING_ALB);
      assert.equal(await valueOf(component.loadBalancerArn), EXISTING_ALB);
      assert.equal(await valueOf(component.loadBalancerArnSuffix), "app/shared/0123456789abcdef");
      assert.equal(await valueOf(component.dnsName), "shared-1234567890.eu-west-1.elb.amazonaws.com");
      assert.equal(await valueOf(component.securityGroupId), "sg-0platform00000000a", "the lowest group ID");
      assertAll(resources());
    });
  });

  describe("target groups", () => {
    it("creates one auto-named IP target group per colour with the configured health check", async () => {
      const component = await build({
        deregistrationDelay: 45,
        healthCheck: {
          ...DEFAULT_HEALTH_CHECK,
          path: "/ready",
          matcher: "200-299",
          interval: 10,
          timeout: 4,
        },
      });
      for (const colour of ["blue", "green"] as const) {
        const group = resourceNamed(TARGET_GROUP, `checkout-${colour}`);
        assert.equal(group.inputs.name, undefined, "the provider appends a random suffix");
        assert.equal(group.inputs.targetType, "ip");
        assert.equal(group.inputs.port, 8080);
        assert.equal(group.inputs.deregistrationDelay, 45);
        assert.equal(group.inputs.tags["bluegreen:colour"], colour);
        assert.deepEqual(
          {
            path: group.inputs.healthCheck.path,
            matcher: group.inputs.healthCheck.matcher,
            interval: group.inputs.healthCheck.interval,
            timeout: group.inputs.healthCheck.timeout,
          },
          { path: "/ready", matcher: "200-299", interval: 10, timeout: 4 },
        );
        assert.match(
          await valueOf(component.targetGroupArnSuffixes[colour]),
          new RegExp(`^targetgroup/checkout-${colour}-`),
        );
      }
    });

    it("registers instances when asked", async () => {
      await build({ targetType: "instance" });
      for (const group of resourcesOfType(TARGET_GROUP)) assert.equal(group.inputs.targetType, "instance");
    });
  });

  describe("identity", () => {
    it("keeps the same logical names across runs and for a second service", async () => {
      const inventory = () =>
        resources()
          .map((resource) => `${resource.type}::${resource.name}`)
          .sort();
      await build({ certificateArn: CERTIFICATE });
      const first = inventory();
      resetResources();
      await build({ traffic: { blue: 10, green: 90 }, testColour: "blue", certificateArn: CERTIFICATE });
      assert.deepEqual(inventory(), first);
      await build({ certificateArn: CERTIFICATE }, "payments");
      assert.equal(resourcesOfType(TARGET_GROUP).length, 4, "two services side by side do not collide");
    });

    it("parents every child to the component", async () => {
      const { opts, children } = captureChildren();
      const component = new AlbBlueGreen("checkout", args({ certificateArn: CERTIFICATE }), opts);
      await settle(component.listenerArn);
      const urns = await urnsOf(children.filter((child) => child !== component));
      assert.deepEqual(urns.map((urn) => urn.split("::").pop()).sort(), [
        "checkout-alb",
        "checkout-alb",
        "checkout-blue",
        "checkout-green",
        "checkout-http-redirect",
        "checkout-listener",
        "checkout-test-listener",
      ]);
      for (const urn of urns) assert.match(urn, /::bluegreen:aws:AlbBlueGreen\$aws:[^$]+::checkout-/);
      const routing = await valueOf(component.routingUrns);
      assert.deepEqual(routing, [
        "urn:pulumi:test::bluegreen::bluegreen:aws:AlbBlueGreen$aws:lb/listener:Listener::checkout-listener",
        "urn:pulumi:test::bluegreen::bluegreen:aws:AlbBlueGreen$aws:lb/listener:Listener::checkout-test-listener",
      ]);
    });
  });

  describe("validation", () => {
    const cases: { title: string; name?: string; overrides?: Partial<AlbBlueGreenArgs>; error: RegExp }[] = [
      {
        title: "a name too long for the target group limit",
        name: "checkout-payments-1",
        error: /19 characters.*at most 18/,
      },
      { title: "a name with an underscore", name: "check_out", error: /letters, digits and inner hyphens/ },
      { title: "a name starting with internal-", name: "internal-api", error: /internal-/ },
      {
        title: "a single subnet",
        overrides: { subnetIds: ["subnet-0aaa1111"] },
        error: /subnetIds has 1 subnet/,
      },
      { title: "no ingress CIDRs", overrides: { ingressCidrs: [] }, error: /ingressCidrs is empty/ },
      {
        title: "a malformed CIDR",
        overrides: { testIngressCidrs: ["10.0.0.0"] },
        error: /testIngressCidrs holds "10\.0\.0\.0"/,
      },
      {
        title: "a target port out of range",
        overrides: { targetPort: 70_000 },
        error: /targetPort is 70000/,
      },
      {
        title: "the test listener on the production port",
        overrides: { listenerPort: 8443 },
        error: /testListenerPort is 8443, the production listener's port/,
      },
      {
        title: "HTTPS with the production listener on the redirect port",
        overrides: { certificateArn: CERTIFICATE, listenerPort: 80 },
        error: /listenerPort is 80, which carries the HTTP to HTTPS redirect/,
      },
      {
        title: "HTTPS with the test listener on the redirect port",
        overrides: { certificateArn: CERTIFICATE, testListenerPort: 80 },
        error: /testListenerPort is 80, which carries the HTTP to HTTPS redirect/,
      },
      {
        title: "stickiness over a week",
        overrides: { stickinessSeconds: 604_801 },
        error: /stickinessSeconds is 604801; give whole seconds from 1 to 604800/,
      },
      {
        title: "a health check that times out after the next one starts",
        overrides: { healthCheck: { ...DEFAULT_HEALTH_CHECK, interval: 5, timeout: 5 } },
        error: /healthCheck\.timeout is 5s; it must be shorter than the health check interval \(5s\)/,
      },
      {
        title: "a certificate that is not an ACM ARN",
        overrides: { certificateArn: "arn:aws:iam::123456789012:server-certificate/checkout" },
        error:
          /certificateArn is "arn:aws:iam::123456789012:server-certificate\/checkout"; expected an ARN of acm/,
      },
    ];
    for (const { title, name, overrides, error } of cases) {
      it(`rejects ${title}`, () => {
        assert.throws(
          () => new AlbBlueGreen(name ?? "checkout", args(overrides)),
          (thrown: Error) => {
            assert.ok(pulumi.ResourceError.isInstance(thrown), "a ResourceError");
            assert.match(thrown.message, error);
            return true;
          },
        );
      });
    }
  });
});
