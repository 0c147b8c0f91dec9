import assert from "node:assert/strict";
import { runRollout, scaleDownIdle, undoPromotion } from "../../automation/rollout";
import { SimulatedWorld, VirtualClock } from "../../automation/rehearsal";
import type { CapacityScaler } from "../../automation/ports";
import { EPOCH, testConfig } from "./support";

const HOUR = 3_600_000;

/** A world where 1.5.0 was just promoted on green, leaving blue idle with its 2 tasks. */
async function promoted() {
  const config = testConfig();
  const clock = new VirtualClock(EPOCH);
  const world = new SimulatedWorld({ config, stackName: "dev", clock });
  const rollout = await runRollout(world.driverDeps({ emit: () => undefined }), {
    config,
    version: "1.5.0",
    resume: false,
    signal: world.signal,
  });
  assert.equal(rollout.outcome, "promoted", rollout.reason);
  const capacity = world.capacity;
  assert.ok(capacity);
  const deps = (scaler: CapacityScaler = capacity.port) => ({
    control: world.control,
    router: world.router,
    scaler,
    clock,
  });
  return { world, clock, capacity, deps, config };
}

describe("scaleDownIdle", () => {
  it("inside the window: nothing, and says when the window closes", async () => {
    const { deps, capacity, clock } = await promoted();
    const outcome = await scaleDownIdle(deps(), 0);
    assert.equal(outcome.kind, "nothing");
    assert.equal(outcome.kind === "nothing" && outcome.reason, "window-open");
    assert.ok(outcome.kind === "nothing" && outcome.until === clock.now() + HOUR);
    assert.equal(capacity.capacity("blue").desired, 2);
  });

  it("after the window: scales blue to 0, records it, and does it only once", async () => {
    const { deps, capacity, clock, world } = await promoted();
    await clock.sleep(HOUR);
    assert.deepEqual(await scaleDownIdle(deps(), 0), { kind: "scaled-down", colour: "blue", from: 2, to: 0 });
    assert.equal(capacity.capacity("blue").desired, 0);
    assert.equal(capacity.capacity("green").desired, 2, "the serving colour is never touched");
    const { idle } = await world.control.readRecord();
    assert.deepEqual([idle?.scaledDownAt, idle?.scaledTo], [clock.now(), 0]);
    const again = await scaleDownIdle(deps(), 0);
    assert.equal(again.kind === "nothing" && again.reason, "scaled-down");
    assert.equal(capacity.recordedScales().length, 1);
  });

  it("never while a run holds the stack", async () => {
    const { deps, capacity, clock, world } = await promoted();
    await clock.sleep(HOUR);
    await world.control.claimRun(
      {
        runId: "run-9",
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
    const outcome = await scaleDownIdle(deps(), 0);
    assert.equal(outcome.kind === "nothing" && outcome.reason, "run-in-progress");
    assert.equal(capacity.capacity("blue").desired, 2);
  });

  it("a failed scale takes the mark back, so the next pass tries again", async () => {
    const { deps, capacity, clock, world } = await promoted();
    await clock.sleep(HOUR);
    const failing: CapacityScaler = {
      capacity: capacity.port.capacity,
      scale: async () => {
        throw new Error("AccessDeniedException: not authorized to perform ecs:UpdateService");
      },
    };
    const outcome = await scaleDownIdle(deps(failing), 0);
    assert.equal(outcome.kind, "failed");
    assert.match(
      outcome.kind === "failed" ? outcome.reason : "",
      /scaling blue from 2 to 0 failed: AccessDenied/,
    );
    assert.equal((await world.control.readRecord()).idle?.scaledDownAt, undefined);
    assert.equal((await scaleDownIdle(deps(), 0)).kind, "scaled-down");
  });

  it("an undo after the scale-down scales blue back up before it gets traffic", async () => {
    const { deps, capacity, clock, world, config } = await promoted();
    await clock.sleep(HOUR);
    await scaleDownIdle(deps(), 0);
    const undone = await undoPromotion(world.driverDeps({ emit: () => undefined }), { config, by: "alice" });
    assert.equal(undone.outcome, "rolled-back", undone.reason);
    assert.equal(capacity.capacity("blue").ready, 2);
    assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
  });
});

describe("a reverted rollout leaves its scaled-up candidate to the next scale-down", () => {
  it("scales blue up for the rollout, the revert leaves it idle, the next pass scales it down again", async () => {
    const config = testConfig();
    const clock = new VirtualClock(EPOCH);
    const world = new SimulatedWorld({ config, stackName: "dev", clock });
    const deps = { control: world.control, router: world.router, scaler: world.capacity!.port, clock };
    const first = await runRollout(world.driverDeps({ emit: () => undefined }), {
      config,
      version: "1.5.0",
      resume: false,
      signal: world.signal,
    });
    assert.equal(first.outcome, "promoted", first.reason);
    await clock.sleep(HOUR);
    assert.equal((await scaleDownIdle(deps, 0)).kind, "scaled-down");
    // The next release goes to blue, is scaled up, and is reverted by an alarm.
    world.inject({ at: clock.now() - EPOCH + 7 * 60_000, alarm: "errorRate", state: "ALARM" } as never);
    const second = await runRollout(world.driverDeps({ emit: () => undefined }), {
      config: testConfig({
        traffic: { blue: 0, green: 100 },
        stable: "green",
        slots: { blue: { version: "1.4.0" }, green: { version: "1.5.0" } },
        revision: 20,
      }),
      version: "1.6.0",
      resume: false,
      signal: world.signal,
    });
    assert.equal(second.outcome, "rolled-back", second.reason);
    assert.equal(world.capacity!.capacity("blue").desired, 2, "scaled up for the rollout");
    const again = await scaleDownIdle(deps, 0);
    assert.deepEqual(again, { kind: "scaled-down", colour: "blue", from: 2, to: 0 });
  });
});
