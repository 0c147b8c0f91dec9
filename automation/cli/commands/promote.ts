/**
 * `bluegreen promote`: a request to the driver watching the rollout, taken at its next poll. With
 * nobody watching it refuses: advancing traffic needs a driver watching the alarms.
 */
import type { Command } from "commander";
import { type CommandContext, stackOption } from "../commandLine";
import { TAKE_WITHIN_POLLS, deliver, describeHeartbeat, watchState } from "../control";
import { onControl } from "../controlAccess";
import { type CliIo, EXIT_OK, EXIT_USAGE } from "../io";
import type { CliServices } from "../services";
import { loadStack, printWarnings } from "../stacks";

/** The options of `promote`. */
export interface PromoteCommandOptions {
  readonly stack: string;
  /** Skip every remaining step instead of ending the current bake. */
  readonly full: boolean;
}

/**
 * Asks the watching driver to promote. Exit 0 when it took the request, 2 when nobody watches or it
 * did not, 5 when the control channel could not be read or written (nothing changed).
 */
export async function promoteCommand(
  io: CliIo,
  services: CliServices,
  options: PromoteCommandOptions,
): Promise<number> {
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const control = services.control(stack, io);
  const clock = services.clock;
  const state = await onControl(stack, io, "read the heartbeat", () =>
    watchState(control, clock, stack.config),
  );
  if (!state.watched) {
    io.stderr.write(
      `no driver is watching stack ${stack.name} (${describeHeartbeat(state)}): promoting needs a driver watching the alarms; run \`bluegreen rollout --stack ${stack.name} --version <the candidate's version> --resume\` and promote while it runs\n`,
    );
    return EXIT_USAGE;
  }
  const kind = options.full ? "promote-full" : "promote";
  const delivery = await onControl(stack, io, `leave the ${kind} request`, () =>
    deliver(control, clock, stack.config, { kind, by: io.who(), at: clock.now() }),
  );
  if (delivery === "superseded") {
    io.stderr.write(
      `an abort of stack ${stack.name} is already pending for the watching driver; the ${kind} request was not left\n`,
    );
    return EXIT_USAGE;
  }
  if (delivery === "withdrawn") {
    io.stderr.write(
      `the driver watching stack ${stack.name} did not take the ${kind} request within ${TAKE_WITHIN_POLLS * stack.config.rollout.pollInterval}s; withdrew it so it cannot surprise a later run. Check the driver's output, then try again\n`,
    );
    return EXIT_USAGE;
  }
  io.stderr.write(
    options.full
      ? "the driver took the request: if the alarms are OK it skips the remaining steps and promotes; otherwise it warns and carries on\n"
      : "the driver took the request: if the alarms are OK it ends the current bake and moves to the next step; otherwise it warns and carries on\n",
  );
  return EXIT_OK;
}

/** Adds `promote` to the program. */
export function registerPromote(program: Command, { io, services, done }: CommandContext): void {
  program
    .command("promote")
    .summary("end the current bake early (or, with --full, skip every remaining step)")
    .description(
      "Asks the driver watching the rollout to move on. It does so only while the alarms are OK. " +
        "With no driver watching, it refuses (exit 2): resume the rollout with `rollout --resume` first.",
    )
    .addOption(stackOption())
    .option("--full", "skip all remaining steps and promote to 100% now", false)
    .action(async (options: { stack: string; full: boolean }) => {
      done(await promoteCommand(io, services, { stack: options.stack, full: options.full }));
    });
}
