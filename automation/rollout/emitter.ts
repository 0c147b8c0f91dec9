/**
 * The event emitter of a run: stamps every event with the time since the run started and the
 * time of day, both from the run's clock, so a rehearsal's events carry virtual time.
 */
import type { EventSink, RolloutEventBody } from "../events";
import type { Clock } from "../ports";

/** Stamps events with the elapsed time and keeps a failing renderer from stopping a revert. */
export class Emitter {
  constructor(
    private readonly sink: EventSink,
    private readonly clock: Clock,
    private readonly start: number,
  ) {}

  /** Emits `body` with `elapsedSeconds` and `time`; a renderer that throws is ignored. */
  emit(body: RolloutEventBody): void {
    const now = this.clock.now();
    try {
      this.sink.emit({
        ...body,
        elapsedSeconds: (now - this.start) / 1000,
        time: new Date(now).toISOString(),
      });
    } catch {
      // A renderer that throws must not cut a revert short; the result still reports the outcome.
    }
  }

  /** Emits a `warning`. */
  warn(text: string): void {
    this.emit({ type: "warning", message: text });
  }
}
