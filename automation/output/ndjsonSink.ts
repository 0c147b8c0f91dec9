/**
 * `--json`: one JSON object per line, exactly the event the driver emitted, so a pipeline can
 * `jq` the stream. Events carry no secrets by construction; nothing is added here.
 */
import type { EventSink, RolloutEvent } from "../events";
import type { TextWriter } from "./writer";

/** Writes each event as one line of JSON. */
export class NdjsonSink implements EventSink {
  constructor(private readonly out: TextWriter) {}

  /** Writes the event as a single line. */
  emit(event: RolloutEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }
}
