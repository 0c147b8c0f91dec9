/**
 * `--json`: one JSON object per line, the event the driver emitted with the command's run id, so
 * a pipeline can `jq` the stream and join it to the audit record. Events carry no secrets by
 * construction; the run id is the only thing added here.
 */
import type { EventLine, EventSink, RolloutEvent } from "../events";
import type { TextWriter } from "./writer";

/** Writes each event as one line of JSON. */
export class NdjsonSink implements EventSink {
  constructor(
    private readonly out: TextWriter,
    private readonly runId: string,
  ) {}

  /** Writes the event as a single line. */
  emit(event: RolloutEvent): void {
    const line: EventLine = { ...event, runId: this.runId };
    this.out.write(`${JSON.stringify(line)}\n`);
  }
}
