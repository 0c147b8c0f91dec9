/**
 * The one retry policy of the driver and its adapters, pure: how many attempts, how long the
 * pauses between them (capped exponential backoff with full jitter, so several drivers throttled
 * by the same account spread their retries instead of retrying in lockstep), which failures are
 * worth another attempt, and the worst-case time from an alarm to a verified revert that follows.
 *
 * Retries happen in exactly one layer, the driver's, because it owns the clock, the deadlines and
 * the run's signal. The adapters make single attempts (the AWS SDK clients are built with
 * `maxAttempts: 1`) and their errors are judged here, by their shape, whichever API they came from.
 *
 * Attempts are counted one way everywhere: from 1, the first call included.
 */

/** How often and how patiently an operation is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The ceiling of the pause after the first failed attempt, in milliseconds. */
  readonly baseMs: number;
  /** The largest ceiling of a pause, in milliseconds. */
  readonly capMs: number;
}

/**
 * Reads: alarms, the live split, stack outputs, readiness. Three attempts within a few seconds
 * stay well inside the shortest sensible poll interval, so a throttled poll still finishes before
 * the next one is due; a poll that fails anyway is counted, and `maxAlarmReadFailures` of them
 * in a row revert.
 */
export const READ_RETRY: RetryPolicy = { attempts: 3, baseMs: 500, capMs: 2_000 };

/**
 * The direct write that puts traffic back on the stable colour, with its read-back: one attempt
 * writes and reads the split back. A revert is the one write that must get through, so it is
 * retried longer than a read.
 */
export const REVERT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, capMs: 8_000 };

/**
 * Pauses between revert rounds when both the direct path and the stack failed: rounds go on until
 * the operation timeout, so the attempts are unbounded and the deadline bounds them.
 */
export const REVERT_ROUND_RETRY: RetryPolicy = {
  attempts: Number.POSITIVE_INFINITY,
  baseMs: 5_000,
  capMs: 30_000,
};

/** Doubling stops here: the cap is reached long before, and 2^n stays finite. */
const MAX_DOUBLINGS = 30;

/**
 * The ceiling of the pause after failed attempt `attempt` (1 for the first call):
 * min(cap, base x 2^(attempt-1)).
 */
export function backoffCeiling(policy: RetryPolicy, attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new Error(`backoffCeiling: attempt must be a whole number from 1, got ${attempt}`);
  }
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, MAX_DOUBLINGS));
}

/**
 * The pause after failed attempt `attempt` (1 for the first call): a uniformly random duration
 * between 0 and its ceiling ("full jitter"). `random` returns a number in [0, 1); a source that
 * strays outside is clamped.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = backoffCeiling(policy, attempt);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * ceiling);
}

/** The longest an operation can spend pausing under `policy`: every ceiling between its attempts. */
export function worstCaseBackoffMs(policy: RetryPolicy): number {
  if (!Number.isFinite(policy.attempts)) {
    throw new Error("worstCaseBackoffMs: a policy without an attempt limit has no worst case");
  }
  let total = 0;
  for (let attempt = 1; attempt < policy.attempts; attempt++) total += backoffCeiling(policy, attempt);
  return total;
}

/**
 * The worst-case time in milliseconds from a watched alarm entering ALARM during a bake to the
 * verified revert, when every call fails transiently as often as the policy allows and still gets
 * through, with each pause at its ceiling:
 *
 * - the gap to the poll that sees it: one poll interval after the poll that just missed it. Polls
 *   start on a fixed grid, so a poll whose two reads (alarms, then the live split) spent their
 *   backoff delays the next one only when the reads can outlast the interval (an interval up to
 *   twice the read backoff): then the gap grows by at most one read backoff;
 * - that poll's alarm read: READ_RETRY's backoff (a poll whose alarms call for a revert does not
 *   wait for the live split);
 * - the direct write with its read-back: REVERT_RETRY's backoff.
 *
 * The calls themselves come on top: each attempt is one round trip (a few for a write with its
 * read-back), and a virtual clock counts them as zero. While an update runs (deploy, shift,
 * promote) nobody polls: an alarm is seen at the first poll after it.
 */
export function worstCaseRevertMs(pollIntervalSeconds: number): number {
  if (!(pollIntervalSeconds > 0)) {
    throw new Error(`worstCaseRevertMs: the poll interval must be positive, got ${pollIntervalSeconds}`);
  }
  const pollMs = pollIntervalSeconds * 1000;
  const readMs = worstCaseBackoffMs(READ_RETRY);
  const gapMs = pollMs > 2 * readMs ? pollMs : pollMs + readMs;
  return gapMs + readMs + worstCaseBackoffMs(REVERT_RETRY);
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

/**
 * Error names of a write that lost a race with another writer (Lambda's RevisionId check, an
 * operation already in progress). Another attempt starts from a fresh read, so it may get through.
 */
export const CONFLICT_ERROR_NAMES: readonly string[] = [
  "PreconditionFailedException",
  "ResourceConflictException",
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

const TRANSIENT = Symbol.for("bluegreen.transient");

/** Causes followed when judging an error that wraps another; a cycle stops here. */
const MAX_CAUSE_DEPTH = 5;

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly type?: unknown;
  readonly statusCode?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly cause?: unknown;
  readonly [TRANSIENT]?: unknown;
}

/**
 * Marks an error as worth another attempt, for failures whose shape says nothing (a read-back
 * that found someone else's split, a conflict an adapter described in its own words). Returns it.
 */
export function markTransient<E extends Error>(error: E): E {
  Object.defineProperty(error, TRANSIENT, { value: true, enumerable: false });
  return error;
}

/**
 * Whether a failure is worth another attempt: throttling, a 429, 408 or 5xx answer, a server
 * fault, a dropped connection, a write that lost a race (409, a RevisionId conflict; the next
 * attempt reads afresh), or an error marked transient. Everything else is final: an abort, a
 * validation, permission or not-found answer, an error that says nothing about itself. Asking
 * again cannot fix those and only delays the revert that may depend on the answer.
 *
 * Judged by shape, so it covers AWS SDK v3 service exceptions (`$metadata`, `$fault`,
 * `$retryable`), Kubernetes API errors (`statusCode`), Node and fetch socket errors (`code`,
 * node-fetch's `type: "system"`, the errno on the `cause`) and wrappers of any of these.
 */
export function isTransient(error: unknown): boolean {
  return judge(error, 0);
}

function judge(error: unknown, depth: number): boolean {
  if (typeof error !== "object" || error === null) return false;
  const shape = error as ErrorShape;
  if (shape[TRANSIENT] === true) return true;
  if (shape.name === "AbortError") return false;
  if (isOneOf(shape.name, THROTTLING_ERROR_NAMES) || isOneOf(shape.name, CONFLICT_ERROR_NAMES)) return true;
  if (shape.$retryable !== undefined && shape.$retryable !== null && shape.$retryable !== false) return true;
  const status = typeof shape.statusCode === "number" ? shape.statusCode : shape.$metadata?.httpStatusCode;
  if (typeof status === "number" && (status >= 500 || status === 429 || status === 409 || status === 408)) {
    return true;
  }
  if (shape.$fault === "server") return true;
  if (isOneOf(shape.name, NETWORK_ERROR_CODES) || isOneOf(shape.code, NETWORK_ERROR_CODES)) return true;
  if (shape.type === "system") return true;
  return (
    depth < MAX_CAUSE_DEPTH &&
    shape.cause !== undefined &&
    shape.cause !== error &&
    judge(shape.cause, depth + 1)
  );
}

function isOneOf(value: unknown, list: readonly string[]): boolean {
  return typeof value === "string" && list.includes(value);
}
