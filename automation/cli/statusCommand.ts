/**
 * `bluegreen status`: what the stack serves now, read from its deployed outputs and the live
 * router, not from the stack file.
 */
import { type StatusReport, readStatus } from "../rollout";
import { formatStatus } from "../output/statusText";
import { runPreflight } from "./preflight";
import { type CliIo, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE } from "./io";
import type { CliServices } from "./services";
import { chooseSink } from "./session";
import { loadStack, printWarnings } from "./stacks";

/** The options of `status`. */
export interface StatusCommandOptions {
  readonly stack: string;
  readonly json: boolean;
}

/** Prints the status and returns the exit code: 0; 2 when a preflight check fails; 1 when the stack cannot be read. */
export async function statusCommand(
  io: CliIo,
  services: CliServices,
  options: StatusCommandOptions,
): Promise<number> {
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const control = services.control(stack, io);
  const deps = await services.connect({ stack, io, events: chooseSink(io, options.json), control });
  if (!(await runPreflight(io, deps))) return EXIT_USAGE;
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
