import assert from "node:assert/strict";
import { RoutingRouter } from "../../../automation/adapters/routingRouter";
import type { TrafficRouter } from "../../../automation/ports";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { exampleConfig } from "../../support/exampleConfigs";
import type { TrafficSplit, GatewayRouting, StackOutputs } from "../../../components/domain";

const GATEWAY_ROUTING: GatewayRouting = {
  kind: "gateway",
  namespace: "apps",
  routeName: "checkout",
  serviceNames: { blue: "checkout-blue", green: "checkout-green" },
};

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

describe("RoutingRouter", () => {
  let world: SimulatedWorld;
  beforeEach(() => {
    world = new SimulatedWorld({
      config: exampleConfig("ecs"),
      stackName: "dev",
      clock: new VirtualClock(0),
    });
  });

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
