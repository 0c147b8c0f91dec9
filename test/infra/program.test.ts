import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { listStacks, parseStackFile, stackFilePath } from "../../infra/config/stackFile";
import { defineStack } from "../../infra/program";
import { readStackConfig, readStackSecrets } from "../../infra/programConfig";
import { resources, resourcesOfType, setPreviousOutputs, valueOf } from "../support/pulumi-mocks";
import { assertAll } from "../support/awsRules";
import { assertLambdaAliases } from "../support/lambdaRules";
import { assertKubernetesRules } from "../support/kubernetesRules";
import { StackOutputs } from "../../components/domain";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/** Loads a shipped stack file into the engine's config, as the CLI hands it to the program. */
function loadStack(stack: string, overrides: Record<string, unknown> = {}, secretKeys: string[] = []): void {
  const parsed = parseStackFile(fs.readFileSync(stackFilePath(PROJECT_DIR, stack), "utf8"));
  if ("problems" in parsed) throw new Error(JSON.stringify(parsed.problems));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...parsed.raw.values, ...overrides })) {
    if (value === undefined) continue;
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(values, [...parsed.raw.secretKeys, ...secretKeys]);
}

/** Runs the program for the loaded config and resolves every output. */
async function runProgram(stack = "test"): Promise<StackOutputs> {
  const config = readStackConfig();
  const outputs = await defineStack(
    config,
    { organization: "organization", project: "bluegreen", stack },
    readStackSecrets(config),
  );
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs))
    resolved[key] = await valueOf(value as pulumi.Input<unknown>);
  return resolved as unknown as StackOutputs;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function forwardWeights(listener: { inputs: Record<string, any> }): number[] {
  const action = listener.inputs.defaultActions[0];
  return action.forward.targetGroups.map((group: { weight: number }) => group.weight);
}

describe("the program", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}, []));

  for (const stack of listStacks(PROJECT_DIR)) {
    it(`evaluates stacks/Pulumi.${stack}.yaml end to end and holds AWS's rules`, async () => {
      loadStack(stack);
      const outputs = await runProgram(stack);
      assert.ok(outputs.alarms.blue.composite && outputs.alarms.green.composite);
      assert.notEqual(outputs.alarms.blue.composite, outputs.alarms.green.composite);
      assert.ok(outputs.routingUrns.length >= 1);
      // Alarms the team owns exist outside the program; composite rules may name them.
      const teamAlarms = [...outputs.alarms.extra];
      if (outputs.routing.kind === "gateway")
        teamAlarms.push(...outputs.alarms.blue.members, ...outputs.alarms.green.members);
      assertAll(resources(), teamAlarms);
      assertLambdaAliases(resources());
      assertKubernetesRules(resources());
    });
  }

  describe("ECS stack", () => {
    it("gives the green target group 10% of the weight for {blue: 90, green: 10}", async () => {
      loadStack("dev", { "bluegreen:traffic": { blue: 90, green: 10 }, "bluegreen:stable": "blue" });
      const outputs = await runProgram();
      assert.equal(outputs.routing.kind, "alb");
      const production = resourcesOfType("aws:lb/listener:Listener").find(
        (listener) =>
          listener.inputs.defaultActions?.[0]?.forward?.targetGroups?.length === 2 &&
          listener.inputs.port === 80,
      );
      assert.ok(production, "no production listener on port 80");
      const groups = production.inputs.defaultActions[0].forward.targetGroups as {
        arn: string;
        weight: number;
      }[];
      if (outputs.routing.kind !== "alb") return;
      const green = groups.find(
        (group) =>
          group.arn === (outputs.routing as { targetGroupArns: { green: string } }).targetGroupArns.green,
      );
      assert.ok(green, "the forward action does not include the green target group");
      const total = forwardWeights(production).reduce((sum, weight) => sum + weight, 0);
      assert.equal((green.weight * 100) / total, 10);
      assert.deepEqual(outputs.traffic, { blue: 90, green: 10 });
    });

    it("rejects {blue: 80, green: 30} with a message naming traffic, before any resource", async () => {
      loadStack("dev", { "bluegreen:traffic": { blue: 80, green: 30 }, "bluegreen:stable": "blue" });
      await assert.rejects(
        runProgram(),
        /bluegreen:traffic: blue 80 \+ green 30 = 110; the two must sum to 100/,
      );
      assert.equal(resources().length, 0);
    });

    it("creates the SOP's alarms when bluegreen:alarms is absent", async () => {
      loadStack("dev");
      await runProgram();
      const alarms = resourcesOfType("aws:cloudwatch/metricAlarm:MetricAlarm");
      const errorRate = alarms.filter((alarm) => Array.isArray(alarm.inputs.metricQueries));
      assert.equal(errorRate.length, 2, "one error-rate alarm per colour");
      for (const alarm of errorRate) {
        assert.equal(alarm.inputs.threshold, 5);
        assert.equal(alarm.inputs.evaluationPeriods, 2);
        const periods = alarm.inputs.metricQueries
          .filter((query: { metric?: { period: number } }) => query.metric)
          .map((query: { metric: { period: number } }) => query.metric.period);
        assert.ok(
          periods.every((period: number) => period === 60),
          `periods ${periods}`,
        );
      }
      const latency = alarms.filter((alarm) => alarm.inputs.extendedStatistic === "p95");
      assert.equal(latency.length, 2);
      assert.ok(
        latency.every(
          (alarm) => alarm.inputs.threshold === 3 && alarm.inputs.metricName === "TargetResponseTime",
        ),
      );
      const unhealthy = alarms.filter((alarm) => alarm.inputs.metricName === "UnHealthyHostCount");
      assert.equal(unhealthy.length, 2);
      assert.ok(unhealthy.every((alarm) => alarm.inputs.threshold === 0));
      assert.equal(resourcesOfType("aws:cloudwatch/compositeAlarm:CompositeAlarm").length, 2);
    });

    it("exports what the driver needs", async () => {
      loadStack("staging");
      const outputs = await runProgram("staging");
      assert.equal(outputs.stableColour, "blue");
      assert.equal(outputs.platform, "ecs");
      assert.deepEqual(outputs.alarms.extra, ["checkout-staging-orders-placed-drop"]);
      assert.equal(outputs.alarms.blue.members.length, 3);
      if (outputs.routing.kind !== "alb") assert.fail("expected alb routing");
      assert.match(outputs.routing.testEndpoint, /^https:\/\/.+:8443$/);
      assert.ok(outputs.routing.listenerArn && outputs.routing.testListenerArn);
    });
  });

  describe("the load balancer's stickiness", () => {
    const cases: { title: string; stickiness?: unknown; seconds?: number }[] = [
      { title: "as prod configures it", seconds: 300 },
      { title: "switched off with a duration left in", stickiness: { enabled: false, duration: 300 } },
    ];
    for (const { title, stickiness, seconds } of cases) {
      it(`reaches the production listener and the routing output only when enabled (${title})`, async () => {
        setPreviousOutputs({ revision: 0 });
        const alb = parseStackFile(fs.readFileSync(stackFilePath(PROJECT_DIR, "prod"), "utf8"));
        assert.ok("raw" in alb);
        const prodAlb = alb.raw.values["bluegreen:alb"] as Record<string, unknown>;
        loadStack("prod", stickiness === undefined ? {} : { "bluegreen:alb": { ...prodAlb, stickiness } });
        const outputs = await runProgram("prod");
        if (outputs.routing.kind !== "alb") assert.fail("expected alb routing");
        assert.equal(outputs.routing.stickinessSeconds, seconds);
        const production = resourcesOfType("aws:lb/listener:Listener").find(
          (listener) => listener.inputs.port === 443,
        );
        assert.deepEqual(
          production?.inputs.defaultActions[0].forward.stickiness,
          seconds === undefined ? undefined : { enabled: true, duration: seconds },
        );
      });
    }
  });

  describe("Lambda stack", () => {
    it("weights the alias so green gets 25% for {blue: 75, green: 25}", async () => {
      setPreviousOutputs({ revision: 0 });
      loadStack("orders-dev", {
        "bluegreen:traffic": { blue: 75, green: 25 },
        "bluegreen:stable": "blue",
        "bluegreen:slots": { blue: { version: "2.3.0" }, green: { version: "2.4.0" } },
      });
      const outputs = await runProgram("orders-dev");
      if (outputs.routing.kind !== "lambda") assert.fail("expected lambda routing");
      const [alias] = resourcesOfType("aws:lambda/alias:Alias");
      assert.equal(alias.inputs.functionVersion, outputs.routing.versions.blue);
      assert.deepEqual(alias.inputs.routingConfig.additionalVersionWeights, {
        [outputs.routing.versions.green]: 0.25,
      });
    });
  });

  describe("Kubernetes stacks", () => {
    it("alb mode binds each colour's Service to its colour's target group behind the weighted listener", async () => {
      loadStack("eks-dev", { "bluegreen:traffic": { blue: 75, green: 25 }, "bluegreen:stable": "blue" });
      const outputs = await runProgram("eks-dev");
      if (outputs.routing.kind !== "alb") assert.fail("expected alb routing");
      const bindings = resourcesOfType("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
      assert.equal(bindings.length, 2);
      for (const colour of ["blue", "green"] as const) {
        const binding = bindings.find(
          (candidate) => candidate.inputs.spec.serviceRef.name === `catalog-${colour}`,
        );
        assert.ok(binding, `no binding for the ${colour} Service`);
        assert.equal(binding.inputs.spec.targetGroupARN, outputs.routing.targetGroupArns[colour]);
      }
      const listener = resourcesOfType("aws:lb/listener:Listener").find(
        (candidate) => candidate.inputs.port === 80,
      );
      const groups = listener?.inputs.defaultActions[0].forward.targetGroups as {
        arn: string;
        weight: number;
      }[];
      const greenArn = outputs.routing.targetGroupArns.green;
      assert.equal(groups.find((group) => group.arn === greenArn)?.weight, 25);
      const deployments = resourcesOfType("kubernetes:apps/v1:Deployment");
      assert.deepEqual(
        deployments.map((deployment) => deployment.inputs.spec.template.spec.containers[0].image).sort(),
        [
          "123456789012.dkr.ecr.eu-west-1.amazonaws.com/catalog:3.1.0",
          "123456789012.dkr.ecr.eu-west-1.amazonaws.com/catalog:3.1.0",
        ],
      );
    });

    const modes: { stack: string; readinessGate?: string; servicePort: number }[] = [
      { stack: "eks-dev", readinessGate: "enabled", servicePort: 8080 },
      { stack: "gateway-dev", servicePort: 80 },
    ];
    for (const { stack, readinessGate, servicePort } of modes) {
      it(`${stack}: the namespace's readiness gate and the Services' port follow the routing mode`, async () => {
        loadStack(stack);
        await runProgram(stack);
        const [namespace] = resourcesOfType("kubernetes:core/v1:Namespace");
        assert.equal(
          namespace.inputs.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"],
          readinessGate,
        );
        for (const service of resourcesOfType("kubernetes:core/v1:Service")) {
          assert.deepEqual(service.inputs.spec.ports, [
            { name: "http", port: servicePort, targetPort: 8080, protocol: "TCP" },
          ]);
        }
      });
    }

    it("gateway mode weights the HTTPRoute's backends and watches the team's alarms per colour", async () => {
      loadStack("gateway-dev", {
        "bluegreen:traffic": { blue: 90, green: 10 },
        "bluegreen:stable": "blue",
        "bluegreen:slots": { blue: { version: "3.1.0" }, green: { version: "3.2.0" } },
      });
      const outputs = await runProgram("gateway-dev");
      if (outputs.routing.kind !== "gateway") assert.fail("expected gateway routing");
      assert.equal(outputs.routing.namespace, "catalog-dev");
      const [route] = resourcesOfType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
      const backends = route.inputs.spec.rules[0].backendRefs as { name: string; weight: number }[];
      assert.deepEqual(
        backends.map((backend) => [backend.name, backend.weight]),
        [
          ["catalog-blue", 90],
          ["catalog-green", 10],
        ],
      );
      assert.deepEqual(outputs.alarms.green.members, [
        "catalog-gateway-dev-green-pod-restarts",
        "catalog-gateway-dev-green-5xx-rate",
      ]);
      const images = resourcesOfType("kubernetes:apps/v1:Deployment").map(
        (deployment) => deployment.inputs.spec.template.spec.containers[0].image,
      );
      assert.deepEqual(images.sort(), [
        "registry.example.com/catalog:3.1.0",
        "registry.example.com/catalog:3.2.0",
      ]);
    });
  });

  describe("the kubeconfig secret", () => {
    const kubeconfig = "apiVersion: v1\nkind: Config\nusers: [{ name: ci, user: { token: s3cr3t-token } }]\n";

    it("reaches the Kubernetes provider as a secret and never an output", async () => {
      loadStack("gateway-dev", { "bluegreen:kubeconfig": kubeconfig }, ["bluegreen:kubeconfig"]);
      const outputs = await runProgram("gateway-dev");
      const [provider] = resourcesOfType("pulumi:providers:kubernetes");
      assert.ok(provider, "no Kubernetes provider");
      // The engine receives it wrapped as a secret, so it is encrypted in state and masked in logs.
      assert.deepEqual(provider.inputs.kubeconfig, {
        [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
        value: kubeconfig,
      });
      assert.ok(!JSON.stringify(outputs).includes("s3cr3t-token"));
    });

    it("without it, the provider uses the ambient context", async () => {
      loadStack("gateway-dev");
      await runProgram("gateway-dev");
      const [provider] = resourcesOfType("pulumi:providers:kubernetes");
      assert.equal(provider.inputs.kubeconfig, undefined);
    });

    it("is refused in plain text", async () => {
      loadStack("gateway-dev", { "bluegreen:kubeconfig": kubeconfig });
      await assert.rejects(runProgram("gateway-dev"), /bluegreen:kubeconfig: must be a secret/);
    });
  });

  describe("the control table", () => {
    const TABLE = "aws:dynamodb/table:Table";
    for (const [stack, service] of [
      ["dev", "checkout"],
      ["orders-dev", "orders"],
      ["eks-dev", "catalog"],
      ["gateway-dev", "catalog"],
    ] as const) {
      it(`declares bluegreen-${service}-${stack} for ${stack} and exports its name and ARN`, async () => {
        loadStack(stack);
        const outputs = await runProgram(stack);
        const tables = resourcesOfType(TABLE);
        assert.equal(tables.length, 1);
        assert.equal(tables[0].inputs.name, `bluegreen-${service}-${stack}`);
        assert.equal(outputs.control?.tableName, `bluegreen-${service}-${stack}`);
        assert.ok(outputs.control?.tableArn);
      });
    }

    it("declares no table, and exports none, when bluegreen:control.channel is file", async () => {
      loadStack("dev", { "bluegreen:control": { channel: "file" } });
      const outputs = await runProgram("dev");
      assert.deepEqual(resourcesOfType(TABLE), []);
      assert.equal(outputs.control, undefined);
    });

    it("refuses a Kubernetes stack on the DynamoDB channel without an AWS region, naming the fix", async () => {
      loadStack("gateway-dev", { "aws:region": undefined });
      assert.throws(() => readStackConfig(), /sets no aws:region.*bluegreen:control\.channel to file/);
      loadStack("gateway-dev", { "aws:region": undefined, "bluegreen:control": { channel: "file" } });
      await runProgram("gateway-dev");
      assert.deepEqual(resourcesOfType(TABLE), []);
    });
  });

  describe("release guard", () => {
    it("refuses a stack file behind the deployed revision before registering resources", async () => {
      setPreviousOutputs({ revision: 7 });
      loadStack("dev", { "bluegreen:revision": 5 });
      await assert.rejects(
        runProgram("dev"),
        /behind the deployed stack: the rollout driver recorded bluegreen:revision 7, this file says 5/,
      );
      assert.deepEqual(
        resources().map((resource) => resource.type),
        ["pulumi:pulumi:StackReference"],
      );
    });

    it("lets a stack file at the deployed revision through", async () => {
      setPreviousOutputs({ revision: 7 });
      loadStack("dev", { "bluegreen:revision": 7 });
      const outputs = await runProgram("dev");
      assert.equal(outputs.revision, 7);
    });

    it("refuses a first Lambda deployment whose colours differ", async () => {
      loadStack("orders-dev", {
        "bluegreen:slots": { blue: { version: "2.3.0" }, green: { version: "2.4.0" } },
      });
      await assert.rejects(
        runProgram("orders-dev"),
        /first deployment of a Lambda stack publishes both colours from one artifact/,
      );
    });
  });
});
