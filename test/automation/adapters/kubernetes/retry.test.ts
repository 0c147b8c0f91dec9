import assert from "node:assert/strict";
import { KubernetesApiError } from "../../../../automation/adapters/kubernetes/kubernetesApi";
import {
  isRetryableKubernetesError,
  withKubernetesRetries,
} from "../../../../automation/adapters/kubernetes/retry";

function abortError(): Error {
  const error = new Error("the operation was aborted");
  error.name = "AbortError";
  return error;
}

describe("isRetryableKubernetesError", () => {
  const cases: { label: string; error: unknown; retryable: boolean }[] = [
    { label: "429 Too Many Requests", error: new KubernetesApiError(429, "throttled"), retryable: true },
    {
      label: "500 from etcd",
      error: new KubernetesApiError(500, "etcdserver: request timed out"),
      retryable: true,
    },
    { label: "503 from the API server", error: new KubernetesApiError(503, "unavailable"), retryable: true },
    { label: "409 Conflict", error: new KubernetesApiError(409, "modified"), retryable: false },
    { label: "403 Forbidden", error: new KubernetesApiError(403, "forbidden"), retryable: false },
    { label: "404 Not Found", error: new KubernetesApiError(404, "not found"), retryable: false },
    {
      label: "a reset connection",
      error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      retryable: true,
    },
    {
      label: "node-fetch's system error",
      error: Object.assign(new Error("request to https://api failed"), {
        type: "system",
        code: "EHOSTUNREACH",
      }),
      retryable: true,
    },
    {
      label: "fetch failed with the errno on the cause",
      error: new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ETIMEDOUT" }) }),
      retryable: true,
    },
    { label: "an abort", error: abortError(), retryable: false },
    { label: "a plain error", error: new Error("no cluster configured"), retryable: false },
  ];
  for (const { label, error, retryable } of cases) {
    it(`${retryable ? "retries" : "does not retry"} ${label}`, () => {
      assert.equal(isRetryableKubernetesError(error), retryable);
    });
  }
});

describe("withKubernetesRetries", () => {
  it("stops after the configured attempts and rethrows the last error", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await assert.rejects(
      withKubernetesRetries(
        async () => {
          calls += 1;
          throw new KubernetesApiError(503, `unavailable ${calls}`);
        },
        {
          attempts: 3,
          baseMs: 100,
          maxMs: 1_000,
          random: () => 0.5,
          sleep: async (ms) => void sleeps.push(ms),
        },
      ),
      /unavailable 3/,
    );
    assert.equal(calls, 3);
    assert.deepEqual(sleeps, [50, 100]);
  });
});
