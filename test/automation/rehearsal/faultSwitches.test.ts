import assert from "node:assert/strict";
import type { ReleaseValues } from "../../../automation/ports";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { exampleConfig } from "../../support/exampleConfigs";

const START = 1_700_000_000_000;
const MINUTE = 60_000;
const GREEN_ERROR_RATE = "checkout-dev-green-error-rate";

function setup() {
  const clock = new VirtualClock(START);
  const world = new SimulatedWorld({ config: exampleConfig("ecs"), stackName: "dev", clock });
  const at = (ms: number) => clock.sleep(START + ms - clock.now());
  return { clock, world, at };
}

/** Whether a promise settles within a few turns of the microtask queue. */
async function settles(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol("pending");
  const timeout = new Promise((resolve) => setImmediate(() => resolve(pending)));
  return (
    (await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ])) !== pending
  );
}

/** The values of a rollout step: green runs 1.5.0 and gets `weight` percent. */
function stepValues(world: SimulatedWorld, weight: number): ReleaseValues {
  const values = world.stackValues();
  return {
    ...values,
    slots: { ...values.slots, green: { version: "1.5.0" } },
    traffic: { blue: 100 - weight, green: weight },
    revision: values.revision + 1,
  };
}

describe("SimulatedWorld fault switches", () => {
  it("throttleAlarmReads throttles exactly the next reads, however little time passes", async () => {
    const { world } = setup();
    world.faults.throttleAlarmReads(2);
    const outcomes: string[] = [];
    for (let read = 0; read < 3; read++) {
      outcomes.push(
        await world.alarms.read([GREEN_ERROR_RATE]).then(
          (readings) => readings[0].state,
          (error: Error) => `${error.name}: ${error.message}`,
        ),
      );
    }
    assert.deepEqual(outcomes, [
      "ThrottlingException: Rate exceeded",
      "ThrottlingException: Rate exceeded",
      "OK",
    ]);
  });

  it("throttleWeightReads throttles reads of the live split inside its window only, not writes", async () => {
    const { world, at } = setup();
    world.faults.throttleWeightReads({ at: 2 * MINUTE, for: MINUTE });
    const timeline: [number, string][] = [];
    for (const time of [2 * MINUTE - 1, 2 * MINUTE, 3 * MINUTE - 1, 3 * MINUTE]) {
      await at(time);
      timeline.push([
        time,
        await world.router.read().then(
          (split) => `blue ${split.blue}`,
          (error: Error) => error.name,
        ),
      ]);
    }
    assert.deepEqual(timeline, [
      [2 * MINUTE - 1, "blue 100"],
      [2 * MINUTE, "Throttling"],
      [3 * MINUTE - 1, "Throttling"],
      [3 * MINUTE, "blue 100"],
    ]);
  });

  it("raceNextWrite overwrites the next write of the split once, whether direct or by an update", async () => {
    const { world } = setup();
    world.faults.raceNextWrite({ blue: 30, green: 70 });
    await world.router.write({ blue: 90, green: 10 });
    assert.deepEqual(await world.router.read(), { blue: 30, green: 70 });
    assert.deepEqual(
      world.routerWrites().map((write) => write.split),
      [{ blue: 90, green: 10 }],
      "the driver's own write is what the router recorded",
    );
    await world.router.write({ blue: 100, green: 0 });
    assert.deepEqual(await world.router.read(), { blue: 100, green: 0 }, "only once");

    world.faults.raceNextWrite({ blue: 75, green: 25 });
    await world.stack.writeValues(stepValues(world, 0));
    await world.stack.update({ message: "deploy" });
    assert.deepEqual(await world.router.read(), { blue: 75, green: 25 });
  });

  it("hang: from its time alarm reads and readiness never answer, until endHang", async () => {
    const { world, at } = setup();
    world.faults.hang(5 * MINUTE);
    await at(5 * MINUTE - 1);
    assert.equal(await settles(world.alarms.read([GREEN_ERROR_RATE])), true);
    assert.equal(await settles(world.router.readiness("green")), true);
    await at(5 * MINUTE);
    assert.equal(await settles(world.alarms.read([GREEN_ERROR_RATE])), false);
    assert.equal(await settles(world.router.readiness("green")), false);
    world.faults.endHang();
    assert.equal(await settles(world.alarms.read([GREEN_ERROR_RATE])), true);
    assert.equal(await settles(world.router.readiness("green")), true);
  });

  it("driftOutOfBand adds changes to every preview", async () => {
    const { world } = setup();
    world.faults.driftOutOfBand(2);
    assert.equal(await world.stack.previewChanges(), 2);
    await world.stack.writeValues(stepValues(world, 25));
    assert.equal(await world.stack.previewChanges(), 5);
  });
});

describe("SimulatedWorld records", () => {
  it("every write of release values, with its time", async () => {
    const { world, clock, at } = setup();
    const first = stepValues(world, 0);
    await world.stack.writeValues(first);
    await at(MINUTE);
    const second = { ...first, traffic: { blue: 90, green: 10 }, revision: first.revision + 1 };
    await world.stack.writeValues(second);
    assert.deepEqual(world.valueWrites(), [
      { values: first, at: START },
      { values: second, at: clock.now() },
    ]);
  });

  it("a direct write asked for with an aborted signal, refused without changing the split", async () => {
    const { world, clock } = setup();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(world.router.write({ blue: 0, green: 100 }, controller.signal), {
      name: "AbortError",
    });
    assert.deepEqual(world.routerWrites(), [
      { split: { blue: 0, green: 100 }, at: clock.now(), error: "AbortError: The operation was aborted" },
    ]);
    assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
  });
});
