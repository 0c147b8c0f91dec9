import assert from "node:assert/strict";
import type { BluegreenConfig } from "../../../infra/config/validate";
import type { ReleaseValues } from "../../../automation/ports";
import {
  changedResources,
  simulateProgram,
  simulatedAlarmNames,
} from "../../../automation/rehearsal/simulatedProgram";
import { exampleConfig } from "../../support/exampleConfigs";
import type { Colour } from "../../../components/domain";

function valuesOf(config: BluegreenConfig): ReleaseValues {
  return { traffic: config.traffic, slots: config.slots, stable: config.stable, revision: config.revision };
}

function withSlot(values: ReleaseValues, colour: Colour, version: string): ReleaseValues {
  return { ...values, slots: { ...values.slots, [colour]: { version } } };
}

describe("simulateProgram", () => {
  describe("ecs", () => {
    const config = exampleConfig("ecs");
    const { outputs } = simulateProgram(config, "dev", valuesOf(config));

    it("exports the release values the driver reads", () => {
      assert.equal(outputs.service, "checkout");
      assert.equal(outputs.platform, "ecs");
      assert.equal(outputs.revision, 7);
      assert.equal(outputs.stableColour, "blue");
      assert.deepEqual(outputs.traffic, { blue: 100, green: 0 });
      assert.deepEqual(outputs.slots, { blue: { version: "1.4.0" }, green: { version: "1.3.9" } });
    });

    it("names each colour's composite and member alarms after service, stack and colour", () => {
      assert.deepEqual(outputs.alarms.green, {
        composite: "checkout-dev-green",
        members: [
          "checkout-dev-green-error-rate",
          "checkout-dev-green-latency-p95",
          "checkout-dev-green-unhealthy-hosts",
        ],
      });
      assert.equal(outputs.alarms.blue.composite, "checkout-dev-blue");
      assert.deepEqual(outputs.alarms.extra, ["checkout-orders-per-minute"]);
    });

    it("routes through an ALB with both target groups, a test listener and a test endpoint", () => {
      const routing = outputs.routing;
      assert.equal(routing.kind, "alb");
      if (routing.kind !== "alb") return;
      assert.match(
        routing.loadBalancerArn,
        /^arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer\/app\/checkout-dev\/[0-9a-f]{16}$/,
      );
      assert.match(routing.listenerArn, /:listener\/app\/checkout-dev\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
      assert.notEqual(routing.listenerArn, routing.testListenerArn);
      assert.match(routing.targetGroupArns.blue, /:targetgroup\/checkout-blue-[0-9a-f]{7}\/[0-9a-f]{16}$/);
      assert.match(routing.targetGroupArns.green, /:targetgroup\/checkout-green-[0-9a-f]{7}\/[0-9a-f]{16}$/);
      assert.match(routing.testEndpoint, /^http:\/\/checkout-dev-\d+\.eu-west-1\.elb\.amazonaws\.com:8443$/);
      assert.equal(routing.stickinessSeconds, undefined);
    });

    it("lists the production and test listeners as the routing a step targets", () => {
      assert.equal(outputs.routingUrns.length, 2);
      for (const urn of outputs.routingUrns)
        assert.match(urn, /^urn:pulumi:dev::bluegreen::.*aws:lb\/listener:Listener::/);
    });

    it("follows the ALB options: HTTPS test endpoint, its port, stickiness, an existing load balancer", () => {
      const existing =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shared/0123456789abcdef";
      const custom = exampleConfig("ecs", {
        "bluegreen:alb": {
          certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
          testListenerPort: 9443,
          stickiness: { enabled: true, duration: 120 },
          existingLoadBalancerArn: existing,
        },
      });
      const routing = simulateProgram(custom, "prod", valuesOf(custom)).outputs.routing;
      assert.equal(routing.kind, "alb");
      if (routing.kind !== "alb") return;
      assert.equal(routing.loadBalancerArn, existing);
      assert.match(routing.testEndpoint, /^https:\/\/shared-\d+\.eu-west-1\.elb\.amazonaws\.com:9443$/);
      assert.equal(routing.stickinessSeconds, 120);
    });

    it("gives different stacks different ARNs", () => {
      const other = simulateProgram(config, "prod", valuesOf(config)).outputs.routing;
      assert.equal(other.kind, "alb");
      if (other.kind !== "alb" || outputs.routing.kind !== "alb") return;
      assert.notEqual(other.listenerArn, outputs.routing.listenerArn);
    });

    it("leaves disabled alarms out", () => {
      const quiet = exampleConfig("ecs", { "bluegreen:alarms": { latencyP95: { enabled: false } } });
      assert.deepEqual(simulatedAlarmNames(quiet, "dev").members.blue, [
        "checkout-dev-blue-error-rate",
        "checkout-dev-blue-unhealthy-hosts",
      ]);
      assert.deepEqual(simulatedAlarmNames(quiet, "dev").extra, []);
    });

    it("rejects a split that does not sum to 100, as the program would", () => {
      assert.throws(
        () => simulateProgram(config, "dev", { ...valuesOf(config), traffic: { blue: 90, green: 20 } }),
        /traffic must sum to 100/,
      );
    });
  });

  describe("lambda", () => {
    const config = exampleConfig("lambda");
    const first = simulateProgram(config, "prod", valuesOf(config));

    it("routes through the function's alias with a published version per colour", () => {
      assert.deepEqual(first.outputs.routing, {
        kind: "lambda",
        functionName: "orders-prod",
        aliasName: "live",
        aliasArn: "arn:aws:lambda:eu-west-1:123456789012:function:orders-prod:live",
        versions: { blue: "1", green: "2" },
      });
      assert.deepEqual(first.outputs.alarms.green.members, [
        "orders-prod-green-error-rate",
        "orders-prod-green-throttles",
        "orders-prod-green-duration-p95",
      ]);
      assert.equal(first.outputs.routingUrns.length, 1);
      assert.match(first.outputs.routingUrns[0], /aws:lambda\/alias:Alias::orders-live$/);
    });

    it("publishes a new version number only for a colour whose slot version changed", () => {
      const deployed = simulateProgram(
        config,
        "prod",
        withSlot(valuesOf(config), "green", "1.5.0"),
        first.outputs,
      );
      assert.deepEqual(deployed.outputs.routing.kind === "lambda" && deployed.outputs.routing.versions, {
        blue: "1",
        green: "3",
      });
      const again = simulateProgram(
        config,
        "prod",
        withSlot(valuesOf(config), "green", "1.5.0"),
        deployed.outputs,
      );
      assert.deepEqual(again.outputs.routing.kind === "lambda" && again.outputs.routing.versions, {
        blue: "1",
        green: "3",
      });
      const next = simulateProgram(
        config,
        "prod",
        withSlot(withSlot(valuesOf(config), "green", "1.5.0"), "blue", "1.6.0"),
        again.outputs,
      );
      assert.deepEqual(next.outputs.routing.kind === "lambda" && next.outputs.routing.versions, {
        blue: "4",
        green: "3",
      });
    });
  });

  describe("the resources each release step changes", () => {
    const rollout = (platform: "ecs" | "lambda") => {
      const config = exampleConfig(platform);
      const base = valuesOf(config);
      const before = simulateProgram(config, "dev", base);
      const deployedValues = withSlot(base, "green", "1.5.0");
      const deployed = simulateProgram(config, "dev", deployedValues, before.outputs);
      const stepped = simulateProgram(
        config,
        "dev",
        { ...deployedValues, traffic: { blue: 75, green: 25 } },
        deployed.outputs,
      );
      const full = simulateProgram(
        config,
        "dev",
        { ...deployedValues, traffic: { blue: 0, green: 100 } },
        stepped.outputs,
      );
      const promoted = simulateProgram(
        config,
        "dev",
        { ...deployedValues, traffic: { blue: 0, green: 100 }, stable: "green" },
        full.outputs,
      );
      const count = (a: typeof before, b: typeof before) => changedResources(a.resources, b.resources).length;
      return {
        deploy: count(before, deployed),
        step: count(deployed, stepped),
        stepRouting: changedResources(deployed.resources, stepped.resources).every(
          (resource) => resource.routing,
        ),
        promote: count(full, promoted),
        nothing: count(promoted, promoted),
      };
    };
    const expectations = [
      { platform: "ecs" as const, deploy: 2, step: 1, promote: 1 },
      { platform: "lambda" as const, deploy: 2, step: 1, promote: 2 },
    ];
    for (const expected of expectations) {
      it(`${expected.platform}: deploy ${expected.deploy}, traffic step ${expected.step} (routing only), promote ${expected.promote}`, () => {
        const counts = rollout(expected.platform);
        assert.equal(counts.deploy, expected.deploy);
        assert.equal(counts.step, expected.step);
        assert.equal(counts.stepRouting, true);
        assert.equal(counts.promote, expected.promote);
        assert.equal(counts.nothing, 0);
      });
    }
  });
});
