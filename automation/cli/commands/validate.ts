/**
 * `bluegreen validate`: the pull-request check for stack files. Each error is printed as
 * `<file>: <key path>: <message>` so CI annotates the line's file; any error exits 2.
 */
import type { Command } from "commander";
import * as fs from "node:fs";
import * as path from "node:path";
import { STACK_CONFIG_DIR, validateStackFile } from "../../../infra/config/stackFile";
import { formatDuration } from "../../../infra/config/duration";
import { guardianWarnings } from "../../../infra/config/guardian";
import type { ConfigProblem } from "../../../infra/config/validate";
import type { PlanPause } from "../../../components/domain";
import { type CommandContext, jsonOption } from "../commandLine";
import { inputFileProblem } from "../inputFiles";
import { type CliIo, EXIT_OK, EXIT_USAGE, UsageError } from "../io";
import { findProjectAbove, formatProblem, listStackFiles, stackFileNameProblem } from "../stacks";

/** The result for one file, as `--json` prints it. */
export interface FileValidation {
  readonly file: string;
  readonly ok: boolean;
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
  /** The plan's approval pauses, on a valid file whose plan has any: a reviewer should see each gate. */
  readonly pauses?: readonly PlanPauseAt[];
}

/** A pause of the plan: after which step (1-based), at what weight, and its timeout. */
export interface PlanPauseAt extends PlanPause {
  readonly step: number;
  readonly weight: number;
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
  const targets: { absolute: string; problem?: string }[] =
    files.length > 0
      ? files.map((file) => ({
          absolute: path.resolve(io.cwd, file),
          problem: stackFileNameProblem(path.basename(file)),
        }))
      : listStackFiles(io.cwd).map((entry) => ({
          absolute: path.join(io.cwd, entry.file),
          problem: entry.problem,
        }));
  if (targets.length === 0) throw new UsageError(noStackFiles(io.cwd));
  const results: FileValidation[] = targets.map(({ absolute, problem }) =>
    validateTarget(displayPath(io.cwd, absolute), absolute, problem),
  );
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
          `${result.file}: ok${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}${pausesText(result.pauses)}\n`,
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

/**
 * Validates one file, unless its name or kind already rules it out: a FIFO or a device would
 * block the read forever.
 */
function validateTarget(file: string, absolute: string, nameProblem: string | undefined): FileValidation {
  const problem = nameProblem ?? inputFileProblem(absolute);
  if (problem !== undefined) {
    return { file, ok: false, errors: [{ path: "(file)", message: problem }], warnings: [] };
  }
  const result = validateStackFile(absolute);
  if (!result.ok) return { file, ok: false, errors: result.errors, warnings: result.warnings };
  const pauses = result.config.rollout.plan.flatMap((step, index): PlanPauseAt[] =>
    step.pause ? [{ step: index + 1, weight: step.weight, ...step.pause }] : [],
  );
  const warnings = [...result.warnings, ...guardianWarnings(result.config)];
  return { file, ok: true, errors: [], warnings, ...(pauses.length > 0 ? { pauses } : {}) };
}

/** `; pauses for approval after step 4 (50%, abort after 2h)`, or nothing for a plan without pauses. */
function pausesText(pauses: readonly PlanPauseAt[] | undefined): string {
  if (pauses === undefined || pauses.length === 0) return "";
  const each = pauses.map(
    (pause) =>
      `after step ${pause.step} (${pause.weight}%, ${pause.timeoutSeconds === undefined ? "no timeout" : `${pause.onTimeout} after ${formatDuration(pause.timeoutSeconds)}`})`,
  );
  return `; pauses for approval ${each.join(", ")}`;
}

/**
 * Nothing to validate is a mistake, not a pass: a CI check run from the wrong directory must not
 * go green having checked nothing.
 */
function noStackFiles(cwd: string): string {
  const found = `no stack files to validate: found no Pulumi.<stack>.yaml in ${path.join(cwd, STACK_CONFIG_DIR)}`;
  if (fs.existsSync(path.join(cwd, "Pulumi.yaml"))) {
    return `${found}; add one there, or name the files: bluegreen validate <path>/Pulumi.<stack>.yaml`;
  }
  const project = findProjectAbove(cwd);
  const where =
    project === undefined
      ? `run it in the project directory (the one with Pulumi.yaml and ${STACK_CONFIG_DIR}/)`
      : `run it in the project directory, ${project}`;
  const example = path.join(
    project === undefined ? "<project>" : path.relative(cwd, project),
    STACK_CONFIG_DIR,
    "Pulumi.<stack>.yaml",
  );
  return `${found}; ${where}, or name the files: bluegreen validate ${example}`;
}

/** Paths relative to the project when they are inside it: shorter, and what CI annotations expect. */
function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}
