/**
 * When the world's events happen: each one is due at a virtual time and fires once, in time order
 * (ties in the order they were added), whether the clock passes its time during a sleep or a port
 * is called at or after it.
 */
import type { ScenarioEvent } from "./scenario";
import type { VirtualClock } from "./virtualClock";

interface PendingEvent {
  readonly event: ScenarioEvent;
  readonly atMs: number;
  readonly sequence: number;
  fired: boolean;
}

/** The events of one world, and when each is due. */
export class EventTimeline {
  private readonly pending: PendingEvent[] = [];
  private sequence = 0;

  /** @param fire applies one event at its due time (virtual epoch milliseconds) */
  constructor(
    private readonly clock: VirtualClock,
    private readonly fire: (event: ScenarioEvent, atMs: number) => void,
  ) {}

  /** Adds an event due at `atMs`; it fires when the clock passes that time or a port settles after it. */
  add(event: ScenarioEvent, atMs: number): void {
    this.sequence += 1;
    this.pending.push({ event, atMs, sequence: this.sequence, fired: false });
    this.clock.schedule(atMs, () => this.settle());
  }

  /** Whether an event is still to fire: once none is, nothing in the scenario changes the world again. */
  hasPending(): boolean {
    return this.pending.some((entry) => !entry.fired);
  }

  /**
   * Fires every event due by now, in time order. Ports call it first, so an event takes effect at
   * its time even when the driver reaches a port before sleeping past that time.
   */
  settle(): void {
    const now = this.clock.now();
    for (;;) {
      let next: PendingEvent | undefined;
      for (const entry of this.pending) {
        if (entry.fired || entry.atMs > now) continue;
        if (!next || entry.atMs < next.atMs || (entry.atMs === next.atMs && entry.sequence < next.sequence)) {
          next = entry;
        }
      }
      if (!next) return;
      next.fired = true;
      this.fire(next.event, next.atMs);
    }
  }
}
