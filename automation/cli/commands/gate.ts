/**
 * `bluegreen pause` and `bluegreen resume`: an approval gate worked by hand. `pause` asks the
 * driver watching the rollout to hold the current weight once this step's bake ends (a pause with
 * no timeout); `resume` releases a pause, whether a plan step or a `pause` request set it. Like
 * `promote`, both need a driver watching: with nobody watching there is nothing to hold or release.
 */
import type { Command } from "commander";
import { type CommandContext, stackOption } from "../commandLine";
import { TAKE_WITHIN_POLLS, deliver, describeHeartbeat, watchState } from "../control";
import { onControl } from "../controlAccess";
import { type CliIo, EXIT_OK, EXIT_USAGE } from "../io";
import type { CliServices } from "../services";
import { loadStack, printWarnings } from "../stacks";

/** The request kinds an operator sends to work a pause. */
export type GateRequestKind = "pause" | "resume";

const TAKEN: Record<GateRequestKind, string> = {
  pause:
    "the driver took the request: once the current step's bake ends it holds that weight, still watching the alarms, until `bluegreen resume` (or promote --full, abort); on the last step it warns and carries on",
  resume:
    "the driver took the request: if it is paused (or about to pause after this bake) it goes on with the plan once the alarms are OK; otherwise it warns and carries on",
};

/**
 * Sends `kind` to the driver watching stack `stack`. Exit 0 when it took it, 2 when nobody watches
 * or it did not, 5 when the control channel could not be read or written (nothing changed).
 */
export async function gateCommand(
  io: CliIo,
  services: CliServices,
  options: { readonly stack: string; readonly kind: GateRequestKind },
): Promise<number> {
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const control = services.control(stack, io);
  const clock = services.clock;
  const { kind } = options;
  const state = await onControl(stack, io, "read the heartbeat", () =>
    watchState(control, clock, stack.config),
  );
  if (!state.watched) {
    io.stderr.write(
      `no driver is watching stack ${stack.name} (${describeHeartbeat(state)}): there is no rollout to ${kind}. ${
        kind === "resume"
          ? `A rollout whose driver stopped is continued with \`bluegreen rollout --stack ${stack.name} --version <the candidate's version> --resume\` (or reverted with \`bluegreen abort\`)`
          : `Pause a rollout while its driver runs; \`bluegreen status --stack ${stack.name}\` shows whether one is in progress`
      }\n`,
    );
    return EXIT_USAGE;
  }
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
  io.stderr.write(`${TAKEN[kind]}\n`);
  return EXIT_OK;
}

/** Adds `pause` to the program. */
export function registerPause(program: Command, { io, services, done }: CommandContext): void {
  program
    .command("pause")
    .summary("hold the rollout at its current weight after this step's bake, until resumed")
    .description(
      "Asks the driver watching the rollout to hold the current weight once this step's bake ends, as a plan " +
        "step with `pause: true` does: the alarms are still watched, an alarm still reverts, and it waits for " +
        "`bluegreen resume` (or promote --full, abort) with no timeout. During a pause it takes the pause's " +
        "timeout away. With no driver watching, it refuses (exit 2).",
    )
    .addOption(stackOption())
    .action(async (options: { stack: string }) => {
      done(await gateCommand(io, services, { stack: options.stack, kind: "pause" }));
    });
}

/** Adds `resume` to the program. */
export function registerResume(program: Command, { io, services, done }: CommandContext): void {
  program
    .command("resume")
    .summary("release a paused rollout: go on with the plan")
    .description(
      "Asks the driver watching the rollout to end its pause (a plan step's, or one `bluegreen pause` asked " +
        "for) and go on with the plan, once the alarms are OK. Sent while the step still bakes, it approves the " +
        "coming pause in advance. With no driver watching, it refuses (exit 2).",
    )
    .addOption(stackOption())
    .action(async (options: { stack: string }) => {
      done(await gateCommand(io, services, { stack: options.stack, kind: "resume" }));
    });
}
