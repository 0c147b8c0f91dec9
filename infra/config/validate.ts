/**
 * Validates the whole `bluegreen:` namespace of a stack at once against the config schema, and
 * turns what the schema finds into problems that name the key path, the value and the expected
 * form. Secret keys are recognised here and never parsed.
 */
import { z } from "zod";
import { PlanStep, describe } from "../../components/domain/traffic";
import { formatDuration } from "./duration";
import { resolvePlan } from "./rollout";
import {
  AlbConfig,
  BluegreenConfig,
  CROSS_KEY,
  KEY_SCHEMAS,
  REQUIRED_KEYS,
  SECRET_KEYS,
  configSchema,
  namespaceSchema,
} from "./schema";
import { fieldsOf, nearest, schemaAt } from "./fields";

// The validated config and the alarms' evaluation window are part of what validation gives callers.
export { evaluationWindow } from "./schema";
export type { BluegreenConfig } from "./schema";

/** The namespace every key of this project lives in. */
export const NAMESPACE = "bluegreen";

/** A problem with a stack's config, located by its key path. */
export interface ConfigProblem {
  /** For example `bluegreen:traffic.blue`. */
  readonly path: string;
  readonly message: string;
}

/** The outcome of validating a stack's config. */
export type ValidationResult =
  | { readonly ok: true; readonly config: BluegreenConfig; readonly warnings: readonly ConfigProblem[] }
  | {
      readonly ok: false;
      readonly errors: readonly ConfigProblem[];
      readonly warnings: readonly ConfigProblem[];
    };

/** Thrown where a caller needs a valid config and got problems; the message lists each one. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    source?: string,
  ) {
    super(formatProblems(problems, source));
    this.name = "ConfigError";
  }
}

/** Renders problems one per line, for terminals and PR checks. */
export function formatProblems(problems: readonly ConfigProblem[], source?: string): string {
  const header = source ? `${source}: ` : "";
  return problems.map((problem) => `${header}${problem.path}: ${problem.message}`).join("\n");
}

/**
 * The raw input: every config key of the stack (any namespace) mapped to its value, as YAML or
 * `pulumi.runtime.allConfig()` gives it, and the set of keys that hold secrets.
 */
export interface RawStackConfig {
  readonly values: Readonly<Record<string, unknown>>;
  readonly secretKeys: ReadonlySet<string>;
}

/** What the schema sees of a secret: that it is there, never its value. */
const SECRET_PLACEHOLDER = { secure: "[secret]" };

const KNOWN_KEYS = Object.keys(namespaceSchema.shape);

const REQUIRED_EXAMPLES: Record<(typeof REQUIRED_KEYS)[number], string> = {
  service: "for example { name: checkout, platform: ecs }",
  slots: 'for example { blue: { version: "1.0.0" }, green: { version: "1.0.0" } }',
  traffic: "for example { blue: 100, green: 0 }",
};

/** A problem with the position of its key in the stack file, to report problems in file order. */
interface Located extends ConfigProblem {
  readonly order: number;
}

/** Validates the `bluegreen:` keys of a stack's config. Never throws for bad input. */
export function validateConfig(raw: RawStackConfig): ValidationResult {
  const namespace: Record<string, unknown> = {};
  const fileOrder: string[] = [];
  const problems: Located[] = [];
  const refused = new Set<string>();
  for (const [fullKey, value] of Object.entries(raw.values)) {
    if (value === undefined) continue;
    const separator = fullKey.indexOf(":");
    if (separator < 0 || fullKey.slice(0, separator) !== NAMESPACE) continue;
    const key = fullKey.slice(separator + 1);
    fileOrder.push(key);
    const secretKey = (SECRET_KEYS as readonly string[]).includes(key);
    const secretValue = raw.secretKeys.has(fullKey);
    if (secretKey !== secretValue) {
      refused.add(key);
      // The rules across keys still see that the secret is set, so its refusal is the one problem.
      if (secretKey) namespace[key] = SECRET_PLACEHOLDER;
      problems.push({
        path: fullKey,
        order: fileOrder.length - 1,
        message: secretKey
          ? `must be a secret: set it with \`pulumi config set --secret ${fullKey}\``
          : "is not a secret value: set it in plain text (it is reviewed in pull requests)",
      });
      continue;
    }
    namespace[key] = secretValue ? SECRET_PLACEHOLDER : normaliseValue(value);
  }

  const result = configSchema.safeParse(namespace, { reportInput: true });
  const crossKey: ConfigProblem[] = [];
  for (const issue of result.success ? [] : result.error.issues) {
    const [key] = issue.path;
    if (refused.has(String(key))) continue;
    for (const problem of problemsOf(issue)) {
      if (issue.code === "custom" && issue.params?.crossKey === CROSS_KEY.crossKey) {
        crossKey.push(problem);
        continue;
      }
      // An unknown key of the namespace is reported at its own path, and in its place in the file.
      const at = key === undefined ? problem.path.slice(NAMESPACE.length + 1) : String(key);
      const order = fileOrder.indexOf(at);
      problems.push({ ...problem, order: order < 0 ? fileOrder.length : order });
    }
  }
  const errors: ConfigProblem[] = [
    ...problems.sort((a, b) => a.order - b.order).map(({ path, message }) => ({ path, message })),
    ...crossKey,
  ];
  const warnings = result.success
    ? stickinessWarnings(result.data.alb?.stickiness, result.data.rollout.plan)
    : partialWarnings(namespace);
  if (!result.success || errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, config: result.data, warnings };
}

/** Validates and returns the config, or throws a ConfigError listing every problem. */
export function requireValidConfig(raw: RawStackConfig, source?: string): BluegreenConfig {
  const result = validateConfig(raw);
  if (!result.ok) throw new ConfigError(result.errors, source);
  return result.config;
}

/** The problems one schema issue stands for, worded for a stack file's author. */
function problemsOf(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = keyPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      if (issue.path.length === 0) {
        return issue.keys.map((key) => {
          const suggestion = nearest(key, KNOWN_KEYS);
          return {
            path: `${NAMESPACE}:${key}`,
            message: `unknown key${suggestion ? `; did you mean ${NAMESPACE}:${suggestion}?` : "."} Known keys: ${KNOWN_KEYS.map((known) => `${NAMESPACE}:${known}`).join(", ")}`,
          };
        });
      }
      const known = Object.keys(fieldsOf(schemaAt(namespaceSchema, issue.path) ?? z.never()) ?? {});
      const hints = issue.keys.map((key) => nearest(key, known)).filter((hint) => hint !== undefined);
      return [
        {
          path,
          message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}; ${hints.length > 0 ? `did you mean ${hints.map((hint) => JSON.stringify(hint)).join(", ")}? ` : ""}this block takes ${known.join(", ")}`,
        },
      ];
    }
    case "invalid_type":
      if (issue.input === undefined) {
        const key = issue.path.length === 1 ? String(issue.path[0]) : undefined;
        const example = REQUIRED_EXAMPLES[key as (typeof REQUIRED_KEYS)[number]];
        return [
          { path, message: example ? `is required; ${example}` : `is required (expected ${issue.expected})` },
        ];
      }
      return [
        {
          path,
          message: issue.message.startsWith("expected")
            ? issue.message
            : `expected ${issue.expected}, got ${describe(issue.input)}`,
        },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

/** `bluegreen:rollout.steps[0].bake` from the issue's path. */
function keyPath(path: readonly PropertyKey[]): string {
  let text = NAMESPACE;
  path.forEach((part, index) => {
    if (typeof part === "number") text += `[${part}]`;
    else text += `${index === 0 ? ":" : "."}${String(part)}`;
  });
  return text;
}

/**
 * Sticky sessions keep clients on the colour they reached until the duration ends, reverts
 * included: worth a warning when that outlasts every bake.
 */
function stickinessWarnings(stickiness: AlbConfig["stickiness"], plan: readonly PlanStep[]): ConfigProblem[] {
  const duration = stickiness?.enabled ? stickiness.duration : undefined;
  if (duration === undefined || plan.length === 0) return [];
  const longestBake = Math.max(...plan.map((step) => step.bakeSeconds));
  if (duration <= longestBake) return [];
  return [
    {
      path: `${NAMESPACE}:alb.stickiness.duration`,
      message: `clients stay pinned to a colour for ${formatDuration(duration)}, longer than any bake (${formatDuration(longestBake)}): after a revert some clients keep reaching the new colour until it expires, so keep its capacity that long`,
    },
  ];
}

/**
 * The warnings of a config that did not validate, from the values they read when those are valid:
 * the stickiness as written, and the plan (the default one when the rollout block is invalid).
 */
function partialWarnings(namespace: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const alb = namespace.alb;
  const written = typeof alb === "object" && alb !== null ? Reflect.get(alb, "stickiness") : undefined;
  const stickiness = KEY_SCHEMAS.alb.shape.stickiness.safeParse(written);
  if (!stickiness.success) return [];
  const rollout = KEY_SCHEMAS.rollout.safeParse(namespace.rollout ?? {});
  const plan = resolvePlan(rollout.success ? rollout.data : KEY_SCHEMAS.rollout.parse({})).plan;
  return stickinessWarnings(stickiness.data, plan);
}

/**
 * Pulumi hands the program structured values as JSON text and scalars as plain text; YAML hands
 * the CLI real objects. Both reach the schema in the same shape.
 */
function normaliseValue(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (
    trimmed.startsWith("{") ||
    trimmed.startsWith("[") ||
    /^-?\d+(\.\d+)?$/.test(trimmed) ||
    trimmed === "true" ||
    trimmed === "false"
  ) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}
