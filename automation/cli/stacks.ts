/**
 * Resolving `--stack` and `--version` and loading the stack file they name. Every error names the
 * argument, the value and the fix, and is a UsageError (exit 2): nothing has been touched yet.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { slotsSchema } from "../../infra/config/schema";
import { listStacks, parseStackFile, stackFilePath, STACK_CONFIG_DIR } from "../../infra/config/stackFile";
import type { BluegreenConfig, ConfigProblem } from "../../infra/config/validate";
import { validateConfig } from "../../infra/config/validate";
import { type CliIo, UsageError } from "./io";

/** A stack file that validated. */
export interface LoadedStack {
  readonly name: string;
  /** The stack file, relative to the project. */
  readonly file: string;
  readonly config: BluegreenConfig;
  readonly warnings: readonly ConfigProblem[];
  /** `aws:region` from the stack file, when it is set there. */
  readonly region?: string;
}

/** A stack file that did not validate: the problems to print, exit 2. */
export class StackConfigError extends Error {
  override readonly name = "StackConfigError";
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
    readonly warnings: readonly ConfigProblem[],
  ) {
    super(`${file} is not a valid stack file: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  }
}

/** Checks that `--stack` names a stack file in `stacks/`; lists the ones that exist when it does not. */
export function resolveStackName(projectDir: string, stack: string): string {
  const available = listStacks(projectDir);
  if (available.includes(stack)) return stack;
  const where = path.join(STACK_CONFIG_DIR, `Pulumi.${stack}.yaml`);
  const choices =
    available.length > 0
      ? `available stacks: ${available.join(", ")}`
      : `there are no stack files in ${STACK_CONFIG_DIR}/ under ${projectDir}`;
  throw new UsageError(`--stack ${JSON.stringify(stack)}: there is no ${where}; ${choices}`);
}

/** Checks `--version` against the same rule as `bluegreen:slots.<colour>.version`. */
export function checkVersion(version: string): string {
  const result = slotsSchema.shape.blue.shape.version.safeParse(version);
  if (result.success) return result.data;
  throw new UsageError(
    `--version ${JSON.stringify(version)}: ${result.error.issues[0]?.message ?? "is not a valid version"}; pass the image tag or artifact version to release, for example --version 1.4.2`,
  );
}

/** Loads and validates `stacks/Pulumi.<stack>.yaml`; throws StackConfigError listing every problem. */
export function loadStack(projectDir: string, stack: string): LoadedStack {
  const name = resolveStackName(projectDir, stack);
  const absolute = stackFilePath(projectDir, name);
  const file = path.relative(projectDir, absolute);
  let text: string;
  try {
    text = fs.readFileSync(absolute, "utf8");
  } catch (error) {
    throw new StackConfigError(
      file,
      [{ path: "(file)", message: `cannot be read: ${(error as Error).message}` }],
      [],
    );
  }
  const parsed = parseStackFile(text);
  if ("problems" in parsed) throw new StackConfigError(file, parsed.problems, []);
  const result = validateConfig(parsed.raw);
  if (!result.ok) throw new StackConfigError(file, result.errors, result.warnings);
  const region = parsed.raw.values["aws:region"];
  return {
    name,
    file,
    config: result.config,
    warnings: result.warnings,
    region: typeof region === "string" && region.trim() !== "" ? region.trim() : undefined,
  };
}

/** `<file>: <key path>: <message>`, the format editors and CI annotations pick up. */
export function formatProblem(
  file: string,
  problem: ConfigProblem,
  kind: "error" | "warning" = "error",
): string {
  return `${file}: ${kind === "warning" ? "warning: " : ""}${problem.path}: ${problem.message}`;
}

/** Prints the stack file's warnings to stderr, where they do not mix with `--json` output. */
export function printWarnings(io: Pick<CliIo, "stderr">, stack: LoadedStack): void {
  for (const warning of stack.warnings) io.stderr.write(`${formatProblem(stack.file, warning, "warning")}\n`);
}
