/**
 * Reads a stack file (`stacks/Pulumi.<stack>.yaml`) as the Pulumi CLI would hand it to the program:
 * every config key with its value, and which keys are secrets. Secret values are never decoded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigProblem, RawStackConfig, ValidationResult, isSecureValue, validateConfig } from "./validate";

/** The directory that holds the stack files, relative to the project (Pulumi.yaml `stackConfigDir`). */
export const STACK_CONFIG_DIR = "stacks";

/** The path of a stack's config file. */
export function stackFilePath(projectDir: string, stack: string): string {
  return path.join(projectDir, STACK_CONFIG_DIR, `Pulumi.${stack}.yaml`);
}

/** Stack names that have a file in the stack config directory. */
export function listStacks(projectDir: string): string[] {
  const dir = path.join(projectDir, STACK_CONFIG_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** Parses the text of a stack file into raw config; a file that is not a stack file is a problem. */
export function parseStackFile(text: string): { raw: RawStackConfig } | { problems: ConfigProblem[] } {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return { problems: [{ path: "(file)", message: `is not valid YAML: ${(error as Error).message}` }] };
  }
  if (document === null || document === undefined) document = {};
  if (typeof document !== "object" || Array.isArray(document)) {
    return { problems: [{ path: "(file)", message: "expected a mapping with a `config:` key" }] };
  }
  const config = (document as Record<string, unknown>).config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return { problems: [{ path: "config", message: "expected a mapping of config keys" }] };
  }
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (isSecureValue(value)) {
      secretKeys.add(key);
      values[key] = "[secret]";
    } else {
      values[key] = value;
    }
  }
  return { raw: { values, secretKeys, typed: true } };
}

/** Reads and validates one stack file. */
export function validateStackFile(file: string): ValidationResult {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    return {
      ok: false,
      warnings: [],
      errors: [{ path: "(file)", message: `cannot be read: ${(error as Error).message}` }],
    };
  }
  const parsed = parseStackFile(text);
  if ("problems" in parsed) return { ok: false, errors: parsed.problems, warnings: [] };
  return validateConfig(parsed.raw);
}
