import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseStackFile } from "../../../infra/config/stackFile";
import { type BluegreenConfig, formatProblems, validateConfig } from "../../../infra/config/validate";
import type { ReleaseValues } from "../../../automation/ports";
import { ScenarioError, parseScenario } from "../../../automation/rehearsal/scenario";
import { simulateProgram } from "../../../automation/rehearsal/simulatedProgram";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { exampleConfig } from "../../support/exampleConfigs";

const STACKS = path.join(__dirname, "..", "..", "..", "stacks");
const START = 1_700_000_000_000;

/** A stack file of the repository, validated, with some `bluegreen:` keys replaced. */
function stackConfig(stack: string, overrides: Record<string, unknown> = {}): BluegreenConfig {
  const parsed = parseStackFile(fs.readFileSync(path.join(STACKS, `Pulumi.${stack}.yaml`), "utf8"));
  if ("problems" in parsed) throw new Error(formatProblems(parsed.problems));
  const result = validateConfig({ ...parsed.raw, values: { ...parsed.raw.values, ...overrides } });
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return result.config;
}

function valuesOf(config: BluegreenConfig): ReleaseValues {
  return { traffic: config.traffic, slots: config.slots, stable: config.stable, revision: config.revision };
}

function world(config: BluegreenConfig, stackName: string, scenarioYaml?: string) {
  const clock = new VirtualClock(START);
  const scenario = scenarioYaml === undefined ? undefined : parseScenario(scenarioYaml, "test.yaml");
  return new SimulatedWorld({ config, stackName, clock, scenario });
}

/** Runs the updates of a rollout to green at `version` (deploy, steps, promote) and returns the changes of each. */
async function rollOut(target: SimulatedWorld, version: string, weights: number[]) {
  const changes: Record<string, number> = {};
  let values = await target.stack.readValues();
  const write = async (next: Partial<ReleaseValues>) => {
    values = { ...values, ...next, revision: values.revision + 1 };
    await target.stack.writeValues(values);
  };
  await write({ slots: { ...values.slots, green: { version } } });
  changes.deploy = (await target.stack.update({ message: "deploy" })).changed;
  for (const weight of weights) {
    await write({ traffic: { blue: 100 - weight, green: weight } });
    const targets = target.deployedOutputs().routingUrns;
    changes[`step ${weight}`] = (await target.stack.update({ targets, message: `step ${weight}` })).changed;
  }
  await write({ stable: "green", traffic: { blue: 0, green: 100 } });
  changes.promote = (await target.stack.update({ message: "promote" })).changed;
  return changes;
}

describe("rehearsing Kubernetes stacks", () => {
  describe("alb mode (stacks/Pulumi.eks-dev.yaml)", () => {
    const config = stackConfig("eks-dev");
    const { outputs, resources } = simulateProgram(config, "eks-dev", valuesOf(config));

    it("exports ALB routing and alarms exactly as an ECS stack of the same service would", () => {
      const ecs = exampleConfig("ecs", {
        "bluegreen:service": { name: "catalog", platform: "ecs" },
        "bluegreen:alarms": undefined,
      });
      const ecsOutputs = simulateProgram(ecs, "eks-dev", valuesOf(ecs)).outputs;
      assert.equal(outputs.platform, "kubernetes");
      assert.equal(outputs.routing.kind, "alb");
      assert.deepEqual(outputs.routing, ecsOutputs.routing);
      assert.deepEqual(outputs.alarms, {
        blue: {
          composite: "catalog-eks-dev-blue",
          members: [
            "catalog-eks-dev-blue-error-rate",
            "catalog-eks-dev-blue-latency-p95",
            "catalog-eks-dev-blue-unhealthy-hosts",
          ],
        },
        green: {
          composite: "catalog-eks-dev-green",
          members: [
            "catalog-eks-dev-green-error-rate",
            "catalog-eks-dev-green-latency-p95",
            "catalog-eks-dev-green-unhealthy-hosts",
          ],
        },
        extra: [],
      });
    });

    it("runs each colour as a Deployment of the slot's image and steps only the listeners", () => {
      const deployments = resources.filter((resource) => resource.type === "kubernetes:apps/v1:Deployment");
      assert.deepEqual(
        deployments.map((resource) => [resource.urn.split("::").at(-1), JSON.parse(resource.inputs).image]),
        [
          ["catalog-blue", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/catalog:3.1.0"],
          ["catalog-green", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/catalog:3.1.0"],
        ],
      );
      assert.equal(outputs.routingUrns.length, 2);
      assert.ok(outputs.routingUrns.every((urn) => urn.includes("aws:lb/listener:Listener")));
    });

    it("changes the candidate's Deployment on deploy, the listener on a step, and the test listener on promote", async () => {
      const changes = await rollOut(world(config, "eks-dev"), "3.2.0", [10, 100]);
      assert.deepEqual(changes, { deploy: 1, "step 10": 1, "step 100": 1, promote: 1 });
    });

    it("reports target health with the configured replica count", async () => {
      const target = world(config, "eks-dev");
      const readiness = await target.router.readiness("green");
      assert.equal(readiness.ready, true);
      assert.match(readiness.detail, /^2 of 2 targets healthy in catalog-green-/);
    });

    it("accepts built-in alarm keys in scenarios, as for ECS", async () => {
      const target = world(config, "eks-dev", "events:\n  - { at: 0s, alarm: errorRate, state: ALARM }\n");
      const readings = await target.alarms.read([
        "catalog-eks-dev-green-error-rate",
        "catalog-eks-dev-green",
      ]);
      assert.deepEqual(
        readings.map((reading) => [reading.name, reading.state]),
        [
          ["catalog-eks-dev-green-error-rate", "ALARM"],
          ["catalog-eks-dev-green", "ALARM"],
        ],
      );
    });
  });

  describe("gateway mode (stacks/Pulumi.gateway-dev.yaml)", () => {
    const config = stackConfig("gateway-dev");
    const { outputs, resources } = simulateProgram(config, "gateway-dev", valuesOf(config));

    it("exports gateway routing: the namespace, the route named after the service, and each colour's Service", () => {
      assert.deepEqual(outputs.routing, {
        kind: "gateway",
        namespace: "catalog-dev",
        routeName: "catalog",
        serviceNames: { blue: "catalog-blue", green: "catalog-green" },
      });
    });

    it("puts the route in <service>-<stack> when no namespace is configured", () => {
      const kubernetes = { ...config.kubernetes, namespace: undefined };
      const unnamed = stackConfig("gateway-dev", {
        "bluegreen:kubernetes": JSON.parse(JSON.stringify(kubernetes)),
      });
      const routing = simulateProgram(unnamed, "gateway-dev", valuesOf(unnamed)).outputs.routing;
      assert.equal(routing.kind === "gateway" && routing.namespace, "catalog-gateway-dev");
    });

    it("watches a composite per colour over the team's colour alarms", () => {
      assert.deepEqual(outputs.alarms, {
        blue: {
          composite: "catalog-gateway-dev-blue",
          members: ["catalog-gateway-dev-blue-pod-restarts", "catalog-gateway-dev-blue-5xx-rate"],
        },
        green: {
          composite: "catalog-gateway-dev-green",
          members: ["catalog-gateway-dev-green-pod-restarts", "catalog-gateway-dev-green-5xx-rate"],
        },
        extra: [],
      });
    });

    it("steps only the HTTPRoute, whose weights are the split", () => {
      const route = resources.find((resource) => resource.carriesTraffic);
      assert.equal(route?.type, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
      assert.deepEqual(outputs.routingUrns, [route?.urn]);
      assert.deepEqual(JSON.parse(route?.inputs ?? "{}"), { weights: { blue: 100, green: 0 } });
    });

    it("changes the candidate's Deployment on deploy, the route on each step, and nothing more on promote", async () => {
      const target = world(config, "gateway-dev");
      const changes = await rollOut(target, "3.2.0", [10, 50, 100]);
      assert.deepEqual(changes, { deploy: 1, "step 10": 1, "step 50": 1, "step 100": 1, promote: 0 });
      assert.deepEqual(target.liveSplit(), { blue: 0, green: 100 });
      assert.equal(target.deployedOutputs().stableColour, "green");
    });

    it("reports pods of the colour's Deployment and checks through the API server's service proxy", async () => {
      const target = world(config, "gateway-dev");
      const readiness = await target.router.readiness("green");
      assert.deepEqual(readiness, {
        ready: true,
        detail: "2 of 2 pods ready in green's deployment catalog-dev/catalog-green",
      });
      const check = await target.router.preTrafficCheck("green");
      assert.equal(check.ready, true);
      assert.match(
        check.detail,
        /GET \/api\/v1\/namespaces\/catalog-dev\/services\/catalog-green:80\/proxy\/health/,
      );
    });

    it("sets every watched alarm of the candidate for `*`, composite included", async () => {
      const target = world(config, "gateway-dev", "events:\n  - { at: 0s, alarm: '*', state: ALARM }\n");
      const names = [
        outputs.alarms.green.composite,
        ...outputs.alarms.green.members,
        outputs.alarms.blue.composite,
      ];
      const readings = await target.alarms.read(names);
      assert.deepEqual(
        readings.map((reading) => [reading.name, reading.state]),
        [
          ["catalog-gateway-dev-green", "ALARM"],
          ["catalog-gateway-dev-green-pod-restarts", "ALARM"],
          ["catalog-gateway-dev-green-5xx-rate", "ALARM"],
          ["catalog-gateway-dev-blue", "OK"],
        ],
      );
    });

    it("puts the composite in ALARM when one team alarm named exactly fires", async () => {
      const target = world(
        config,
        "gateway-dev",
        "events:\n  - { at: 0s, alarm: catalog-gateway-dev-green-5xx-rate, state: ALARM }\n",
      );
      const [composite] = await target.alarms.read(["catalog-gateway-dev-green"]);
      assert.equal(composite.state, "ALARM");
      assert.match(composite.reason ?? "", /ALARM\(catalog-gateway-dev-green-5xx-rate\)/);
    });

    it("rejects a built-in alarm key, which gateway stacks do not have, listing the names to use", () => {
      assert.throws(
        () => world(config, "gateway-dev", "events:\n  - { at: 1m, alarm: errorRate, state: ALARM }\n"),
        (error: Error) =>
          error instanceof ScenarioError &&
          /events\[0\]\.alarm/.test(error.message) &&
          /gateway routing has no built-in alarm keys/.test(error.message) &&
          /catalog-gateway-dev-green-5xx-rate/.test(error.message),
      );
    });

    it("fails a direct write during weight-write-fails with the API server's 500", async () => {
      const target = world(
        config,
        "gateway-dev",
        "events:\n  - { at: 0s, fault: weight-write-fails, for: 1m }\n",
      );
      await assert.rejects(
        target.router.write({ blue: 90, green: 10 }),
        (error: Error & { statusCode?: number }) => {
          assert.equal(error.name, "KubernetesApiError");
          assert.equal(error.statusCode, 500);
          return true;
        },
      );
      assert.deepEqual(target.liveSplit(), { blue: 100, green: 0 });
    });
  });
});
