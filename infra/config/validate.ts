/**
 * Validates the whole `bluegreen:` namespace of a stack at once against the config schema, and
 * turns what the schema finds into problems that name the key path, the value and the expected
 * form. Secret keys are recognised here and never parsed.
 */
import { z } from "zod";
import { PlanStep, describe, otherColour } from "../../components/domain/traffic";
import { judgingAlarms, unjudgedReason } from "./judging";
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
  platformProfile,
} from "./schema";
import { fieldsOf, isNearMiss, nearest, schemaAt } from "./fields";

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
  /**
   * The values carry their YAML types, as a stack file read by the CLI does: a quoted `"3"` is
   * text, not a number. The Pulumi runtime hands every scalar over as text, so without this
   * flag text that reads as a number or a boolean is taken as one.
   * @default false
   */
  readonly typed?: boolean;
}

/** What the schema sees of a secret: that it is there, never its value. */
const SECRET_PLACEHOLDER = { secure: "[secret]" };

/** What a stack file's author reads where a secret sits in a key that must be plain text. */
const PLAIN_TEXT_ONLY =
  "this key cannot be a secret: set it in plain text (`pulumi config set` without `--secret`)";

/** Whether a value is a Pulumi secret as a stack file writes it: `{ secure: <ciphertext> }`. */
export function isSecureValue(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    "secure" in value
  );
}

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
  const secretPaths: PropertyKey[][] = [];
  for (const [fullKey, value] of Object.entries(raw.values)) {
    if (value === undefined) continue;
    const separator = fullKey.indexOf(":");
    if (separator < 0) continue;
    const prefix = fullKey.slice(0, separator);
    const key = fullKey.slice(separator + 1);
    if (prefix !== NAMESPACE) {
      // Pulumi hands a misspelled namespace to the program like any other, and the program never
      // reads it: the value would silently have no effect.
      if (isNearMiss(prefix, NAMESPACE)) {
        fileOrder.push(fullKey);
        problems.push({ path: fullKey, order: fileOrder.length - 1, message: namespaceTypo(prefix, key) });
      }
      continue;
    }
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
          : PLAIN_TEXT_ONLY,
      });
      continue;
    }
    if (secretValue) {
      namespace[key] = SECRET_PLACEHOLDER;
      continue;
    }
    const plain = withoutSecrets(normaliseValue(value, raw.typed === true), [key]);
    for (const at of plain.secrets) {
      secretPaths.push(at);
      problems.push({ path: keyPath(at), order: fileOrder.length - 1, message: PLAIN_TEXT_ONLY });
    }
    namespace[key] = plain.value;
  }

  const result = configSchema.safeParse(namespace, { reportInput: true });
  const crossKey: ConfigProblem[] = [];
  for (const issue of result.success ? [] : result.error.issues) {
    const [key] = issue.path;
    if (refused.has(String(key))) continue;
    // A secret inside a key is reported once, as a secret, whatever the schema expected there.
    if (secretPaths.some((at) => at.every((part, index) => issue.path[index] === part))) continue;
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
    ? [
        ...unjudgedWarnings(result.data),
        ...stickinessWarnings(result.data.alb?.stickiness, result.data.rollout.plan),
      ]
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
          message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => describe(key)).join(", ")}; ${hints.length > 0 ? `did you mean ${hints.map((hint) => JSON.stringify(hint)).join(", ")}? ` : ""}this block takes ${known.join(", ")}`,
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
      return [{ path, message: RAW_ZOD_MESSAGE.test(issue.message) ? ownWords(issue) : issue.message }];
  }
}

/** zod's own wording, which names neither the value nor the fix: each schema gives its own. */
export const RAW_ZOD_MESSAGE = /^(Too (small|big)|Invalid |Unrecognized )/;

/**
 * A message in the house style for an issue whose schema gave none, so a check added without
 * one still names the value instead of leaking zod's wording.
 */
function ownWords(issue: z.core.$ZodIssue): string {
  const got = `got ${describe(issue.input)}`;
  switch (issue.code) {
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      const unit =
        issue.origin === "array" || issue.origin === "set"
          ? " items"
          : issue.origin === "string"
            ? " characters"
            : "";
      return `expected ${bound}${unit}, ${got}`;
    }
    case "invalid_value":
      return `expected ${issue.values.map((value) => describe(value)).join(" or ")}, ${got}`;
    case "invalid_key": {
      const inner = issue.issues[0]?.message;
      return inner !== undefined && !RAW_ZOD_MESSAGE.test(inner) ? inner : `is not a valid key here, ${got}`;
    }
    default:
      return `is not valid here, ${got}`;
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

/** A stack that allows a rollout with nothing judging the new colour, said as loudly as a warning can. */
function unjudgedWarnings(config: BluegreenConfig): ConfigProblem[] {
  if (!config.alarms.allowNone) return [];
  const platformAlarms = platformProfile(config.service.platform, config.kubernetes?.routing.mode).alarms;
  if (judgingAlarms(platformAlarms, config.alarms, otherColour(config.stable)).length > 0) return [];
  return [
    {
      path: `${NAMESPACE}:alarms.allowNone`,
      message: `NOTHING JUDGES THE NEW COLOUR: ${unjudgedReason(config.service.platform, platformAlarms)}, so a rollout shifts traffic to it step by step and promotes it to 100% whatever it does; no alarm can revert it. Enable a built-in alarm in bluegreen:alarms to have it judged`,
    },
  ];
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
 * the CLI real objects. Both reach the schema in the same shape. A typed value's text stays text
 * unless it is a structure `pulumi config set` wrote as JSON.
 */
function normaliseValue(value: unknown, typed: boolean): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (
    trimmed.startsWith("{") ||
    trimmed.startsWith("[") ||
    (!typed && (/^-?\d+(\.\d+)?$/.test(trimmed) || trimmed === "true" || trimmed === "false"))
  ) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * A copy of a plain key's value with every secret inside it replaced by the placeholder, and the
 * paths where they were: the schema never sees a ciphertext, so no message can echo one.
 */
function withoutSecrets(value: unknown, at: PropertyKey[]): { value: unknown; secrets: PropertyKey[][] } {
  if (isSecureValue(value)) return { value: SECRET_PLACEHOLDER, secrets: [at] };
  if (typeof value !== "object" || value === null) return { value, secrets: [] };
  const secrets: PropertyKey[][] = [];
  const inner = (child: unknown, part: PropertyKey) => {
    const plain = withoutSecrets(child, [...at, part]);
    secrets.push(...plain.secrets);
    return plain.value;
  };
  const copy = Array.isArray(value)
    ? value.map((child: unknown, index) => inner(child, index))
    : Object.fromEntries(Object.entries(value).map(([name, child]) => [name, inner(child, name)]));
  return secrets.length > 0 ? { value: copy, secrets } : { value, secrets };
}

/** The message for a key whose namespace is a misspelling of this project's. */
function namespaceTypo(prefix: string, key: string): string {
  const meant = KNOWN_KEYS.includes(key) ? key : (nearest(key, KNOWN_KEYS) ?? key);
  return `unknown namespace ${describe(prefix)}, so nothing reads this key; did you mean ${NAMESPACE}:${meant}?`;
}
