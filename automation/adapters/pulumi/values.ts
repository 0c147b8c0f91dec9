/**
 * The release values (`bluegreen:traffic`, `slots`, `stable`, `revision`) in a stack's config:
 * read from `pulumi config --json` and written back as structured values with
 * `pulumi config set-all --json`.
 *
 * Why `set-all --json` and not `set --path`: with `--path` the CLI infers each leaf's type, so a
 * version such as "42" would be stored as a number and fail the schema. The JSON form carries
 * `objectValue`, which the CLI stores as a structured value exactly as given.
 */
import { isDeepStrictEqual } from "node:util";
import { KEY_SCHEMAS } from "../../../infra/config/schema";
import { NAMESPACE } from "../../../infra/config/validate";
import type { ReleaseValues } from "../../ports";

/** A config value as `pulumi config --json` prints it. */
export interface RawConfigValue {
  /** The value as text: JSON for structured values, the plain string otherwise. */
  readonly value?: string;
  /** The structured value, when the value is an object, list, number or boolean. */
  readonly objectValue?: unknown;
  readonly secret?: boolean;
}

/** The keys this adapter reads and writes, and nothing else. */
export const RELEASE_KEYS = ["traffic", "slots", "stable", "revision"] as const;
/** One release key. */
export type ReleaseKey = (typeof RELEASE_KEYS)[number];

/** A stack's release values are missing or invalid in its config. */
export class StackConfigError extends Error {
  override readonly name = "StackConfigError";
  /** The full config key, for example `bluegreen:traffic`. */
  readonly key: string;

  constructor(stackName: string, key: string, problem: string) {
    super(`stack ${stackName} config ${key}: ${problem}`);
    this.key = key;
  }
}

/** The release keys as set in the config (absent keys are absent). */
export type ExplicitValues = Partial<{ [K in ReleaseKey]: ReleaseValues[K] }>;

function fullKey(key: ReleaseKey): string {
  return `${NAMESPACE}:${key}`;
}

function structured(raw: RawConfigValue): unknown {
  if (raw.objectValue !== undefined) return raw.objectValue;
  const text = raw.value ?? "";
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A plain string (`stable: blue`) is printed as itself, not as JSON.
    return text;
  }
}

/** Reads the release keys that the config sets, validating each. */
export function readExplicitValues(
  stackName: string,
  config: Readonly<Record<string, RawConfigValue>>,
): ExplicitValues {
  const values: Record<string, unknown> = {};
  for (const key of RELEASE_KEYS) {
    const raw = config[fullKey(key)];
    if (raw === undefined) continue;
    if (raw.secret) {
      throw new StackConfigError(
        stackName,
        fullKey(key),
        `is a secret, but release values are plain: set it again with \`pulumi config set ${fullKey(key)} --plaintext\``,
      );
    }
    const result = KEY_SCHEMAS[key].safeParse(structured(raw));
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = [fullKey(key), ...issue.path.map(String)].join(".");
      throw new StackConfigError(stackName, where, issue.message);
    }
    values[key] = result.data;
  }
  return values as ExplicitValues;
}

/** The release values with the same defaults as the config validation. */
export function resolveReleaseValues(stackName: string, explicit: ExplicitValues): ReleaseValues {
  const { traffic, slots } = explicit;
  if (traffic === undefined) {
    throw new StackConfigError(
      stackName,
      fullKey("traffic"),
      "not set; set it, for example { blue: 100, green: 0 }",
    );
  }
  if (slots === undefined) {
    throw new StackConfigError(
      stackName,
      fullKey("slots"),
      'not set; set the version each colour runs, for example { blue: { version: "1.0.0" }, green: { version: "1.0.0" } }',
    );
  }
  let stable = explicit.stable;
  if (stable === undefined) {
    if (traffic.blue === 100) stable = "blue";
    else if (traffic.green === 100) stable = "green";
    else {
      throw new StackConfigError(
        stackName,
        fullKey("stable"),
        `required while traffic is split (blue ${traffic.blue}, green ${traffic.green}): name the colour a revert goes back to`,
      );
    }
  }
  return { traffic, slots, stable, revision: explicit.revision ?? 0 };
}

/**
 * Checks values before they are written: only the release keys, each valid. A value that is not
 * a release value is refused, because `set-all` puts every value on the CLI's command line, where
 * other users of the machine can read it: a secret must never travel this way.
 */
export function validateValuesToWrite(stackName: string, values: ReleaseValues): ReleaseValues {
  const extra = Object.keys(values).filter((key) => !(RELEASE_KEYS as readonly string[]).includes(key));
  if (extra.length > 0) {
    throw new StackConfigError(
      stackName,
      extra.map((key) => `${NAMESPACE}:${key}`).join(", "),
      `not writable by the rollout driver, which writes only ${RELEASE_KEYS.map(fullKey).join(", ")}; ` +
        "set other keys with `pulumi config set` (secrets with --secret)",
    );
  }
  const checked: Record<string, unknown> = {};
  for (const key of RELEASE_KEYS) {
    const result = KEY_SCHEMAS[key].safeParse(values[key]);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = [fullKey(key), ...issue.path.map(String)].join(".");
      throw new StackConfigError(stackName, where, `cannot be written: ${issue.message}`);
    }
    checked[key] = result.data;
  }
  return checked as unknown as ReleaseValues;
}

/** The release keys whose wanted value differs from what the config sets. */
export function changedKeys(current: ExplicitValues, wanted: ReleaseValues): ReleaseKey[] {
  return RELEASE_KEYS.filter((key) => !isDeepStrictEqual(current[key], wanted[key]));
}

/**
 * The `pulumi config set-all --json` document for some keys: the format `pulumi config --json`
 * prints. Structured values and numbers carry `objectValue`, so the CLI stores them typed.
 */
export function configJsonFor(keys: readonly ReleaseKey[], values: ReleaseValues): string {
  const document: Record<string, { value: string; objectValue?: unknown; secret: false }> = {};
  for (const key of keys) {
    const value = values[key];
    document[fullKey(key)] =
      typeof value === "string"
        ? { value, secret: false }
        : { value: JSON.stringify(value), objectValue: value, secret: false };
  }
  return JSON.stringify(document);
}
