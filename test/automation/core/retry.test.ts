import assert from "node:assert/strict";
import {
  backoffCeiling,
  backoffDelay,
  isTransient,
  markTransient,
  READ_RETRY,
  REVERT_RETRY,
  REVERT_ROUND_RETRY,
  type RetryPolicy,
  worstCaseBackoffMs,
  worstCaseRevertMs,
} from "../../../automation/core/retry";
import { KubernetesApiError } from "../../../automation/adapters/kubernetes/kubernetesApi";
import { awsServiceError } from "../../../automation/rehearsal/simulatedErrors";
import { awsError } from "../adapters/aws/helpers";

function named(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe("core/retry: backoff", () => {
  const cases: { attempt: number; draw: number; expected: number; policy: RetryPolicy }[] = [
    { attempt: 1, draw: 0.5, expected: 250, policy: READ_RETRY },
    { attempt: 2, draw: 0.5, expected: 500, policy: READ_RETRY },
    { attempt: 3, draw: 0.5, expected: 1000, policy: READ_RETRY },
    { attempt: 4, draw: 0.5, expected: 1000, policy: READ_RETRY },
    { attempt: 11, draw: 0.999, expected: 1998, policy: READ_RETRY },
    { attempt: 1, draw: 0, expected: 0, policy: READ_RETRY },
    { attempt: 5, draw: 0.5, expected: 4000, policy: REVERT_RETRY },
    { attempt: 7, draw: 0.5, expected: 4000, policy: REVERT_RETRY },
    { attempt: 1, draw: 0.5, expected: 2500, policy: REVERT_ROUND_RETRY },
    { attempt: 1_000, draw: 0.5, expected: 15000, policy: REVERT_ROUND_RETRY },
  ];
  for (const c of cases) {
    it(`the pause after failed attempt ${c.attempt} with random ${c.draw} is ${c.expected} ms: full jitter under a cap`, () => {
      assert.equal(
        backoffDelay(c.policy, c.attempt, () => c.draw),
        c.expected,
      );
    });
  }

  it("jitter spreads the pauses between 0 and the ceiling", () => {
    const draws = [0.1, 0.4, 0.9];
    const delays = draws.map((draw) => backoffDelay(READ_RETRY, 3, () => draw));
    assert.deepEqual(delays, [200, 800, 1800]);
  });

  it("counts attempts from 1: no pause comes before the first call, naming the value", () => {
    assert.throws(
      () => backoffDelay(READ_RETRY, 0, () => 0.5),
      /attempt must be a whole number from 1, got 0/,
    );
    assert.throws(() => backoffDelay(READ_RETRY, -1, () => 0.5), /got -1/);
    assert.throws(() => backoffCeiling(READ_RETRY, 1.5), /got 1.5/);
  });

  it("clamps a random source that strays outside [0, 1)", () => {
    assert.equal(
      backoffDelay(READ_RETRY, 1, () => 7),
      READ_RETRY.baseMs,
    );
    assert.equal(
      backoffDelay(READ_RETRY, 1, () => -3),
      0,
    );
  });
});

describe("core/retry: worst cases", () => {
  const backoffs: { label: string; policy: RetryPolicy; expected: number }[] = [
    { label: "reads: 500 + 1000", policy: READ_RETRY, expected: 1_500 },
    { label: "the revert write: 500 + 1000 + 2000 + 4000 + 8000", policy: REVERT_RETRY, expected: 15_500 },
    {
      label: "a single attempt never pauses",
      policy: { attempts: 1, baseMs: 500, capMs: 8_000 },
      expected: 0,
    },
  ];
  for (const c of backoffs) {
    it(`worstCaseBackoffMs, ${c.label}: ${c.expected} ms`, () => {
      assert.equal(worstCaseBackoffMs(c.policy), c.expected);
    });
  }

  it("a policy without an attempt limit has no worst case", () => {
    assert.throws(() => worstCaseBackoffMs(REVERT_ROUND_RETRY), /no worst case/);
  });

  const reverts: { pollSeconds: number; expected: number; why: string }[] = [
    { pollSeconds: 60, expected: 77_000, why: "one interval + read 1.5 s + write 15.5 s" },
    { pollSeconds: 30, expected: 47_000, why: "one interval + read 1.5 s + write 15.5 s" },
    { pollSeconds: 10, expected: 27_000, why: "one interval + read 1.5 s + write 15.5 s" },
    { pollSeconds: 5, expected: 22_000, why: "one interval + read 1.5 s + write 15.5 s" },
    { pollSeconds: 3, expected: 21_500, why: "two reads can outlast the interval: + one read backoff" },
    { pollSeconds: 1, expected: 19_500, why: "two reads can outlast the interval: + one read backoff" },
  ];
  for (const c of reverts) {
    it(`worstCaseRevertMs at a ${c.pollSeconds}s poll interval is ${c.expected} ms (${c.why})`, () => {
      assert.equal(worstCaseRevertMs(c.pollSeconds), c.expected);
    });
  }

  it("refuses a poll interval that is not positive", () => {
    assert.throws(() => worstCaseRevertMs(0), /poll interval must be positive, got 0/);
  });
});

describe("core/retry: isTransient, the one classification of failures", () => {
  const cases: { label: string; error: unknown; transient: boolean }[] = [
    // AWS SDK v3 service exceptions
    { label: "ThrottlingException", error: awsError("ThrottlingException"), transient: true },
    { label: "Throttling (query protocol)", error: awsError("Throttling"), transient: true },
    { label: "TooManyRequestsException", error: awsError("TooManyRequestsException"), transient: true },
    { label: "RequestLimitExceeded", error: awsError("RequestLimitExceeded"), transient: true },
    { label: "PriorRequestNotComplete", error: awsError("PriorRequestNotComplete"), transient: true },
    {
      label: "a bare ThrottlingException name",
      error: named("ThrottlingException", "Rate exceeded"),
      transient: true,
    },
    {
      label: "a throttle the SDK marks $retryable",
      error: awsServiceError("SomethingNew", "slow down", { httpStatusCode: 400, throttling: true }),
      transient: true,
    },
    { label: "a 503 answer", error: awsError("ServiceUnavailable", { status: 503 }), transient: true },
    { label: "a server fault", error: awsError("InternalFailure", { fault: "server" }), transient: true },
    { label: "a 429 answer", error: awsError("SlowDownPlease", { status: 429 }), transient: true },
    {
      label: "PreconditionFailedException (a RevisionId conflict: the next attempt reads afresh)",
      error: awsError("PreconditionFailedException", { status: 412 }),
      transient: true,
    },
    {
      label: "ResourceConflictException (another operation in progress)",
      error: awsError("ResourceConflictException", { status: 409 }),
      transient: true,
    },
    { label: "AccessDenied", error: awsError("AccessDenied", { status: 403 }), transient: false },
    {
      label: "AccessDeniedException",
      error: awsError("AccessDeniedException", { status: 403 }),
      transient: false,
    },
    { label: "ValidationError", error: awsError("ValidationError", { status: 400 }), transient: false },
    {
      label: "ResourceNotFoundException",
      error: awsError("ResourceNotFoundException", { status: 404 }),
      transient: false,
    },
    // Kubernetes API answers
    { label: "429 Too Many Requests", error: new KubernetesApiError(429, "throttled"), transient: true },
    {
      label: "500 from etcd",
      error: new KubernetesApiError(500, "etcdserver: request timed out"),
      transient: true,
    },
    { label: "503 from the API server", error: new KubernetesApiError(503, "unavailable"), transient: true },
    {
      label: "409 Conflict (the next attempt reads the route afresh)",
      error: new KubernetesApiError(409, "modified"),
      transient: true,
    },
    { label: "403 Forbidden", error: new KubernetesApiError(403, "forbidden"), transient: false },
    { label: "404 Not Found", error: new KubernetesApiError(404, "not found"), transient: false },
    { label: "422 Invalid", error: new KubernetesApiError(422, "invalid"), transient: false },
    // Connections that failed on the way
    {
      label: "ECONNRESET",
      error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      transient: true,
    },
    {
      label: "ETIMEDOUT",
      error: Object.assign(new Error("connect timed out"), { code: "ETIMEDOUT" }),
      transient: true,
    },
    { label: "TimeoutError", error: named("TimeoutError", "timed out"), transient: true },
    {
      label: "node-fetch's system error",
      error: Object.assign(new Error("request to https://api failed"), {
        type: "system",
        code: "EHOSTUNREACH",
      }),
      transient: true,
    },
    {
      label: "fetch failed with the errno on the cause",
      error: new TypeError("fetch failed", {
        cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }),
      }),
      transient: true,
    },
    {
      label: "a wrapper whose cause is a throttle",
      error: new Error("reading the alarms failed", { cause: awsError("ThrottlingException") }),
      transient: true,
    },
    // Marked by the code that knows
    {
      label: "an error marked transient",
      error: markTransient(new Error("read back 90/10 after writing 100/0")),
      transient: true,
    },
    // Final
    { label: "an abort", error: named("AbortError", "the operation was aborted"), transient: false },
    {
      label: "an abort of a throttled call",
      error: Object.assign(named("AbortError"), { $metadata: { httpStatusCode: 503 } }),
      transient: false,
    },
    { label: "a plain error", error: new Error("no cluster configured"), transient: false },
    { label: "a Pulumi command error", error: named("CommandError", "code: 255"), transient: false },
    { label: "a string", error: "Throttling", transient: false },
    { label: "undefined", error: undefined, transient: false },
  ];
  for (const c of cases) {
    it(`${c.transient ? "retries" : "does not retry"} ${c.label}`, () => {
      assert.equal(isTransient(c.error), c.transient);
    });
  }

  it("a cause that points back at its error does not loop", () => {
    const error = new Error("loop") as Error & { cause?: unknown };
    error.cause = { cause: error };
    assert.equal(isTransient(error), false);
  });

  it("markTransient returns the same error, its message and name untouched", () => {
    const error = named("Drift", "read back 75/25");
    const keys = Object.keys(error);
    assert.equal(markTransient(error), error);
    assert.deepEqual([error.name, error.message, Object.keys(error)], ["Drift", "read back 75/25", keys]);
  });
});
