/**
 * Bounded retries with full jitter for Kubernetes API calls that fail for reasons that pass: 429
 * (API priority and fairness), 5xx answers and dropped connections. The spacing and bounds are the
 * AWS adapters' (`RetryOptions`); only the question "is this worth another attempt" differs.
 */
import { NETWORK_ERROR_CODES, type RetryOptions, defaultSleep, fullJitterDelay } from "../aws/retry";
import { KubernetesApiError } from "./kubernetesApi";

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
  readonly type?: unknown;
  readonly cause?: unknown;
}

/**
 * Whether a failed Kubernetes API call is worth another attempt: a 429 or 5xx answer, or a
 * connection that failed on the way. Aborts and every other answer (404, 403, 409, 422) are not:
 * asking again cannot fix them, and a 409 needs a fresh read, not the same request again.
 */
export function isRetryableKubernetesError(error: unknown): boolean {
  if (error instanceof KubernetesApiError) return error.statusCode === 429 || error.statusCode >= 500;
  if (typeof error !== "object" || error === null) return false;
  const shape = error as ErrorShape;
  if (shape.name === "AbortError") return false;
  if (isNetworkCode(shape.code)) return true;
  // node-fetch marks socket failures `type: "system"` and keeps the errno as `code`; Node's own
  // fetch and http wrap it on the cause.
  if (shape.type === "system") return true;
  const cause = shape.cause as ErrorShape | undefined;
  return typeof cause === "object" && cause !== null && cause !== error && isNetworkCode(cause.code);
}

function isNetworkCode(code: unknown): boolean {
  return typeof code === "string" && NETWORK_ERROR_CODES.includes(code);
}

/**
 * Calls `fn` until it succeeds, fails with an error retrying cannot fix, or `attempts` calls have
 * failed; then rethrows the last error. `fn` gets the attempt number, starting at 1.
 */
export async function withKubernetesRetries<T>(
  fn: (attempt: number) => Promise<T>,
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
      if (attempt >= settings.attempts || settings.signal?.aborted || !isRetryableKubernetesError(error))
        throw error;
      await settings.sleep(fullJitterDelay(attempt, settings), settings.signal);
    }
  }
}
