/**
 * Bounded retries with full jitter for AWS calls that fail for reasons that pass: throttling, 5xx
 * answers and dropped connections. Validation and permission errors are returned at once, because
 * asking again cannot fix them and only delays the revert that may depend on the answer.
 */
import type { Random } from "../../ports";

/** How `withAwsRetries` spaces and bounds its attempts. */
export interface RetryOptions {
  /** Calls in total, the first included. @default 4 */
  readonly attempts: number;
  /** The cap of the first delay in ms; it doubles each attempt. @default 200 */
  readonly baseMs: number;
  /** The largest delay cap in ms. @default 5000 */
  readonly maxMs: number;
  /** A number in [0, 1); injected so tests get reproducible delays. @default Math.random */
  readonly random: Random;
  /** Waits `ms`; injected so tests never wait on real timers. @default a setTimeout-based sleep */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Stops retrying (and waiting) once aborted. */
  readonly signal?: AbortSignal;
}

/** Error names AWS services use for "slow down": each service spells it differently. */
export const THROTTLING_ERROR_NAMES: readonly string[] = [
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "PriorRequestNotComplete",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
];

/** Node and SDK error codes of a connection that failed on the way; the request may simply be sent again. */
export const NETWORK_ERROR_CODES: readonly string[] = [
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNREFUSED",
  "EAI_AGAIN",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
];

const DEFAULTS: RetryOptions = {
  attempts: 4,
  baseMs: 200,
  maxMs: 5_000,
  random: Math.random,
  sleep: defaultSleep,
};

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly cause?: unknown;
}

/**
 * Whether an error from an AWS SDK v3 call is worth another attempt: throttling, a 5xx answer, a
 * 429, or a network failure. Aborts, validation and access errors are not.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const shape = error as ErrorShape;
  if (shape.name === "AbortError") return false;
  if (typeof shape.name === "string" && THROTTLING_ERROR_NAMES.includes(shape.name)) return true;
  if (shape.$retryable !== undefined && shape.$retryable !== null && shape.$retryable !== false) return true;
  const status = shape.$metadata?.httpStatusCode;
  if (typeof status === "number" && (status >= 500 || status === 429)) return true;
  if (shape.$fault === "server") return true;
  for (const value of [shape.name, shape.code]) {
    if (typeof value === "string" && NETWORK_ERROR_CODES.includes(value)) return true;
  }
  // Node wraps socket errors (fetch's "TypeError: fetch failed", the SDK's own wrappers) with the
  // errno on the cause.
  return shape.cause !== undefined && shape.cause !== error && isNetworkCause(shape.cause);
}

function isNetworkCause(cause: unknown): boolean {
  if (typeof cause !== "object" || cause === null) return false;
  const code = (cause as ErrorShape).code;
  return typeof code === "string" && NETWORK_ERROR_CODES.includes(code);
}

/**
 * The delay before retry number `retry` (1 for the first retry): full jitter, a uniform draw
 * between 0 and min(maxMs, baseMs * 2^(retry-1)), so clients that failed together do not come
 * back together.
 */
export function fullJitterDelay(
  retry: number,
  options: Pick<RetryOptions, "baseMs" | "maxMs" | "random">,
): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(options.random() * cap);
}

/**
 * Calls `fn` until it succeeds, fails with an error `isRetryable` says retrying cannot fix, or
 * `attempts` calls have failed; then rethrows the last error. `fn` gets the attempt number,
 * starting at 1. The adapters for each API (AWS, Kubernetes) differ only in `isRetryable`.
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  const settings: RetryOptions = { ...DEFAULTS, ...options };
  if (!Number.isInteger(settings.attempts) || settings.attempts < 1) {
    throw new Error(`retry attempts must be a whole number of at least 1, got ${settings.attempts}`);
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= settings.attempts || settings.signal?.aborted || !isRetryable(error)) throw error;
      await settings.sleep(fullJitterDelay(attempt, settings), settings.signal);
    }
  }
}

/** `withRetries` for AWS SDK calls: throttling, 5xx, 429 and network failures are retried. */
export function withAwsRetries<T>(
  fn: (attempt: number) => Promise<T>,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  return withRetries(fn, isRetryableAwsError, options);
}

/** Resolves after `ms` of real time, or rejects with an AbortError when the signal aborts first. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(): Error {
  const error = new Error("the operation was aborted");
  error.name = "AbortError";
  return error;
}
