/**
 * The renderer for CI logs: one readable line per event and no cursor control, because a log
 * viewer shows every `\r` rewrite as a line of its own.
 */
import type { EventSink, RolloutEvent } from "../events";
import { formatEventLine } from "./format";
import type { TextWriter } from "./writer";
import type { Colour } from "../../components/domain";

/** Seconds between two bake progress lines: often enough to see progress, rare enough to read the log. */
export const PLAIN_BAKE_INTERVAL_SECONDS = 60;

/** Writes one line per event; bake progress at most once a minute per step. */
export class PlainSink implements EventSink {
  private candidate?: Colour;
  private lastBake?: { step: number; at: number };

  constructor(private readonly out: TextWriter) {}

  /** Writes the event's line, unless it is a bake update too soon after the last one. */
  emit(event: RolloutEvent): void {
    if (event.type === "started") this.candidate = event.candidate;
    if (event.type === "baking") {
      // Throttled on the event's own clock, so a rehearsal logs the same lines a real run would.
      const last = this.lastBake;
      if (
        last !== undefined &&
        last.step === event.step &&
        event.elapsedSeconds - last.at < PLAIN_BAKE_INTERVAL_SECONDS
      ) {
        return;
      }
      this.lastBake = { step: event.step, at: event.elapsedSeconds };
    }
    if (event.type === "shifted") this.lastBake = undefined;
    this.out.write(`${formatEventLine(event, { candidate: this.candidate })}\n`);
  }
}
