import assert from "node:assert/strict";
import {
  fullJitterDelay,
  isRetryableAwsError,
  withAwsRetries,
} from "../../../../automation/adapters/aws/retry";
import { awsError } from "./helpers";

function recorder() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

describe("withAwsRetries", () => {
  const retryable: { what: string; error: unknown }[] = [
    { what: "ThrottlingException", error: awsError("ThrottlingException") },
    { what: "Throttling (query protocol)", error: awsError("Throttling") },
    { what: "TooManyRequestsException", error: awsError("TooManyRequestsException") },
    { what: "RequestLimitExceeded", error: awsError("RequestLimitExceeded") },
    { what: "PriorRequestNotComplete", error: awsError("PriorRequestNotComplete") },
    { what: "a 503 answer", error: awsError("ServiceUnavailable", { status: 503 }) },
    { what: "a server fault", error: awsError("InternalFailure", { fault: "server" }) },
    { what: "ECONNRESET", error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) },
    { what: "ETIMEDOUT", error: Object.assign(new Error("connect timed out"), { code: "ETIMEDOUT" }) },
    { what: "TimeoutError", error: Object.assign(new Error("timed out"), { name: "TimeoutError" }) },
    {
      what: "a wrapped socket error",
      error: new TypeError("fetch failed", {
        cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }),
      }),
    },
  ];
  for (const { what, error } of retryable) {
    it(`retries ${what} with full jitter, then returns the success`, async () => {
      const { sleeps, sleep } = recorder();
      let calls = 0;
      const result = await withAwsRetries(
        async (attempt) => {
          calls += 1;
          assert.equal(attempt, calls);
          if (calls < 3) throw error;
          return "answer";
        },
        { attempts: 4, baseMs: 100, maxMs: 1_000, random: () => 0.5, sleep },
      );
      assert.equal(result, "answer");
      assert.equal(calls, 3);
      // Full jitter: half of the exponential cap (100, then 200).
      assert.deepEqual(sleeps, [50, 100]);
    });
  }

  const final: { what: string; error: unknown }[] = [
    { what: "AccessDenied", error: awsError("AccessDenied", { status: 403 }) },
    { what: "AccessDeniedException", error: awsError("AccessDeniedException", { status: 403 }) },
    { what: "ValidationError", error: awsError("ValidationError", { status: 400 }) },
    { what: "an abort", error: Object.assign(new Error("aborted"), { name: "AbortError" }) },
  ];
  for (const { what, error } of final) {
    it(`does not retry ${what}`, async () => {
      const { sleeps, sleep } = recorder();
      let calls = 0;
      await assert.rejects(
        withAwsRetries(
          async () => {
            calls += 1;
            throw error;
          },
          { attempts: 5, sleep, random: () => 0.5 },
        ),
        (thrown) => thrown === error,
      );
      assert.equal(calls, 1);
      assert.deepEqual(sleeps, []);
    });
  }

  it("gives up after the configured attempts and rethrows the last error", async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await assert.rejects(
      withAwsRetries(
        async () => {
          calls += 1;
          throw awsError("Throttling", { message: `rate exceeded ${calls}` });
        },
        { attempts: 3, baseMs: 100, maxMs: 1_000, random: () => 0.999, sleep },
      ),
      /rate exceeded 3/,
    );
    assert.equal(calls, 3);
    assert.deepEqual(sleeps, [99, 199]);
  });

  it("stops retrying once the signal is aborted", async () => {
    const controller = new AbortController();
    let calls = 0;
    await assert.rejects(
      withAwsRetries(
        async () => {
          calls += 1;
          controller.abort();
          throw awsError("Throttling");
        },
        { attempts: 5, sleep: async () => undefined, signal: controller.signal },
      ),
      { name: "Throttling" },
    );
    assert.equal(calls, 1);
  });

  it("rejects a retry budget below one call", async () => {
    await assert.rejects(
      withAwsRetries(async () => 1, { attempts: 0 }),
      /attempts must be a whole number of at least 1, got 0/,
    );
  });
});

describe("fullJitterDelay", () => {
  const cases = [
    { retry: 1, random: 0.5, expected: 100 },
    { retry: 2, random: 0.5, expected: 200 },
    { retry: 3, random: 0.5, expected: 400 },
    { retry: 10, random: 0.5, expected: 1_500 },
    { retry: 3, random: 0, expected: 0 },
  ];
  for (const { retry, random, expected } of cases) {
    it(`retry ${retry} with random ${random} waits ${expected} ms (base 200, cap 3000)`, () => {
      assert.equal(fullJitterDelay(retry, { baseMs: 200, maxMs: 3_000, random: () => random }), expected);
    });
  }
});

describe("isRetryableAwsError", () => {
  it("treats non-errors as final", () => {
    assert.equal(isRetryableAwsError("Throttling"), false);
    assert.equal(isRetryableAwsError(undefined), false);
  });
});
