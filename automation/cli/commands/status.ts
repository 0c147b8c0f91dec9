/**
 * `bluegreen status`: what the stack serves now, read from its deployed outputs and the live
 * router, not from the stack file; and, when the stack's control channel records runs, the live
 * run from its control record. The record needs only AWS credentials and the stack file, so where
 * the Pulumi side cannot be read (no Pulumi CLI, no backend) status still shows the run.
 */
import type { Command } from "commander";
import { type StatusReport, readStatus } from "../../rollout";
import { type ControlView, controlView } from "../../rollout/runStatus";
import { formatControlView } from "../../output/controlText";
import { formatStatus } from "../../output/statusText";
import { type CommandContext, type CommandRuntime, jsonOption, stackOption } from "../commandLine";
import type { InspectableControlChannel } from "../control";
import { ControlUnavailableError, controlLocation, onControl } from "../controlAccess";
import { EXIT_CONTROL, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, UsageError } from "../io";
import { runPreflight } from "../preflight";
import { type LoadedStack, loadStack, printWarnings } from "../stacks";
import { watchStatus } from "../statusWatch";

/** The options of `status`. */
export interface StatusCommandOptions {
  readonly stack: string;
  readonly json: boolean;
  /** Follow the control record until the run ends (or Ctrl-C). */
  readonly watch?: boolean;
}

/** What one `status` read found, as `--json` prints it. */
export interface StatusSnapshot extends Partial<StatusReport> {
  readonly stack: string;
  /** The control record, on a channel that records runs and when it could be read. */
  readonly control?: ControlView;
  /** What could not be read, and why: `stack` (the deployed stack, the router, the alarms), `control`. */
  readonly unread?: { readonly stack?: string; readonly control?: string };
}

/**
 * Prints the status and returns the exit code: 0 when it showed the stack (the full view, or the
 * live run from the control record when the Pulumi side cannot be read); 2 when a preflight check
 * fails, 1 when the stack cannot be read, and no run is recorded to show instead; 5 when the
 * control record cannot be read.
 */
export async function statusCommand(runtime: CommandRuntime, options: StatusCommandOptions): Promise<number> {
  const { io } = runtime;
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const control = runtime.services.control(stack, io);
  if (options.watch) return watchStatus(runtime, { stack, control, json: options.json });

  const record = await readControlView(runtime, stack, control);
  const report = await readStackStatus(runtime, stack, control, options.json);
  const unread = {
    ...("problem" in report ? { stack: report.problem } : {}),
    ...(record.problem !== undefined ? { control: record.problem } : {}),
  };
  const snapshot: StatusSnapshot = {
    ...("report" in report ? report.report : {}),
    stack: stack.name,
    ...(record.view ? { control: record.view } : {}),
    ...(Object.keys(unread).length > 0 ? { unread } : {}),
  };
  // With neither the stack nor a live run to show, there is nothing to print: the errors say why.
  const shown = "report" in report || record.view?.run;
  if (shown) {
    io.stdout.write(
      options.json ? `${JSON.stringify(snapshot)}\n` : formatSnapshot(snapshot, "report" in report),
    );
  }
  if (record.problem !== undefined) {
    io.stderr.write(`error: ${record.problem}\n`);
    return EXIT_CONTROL;
  }
  if ("problem" in report) {
    if (!shown) return report.code;
    io.stderr.write(
      `the deployed stack could not be read; the live run is shown from the ${record.view?.source}\n`,
    );
  }
  return EXIT_OK;
}

/** The control record's view, when the channel records runs; the problem when it cannot be read. */
async function readControlView(
  { io, services }: CommandRuntime,
  stack: LoadedStack,
  control: InspectableControlChannel,
): Promise<{ view?: ControlView; problem?: string }> {
  const readRecord = control.readRecord?.bind(control);
  if (!readRecord) return {};
  try {
    const record = await onControl(stack, io, "read the control record", readRecord);
    const source = controlLocation(stack, io);
    return { view: controlView(record, { source, now: services.clock.now(), config: stack.config }) };
  } catch (error) {
    if (error instanceof ControlUnavailableError) return { problem: error.message };
    throw error;
  }
}

/** The Pulumi side: the deployed outputs, the live router, the alarms. Its problem and exit code when it cannot be read. */
async function readStackStatus(
  { io, services, invocation }: CommandRuntime,
  stack: LoadedStack,
  control: InspectableControlChannel,
  json: boolean,
): Promise<{ report: StatusReport } | { problem: string; code: number }> {
  try {
    const deps = await services.connect({ stack, io, events: invocation.sink(json), control });
    const failed = await runPreflight(io, deps);
    if (failed !== undefined) return { problem: failed, code: EXIT_USAGE };
    return { report: await readStatus(deps, stack.config) };
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n`);
      return { problem: error.message, code: EXIT_USAGE };
    }
    const problem = `cannot read the status of stack ${stack.name}: ${(error as Error).message}`;
    io.stderr.write(`error: ${problem}\n`);
    return { problem, code: EXIT_UNEXPECTED };
  }
}

/** The snapshot as text: the stack's view (or what kept it from being read), then the control record's. */
function formatSnapshot(snapshot: StatusSnapshot, stackRead: boolean): string {
  const parts: string[] = [];
  if (stackRead) parts.push(formatStatus(snapshot as StatusReport));
  else if (snapshot.control) {
    parts.push(
      `stack ${snapshot.stack}: the deployed stack, the live router and the alarms could not be read (${snapshot.unread?.stack}); the control record follows\n`,
    );
  }
  if (snapshot.control) parts.push(formatControlView(snapshot.control));
  return parts.join("");
}

/** Adds `status` to the program. */
export function registerStatus(program: Command, context: CommandContext): void {
  program
    .command("status")
    .summary("show what the stack serves now")
    .description(
      "Reads the deployed stack and the live router: each colour's version, configured and live weights " +
        "(drift is called out), the watched alarms' states, and whether a rollout is in progress and watched. " +
        "With the control table, also the live run from its record (step, weights, bake, pause, heartbeat, " +
        "the pending request), which needs no Pulumi: shown alone when the stack cannot be read.",
    )
    .addOption(stackOption())
    .addOption(jsonOption())
    .option(
      "--watch",
      "follow the live run in the control record every poll interval until it ends (Ctrl-C stops)",
    )
    .action(async (options: { stack: string; json?: boolean; watch?: boolean }) => {
      context.done(
        await statusCommand(context, {
          stack: options.stack,
          json: options.json === true,
          watch: options.watch === true,
        }),
      );
    });
}
