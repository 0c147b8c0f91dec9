/**
 * `bluegreen idle --stack X --once`: one pass of the idle colour's scale-down, the pass the
 * guardian runs on its schedule, by hand or from a cron job.
 */
import type { Command } from "commander";
import { type IdleOutcome, scaleDownIdle } from "../../rollout";
import { type CommandContext, type CommandRuntime, jsonOption, stackOption } from "../commandLine";
import { EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE } from "../io";
import { runPreflight } from "../preflight";
import { loadStack, printWarnings } from "../stacks";

/** The options of `idle`. */
export interface IdleCommandOptions {
  readonly stack: string;
  readonly json: boolean;
}

/**
 * Runs one scale-down pass and says what it did. Exit 0 when it scaled down or had nothing to do
 * (the reason is printed), 2 when the stack has nothing to scale (Lambda) or a preflight check
 * fails, 1 when the pass failed.
 */
export async function idleCommand(
  { io, services, invocation }: CommandRuntime,
  options: IdleCommandOptions,
): Promise<number> {
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const control = services.control(stack, io);
  const deps = await services.connect({ stack, io, events: invocation.sink(options.json), control });
  if (deps.scaler === undefined) {
    io.stderr.write(`stack ${stack.name} has nothing to scale: an idle Lambda version costs nothing\n`);
    return EXIT_USAGE;
  }
  if ((await runPreflight(io, deps)) !== undefined) return EXIT_USAGE;
  const store = services.historyStore?.(stack, io);
  const history = store && {
    store,
    stack: stack.name,
    service: stack.config.service.name,
    ...(stack.region === undefined ? {} : { region: stack.region }),
    who: io.who(),
  };
  const outcome = await scaleDownIdle(
    { ...deps, scaler: deps.scaler, ...(history ? { history } : {}) },
    stack.config.idle.capacity,
  );
  io.stdout.write(
    options.json ? `${JSON.stringify(outcome)}\n` : `${describeOutcome(stack.name, outcome)}\n`,
  );
  return outcome.kind === "failed" ? EXIT_UNEXPECTED : EXIT_OK;
}

/** One line saying what the pass did. */
export function describeOutcome(stack: string, outcome: IdleOutcome): string {
  switch (outcome.kind) {
    case "scaled-down":
      return `stack ${stack}: scaled ${outcome.colour} down from ${outcome.from} to ${outcome.to} (its rollback window closed)${outcome.recorded === false ? "; the release history could not be written" : ""}`;
    case "failed":
      return `stack ${stack}: the scale-down failed: ${outcome.reason}`;
    case "nothing":
      return `stack ${stack}: nothing to scale down: ${outcome.reason}${outcome.until === undefined ? "" : ` until ${new Date(outcome.until).toISOString()}`}`;
  }
}

/** Adds `idle` to the program. */
export function registerIdle(program: Command, context: CommandContext): void {
  program
    .command("idle")
    .summary("scale the idle colour down once its rollback window has closed")
    .description(
      "One pass of what the guardian does on its schedule: when the colour the last promotion left idle is past " +
        "bluegreen:idle.rollbackWindow, no rollout holds the stack and it serves nothing, scale it to " +
        "bluegreen:idle.capacity. Exits 0 when it scaled or had nothing to do, 1 when the scale failed.",
    )
    .addOption(stackOption())
    .option("--once", "run one pass and exit (the only mode; the guardian runs it every minute)")
    .addOption(jsonOption())
    .action(async (options: { stack: string; json?: boolean }) => {
      context.done(await idleCommand(context, { stack: options.stack, json: options.json === true }));
    });
}
