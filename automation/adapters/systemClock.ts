/**
 * The real clock: wall time and timer-based sleeps that end early, with an AbortError, when the
 * signal aborts, so a SIGINT during a ten-minute bake starts the revert at once.
 */
import type { Clock } from "../ports";

/** The error a sleep rejects with when its signal aborts, named as fetch and timers/promises name it. */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  const error = new Error(reason instanceof Error ? reason.message : "the operation was aborted");
  error.name = "AbortError";
  return error;
}

/** Clock on Date.now() and setTimeout. */
export class SystemClock implements Clock {
  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }

  /** Resolves after `ms`, or rejects with an AbortError as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError(signal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
