import assert from "node:assert/strict";
import { runRollout, type RolloutResult } from "../../automation/rollout";
import { DriverHarness, minutes, seconds, testConfig } from "./support";

/**
 * Approval pauses against the simulated world: the driver holds the step's weight after its bake,
 * still watching the alarms and beating its heartbeat, until an operator answers or the timeout.
 */

const VERSION = "1.5.0";
const GREEN_ERROR_RATE = "checkout-dev-green-error-rate";

/** 10% 5m, 50% 5m then a pause (`pause`), 100% 5m. */
function pausing(pause: unknown): DriverHarness {
  return new DriverHarness({
    config: testConfig({
      rollout: {
        steps: [
          { weight: 10, bake: "5m" },
          { weight: 50, bake: "5m", pause },
          { weight: 100, bake: "5m" },
        ],
      },
    }),
  });
}

/** A plan without pauses: 10% 5m, 50% 5m, 100% 5m. */
function plain(): DriverHarness {
  return new DriverHarness({
    config: testConfig({
      rollout: {
        steps: [
          { weight: 10, bake: "5m" },
          { weight: 50, bake: "5m" },
          { weight: 100, bake: "5m" },
        ],
      },
    }),
  });
}

function start(h: DriverHarness): Promise<RolloutResult> {
  return runRollout(h.deps(), {
    config: h.config,
    version: VERSION,
    resume: false,
    signal: h.world.signal,
  });
}

/** The candidate's weight at each step the rollout shifted to. */
function shiftedWeights(h: DriverHarness): number[] {
  return h.eventsOf("shifted").map((event) => event.weights.green);
}

describe("driver: approval pauses", () => {
  it("holds 50% after the bake, emits paused, and goes on when resumed", async () => {
    const h = pausing(true);
    h.world.inject({ at: minutes(40), operator: "resume", by: "alice" });
    const result = await start(h);
    assert.equal(result.outcome, "promoted");
    assert.deepEqual(shiftedWeights(h), [10, 50, 100]);
    const [paused] = h.eventsOf("paused");
    assert.deepEqual(
      { ...paused, elapsedSeconds: undefined, time: undefined },
      {
        type: "paused",
        stack: "dev",
        step: 2,
        of: 3,
        weight: 50,
        by: "the plan",
        elapsedSeconds: undefined,
        time: undefined,
      },
    );
    assert.equal(paused.elapsedSeconds, 600);
    const resumed = h.eventsOf("resumed");
    assert.deepEqual(
      resumed.map((event) => [event.step, event.by, event.elapsedSeconds]),
      [[2, "alice (resume)", 2400]],
    );
    // The 100% step began when alice resumed, not when the bake ended.
    assert.equal(h.eventsOf("shifted")[2].elapsedSeconds, 2400);
    // No bake progress while paused: the wait is not a bake.
    assert.ok(h.eventsOf("baking").every((event) => event.elapsedSeconds <= 600 || event.step === 3));
  });

  it("keeps beating the heartbeat while paused, so operators see a driver watching", async () => {
    const h = pausing(true);
    const beats: number[] = [];
    h.at(
      minutes(30),
      () => void h.world.control.lastHeartbeat().then((at) => beats.push(h.clock.now() - (at ?? 0))),
    );
    h.world.inject({ at: minutes(31), operator: "resume" });
    await start(h);
    assert.equal(beats.length, 1);
    assert.ok(beats[0] <= seconds(10), `heartbeat ${beats[0]}ms old`);
  });

  it("an alarm during the pause reverts at once, at the next poll", async () => {
    const h = pausing(true);
    h.world.inject({ at: minutes(20), alarm: "errorRate", state: "ALARM" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.deepEqual(shiftedWeights(h), [10, 50]);
    const [reverted] = h.eventsOf("reverted");
    assert.equal(reverted.elapsedSeconds, 1200);
    assert.match(reverted.reason, new RegExp(GREEN_ERROR_RATE));
    assert.deepEqual(h.world.liveSplit(), { blue: 100, green: 0 });
  });

  it("at the timeout with onTimeout abort, reverts and ends aborted (exit 4)", async () => {
    const h = pausing({ timeout: "1h" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
    assert.match(result.reason, /nobody approved step 2 within 1h of its pause; its onTimeout is abort/);
    const [paused] = h.eventsOf("paused");
    assert.deepEqual([paused.timeoutSeconds, paused.onTimeout], [3600, "abort"]);
    // Exactly at the timeout, not at the poll after it.
    assert.equal(h.eventsOf("reverted")[0].elapsedSeconds, 600 + 3600);
    assert.deepEqual(h.world.liveSplit(), { blue: 100, green: 0 });
  });

  it("at the timeout with onTimeout promote, goes on with the plan", async () => {
    const h = pausing({ timeout: "1h", onTimeout: "promote" });
    const result = await start(h);
    assert.equal(result.outcome, "promoted");
    assert.deepEqual(shiftedWeights(h), [10, 50, 100]);
    assert.equal(h.eventsOf("shifted")[2].elapsedSeconds, 600 + 3600);
  });

  it("promote-full during the pause skips to the promotion", async () => {
    const h = pausing(true);
    h.world.inject({ at: minutes(15), operator: "promote-full", by: "bob" });
    const result = await start(h);
    assert.equal(result.outcome, "promoted");
    assert.deepEqual(shiftedWeights(h), [10, 50]);
    assert.deepEqual(h.world.liveSplit(), { blue: 0, green: 100 });
    assert.equal(h.eventsOf("promoted")[0].elapsedSeconds, 900);
  });

  it("abort during the pause reverts and ends aborted", async () => {
    const h = pausing(true);
    h.world.inject({ at: minutes(15), operator: "abort", by: "bob" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode, result.reason], ["aborted", 4, "aborted by bob"]);
  });

  it("a pause request holds the current weight after its bake, until resumed", async () => {
    const h = plain();
    h.world.inject({ at: minutes(2), operator: "pause", by: "carol" });
    h.world.inject({ at: minutes(30), operator: "resume", by: "carol" });
    const result = await start(h);
    assert.equal(result.outcome, "promoted");
    const [paused] = h.eventsOf("paused");
    assert.deepEqual(
      [paused.step, paused.weight, paused.by, paused.timeoutSeconds],
      [1, 10, "carol", undefined],
    );
    assert.equal(paused.elapsedSeconds, 300);
    assert.equal(h.eventsOf("shifted")[1].elapsedSeconds, 1800);
    assert.ok(
      h
        .eventsOf("warning")
        .some((event) =>
          /carol asked to pause: after its bake, step 1 holds 10% until resumed/.test(event.message),
        ),
    );
  });

  it("a resume while the step still bakes approves its pause in advance", async () => {
    const h = pausing(true);
    h.world.inject({ at: minutes(7), operator: "resume", by: "alice" });
    const result = await start(h);
    assert.equal(result.outcome, "promoted");
    assert.deepEqual(h.eventsOf("paused"), []);
    assert.equal(h.eventsOf("shifted")[2].elapsedSeconds, 600);
  });

  it("a resume with nothing paused is ignored with a warning", async () => {
    const h = plain();
    h.world.inject({ at: minutes(2), operator: "resume", by: "alice" });
    const result = await start(h);
    assert.equal(result.outcome, "promoted");
    assert.ok(
      h
        .eventsOf("warning")
        .some((event) => /resume requested by alice ignored: the rollout is not paused/.test(event.message)),
    );
    assert.equal(h.eventsOf("shifted")[1].elapsedSeconds, 300);
  });

  it("the started event carries each step's pause", async () => {
    const h = pausing({ timeout: "2h" });
    h.world.inject({ at: minutes(11), operator: "resume" });
    await start(h);
    assert.deepEqual(h.eventsOf("started")[0].steps, [
      { weight: 10, bakeSeconds: 300 },
      { weight: 50, bakeSeconds: 300, pause: { timeoutSeconds: 7200, onTimeout: "abort" } },
      { weight: 100, bakeSeconds: 300 },
    ]);
  });
});
