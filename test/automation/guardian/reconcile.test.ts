import assert from "node:assert/strict";
import { reconcileBeforeRollout, reconcileTrip, runRollout } from "../../../automation/rollout";
import { guardianTripReason } from "../../../automation/rollout/observer";
import { DriverHarness, EPOCH, minutes } from "../support";

const BACK = { blue: 100, green: 0 };

describe("after the guardian's trip", () => {
  it("a live driver sees the trip at its next poll and finishes as a rollback naming the guardian", async () => {
    const h = new DriverHarness();
    const control = h.world.control;
    // The guardian trips the run 7 minutes in: traffic straight back on blue, the trip recorded.
    h.at(minutes(7), () => {
      void (async () => {
        const run = (await control.readRecord()).run;
        assert.ok(run, "the driver recorded its run");
        await control.recordTrip(
          {
            runId: run.runId,
            reason: "alarm checkout-green of green entered ALARM",
            triggeredAt: h.clock.now(),
            weights: BACK,
          },
          h.clock.now(),
        );
        await h.world.driverDeps({ emit: () => {} }).router.write(BACK);
        await control.completeTrip(run.runId, h.clock.now(), BACK);
      })();
    });
    const result = await runRollout(h.deps(), {
      config: h.config,
      version: "2.0.0",
      signal: new AbortController().signal,
      resume: false,
      runId: "run-guarded",
    });
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3], result.reason);
    const expected = guardianTripReason({
      runId: "run-guarded",
      reason: "alarm checkout-green of green entered ALARM",
      triggeredAt: 0,
      weights: BACK,
    });
    assert.match(expected, /^the guardian reverted traffic: alarm checkout-green/);
    assert.ok(result.reason.startsWith(expected), result.reason);
    const reverted = h.eventsOf("reverted");
    assert.equal(reverted.length, 1);
    assert.match(reverted[0]?.reason ?? "", /the guardian reverted traffic/);
    assert.ok((reverted[0]?.elapsedSeconds ?? 0) - 420 <= 10, "at the next poll");
    assert.deepEqual(h.world.liveSplit(), BACK);
    assert.deepEqual(h.world.stackValues().traffic, BACK, "the stack's values restored");
    assert.ok(!h.types().includes("promoted"));
  });

  it("reconcile without a driver restores the stack's values and its preview finds no changes", async () => {
    const h = new DriverHarness({ deployed: { traffic: { blue: 50, green: 50 } }, live: BACK });
    const trip = {
      runId: "run-killed",
      reason: "the driver of run run-killed is lost",
      triggeredAt: EPOCH,
      weights: BACK,
      revertedAt: EPOCH,
    };
    const result = await reconcileTrip(h.deps(), { config: h.config, trip });
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3], result.reason);
    assert.match(
      result.reason,
      /^the guardian reverted run run-killed: the driver of run run-killed is lost/,
    );
    assert.deepEqual(h.world.stackValues().traffic, BACK);
    assert.equal(await h.world.driverDeps({ emit: () => {} }).stack.previewChanges(), 0);
    assert.deepEqual(h.types().slice(-1), ["completed"]);
  });

  it("reconcile of a stack already restored only says so", async () => {
    const h = new DriverHarness();
    const trip = { runId: "run-x", reason: "alarm", triggeredAt: EPOCH, weights: BACK, revertedAt: EPOCH };
    const result = await reconcileTrip(h.deps(), { config: h.config, trip });
    assert.equal(result.exitCode, 3);
    assert.match(result.reason, /already holds the stable values/);
    assert.equal(h.world.updates().length, 0, "no update");
  });

  it("a rollout reconciles an unreconciled trip first, with a warning, and then starts", async () => {
    const h = new DriverHarness({ deployed: { traffic: { blue: 50, green: 50 } }, live: BACK });
    const control = h.world.control;
    await control.claimRun(
      {
        runId: "run-killed",
        version: "1.9.0",
        candidate: "green",
        stable: "blue",
        position: { step: 2, of: 4 },
        weights: { blue: 50, green: 50 },
        startedBy: "ci",
        startedAt: EPOCH - minutes(30),
      },
      EPOCH - minutes(20),
    );
    await control.recordTrip(
      { runId: "run-killed", reason: "driver lost", triggeredAt: EPOCH - minutes(10), weights: BACK },
      EPOCH - minutes(10),
    );
    const before = await reconcileBeforeRollout(h.deps(), control, h.config);
    assert.equal(before, undefined, "clear to start");
    assert.match(
      h.eventsOf("warning")[0]?.message ?? "",
      /the guardian reverted run run-killed \(driver lost\).*reconciling before the rollout/,
    );
    assert.ok(!h.types().includes("completed"), "the rollout's stream goes on");
    const record = await control.readRecord();
    assert.equal(record.trip, undefined);
    assert.equal(record.run, undefined);
    assert.deepEqual(h.world.stackValues().traffic, BACK);
  });
});
