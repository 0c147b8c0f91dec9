/**
 * The errors the simulated world throws, shaped like the real ones (AWS SDK v3 service exceptions,
 * Automation API command errors, an aborted operation), so the driver's error handling meets in a
 * rehearsal what it meets in production.
 */
import { KubernetesApiError } from "../adapters/kubernetes/kubernetesApi";

/** A failed Kubernetes API call, as the Kubernetes adapter reports the API server's answer. */
export function kubernetesApiError(statusCode: number, reason: string, message: string): KubernetesApiError {
  return new KubernetesApiError(statusCode, message, reason);
}

/** An AWS SDK v3 service exception as the SDK throws it: a name, a fault side and response metadata. */
export interface SimulatedServiceError extends Error {
  readonly $fault: "client" | "server";
  readonly $metadata: {
    readonly httpStatusCode: number;
    readonly requestId: string;
    readonly attempts: number;
  };
  /** Set on throttling errors, which the SDK marks as retryable. */
  readonly $retryable?: { readonly throttling: boolean };
}

/** An error with the name the platform uses for an aborted operation. */
export function abortError(signal?: AbortSignal): Error {
  const error = new Error("The operation was aborted", { cause: signal?.reason });
  error.name = "AbortError";
  return error;
}

/** Throws an AbortError when the signal is already aborted. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

let requestCounter = 0;

/** An AWS service exception, for example `ThrottlingException: Rate exceeded`. */
export function awsServiceError(
  name: string,
  message: string,
  options: { readonly httpStatusCode: number; readonly throttling?: boolean },
): SimulatedServiceError {
  requestCounter += 1;
  const error = new Error(message) as Error & {
    $fault: "client" | "server";
    $metadata: SimulatedServiceError["$metadata"];
    $retryable?: { throttling: boolean };
  };
  error.name = name;
  error.$fault = options.httpStatusCode >= 500 ? "server" : "client";
  error.$metadata = {
    httpStatusCode: options.httpStatusCode,
    requestId: `00000000-0000-4000-8000-${String(requestCounter).padStart(12, "0")}`,
    attempts: 1,
  };
  if (options.throttling) error.$retryable = { throttling: true };
  return error;
}

/**
 * A failed Pulumi command, named as the Automation API names it (`CommandError`, or its subclass
 * `ConcurrentUpdateError` for a locked stack).
 */
export function commandError(
  message: string,
  name: "CommandError" | "ConcurrentUpdateError" = "CommandError",
): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
