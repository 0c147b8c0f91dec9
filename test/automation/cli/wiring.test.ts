import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { TrafficSplit } from "../../../infra/config/schema";
import type { GatewayRouting, StackOutputs } from "../../../infra/outputs";
import type { AccessRequest } from "../../../automation/adapters/kubernetes";
import { UsageError } from "../../../automation/cli/io";
import { RoutingRouter } from "../../../automation/cli/routingRouter";
import { loadStack } from "../../../automation/cli/stacks";
import { TrackedStack } from "../../../automation/cli/trackedStack";
import { connectStack, kubeconfigSource, stackRegion } from "../../../automation/cli/wiring";
import type { EventSink } from "../../../automation/events";
import type { StackPort, TrafficRouter, UpdateOptions } from "../../../automation/ports";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { FakeKubernetesApi } from "../adapters/kubernetes/fakeKubernetesApi";
import { ecsStack, makeProject, testIo } from "./support";

const REPO_STACKS = path.join(__dirname, "..", "..", "..", "stacks");

const GATEWAY_ROUTING: GatewayRouting = {
  kind: "gateway",
  namespace: "apps",
  routeName: "checkout",
  serviceNames: { blue: "checkout-blue", green: "checkout-green" },
};

/** The fake Kubernetes API that also answers access reviews: everything is allowed but `denied`. */
class ReviewingKubernetesApi extends FakeKubernetesApi {
  readonly reviewed: AccessRequest[] = [];
  constructor(private readonly denied: readonly string[] = []) {
    super();
  }
  async allowed(_namespace: string, request: AccessRequest): Promise<boolean> {
    this.reviewed.push(request);
    const what = `${request.verb} ${request.resource}${request.subresource ? `/${request.subresource}` : ""}`;
    return !this.denied.includes(what);
  }
}

const NO_EVENTS: EventSink = { emit: () => undefined };

function fakeRouter(label: string, calls: string[]): TrafficRouter {
  return {
    read: async () => {
      calls.push(`${label}.read`);
      return { blue: 100, green: 0 };
    },
    write: async (split: TrafficSplit) => void calls.push(`${label}.write ${split.blue}/${split.green}`),
    readiness: async () => ({ ready: true, detail: label }),
    preTrafficCheck: async () => ({ ready: true, detail: label }),
  };
}

function withRouting(outputs: StackOutputs, routing: StackOutputs["routing"]): StackOutputs {
  return { ...outputs, routing };
}

describe("the wiring of a real run", () => {
  let project: ReturnType<typeof makeProject>;
  let world: SimulatedWorld;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack(), noregion: ecsStack({ region: false }) });
    world = new SimulatedWorld({
      config: loadStack(project.dir, "dev").config,
      stackName: "dev",
      clock: new VirtualClock(0),
    });
  });
  afterEach(() => project.cleanup());

  describe("stackRegion", () => {
    it("takes aws:region from the stack file first", () => {
      const t = testIo(project.dir, { env: { AWS_REGION: "us-east-1" } });
      assert.equal(stackRegion({ stack: loadStack(project.dir, "dev"), io: t.io }), "eu-west-1");
    });
    it("falls back to AWS_REGION", () => {
      const t = testIo(project.dir, { env: { AWS_REGION: "us-east-1" } });
      assert.equal(stackRegion({ stack: loadStack(project.dir, "noregion"), io: t.io }), "us-east-1");
    });
    it("names both ways to set it when neither is there", () => {
      const t = testIo(project.dir);
      assert.throws(
        () => stackRegion({ stack: loadStack(project.dir, "noregion"), io: t.io }),
        (error: Error) =>
          error instanceof UsageError &&
          /pulumi config set aws:region eu-west-1 --stack noregion/.test(error.message) &&
          /AWS_REGION/.test(error.message),
      );
    });
  });

  describe("RoutingRouter", () => {
    it("delegates to the router of the deployed routing kind, built once", async () => {
      const calls: string[] = [];
      let built = 0;
      const outputs = world.deployedOutputs();
      const router = new RoutingRouter("dev", async () => outputs, {
        alb: () => {
          built += 1;
          return fakeRouter("alb", calls);
        },
        lambda: () => fakeRouter("lambda", calls),
      });
      await router.read();
      await router.write({ blue: 90, green: 10 });
      assert.deepEqual(calls, ["alb.read", "alb.write 90/10"]);
      assert.equal(built, 1);
    });

    it("delegates gateway routing to the gateway router", async () => {
      const calls: string[] = [];
      const outputs = withRouting(world.deployedOutputs(), GATEWAY_ROUTING);
      const router = new RoutingRouter("dev", async () => outputs, {
        alb: () => fakeRouter("alb", calls),
        gateway: () => fakeRouter("gateway", calls),
      });
      await router.write({ blue: 0, green: 100 });
      assert.deepEqual(calls, ["gateway.write 0/100"]);
    });

    it("refuses a routing kind it has no router for, naming the kind", async () => {
      const outputs = withRouting(world.deployedOutputs(), GATEWAY_ROUTING);
      const router = new RoutingRouter("dev", async () => outputs, { alb: () => fakeRouter("alb", []) });
      await assert.rejects(router.read(), /stack dev routes traffic through routing kind "gateway"/);
    });

    it("says to deploy first when the stack has no outputs", async () => {
      const router = new RoutingRouter("dev", async () => undefined, { alb: () => fakeRouter("alb", []) });
      await assert.rejects(router.read(), /deploy it with `pulumi up` first/);
    });
  });

  describe("TrackedStack", () => {
    it("reads outputs once for the routers and refreshes them from every update", async () => {
      let reads = 0;
      const inner: StackPort = {
        ...world.stack,
        name: world.stack.name,
        outputs: async (signal?: AbortSignal) => {
          reads += 1;
          return world.stack.outputs(signal);
        },
        update: (options: UpdateOptions) => world.stack.update(options),
        readValues: () => world.stack.readValues(),
        writeValues: (values) => world.stack.writeValues(values),
        previewChanges: (signal) => world.stack.previewChanges(signal),
        lock: () => world.stack.lock(),
      };
      const tracked = new TrackedStack(inner);
      await tracked.current();
      await tracked.current();
      assert.equal(reads, 1);
      const values = await tracked.readValues();
      await tracked.writeValues({
        ...values,
        stable: "green",
        traffic: { blue: 0, green: 100 },
        revision: 1,
      });
      await tracked.update({ message: "promote" });
      assert.equal((await tracked.current())?.stableColour, "green");
      assert.equal(reads, 1);
    });

    it("forgets the outputs when an update fails, since it may have been saved", async () => {
      let reads = 0;
      const inner: StackPort = {
        name: "dev",
        outputs: async () => {
          reads += 1;
          return world.deployedOutputs();
        },
        update: async () => {
          throw new Error("CommandError: connection reset");
        },
        readValues: () => world.stack.readValues(),
        writeValues: async () => undefined,
        previewChanges: async () => 0,
        lock: async () => undefined,
      };
      const tracked = new TrackedStack(inner);
      await tracked.current();
      await assert.rejects(tracked.update({ message: "step" }));
      await tracked.current();
      assert.equal(reads, 2);
    });
  });

  describe("connectStack", () => {
    async function connected(outputs: StackOutputs | undefined) {
      const t = testIo(project.dir);
      const stackPort: StackPort = { ...world.stack, name: "dev", outputs: async () => outputs };
      return connectStack(
        {
          stack: loadStack(project.dir, "dev"),
          io: t.io,
          events: NO_EVENTS,
          control: new MemoryControlChannel(),
        },
        { stack: stackPort },
      );
    }

    it("runs the Pulumi CLI, AWS credentials, stack and routing checks, in that order", async () => {
      const deps = await connected(world.deployedOutputs());
      assert.deepEqual(
        deps.preflightChecks?.map((check) => check.name),
        ["pulumi-cli", "aws-credentials", "pulumi-stack", "routing"],
      );
      const routing = deps.preflightChecks?.find((check) => check.name === "routing");
      assert.deepEqual(await routing?.run(), { ok: true, detail: "alb routing in eu-west-1" });
    });
  });

  describe("connectStack for a gateway stack", () => {
    let gateway: ReturnType<typeof makeProject>;
    beforeEach(() => {
      gateway = makeProject({
        "gateway-dev": fs.readFileSync(path.join(REPO_STACKS, "Pulumi.gateway-dev.yaml"), "utf8"),
      });
    });
    afterEach(() => gateway.cleanup());

    async function connectedGateway(api: ReviewingKubernetesApi) {
      const stack = loadStack(gateway.dir, "gateway-dev");
      const gatewayWorld = new SimulatedWorld({
        config: stack.config,
        stackName: "gateway-dev",
        clock: new VirtualClock(0),
      });
      const deps = await connectStack(
        { stack, io: testIo(gateway.dir).io, events: NO_EVENTS, control: new MemoryControlChannel() },
        { stack: gatewayWorld.stack, kubernetes: api },
      );
      return { deps, outputs: gatewayWorld.deployedOutputs() };
    }

    it("steps the HTTPRoute through the Kubernetes API with the Service port of the stack file", async () => {
      const api = new ReviewingKubernetesApi();
      const { deps, outputs } = await connectedGateway(api);
      assert.equal(outputs.routing.kind, "gateway");
      api.putRoute("catalog-dev", "catalog", {
        spec: {
          rules: [
            {
              backendRefs: [
                { kind: "Service", name: "catalog-blue", port: 80, weight: 100 },
                { kind: "Service", name: "catalog-green", port: 80, weight: 0 },
              ],
            },
          ],
        },
      });
      assert.deepEqual(await deps.router.read(), { blue: 100, green: 0 });
      await deps.router.write({ blue: 90, green: 10 });
      assert.deepEqual(await deps.router.read(), { blue: 90, green: 10 });
      await deps.router.preTrafficCheck("green");
      assert.deepEqual(api.proxyCalls[0], {
        namespace: "catalog-dev",
        service: "catalog-green",
        port: 80,
        path: "/health",
      });
    });

    it("passes the routing check when the credentials may step and revert the route", async () => {
      const api = new ReviewingKubernetesApi();
      const { deps } = await connectedGateway(api);
      const routing = deps.preflightChecks?.find((check) => check.name === "routing");
      const result = await routing?.run();
      assert.equal(result?.ok, true, result?.detail);
      assert.match(result?.detail ?? "", /HTTPRoute catalog-dev\/catalog/);
      assert.deepEqual(
        api.reviewed.map(
          (request) =>
            `${request.verb} ${request.resource}${request.subresource ? `/${request.subresource}` : ""} ${request.name}`,
        ),
        [
          "get httproutes catalog",
          "update httproutes catalog",
          "get deployments catalog-blue",
          "get deployments catalog-green",
          "get services/proxy catalog-blue",
          "get services/proxy catalog-green",
        ],
      );
    });

    it("fails the routing check, naming what is missing and the example Role, when the revert path is not allowed", async () => {
      const api = new ReviewingKubernetesApi(["update httproutes"]);
      const { deps } = await connectedGateway(api);
      const routing = deps.preflightChecks?.find((check) => check.name === "routing");
      const result = await routing?.run();
      assert.equal(result?.ok, false);
      assert.match(result?.detail ?? "", /may not update httproutes catalog in namespace catalog-dev/);
      assert.match(result?.detail ?? "", /docs\/kubernetes-revert-rbac\.yaml/);
    });

    it("reads the kubeconfig from the stack's secret only when the stack file sets one", () => {
      const read = async () => "kubeconfig";
      assert.equal(kubeconfigSource(loadStack(gateway.dir, "gateway-dev"), read), undefined);
      const withSecret = makeProject({
        "gateway-dev": `${fs.readFileSync(path.join(REPO_STACKS, "Pulumi.gateway-dev.yaml"), "utf8")}  bluegreen:kubeconfig:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBB\n`,
      });
      try {
        assert.equal(kubeconfigSource(loadStack(withSecret.dir, "gateway-dev"), read), read);
      } finally {
        withSecret.cleanup();
      }
    });
  });
});
