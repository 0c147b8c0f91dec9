/**
 * `bluegreen abort`. With a driver watching the rollout, a request it takes at its next poll. With
 * nobody watching, or the request not taken in time, a direct revert: a crashed run must still be
 * stoppable.
 */
import type { Command } from "commander";
import { abortRollout } from "../../rollout";
import { EXIT_CODES } from "../../events";
import {
  type CommandContext,
  type CommandRuntime,
  jsonOption,
  reasonOption,
  stackOption,
} from "../commandLine";
import { deliver, describeHeartbeat, watchState } from "../control";
import { onControl } from "../controlAccess";
import { type StackRun, connectServices, runDriverCommand } from "../pipeline";

/** The options of `abort`. */
export interface AbortCommandOptions {
  readonly stack: string;
  readonly reason?: string;
  readonly json: boolean;
}

/**
 * Aborts the stack's rollout. Exit 4 when it was aborted (by the watching driver or directly),
 * 2 when nothing was in progress, 1 when the revert failed, 5 when the control channel could not
 * be read or written (nothing changed).
 */
export async function abortCommand(runtime: CommandRuntime, options: AbortCommandOptions): Promise<number> {
  const { io, services } = runtime;
  return runDriverCommand(runtime, {
    name: "abort",
    stack: options.stack,
    reason: options.reason,
    json: options.json,
    before: (run) => askWatchingDriver(runtime, run),
    connect: connectServices(io, services),
    preflight: true,
    async drive(deps, { stack }) {
      // The direct revert takes no signal: a SIGINT must not cut it short, only be acknowledged.
      const result = await abortRollout(deps, { config: stack.config, reason: options.reason, by: io.who() });
      if (result.outcome === "rejected") io.stderr.write(`nothing to abort: ${result.reason}\n`);
      return result;
    },
    // Nothing was in progress, so nothing happened to record.
    audits: (result) => result.outcome !== "rejected",
  });
}

/**
 * Hands the abort to the driver watching the rollout, when one is. Returns exit 4 once it took
 * the request, undefined when the command must revert directly.
 */
async function askWatchingDriver(
  { io, services, invocation }: CommandRuntime,
  run: StackRun,
): Promise<number | undefined> {
  const { stack } = run;
  const control = run.control();
  const clock = services.clock;
  const state = await onControl(stack, io, "read the heartbeat", () =>
    watchState(control, clock, stack.config),
  );
  if (!state.watched) {
    io.stderr.write(
      `no driver is watching stack ${stack.name} (${describeHeartbeat(state)}); reverting directly\n`,
    );
    return undefined;
  }
  io.stderr.write(
    `a driver is watching stack ${stack.name} (${describeHeartbeat(state)}); asking it to abort\n`,
  );
  const delivery = await onControl(stack, io, "leave the abort request", () =>
    deliver(control, clock, stack.config, { kind: "abort", by: io.who(), at: clock.now() }),
  );
  // Superseded by another operator's abort is as good as taken: the driver reverts either way.
  if (delivery !== "withdrawn") {
    io.stderr.write(
      "the driver took the abort request: it reverts traffic to the stable colour now and reports the result in its own output\n",
    );
    invocation.explain(
      `the driver watching stack ${stack.name} took the abort request; it reverts and reports the result in its own output`,
    );
    return EXIT_CODES.aborted;
  }
  io.stderr.write("the driver did not take the request in time; withdrew it and reverting directly\n");
  return undefined;
}

/** Adds `abort` to the program. */
export function registerAbort(program: Command, context: CommandContext): void {
  program
    .command("abort")
    .summary("revert a rollout in progress to the stable colour")
    .description(
      "When a driver is watching the rollout, asks it to revert. When none is (a crashed or cancelled run), " +
        "reverts traffic directly and restores the stack's pre-rollout values. Exits 4 once aborted, 2 when " +
        "nothing is in progress.",
    )
    .addOption(stackOption())
    .addOption(reasonOption())
    .addOption(jsonOption())
    .action(async (options: { stack: string; reason?: string; json?: boolean }) => {
      context.done(
        await abortCommand(context, {
          stack: options.stack,
          reason: options.reason,
          json: options.json === true,
        }),
      );
    });
}
