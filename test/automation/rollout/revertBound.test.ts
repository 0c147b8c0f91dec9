import assert from "node:assert/strict";
import { READ_RETRY, REVERT_RETRY, worstCaseRevertMs } from "../../../automation/core/retry";
import type { AlarmSource, TrafficRouter } from "../../../automation/ports";
import { runRollout } from "../../../automation/rollout";
import { DriverHarness, EPOCH, testConfig, throttling } from "../support";

/** Every jittered pause as long as it can be: a draw just below 1 gives each ceiling less 1 ms. */
const LONGEST = () => 1 - 1e-9;

/**
 * A world whose alarm enters ALARM 1 ms after a poll read it OK, so the next poll is a whole
 * interval away; at that poll the alarm read fails transiently as often as the read policy
 * allows, and the direct revert write `writeFailures` times.
 */
async function alarmToRevert(pollSeconds: number, writeFailures: number) {
  const h = new DriverHarness({
    // A driver timeout the longest poll's heartbeat staleness (6 x 5m) fits in.
    config: testConfig({ rollout: { pollInterval: `${pollSeconds}s` }, guardian: { driverTimeout: "30m" } }),
  });
  const flipAt = EPOCH + 2 * pollSeconds * 1000 + 1;
  h.world.inject({
    at: flipAt - EPOCH,
    alarm: "checkout-dev-green-error-rate",
    state: "ALARM",
    reason: "5XX rate 12% > 5%",
  });
  const ports = h.deps();

  let failingReads = READ_RETRY.attempts - 1;
  const alarms: AlarmSource = {
    read: (names, signal) => {
      if (h.clock.now() >= flipAt && failingReads > 0) {
        failingReads -= 1;
        return Promise.reject(throttling());
      }
      return ports.alarms.read(names, signal);
    },
  };
  let failingWrites = writeFailures;
  const router: TrafficRouter = {
    ...ports.router,
    write: async (split, signal) => {
      if (failingWrites > 0) {
        failingWrites -= 1;
        throw throttling();
      }
      return ports.router.write(split, signal);
    },
  };
  const result = await runRollout(
    { ...ports, alarms, router, random: LONGEST },
    {
      config: h.config,
      version: "1.5.0",
      resume: false,
      signal: new AbortController().signal,
    },
  );
  const reverted = h.eventsOf("reverted");
  return { h, result, flipAt, reverted };
}

describe("rollout: the worst-case time from an alarm to a verified revert", () => {
  for (const pollSeconds of [5, 10, 30, 60]) {
    it(`${pollSeconds}s polls: a revert with every retry the policy allows lands within worstCaseRevertMs, and the bound is tight`, async () => {
      const { h, result, flipAt, reverted } = await alarmToRevert(pollSeconds, REVERT_RETRY.attempts - 1);
      assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
      assert.equal(reverted.length, 1);
      assert.deepEqual(h.world.liveSplit(), { blue: 100, green: 0 });
      assert.equal(
        h.world.routerWrites().filter((write) => write.error === undefined).length,
        1,
        "the last of the policy's attempts got through",
      );

      const tookMs = EPOCH + reverted[0].elapsedSeconds * 1000 - flipAt;
      const bound = worstCaseRevertMs(pollSeconds);
      assert.ok(tookMs <= bound, `reverted ${tookMs} ms after the alarm, past the bound of ${bound} ms`);
      // 1 ms of the interval and 1 ms of each of the 7 pauses are the only slack.
      assert.ok(
        tookMs >= bound - 10,
        `reverted ${tookMs} ms after the alarm: the bound of ${bound} ms is not tight`,
      );
    });
  }

  it("one more failed write than the policy allows gives up the direct path for the stack", async () => {
    const { h, result, reverted } = await alarmToRevert(10, REVERT_RETRY.attempts);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.ok(
      h
        .eventsOf("warning")
        .some((event) =>
          /could not put traffic back on blue directly: ThrottlingException/.test(event.message),
        ),
    );
    assert.equal(reverted.length, 1, "the restoring update moved traffic back instead");
    assert.deepEqual(h.world.liveSplit(), { blue: 100, green: 0 });
  });
});
