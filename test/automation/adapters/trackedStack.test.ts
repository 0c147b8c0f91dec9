import assert from "node:assert/strict";
import { TrackedStack } from "../../../automation/adapters/trackedStack";
import type { StackPort, UpdateOptions } from "../../../automation/ports";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { exampleConfig } from "../../support/exampleConfigs";

describe("TrackedStack", () => {
  let world: SimulatedWorld;
  beforeEach(() => {
    world = new SimulatedWorld({
      config: exampleConfig("ecs"),
      stackName: "dev",
      clock: new VirtualClock(0),
    });
  });

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
      revision: values.revision + 1,
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
