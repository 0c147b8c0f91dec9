/**
 * Finding, naming and loading the stack files in `stacks/`, and resolving `--stack` and
 * `--version`. A stack's name is checked here, once, where stacks are listed: every command that
 * names a stack and `validate` refuse a name Pulumi (or the control files named after it) cannot
 * take. Every error names the argument or file, the value and the fix, and exits 2: nothing has
 * been touched yet.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { slotsSchema } from "../../infra/config/schema";
import { parseStackFile, stackFilePath, STACK_CONFIG_DIR } from "../../infra/config/stackFile";
import type { BluegreenConfig, ConfigProblem } from "../../infra/config/validate";
import { validateConfig } from "../../infra/config/validate";
import { quoteInput } from "../../components/domain";
import { describeFsError, readInputFile } from "./inputFiles";
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

/** Pulumi's own rule for stack names: at most 100 letters, digits, `-`, `_` and `.`. */
const PULUMI_STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** `Pulumi.<stack>.yaml`, and `.yml`, which Pulumi does not read for this project. */
const STACK_FILE_NAME = /^Pulumi\.(.+)\.(yaml|yml)$/;

/** What is wrong with a stack name, or undefined when Pulumi and the control files can both take it. */
export function stackNameProblem(name: string): string | undefined {
  // The control files are named after the stack: a leading dot would hide them, or name `.`/`..`.
  if (PULUMI_STACK_NAME.test(name) && !name.startsWith(".")) return undefined;
  return `${quoteInput(name)} is not a valid stack name: a stack name is at most 100 letters, digits, "-", "_" and "." (Pulumi's rule), not starting with "."`;
}

/** A stack file in `stacks/`, and what keeps it from being used, if anything. */
export interface StackFileEntry {
  /** The stack the file is named after. */
  readonly name: string;
  /** The file, relative to the project. */
  readonly file: string;
  /** Why the file cannot be used as this stack's file: its name, or its extension. */
  readonly problem?: string;
}

/**
 * Every `Pulumi.*.yaml` (and misnamed `.yml`) in `stacks/`, sorted by stack name. An absent
 * directory has none; one that cannot be listed is a UsageError naming it.
 */
export function listStackFiles(projectDir: string): StackFileEntry[] {
  const dir = path.join(projectDir, STACK_CONFIG_DIR);
  let files: string[];
  try {
    files = fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new UsageError(
      `cannot list the stack files in ${dir}: ${describeFsError(error)}; the project's ${STACK_CONFIG_DIR}/ must be a directory of Pulumi.<stack>.yaml files`,
    );
  }
  const entries: StackFileEntry[] = [];
  for (const base of files) {
    const match = STACK_FILE_NAME.exec(base);
    if (!match) continue;
    const file = path.join(STACK_CONFIG_DIR, base);
    const problem = stackFileNameProblem(base);
    entries.push({ name: match[1], file, ...(problem ? { problem } : {}) });
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.file < b.file ? -1 : 1));
}

/**
 * What is wrong with a stack file's base name (`Pulumi.<stack>.yaml`), or undefined. A file not
 * named like a stack file has nothing wrong with its name: `validate` checks any file given.
 */
export function stackFileNameProblem(base: string): string | undefined {
  const match = STACK_FILE_NAME.exec(base);
  if (!match) return undefined;
  const [, name, extension] = match;
  const nameProblem = stackNameProblem(name);
  if (nameProblem) return `${nameProblem}; rename the file`;
  if (extension === "yml") {
    return `Pulumi reads this project's stack files as Pulumi.<stack>.yaml (the extension of Pulumi.yaml), so it ignores this one: rename it to Pulumi.${name}.yaml`;
  }
  return undefined;
}

/**
 * Checks that `--stack` names a usable stack file in `stacks/`; lists the ones that exist when it
 * does not, and says where to run from when there are none.
 */
export function resolveStackName(projectDir: string, stack: string): string {
  if (stack.trim() === "") {
    throw new UsageError(`--stack ${quoteInput(stack)}: give the stack's name, for example --stack dev`);
  }
  const entries = listStackFiles(projectDir);
  const usable = entries.filter((entry) => entry.problem === undefined);
  if (usable.some((entry) => entry.name === stack)) return stack;
  const named = entries.find((entry) => entry.name === stack);
  if (named?.problem) throw new UsageError(`--stack ${quoteInput(stack)}: ${named.file}: ${named.problem}`);
  const nameProblem = stackNameProblem(stack);
  if (nameProblem) throw new UsageError(`--stack ${nameProblem}`);
  const where = path.join(STACK_CONFIG_DIR, `Pulumi.${stack}.yaml`);
  const choices =
    usable.length > 0
      ? `available stacks: ${usable.map((entry) => entry.name).join(", ")}`
      : `there are no stack files in ${STACK_CONFIG_DIR}/ under ${projectDir}${projectHint(projectDir)}`;
  throw new UsageError(`--stack ${quoteInput(stack)}: there is no ${where}; ${choices}`);
}

/**
 * What to do about there being no stack files, as a clause to follow "there are no stack files
 * ...": add one when `cwd` is the project; otherwise run from the project directory above `cwd`
 * when there is one (a Pulumi.yaml next to a stacks/ directory), since the usual mistake is
 * running from a subdirectory such as infra/.
 */
export function projectHint(cwd: string): string {
  if (fs.existsSync(path.join(cwd, "Pulumi.yaml"))) {
    return `; add one as ${STACK_CONFIG_DIR}/Pulumi.<stack>.yaml`;
  }
  const project = findProjectAbove(cwd);
  return project === undefined
    ? `; run bluegreen in the project directory, the one with Pulumi.yaml and ${STACK_CONFIG_DIR}/`
    : `; run bluegreen in the project directory, ${project}, which has Pulumi.yaml and ${STACK_CONFIG_DIR}/`;
}

/** The nearest directory above `cwd` holding Pulumi.yaml and a stacks/ directory. */
export function findProjectAbove(cwd: string): string | undefined {
  for (let dir = path.dirname(path.resolve(cwd)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, STACK_CONFIG_DIR))) {
      return dir;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Checks `--version` against the same rule as `bluegreen:slots.<colour>.version`. */
export function checkVersion(version: string): string {
  const result = slotsSchema.shape.blue.shape.version.safeParse(version);
  if (result.success) return result.data;
  throw new UsageError(
    `--version ${quoteInput(version)}: ${versionProblem(version, result.error.issues[0]?.message)}; pass the image tag or artifact version to release, for example --version 1.4.2`,
  );
}

/** The schema's message, with the value it echoes cut to a readable length. */
function versionProblem(version: string, message: string | undefined): string {
  if (message === undefined) return "is not a valid version";
  return message.split(JSON.stringify(version)).join(quoteInput(version));
}

/** Loads and validates `stacks/Pulumi.<stack>.yaml`; throws StackConfigError listing every problem. */
export function loadStack(projectDir: string, stack: string): LoadedStack {
  const name = resolveStackName(projectDir, stack);
  const absolute = stackFilePath(projectDir, name);
  const file = path.relative(projectDir, absolute);
  const input = readInputFile(absolute);
  if ("problem" in input) throw new StackConfigError(file, [{ path: "(file)", message: input.problem }], []);
  const parsed = parseStackFile(input.text);
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
