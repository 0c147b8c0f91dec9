/**
 * `bluegreen validate`: the pull-request check for stack files. Each error is printed as
 * `<file>: <key path>: <message>` so CI annotates the line's file; any error exits 2.
 */
import type { Command } from "commander";
import * as path from "node:path";
import {
  listStacks,
  stackFilePath,
  STACK_CONFIG_DIR,
  validateStackFile,
} from "../../../infra/config/stackFile";
import type { ConfigProblem } from "../../../infra/config/validate";
import { type CommandContext, jsonOption } from "../commandLine";
import { type CliIo, EXIT_OK, EXIT_USAGE } from "../io";
import { formatProblem } from "../stacks";

/** The result for one file, as `--json` prints it. */
export interface FileValidation {
  readonly file: string;
  readonly ok: boolean;
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
}

/** The options of `validate`. */
export interface ValidateCommandOptions {
  readonly json: boolean;
}

/** Validates the given files (default: every stack file) and returns the exit code. */
export function validateCommand(
  io: CliIo,
  files: readonly string[],
  options: ValidateCommandOptions,
): number {
  const targets =
    files.length > 0
      ? files.map((file) => path.resolve(io.cwd, file))
      : listStacks(io.cwd).map((stack) => stackFilePath(io.cwd, stack));
  if (targets.length === 0) {
    io.stderr.write(
      `no stack files to validate: ${STACK_CONFIG_DIR}/ under ${io.cwd} holds no Pulumi.<stack>.yaml; pass files to validate explicitly\n`,
    );
  }
  const results: FileValidation[] = targets.map((file) => {
    const result = validateStackFile(file);
    return {
      file: displayPath(io.cwd, file),
      ok: result.ok,
      errors: result.ok ? [] : result.errors,
      warnings: result.warnings,
    };
  });
  const failed = results.some((result) => !result.ok);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ok: !failed, files: results })}\n`);
  } else {
    for (const result of results) {
      for (const problem of result.errors) io.stdout.write(`${formatProblem(result.file, problem)}\n`);
      for (const problem of result.warnings)
        io.stdout.write(`${formatProblem(result.file, problem, "warning")}\n`);
      if (result.ok) {
        const warnings = result.warnings.length;
        io.stdout.write(
          `${result.file}: ok${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}\n`,
        );
      }
    }
    if (failed) {
      const count = results.reduce((sum, result) => sum + result.errors.length, 0);
      io.stderr.write(
        `${count} error${count === 1 ? "" : "s"} in ${results.filter((result) => !result.ok).length} of ${results.length} stack files\n`,
      );
    }
  }
  return failed ? EXIT_USAGE : EXIT_OK;
}

/** Adds `validate` to the program. */
export function registerValidate(program: Command, { io, done }: CommandContext): void {
  program
    .command("validate")
    .summary("check stack files against the config schema")
    .description(
      "Validates the given stack files, or every stacks/Pulumi.*.yaml. Prints each problem as " +
        "`<file>: <key path>: <message>`; exits 2 on any error, 0 otherwise (warnings do not fail).",
    )
    .argument("[files...]", "stack files to check (default: every stacks/Pulumi.*.yaml)")
    .addOption(jsonOption())
    .action((files: string[], options: { json?: boolean }) => {
      done(validateCommand(io, files, { json: options.json === true }));
    });
}

/** Paths relative to the project when they are inside it: shorter, and what CI annotations expect. */
function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
