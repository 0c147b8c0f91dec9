/**
 * Bounded retries with full jitter for Kubernetes API calls that fail for reasons that pass: 429
 * (API priority and fairness), 5xx answers and dropped connections. The spacing and bounds are the
 * AWS adapters' (`RetryOptions`); only the question "is this worth another attempt" differs.
 */
import { NETWORK_ERROR_CODES, type RetryOptions, withRetries } from "../aws/retry";
import { KubernetesApiError } from "./kubernetesApi";

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

/** `withRetries` for Kubernetes API calls: 429, 5xx and dropped connections are retried. */
export function withKubernetesRetries<T>(
  fn: (attempt: number) => Promise<T>,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  return withRetries(fn, isRetryableKubernetesError, options);
}
