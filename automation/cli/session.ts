/**
 * What every command that runs the driver shares: picking the renderer and turning SIGINT/SIGTERM
 * into one abort of the request's signal.
 */
import type { EventSink } from "../events";
import { NdjsonSink } from "../output/ndjsonSink";
import { PlainSink } from "../output/plainSink";
import { TerminalSink } from "../output/terminalSink";
import type { CliIo, StopCause } from "./io";

/**
 * `--json` -> NDJSON stamped with the command's run id; a terminal -> the live renderer; anything
 * else (CI logs) -> plain lines.
 */
export function chooseSink(io: CliIo, json: boolean, runId: string): EventSink {
  if (json) return new NdjsonSink(io.stdout, runId);
  if (io.isTTY) return new TerminalSink(io.stdout, { colour: colourEnabled(io.env) });
  return new PlainSink(io.stdout);
}

/** https://no-color.org: any non-empty NO_COLOR turns colours off; TERM=dumb cannot show them. */
export function colourEnabled(env: CliIo["env"]): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== "") && env.TERM !== "dumb";
}

/** The abort signal of one run and how to stop listening for signals. */
export interface StopHandle {
  readonly signal: AbortSignal;
  /** Stops listening for signals. */
  dispose(): void;
}

/**
 * The first SIGINT/SIGTERM/SIGHUP (or the parent process exiting) aborts the run once, which makes
 * the driver revert; later signals are only acknowledged. Passing a second signal on would cut the
 * revert short (and the Pulumi engine treats a second interrupt as "terminate now"), leaving
 * traffic split with nobody watching.
 */
export function stopOnSignal(io: CliIo): StopHandle {
  const controller = new AbortController();
  let received: StopCause | undefined;
  const unsubscribe = io.onSignal((cause) => {
    const what = cause === "parent-exited" ? "the process that started bluegreen exited" : cause;
    if (received === undefined) {
      received = cause;
      io.stderr.write(
        `\n${what}: reverting traffic to the stable colour; this takes a moment, do not interrupt\n`,
      );
      controller.abort(stopReason(cause));
      return;
    }
    io.stderr.write(`${what}: a revert is in progress; waiting for it to finish before exiting\n`);
  });
  return { signal: controller.signal, dispose: unsubscribe };
}

function stopReason(cause: StopCause): Error {
  const error = new Error(
    cause === "parent-exited" ? "stopped: the process that started bluegreen exited" : `stopped by ${cause}`,
  );
  error.name = "AbortError";
  return error;
}
