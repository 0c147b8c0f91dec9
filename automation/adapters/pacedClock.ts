/**
 * `rehearse --speed <n>`: a virtual clock that also waits 1/n of each sleep in real time, so a
 * rehearsal can be watched (at 60, a 25-minute plan takes 25 seconds) while scenario events still
 * fire at exact virtual times.
 */
import type { Clock } from "../ports";
import type { VirtualClock } from "../rehearsal/virtualClock";

/** Paces a virtual clock against a real one. */
export class PacedClock implements Clock {
  /**
   * @param virtual the clock the simulated world schedules on.
   * @param real the clock that waits.
   * @param speed virtual seconds per real second; above 0.
   */
  constructor(
    private readonly virtual: VirtualClock,
    private readonly real: Clock,
    private readonly speed: number,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new Error(`speed must be a positive number of virtual seconds per real second, got ${speed}`);
    }
  }

  /** Virtual time. */
  now(): number {
    return this.virtual.now();
  }

  /**
   * Waits ms/speed of real time and leaves virtual time alone: work beside the rehearsal (its
   * heartbeat during an update) keeps a real cadence that processes outside it can watch.
   */
  async sleepBeside(ms: number, signal?: AbortSignal): Promise<void> {
    await this.real.sleep(ms / this.speed, signal);
  }

  /** Waits ms/speed of real time, then advances virtual time by ms. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.real.sleep(ms / this.speed, signal);
    await this.virtual.sleep(ms, signal);
  }
}
