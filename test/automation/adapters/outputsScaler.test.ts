import assert from "node:assert/strict";
import { OutputsCapacityScaler } from "../../../automation/adapters/outputsScaler";
import type { CapacityScaler } from "../../../automation/ports";
import type { StackOutputs } from "../../../components/domain";

/** A scaler that says which output built it. */
function tagged(tag: string, calls: string[]): CapacityScaler {
  return {
    capacity: async (colour) => {
      calls.push(`${tag} capacity ${colour}`);
      return { desired: 2, running: 2, ready: 2 };
    },
    scale: async (colour, count) => {
      calls.push(`${tag} scale ${colour} ${count}`);
    },
  };
}

describe("OutputsCapacityScaler", () => {
  const outputsWith = (capacity: StackOutputs["capacity"]) => async () => ({ capacity }) as StackOutputs;

  it("scales ECS services named by an ecs capacity output", async () => {
    const calls: string[] = [];
    const scaler = new OutputsCapacityScaler(
      "prod",
      outputsWith({ kind: "ecs", cluster: "apps", serviceNames: { blue: "b", green: "g" } }),
      {
        ecs: (capacity) => tagged(`ecs ${capacity.cluster} ${capacity.serviceNames.green}`, calls),
        kubernetes: () => tagged("kubernetes", calls),
      },
    );
    await scaler.scale("green", 0);
    assert.deepEqual(calls, ["ecs apps g scale green 0"]);
  });

  it("scales Deployments named by a kubernetes capacity output", async () => {
    const calls: string[] = [];
    const scaler = new OutputsCapacityScaler(
      "eks-dev",
      outputsWith({ kind: "kubernetes", namespace: "ns", deploymentNames: { blue: "b", green: "g" } }),
      {
        ecs: () => tagged("ecs", calls),
        kubernetes: (capacity) => tagged(`kubernetes ${capacity.namespace}`, calls),
      },
    );
    assert.equal((await scaler.capacity("blue")).desired, 2);
    assert.deepEqual(calls, ["kubernetes ns capacity blue"]);
  });

  it("a stack deployed before the output existed names the fix", async () => {
    const scaler = new OutputsCapacityScaler("prod", outputsWith(undefined), {
      ecs: () => assert.fail("built a scaler without an output"),
      kubernetes: () => assert.fail("built a scaler without an output"),
    });
    await assert.rejects(
      scaler.capacity("blue"),
      /stack prod exports no capacity output .*run `pulumi up` once/,
    );
  });
});
