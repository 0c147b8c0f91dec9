/**
 * `bluegreen abort` and `bluegreen promote`. With a driver watching the rollout, both are requests
 * it takes at its next poll. With nobody watching, `abort` reverts directly (a crashed run must
 * still be stoppable) while `promote` refuses: advancing traffic needs a driver watching the alarms.
 */
import { abortRollout } from "../rollout";
import { EXIT_CODES } from "../events";
import { recordAudit } from "./auditRecord";
import { TAKE_WITHIN_POLLS, deliver, describeHeartbeat, watchState } from "./control";
import { type CliIo, EXIT_OK, EXIT_USAGE } from "./io";
import { runPreflight } from "./preflight";
import type { CliServices } from "./services";
import { chooseSink } from "./session";
import { loadStack, printWarnings } from "./stacks";

/** The options of `abort`. */
export interface AbortCommandOptions {
  readonly stack: string;
  readonly reason?: string;
  readonly json: boolean;
}

/** The options of `promote`. */
export interface PromoteCommandOptions {
  readonly stack: string;
  /** Skip every remaining step instead of ending the current bake. */
  readonly full: boolean;
}

/**
 * Aborts the stack's rollout. Exit 4 when it was aborted (by the watching driver or directly),
 * 2 when nothing was in progress, 1 when the revert failed.
 */
export async function abortCommand(
  io: CliIo,
  services: CliServices,
  options: AbortCommandOptions,
): Promise<number> {
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const control = services.control(stack, io);
  const clock = services.clock;
  const who = io.who();
  const state = await watchState(control, clock, stack.config);
  if (state.watched) {
    io.stderr.write(
      `a driver is watching stack ${stack.name} (${describeHeartbeat(state)}); asking it to abort\n`,
    );
    const delivery = await deliver(control, clock, stack.config, { kind: "abort", by: who, at: clock.now() });
    // Superseded by another operator's abort is as good as taken: the driver reverts either way.
    if (delivery !== "withdrawn") {
      io.stderr.write(
        "the driver took the abort request: it reverts traffic to the stable colour now and reports the result in its own output\n",
      );
      return EXIT_CODES.aborted;
    }
    io.stderr.write("the driver did not take the request in time; withdrew it and reverting directly\n");
  } else {
    io.stderr.write(
      `no driver is watching stack ${stack.name} (${describeHeartbeat(state)}); reverting directly\n`,
    );
  }

  const startedAt = clock.now();
  const events = chooseSink(io, options.json);
  const deps = await services.connect({ stack, io, events, control });
  if (!(await runPreflight(io, deps))) return EXIT_USAGE;
  const driverStart = deps.clock.now();
  const result = await abortRollout(deps, { config: stack.config, reason: options.reason, by: who });
  if (result.outcome !== "rejected") {
    await recordAudit(io, {
      at: new Date(startedAt).toISOString(),
      stack: stack.name,
      command: "abort",
      who,
      versions: { from: result.fromVersion, to: result.toVersion },
      reason: options.reason,
      outcome: result.outcome,
      exitCode: result.exitCode,
      elapsedSeconds: (deps.clock.now() - driverStart) / 1000,
      rehearsal: false,
    });
  }
  if (result.outcome === "rejected") io.stderr.write(`nothing to abort: ${result.reason}\n`);
  return result.exitCode;
}

/** Asks the watching driver to promote. Exit 0 when it took the request, 2 when nobody watches or it did not. */
export async function promoteCommand(
  io: CliIo,
  services: CliServices,
  options: PromoteCommandOptions,
): Promise<number> {
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const control = services.control(stack, io);
  const clock = services.clock;
  const state = await watchState(control, clock, stack.config);
  if (!state.watched) {
    io.stderr.write(
      `no driver is watching stack ${stack.name} (${describeHeartbeat(state)}): promoting needs a driver watching the alarms; run \`bluegreen rollout --stack ${stack.name} --version <the candidate's version> --resume\` and promote while it runs\n`,
    );
    return EXIT_USAGE;
  }
  const kind = options.full ? "promote-full" : "promote";
  const delivery = await deliver(control, clock, stack.config, { kind, by: io.who(), at: clock.now() });
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
