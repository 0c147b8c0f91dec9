/**
 * One run of the CLI: its run id, stamped on every `--json` event and on the audit record, and
 * the rule that a `--json` event stream always ends with one `completed` event. A pipeline keeps
 * the stream (`rollout --json > events.ndjson`) and renders it later; a stream that stops at a
 * usage error, an invalid stack file or a failed preflight must still say how the command ended.
 */
import { EXIT_CODES, type EventSink, type Outcome } from "../events";
import type { Clock } from "../ports";
import type { CliIo } from "./io";
import { chooseSink } from "./session";

/** The run id and the closing `completed` event of one command. */
export class Invocation {
  private readonly startedAt: number;
  private completed = false;
  private reason?: string;

  constructor(
    private readonly io: CliIo,
    private readonly clock: Clock,
    /** Identifies this command's events and audit record. */
    readonly runId: string,
  ) {
    this.startedAt = clock.now();
  }

  /**
   * The renderer for the driver's events (NDJSON with `--json`, else a terminal or log renderer),
   * noting when the driver has ended the stream itself.
   */
  sink(json: boolean): EventSink {
    const inner = chooseSink(this.io, json, this.runId);
    return {
      emit: (event) => {
        if (event.type === "completed") this.completed = true;
        inner.emit(event);
      },
    };
  }

  /**
   * Why the command ends as it does, for the closing event when no driver run ended the stream:
   * a failed preflight, a request handed to the driver watching the rollout.
   */
  explain(reason: string): void {
    this.reason = reason;
  }

  /**
   * Ends a `--json` stream: unless a driver run already wrote `completed`, writes one for the
   * exit code. Exit 0 without a run is help being shown, which is no outcome.
   */
  close(exitCode: number, reason?: string): void {
    if (this.completed || exitCode === 0) return;
    this.completed = true;
    const now = this.clock.now();
    this.sink(true).emit({
      type: "completed",
      outcome: outcomeOfExitCode(exitCode),
      exitCode,
      reason: reason ?? this.reason ?? `exited ${exitCode}`,
      elapsedSeconds: Math.max(0, now - this.startedAt) / 1000,
      time: new Date(now).toISOString(),
    });
  }
}

/** The outcome an exit code stands for; a code no outcome has is a failure. */
export function outcomeOfExitCode(exitCode: number): Outcome {
  const entry = Object.entries(EXIT_CODES).find(([, code]) => code === exitCode);
  return entry ? (entry[0] as Outcome) : "failed";
}
