/**
 * A deadline for one Pulumi operation (FAILURE-MODES 21: `up()` hangs). When the operation runs
 * past its time, it is cancelled once, gracefully (the Automation API sends the CLI a single
 * SIGINT); if it still has not ended after a grace period, the caller stops waiting and treats
 * the state as unknown. The CLI may still hold the stack's lock then: the driver's restore finds
 * it held by a live process, never breaks it, and reports.
 */

/** Timers, injected so tests need no real time. */
export interface DeadlineTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** How long an operation may take, and how long a cancelled one gets to wind down. */
export interface Deadline {
  readonly timeoutMs: number;
  /** @default 120000: long enough for the CLI to finish the step in flight and write its state */
  readonly graceMs?: number;
  readonly timers?: DeadlineTimers;
}

/** Thrown when a cancelled operation did not end within its grace period. */
export class OperationHungError extends Error {
  override readonly name = "OperationHungError";
}

const SYSTEM_TIMERS: DeadlineTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Runs `operation` with a signal that aborts when `deadline.timeoutMs` passes (or when `signal`
 * aborts). Resolves or rejects as the operation does; rejects with OperationHungError when the
 * operation outlives its grace period after the deadline.
 */
export function withDeadline<T>(
  what: string,
  deadline: Deadline | undefined,
  signal: AbortSignal | undefined,
  operation: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (deadline === undefined) return operation(signal);
  const timers = deadline.timers ?? SYSTEM_TIMERS;
  const graceMs = deadline.graceMs ?? 120_000;
  const expiry = new AbortController();
  const combined = signal ? AbortSignal.any([signal, expiry.signal]) : expiry.signal;
  let graceTimer: unknown;
  const hung = new Promise<never>((_, reject) => {
    expiry.signal.addEventListener(
      "abort",
      () => {
        graceTimer = timers.setTimeout(
          () =>
            reject(
              new OperationHungError(
                `${what} did not finish within ${Math.round(deadline.timeoutMs / 1000)}s and did not stop within ${Math.round(graceMs / 1000)}s of being cancelled; the Pulumi CLI may still hold the stack's lock`,
              ),
            ),
          graceMs,
        );
      },
      { once: true },
    );
  });
  const deadlineTimer = timers.setTimeout(
    () => expiry.abort(new Error(`${what} timed out`)),
    deadline.timeoutMs,
  );
  return Promise.race([operation(combined), hung]).finally(() => {
    timers.clearTimeout(deadlineTimer);
    if (graceTimer !== undefined) timers.clearTimeout(graceTimer);
  });
}
