/**
 * The driver's retry loop: the one layer that retries, on the injected clock, under the policies
 * and the classification of `core/retry`.
 */
import { backoffDelay, isTransient, type RetryPolicy } from "../core/retry";
import type { Clock, Random } from "../ports";

/** The clock the pauses run on and the source of their jitter. */
export interface RetryTime {
  readonly clock: Clock;
  readonly random: Random;
}

/**
 * Runs `operation` up to `policy.attempts` times, pausing with jittered backoff after each failure
 * that `isTransient` says another attempt may fix. Anything else, and anything thrown once `signal`
 * is aborted, is rethrown at once; after the last attempt the last error is.
 */
export async function retrying<T>(
  time: RetryTime,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  operation: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (signal?.aborted || attempt >= policy.attempts || !isTransient(error)) throw error;
    }
    await time.clock.sleep(backoffDelay(policy, attempt, time.random), signal);
  }
}
