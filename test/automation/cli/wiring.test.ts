import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { AccessRequest } from "../../../automation/adapters/kubernetes";
import { UsageError } from "../../../automation/cli/io";
import { loadStack } from "../../../automation/cli/stacks";
import { connectStack, kubeconfigSource, stackRegion } from "../../../automation/cli/wiring";
import type { EventSink } from "../../../automation/events";
import type { StackPort } from "../../../automation/ports";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { FakeKubernetesApi } from "../adapters/kubernetes/fakeKubernetesApi";
import { ecsStack, makeProject, testIo } from "./support";
import type { StackOutputs } from "../../../components/domain";

const REPO_STACKS = path.join(__dirname, "..", "..", "..", "stacks");

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
