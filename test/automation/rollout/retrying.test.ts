import assert from "node:assert/strict";
import type { RetryPolicy } from "../../../automation/core/retry";
import type { Clock } from "../../../automation/ports";
import { retrying } from "../../../automation/rollout/retrying";
import { awsError } from "../adapters/aws/helpers";

const POLICY: RetryPolicy = { attempts: 4, baseMs: 100, capMs: 1_000 };

/** A clock whose sleeps return at once and are recorded. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => 0, sleep: async (ms) => void sleeps.push(ms) };
}

describe("rollout/retrying: the driver's one retry loop", () => {
  const transient: { what: string; error: unknown }[] = [
    { what: "ThrottlingException", error: awsError("ThrottlingException") },
    { what: "a 503 answer", error: awsError("ServiceUnavailable", { status: 503 }) },
    { what: "ECONNRESET", error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) },
  ];
  for (const { what, error } of transient) {
    it(`retries ${what} with full jitter on the clock, then returns the success`, async () => {
      const clock = recordingClock();
      let calls = 0;
      const answer = await retrying({ clock, random: () => 0.5 }, POLICY, undefined, async () => {
        calls += 1;
        if (calls < 3) throw error;
        return "answer";
      });
      assert.equal(answer, "answer");
      assert.equal(calls, 3);
      // Full jitter: half of the exponential ceiling (100, then 200).
      assert.deepEqual(clock.sleeps, [50, 100]);
    });
  }

  const final: { what: string; error: unknown }[] = [
    { what: "AccessDenied", error: awsError("AccessDenied", { status: 403 }) },
    { what: "ValidationError", error: awsError("ValidationError", { status: 400 }) },
    { what: "an abort", error: Object.assign(new Error("aborted"), { name: "AbortError" }) },
    { what: "an error that says nothing about itself", error: new Error("no forward action") },
  ];
  for (const { what, error } of final) {
    it(`does not retry ${what}`, async () => {
      const clock = recordingClock();
      let calls = 0;
      await assert.rejects(
        retrying({ clock, random: () => 0.5 }, POLICY, undefined, async () => {
          calls += 1;
          throw error;
        }),
        (thrown) => thrown === error,
      );
      assert.equal(calls, 1);
      assert.deepEqual(clock.sleeps, []);
    });
  }

  it("gives up after the policy's attempts and rethrows the last error", async () => {
    const clock = recordingClock();
    let calls = 0;
    await assert.rejects(
      retrying(
        { clock, random: () => 0.999 },
        { attempts: 3, baseMs: 100, capMs: 1_000 },
        undefined,
        async () => {
          calls += 1;
          throw awsError("Throttling", { message: `rate exceeded ${calls}` });
        },
      ),
      /rate exceeded 3/,
    );
    assert.equal(calls, 3);
    assert.deepEqual(clock.sleeps, [99, 199]);
  });

  it("stops retrying once the signal is aborted", async () => {
    const controller = new AbortController();
    const clock = recordingClock();
    let calls = 0;
    await assert.rejects(
      retrying({ clock, random: () => 0.5 }, POLICY, controller.signal, async () => {
        calls += 1;
        controller.abort();
        throw awsError("Throttling");
      }),
      { name: "Throttling" },
    );
    assert.equal(calls, 1);
    assert.deepEqual(clock.sleeps, []);
  });
});
