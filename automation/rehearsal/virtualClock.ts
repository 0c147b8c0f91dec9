/**
 * A deterministic clock for rehearsals and tests: a sleep advances virtual time at once, so a
 * 40-minute rollout runs in milliseconds and every run of a scenario gives the same events.
 */
import type { Clock } from "../ports";
import { abortError } from "./simulatedErrors";

interface Scheduled {
  readonly atMs: number;
  readonly sequence: number;
  readonly fn: () => void;
  /** A `sleepBeside` waking: its sleeper runs on before time moves further. */
  readonly beside?: true;
}

/** A clock whose time moves only when someone sleeps on it. */
export class VirtualClock implements Clock {
  private current: number;
  private readonly scheduled: Scheduled[] = [];
  private sequence = 0;

  /** @param startMs the virtual epoch milliseconds the clock starts at. @default 0 */
  constructor(startMs = 0) {
    assertFinite("startMs", startMs);
    this.current = startMs;
  }

  /** Virtual milliseconds since the epoch. */
  now(): number {
    return this.current;
  }

  /**
   * Advances virtual time by `ms` at once, firing the scheduled callbacks due on the way in time
   * order (each one sees `now()` at its own time). Rejects with an AbortError if the signal is or
   * becomes aborted, at that moment: time stops where the abort happened. Always yields to the
   * microtask queue once, so other async work interleaves as it would with real timers.
   */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    assertFinite("ms", ms);
    const target = this.current + Math.max(0, ms);
    let aborted = signal?.aborted ?? false;
    while (!aborted) {
      const next = this.takeDue(target);
      if (!next) break;
      this.current = Math.max(this.current, next.atMs);
      next.fn();
      // A sleeper beside this one woke: let it run at this moment (a heartbeat takes its time
      // here) before time moves on. Its promise callbacks are microtasks, all run by the next
      // macrotask; only such wakings pay for the wait, so a lone sleeper runs as fast as ever.
      if (next.beside) await new Promise((resolve) => setImmediate(resolve));
      aborted = signal?.aborted ?? false;
    }
    if (!aborted) this.current = target;
    await Promise.resolve();
    if (signal?.aborted) throw abortError(signal);
  }

  /**
   * Resolves when another sleep moves virtual time to `now() + ms`, without moving time itself:
   * work beside the main flow (a heartbeat during an update) must neither stretch the flow's time
   * nor run after it. Rejects with an AbortError when the signal aborts first; a waiting that no
   * sleep ever passes waits until then.
   */
  sleepBeside(ms: number, signal?: AbortSignal): Promise<void> {
    assertFinite("ms", ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      this.sequence += 1;
      const entry: Scheduled = {
        atMs: this.current + Math.max(0, ms),
        sequence: this.sequence,
        beside: true,
        fn: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = this.scheduled.indexOf(entry);
        if (index >= 0) this.scheduled.splice(index, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.scheduled.push(entry);
    });
  }

  /**
   * Runs `fn` when virtual time reaches `atMs`, during a sleep that passes it. A time already
   * passed fires at the next sleep, without moving time back.
   */
  schedule(atMs: number, fn: () => void): void {
    assertFinite("atMs", atMs);
    this.sequence += 1;
    this.scheduled.push({ atMs, sequence: this.sequence, fn });
  }

  /** Removes and returns the earliest callback due at or before `limit`; ties fire in scheduling order. */
  private takeDue(limit: number): Scheduled | undefined {
    let best = -1;
    this.scheduled.forEach((entry, index) => {
      if (entry.atMs > limit) return;
      const current = best >= 0 ? this.scheduled[best] : undefined;
      if (
        !current ||
        entry.atMs < current.atMs ||
        (entry.atMs === current.atMs && entry.sequence < current.sequence)
      ) {
        best = index;
      }
    });
    return best >= 0 ? this.scheduled.splice(best, 1)[0] : undefined;
  }
}

function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number of milliseconds, got ${String(value)}`);
  }
}
