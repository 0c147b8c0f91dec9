/**
 * What a command threw, as a message and an exit code: commander's own errors, a rejected input
 * (exit 2, nothing changed) or anything else (exit 1, with the stack under BLUEGREEN_DEBUG).
 */
import { CommanderError } from "commander";
import { ControlUnavailableError } from "./controlAccess";
import { type CliIo, EXIT_CONTROL, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, UsageError } from "./io";
import { StackConfigError, formatProblem } from "./stacks";

/** Maps what a command threw to a message and an exit code. */
export function reportError(io: CliIo, error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (and the help hint) through configureOutput.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof ControlUnavailableError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT_CONTROL;
  }
  if (error instanceof StackConfigError) {
    for (const problem of error.problems) io.stderr.write(`${formatProblem(error.file, problem)}\n`);
    for (const problem of error.warnings)
      io.stderr.write(`${formatProblem(error.file, problem, "warning")}\n`);
    io.stderr.write(`error: ${error.message}; fix it and run \`bluegreen validate ${error.file}\`\n`);
    return EXIT_USAGE;
  }
  const detail =
    error instanceof Error
      ? io.env.BLUEGREEN_DEBUG
        ? (error.stack ?? error.message)
        : error.message
      : String(error);
  io.stderr.write(`unexpected error: ${detail}\n`);
  return EXIT_UNEXPECTED;
}

/**
 * What a command threw, in one line: the `reason` of the `completed` event that ends a `--json`
 * stream no driver run ended.
 */
export function failureReason(error: unknown): string {
  if (error instanceof CommanderError) return error.message.replace(/^error: /, "");
  if (error instanceof StackConfigError) {
    return `${error.message}: ${error.problems.map((problem) => `${problem.path}: ${problem.message}`).join("; ")}`;
  }
  if (error instanceof UsageError || error instanceof ControlUnavailableError) return error.message;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
