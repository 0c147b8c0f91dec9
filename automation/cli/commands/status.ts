/**
 * `bluegreen status`: what the stack serves now, read from its deployed outputs and the live
 * router, not from the stack file.
 */
import type { Command } from "commander";
import { type StatusReport, readStatus } from "../../rollout";
import { formatStatus } from "../../output/statusText";
import { type CommandContext, type CommandRuntime, jsonOption, stackOption } from "../commandLine";
import { EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE } from "../io";
import { runPreflight } from "../preflight";
import { loadStack, printWarnings } from "../stacks";

/** The options of `status`. */
export interface StatusCommandOptions {
  readonly stack: string;
  readonly json: boolean;
}

/** Prints the status and returns the exit code: 0; 2 when a preflight check fails; 1 when the stack cannot be read. */
export async function statusCommand(
  { io, services, invocation }: CommandRuntime,
  options: StatusCommandOptions,
): Promise<number> {
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const control = services.control(stack, io);
  const deps = await services.connect({ stack, io, events: invocation.sink(options.json), control });
  if ((await runPreflight(io, deps)) !== undefined) return EXIT_USAGE;
  let report: StatusReport;
  try {
    report = await readStatus(deps, stack.config);
  } catch (error) {
    io.stderr.write(`error: cannot read the status of stack ${stack.name}: ${(error as Error).message}\n`);
    return EXIT_UNEXPECTED;
  }
  io.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatStatus(report));
  return EXIT_OK;
}

/** Adds `status` to the program. */
export function registerStatus(program: Command, context: CommandContext): void {
  program
    .command("status")
    .summary("show what the stack serves now")
    .description(
      "Reads the deployed stack and the live router: each colour's version, configured and live weights " +
        "(drift is called out), the watched alarms' states, and whether a rollout is in progress and watched.",
    )
    .addOption(stackOption())
    .addOption(jsonOption())
    .action(async (options: { stack: string; json?: boolean }) => {
      context.done(await statusCommand(context, { stack: options.stack, json: options.json === true }));
    });
}
