/**
 * `bluegreen status --watch`: the live run followed through the stack's control record, read every
 * poll interval on the services' clock. On a terminal the view is redrawn each time; in a log
 * there is one line per change; with `--json`, one JSON object per change (NDJSON). It ends, exit
 * 0, when the run it watched is released, or on SIGINT/SIGTERM/SIGHUP.
 */
import { type ControlView, controlView } from "../rollout/runStatus";
import { formatControlView, watchLines } from "../output/controlText";
import type { CommandRuntime } from "./commandLine";
import type { InspectableControlChannel } from "./control";
import { ControlUnavailableError, controlLocation, onControl } from "./controlAccess";
import { EXIT_OK, UsageError } from "./io";
import type { LoadedStack } from "./stacks";

/** Clears a terminal and puts the cursor home: each redraw replaces the last. */
const CLEAR_SCREEN = "\u001b[2J\u001b[H";

/** Failed reads in a row, after the first good one, before the watch gives up. */
export const MAX_FAILED_WATCH_READS = 5;

/** What to watch. */
export interface StatusWatch {
  readonly stack: LoadedStack;
  readonly control: InspectableControlChannel;
  readonly json: boolean;
}

/** Follows the control record until the run it saw ends, or a signal; returns the exit code. */
export async function watchStatus({ io, services }: CommandRuntime, watch: StatusWatch): Promise<number> {
  const { stack, control } = watch;
  const readRecord = control.readRecord?.bind(control);
  if (!readRecord) {
    throw new UsageError(
      `status --watch follows the control table's record, and stack ${stack.name} keeps its control in files (bluegreen:control.channel: file): run \`bluegreen status --stack ${stack.name}\` instead`,
    );
  }
  const clock = services.clock;
  const pollMs = stack.config.rollout.pollInterval * 1000;
  const source = controlLocation(stack, io);
  const stop = new AbortController();
  const unsubscribe = io.onSignal(() => stop.abort());
  let before: ControlView | undefined;
  let watched: string | undefined;
  let failures = 0;
  try {
    while (!stop.signal.aborted) {
      let view: ControlView | undefined;
      try {
        const record = await onControl(stack, io, "read the control record", readRecord);
        view = controlView(record, { source, now: clock.now(), config: stack.config });
        failures = 0;
      } catch (error) {
        // A table that is missing, denied or malformed will not mend itself; a lost read might.
        if (before === undefined || !(error instanceof ControlUnavailableError)) throw error;
        failures += 1;
        if (failures >= MAX_FAILED_WATCH_READS) throw error;
        io.stderr.write(`warning: ${error.message}; trying again\n`);
      }
      if (view) {
        render(io, watch.json, before, view, new Date(clock.now()).toISOString(), pollMs);
        before = view;
        if (view.run) watched = view.run.runId;
        else if (watched !== undefined) return EXIT_OK;
      }
      try {
        await clock.sleep(pollMs, stop.signal);
      } catch {
        break;
      }
    }
    return EXIT_OK;
  } finally {
    unsubscribe();
  }
}

function render(
  io: CommandRuntime["io"],
  json: boolean,
  before: ControlView | undefined,
  view: ControlView,
  at: string,
  pollMs: number,
): void {
  const lines = watchLines(before, view, at);
  if (json) {
    if (lines.length > 0) io.stdout.write(`${JSON.stringify({ at, control: view })}\n`);
  } else if (io.isTTY) {
    io.stdout.write(
      `${CLEAR_SCREEN}${formatControlView(view)}\nrefreshed ${at}, every ${pollMs / 1000}s; Ctrl-C stops watching (the run goes on)\n`,
    );
  } else {
    for (const line of lines) io.stdout.write(`${line}\n`);
  }
}
