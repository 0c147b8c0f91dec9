import assert from "node:assert/strict";
import { runRollout, undoPromotion } from "../../automation/rollout";
import type { RolloutEvent } from "../../automation/events";
import { SimulatedWorld, VirtualClock } from "../../automation/rehearsal";
import { SIMULATED_SCALE_UP_SECONDS } from "../../automation/rehearsal/simulatedCapacity";
import { EPOCH, testConfig } from "./support";

/** A world where 1.5.0 was just promoted on green, blue (1.4.0) left idle, and the events of the undo. */
async function promoted(options: { idleCapacity?: number } = {}) {
  const config = testConfig();
  const clock = new VirtualClock(EPOCH);
  const world = new SimulatedWorld({ config, stackName: "dev", clock, ...options });
  const rollout = await runRollout(world.driverDeps({ emit: () => undefined }), {
    config,
    version: "1.5.0",
    resume: false,
    signal: world.signal,
  });
  assert.equal(rollout.outcome, "promoted", rollout.reason);
  const events: RolloutEvent[] = [];
  const undo = () =>
    undoPromotion(world.driverDeps({ emit: (event) => events.push(event) }), { config, by: "alice" });
  return { world, clock, events, undo, config };
}

const types = (events: RolloutEvent[]) => events.map((event) => event.type);

describe("bluegreen undo", () => {
  it("inside the window: a weight change only, verified, then the stack agrees; exit 3", async () => {
    const { world, events, undo, clock } = await promoted();
    const started = clock.now();
    const result = await undo();
    assert.equal(result.outcome, "rolled-back", result.reason);
    assert.equal(result.exitCode, 3);
    assert.match(result.reason, /undo of 1\.5\.0 by alice: 1\.4\.0 serves 100% on blue again/);
    assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
    assert.equal(world.stackValues().stable, "blue");
    assert.deepEqual(world.stackValues().traffic, { blue: 100, green: 0 });
    assert.ok(!types(events).includes("scaling"));
    assert.deepEqual(types(events).slice(0, 3), ["undoing", "ready", "reverted"]);
    const reverted = events.find((event) => event.type === "reverted");
    assert.ok(reverted && Date.parse(reverted.time) - started < 10_000, "traffic moved within seconds");
    assert.ok(types(events).includes("restored"));
  });

  it("records the undone colour as idle, so a second undo brings the release back", async () => {
    const { world, undo } = await promoted();
    await undo();
    const { idle } = await world.control.readRecord();
    assert.deepEqual([idle?.colour, idle?.version], ["green", "1.5.0"]);
    const again = await undo();
    assert.equal(again.outcome, "rolled-back", again.reason);
    assert.deepEqual(world.liveSplit(), { blue: 0, green: 100 });
  });

  it("after the window (scaled down): scales up first, waits until ready, then moves traffic", async () => {
    const { world, events, undo, clock } = await promoted();
    await world.capacity?.port.scale("blue", 0);
    await world.control.changeIdle(
      (record) => record.idle && { ...record.idle, scaledDownAt: clock.now(), scaledTo: 0 },
    );
    const started = clock.now();
    const result = await undo();
    assert.equal(result.outcome, "rolled-back", result.reason);
    assert.deepEqual(types(events).slice(0, 5), ["undoing", "scaling", "scaled", "ready", "reverted"]);
    const scaling = events.find((event) => event.type === "scaling");
    assert.deepEqual(
      scaling && [scaling.type === "scaling" && scaling.from, scaling.type === "scaling" && scaling.to],
      [0, 2],
    );
    const reverted = events.find((event) => event.type === "reverted");
    const waited = (Date.parse(reverted?.time ?? "") - started) / 1000;
    assert.ok(waited >= SIMULATED_SCALE_UP_SECONDS && waited < SIMULATED_SCALE_UP_SECONDS + 20, `${waited}s`);
    assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
  });

  it("refuses while a run is in progress, naming it, and changes nothing", async () => {
    const { world, undo, clock } = await promoted();
    await world.control.claimRun(
      {
        runId: "run-42",
        version: "1.6.0",
        candidate: "blue",
        stable: "green",
        position: { step: 0, of: 4 },
        weights: { blue: 0, green: 100 },
        startedBy: "bob",
        startedAt: clock.now(),
      },
      clock.now(),
    );
    const result = await undo();
    assert.equal(result.outcome, "rejected");
    assert.equal(result.exitCode, 2);
    assert.match(result.reason, /run run-42 \(1\.6\.0 to blue, started by bob\) is in progress/);
    assert.deepEqual(world.liveSplit(), { blue: 0, green: 100 });
  });

  it("refuses with nothing recorded", async () => {
    const config = testConfig();
    const world = new SimulatedWorld({ config, stackName: "dev", clock: new VirtualClock(EPOCH) });
    const result = await undoPromotion(world.driverDeps({ emit: () => undefined }), { config, by: "alice" });
    assert.equal(result.outcome, "rejected");
    assert.match(result.reason, /no promotion is recorded/);
  });

  it("refuses a colour that cannot take traffic and moves nothing", async () => {
    const { world, undo } = await promoted();
    world.inject({ fault: "candidate-unhealthy" } as never);
    const result = await undo();
    assert.equal(result.outcome, "rejected", result.reason);
    assert.match(result.reason, /cannot take traffic .*; traffic was not moved/);
    assert.deepEqual(world.liveSplit(), { blue: 0, green: 100 });
  });
});
