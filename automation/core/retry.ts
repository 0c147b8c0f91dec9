/**
 * Retry timing for reads and writes against AWS and the stack: bounded attempts with capped
 * exponential backoff and full jitter, so several drivers throttled by the same account spread
 * their retries instead of retrying in lockstep.
 */

/** How often and how patiently an operation is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The backoff before the second attempt, before jitter, in milliseconds. */
  readonly baseMs: number;
  /** The longest backoff, before jitter, in milliseconds. */
  readonly capMs: number;
}

/**
 * Reads during a bake. Three attempts within a few seconds stay well inside the shortest poll
 * interval, so a throttled poll still finishes before the next one is due.
 */
export const READ_RETRY: RetryPolicy = { attempts: 3, baseMs: 500, capMs: 2_000 };

/**
 * Writes that put traffic back on the stable colour. A revert is the one write that must get
 * through, so it is retried longer than a read.
 */
export const REVERT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, capMs: 8_000 };

/**
 * The pause before retry number `attempt` (0 for the first retry): a uniformly random duration
 * between 0 and min(cap, base x 2^attempt) ("full jitter"). `random` returns a number in [0, 1).
 */
export function retryDelay(attempt: number, random: () => number, policy: RetryPolicy = READ_RETRY): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new Error(`retryDelay: attempt must be a whole number from 0, got ${attempt}`);
  }
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * ceiling);
}
