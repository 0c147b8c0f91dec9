/**
 * The heartbeat during a long operation. The driver beats at every poll and readiness wait, but a
 * Pulumi update (a deploy, a promotion, a restore) takes minutes with no poll in it; a heartbeat
 * that ages through it makes `bluegreen abort` revert directly under a live driver and lets a
 * second driver take the stack. So every such operation runs beside a beat every poll interval.
 */
import type { Clock } from "../ports";

/** How to beat beside an operation: every `intervalMs` on `clock`. */
export interface Beat {
  readonly clock: Clock;
  /** The poll interval, in milliseconds. */
  readonly intervalMs: number;
  /** One heartbeat; best effort, as the operator channel's is. */
  readonly beat: () => Promise<void>;
}

/**
 * Runs `operation` and beats every `intervalMs` until it settles, then returns (or throws) what it
 * did. The beats sleep beside the operation (`Clock.sleepBeside`): on a virtual clock they wake as
 * the operation's own sleeps move time and never move it themselves. A beat that fails does not
 * touch the operation; the next one tries again.
 */
export async function whileBeating<T>(beat: Beat, operation: () => Promise<T>): Promise<T> {
  const { clock, intervalMs } = beat;
  if (!(intervalMs > 0)) throw new Error(`whileBeating: the interval must be positive, got ${intervalMs}`);
  const stop = new AbortController();
  const sleep = (ms: number): Promise<void> =>
    clock.sleepBeside ? clock.sleepBeside(ms, stop.signal) : clock.sleep(ms, stop.signal);
  // The beat's first sleep is registered before the operation starts: on a virtual clock the
  // operation's first sleep moves time at once, waking only the sleeps already waiting.
  const beating = (async (): Promise<void> => {
    for (;;) {
      try {
        await sleep(intervalMs);
      } catch {
        // Only the stop aborts these sleeps: the operation settled.
        return;
      }
      if (stop.signal.aborted) return;
      try {
        await beat.beat();
      } catch {
        // Best effort, as every heartbeat: the operation is what matters.
      }
    }
  })();
  try {
    return await operation();
  } finally {
    stop.abort();
    await beating;
  }
}
