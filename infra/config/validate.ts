/**
 * Validates the whole `bluegreen:` namespace of a stack at once: each key against its schema, then
 * the rules that span keys (platform blocks, the stable colour, bakes long enough for the alarms).
 * Every error names the key path, the value and the expected form.
 */
import { z } from "zod";
import { formatDuration, parseDuration } from "./duration";
import {
  ALL_BUILT_IN_ALARMS,
  AlarmsConfig,
  AlbConfig,
  Colour,
  ConfigKey,
  EcsConfig,
  KEY_SCHEMAS,
  KubernetesConfig,
  KubernetesRoutingMode,
  LambdaConfig,
  NetworkConfig,
  platformProfile,
  REQUIRED_KEYS,
  ROLLOUT_PRESETS,
  RolloutConfig,
  RolloutPreset,
  SECRET_KEYS,
  ServiceConfig,
  SlotsConfig,
  TrafficSplit,
  describe,
} from "./schema";

/** The namespace every key of this project lives in. */
export const NAMESPACE = "bluegreen";

/** One step of a resolved plan: the new colour's percent and how long to watch it, in seconds. */
export interface PlanStep {
  readonly weight: number;
  readonly bakeSeconds: number;
}

/** A stack's config after validation, with every default applied. */
export interface BluegreenConfig {
  readonly service: ServiceConfig;
  readonly slots: SlotsConfig;
  readonly traffic: TrafficSplit;
  /** The colour that serves production when no rollout is in progress. */
  readonly stable: Colour;
  /** The driver's release counter; a stack file behind the deployed one is refused. */
  readonly revision: number;
  readonly rollout: RolloutConfig & { readonly plan: readonly PlanStep[]; readonly planName: string };
  readonly alarms: AlarmsConfig;
  readonly network?: NetworkConfig;
  readonly alb?: AlbConfig;
  readonly ecs?: EcsConfig;
  readonly lambda?: LambdaConfig;
  readonly kubernetes?: KubernetesConfig;
  /** Secret keys that are set (their values are never parsed here). */
  readonly secretKeys: readonly string[];
}

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

const KNOWN_KEYS = new Set<string>([...Object.keys(KEY_SCHEMAS), ...SECRET_KEYS]);

/** Validates the `bluegreen:` keys of a stack's config. Never throws for bad input. */
export function validateConfig(raw: RawStackConfig): ValidationResult {
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const parsed: Partial<Record<ConfigKey, unknown>> = {};
  const present = new Set<string>();

  for (const [fullKey, value] of Object.entries(raw.values)) {
    if (value === undefined) continue;
    const separator = fullKey.indexOf(":");
    if (separator < 0 || fullKey.slice(0, separator) !== NAMESPACE) continue;
    const key = fullKey.slice(separator + 1);
    present.add(key);
    if (!KNOWN_KEYS.has(key)) {
      const suggestion = closest(key, [...KNOWN_KEYS]);
      errors.push({
        path: fullKey,
        message: `unknown key${suggestion ? `; did you mean ${NAMESPACE}:${suggestion}?` : ""} Known keys: ${[...KNOWN_KEYS].map((k) => `${NAMESPACE}:${k}`).join(", ")}`,
      });
      continue;
    }
    const isSecret = raw.secretKeys.has(fullKey);
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      if (!isSecret) {
        errors.push({
          path: fullKey,
          message: `must be a secret: set it with \`pulumi config set --secret ${fullKey}\``,
        });
      }
      continue;
    }
    if (isSecret) {
      errors.push({
        path: fullKey,
        message: "is not a secret value: set it in plain text (it is reviewed in pull requests)",
      });
      continue;
    }
    const schema = KEY_SCHEMAS[key as ConfigKey] as z.ZodType;
    const result = schema.safeParse(normaliseValue(value), { reportInput: true });
    if (result.success) {
      parsed[key as ConfigKey] = result.data;
    } else {
      for (const issue of result.error.issues) {
        errors.push({ path: keyPath(fullKey, issue.path), message: issueMessage(issue) });
      }
    }
  }

  for (const key of REQUIRED_KEYS) {
    if (!present.has(key)) {
      errors.push({ path: `${NAMESPACE}:${key}`, message: `is required; ${REQUIRED_EXAMPLES[key]}` });
    }
  }

  // Rules across keys need every key they read to be valid first.
  const service = parsed.service as ServiceConfig | undefined;
  const kubernetes = parsed.kubernetes as KubernetesConfig | undefined;
  const profile = service ? platformProfile(service.platform, kubernetes?.routing.mode) : undefined;
  if (service && profile) {
    const blocks = profile;
    for (const block of blocks.required) {
      if (!present.has(block)) {
        errors.push({
          path: `${NAMESPACE}:${block}`,
          message: `is required for platform ${service.platform}`,
        });
      }
    }
    for (const block of ["network", "alb", "ecs", "lambda", "kubernetes"] as ConfigKey[]) {
      if (present.has(block) && !blocks.allowed.includes(block)) {
        errors.push({
          path: `${NAMESPACE}:${block}`,
          message: `is not used by platform ${service.platform}${kubernetes ? ` with routing mode ${kubernetes.routing.mode}` : ""}; remove it or change bluegreen:service.platform`,
        });
      }
    }
    const rawAlarms = normaliseValue(raw.values[`${NAMESPACE}:alarms`]);
    if (rawAlarms && typeof rawAlarms === "object") {
      const otherPlatformAlarms = ALL_BUILT_IN_ALARMS.filter((name) => !profile.alarms.includes(name));
      for (const name of Object.keys(rawAlarms)) {
        if ((otherPlatformAlarms as string[]).includes(name)) {
          errors.push({
            path: `${NAMESPACE}:alarms.${name}`,
            message: `does not apply to platform ${service.platform}; its built-in alarms are ${profile.alarms.join(", ") || "none (use alarms.colourAlarms)"}`,
          });
        }
      }
    }
    const gatewayMode = service.platform === "kubernetes" && kubernetes?.routing.mode === "gateway";
    const colourAlarms = (parsed.alarms as AlarmsConfig | undefined)?.colourAlarms;
    if (gatewayMode && !colourAlarms) {
      errors.push({
        path: `${NAMESPACE}:alarms.colourAlarms`,
        message:
          "is required in gateway mode: name the CloudWatch alarms that judge each colour, for example { blue: [checkout-blue-5xx], green: [checkout-green-5xx] }",
      });
    }
    if (!gatewayMode && colourAlarms) {
      errors.push({
        path: `${NAMESPACE}:alarms.colourAlarms`,
        message:
          "applies only to Kubernetes in gateway mode; other platforms get built-in alarms per colour (use alarms.extra for the team's own)",
      });
    }
  }

  const slots = parsed.slots as SlotsConfig | undefined;
  if (service?.platform === "kubernetes" && slots) {
    for (const colour of ["blue", "green"] as const) {
      const version = slots[colour].version;
      // The version is also a pod label value there: at most 63 characters, alphanumeric at both ends.
      if (version.length > 63 || !/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(version)) {
        errors.push({
          path: `${NAMESPACE}:slots.${colour}.version`,
          message: `on Kubernetes the version is a label value: at most 63 characters, starting and ending with a letter or digit, got ${JSON.stringify(version)}`,
        });
      }
    }
  }

  const traffic = parsed.traffic as TrafficSplit | undefined;
  const explicitStable = parsed.stable as Colour | undefined;
  let stable: Colour | undefined = explicitStable;
  if (traffic && stable === undefined) {
    if (traffic.blue === 100) stable = "blue";
    else if (traffic.green === 100) stable = "green";
    else
      errors.push({
        path: `${NAMESPACE}:stable`,
        message: `is required while traffic is split (blue ${traffic.blue}, green ${traffic.green}): name the colour a revert goes back to, "blue" or "green"`,
      });
  }

  const rollout = (parsed.rollout ?? KEY_SCHEMAS.rollout.parse({})) as RolloutConfig;
  const alarms = (parsed.alarms ?? KEY_SCHEMAS.alarms.parse({})) as AlarmsConfig;
  const planName = rollout.steps ? "custom" : (rollout.preset ?? "sop");
  const plan: PlanStep[] = rollout.steps
    ? rollout.steps.map((step) => ({ weight: step.weight, bakeSeconds: step.bake }))
    : presetPlan(rollout.preset ?? "sop");

  if (service) {
    const window = evaluationWindow(service.platform, alarms, kubernetes?.routing.mode);
    plan.forEach((step, index) => {
      if (window && step.bakeSeconds < window.seconds) {
        errors.push({
          path: rollout.steps ? `${NAMESPACE}:rollout.steps[${index}].bake` : `${NAMESPACE}:rollout.preset`,
          message: `a bake of ${formatDuration(step.bakeSeconds)} is shorter than the alarms can evaluate: ${window.reason} needs at least ${formatDuration(window.seconds)}`,
        });
      }
    });
  }

  const alb = parsed.alb as AlbConfig | undefined;
  if (alb?.stickiness?.enabled && alb.stickiness.duration !== undefined) {
    const longestBake = Math.max(...plan.map((step) => step.bakeSeconds));
    if (alb.stickiness.duration > longestBake) {
      warnings.push({
        path: `${NAMESPACE}:alb.stickiness.duration`,
        message: `clients stay pinned to a colour for ${formatDuration(alb.stickiness.duration)}, longer than any bake (${formatDuration(longestBake)}): after a revert some clients keep reaching the new colour until it expires, so keep its capacity that long`,
      });
    }
  }

  if (errors.length > 0 || !service || !traffic || !stable || !parsed.slots) {
    return { ok: false, errors, warnings };
  }
  return {
    ok: true,
    warnings,
    config: {
      service,
      slots: parsed.slots as SlotsConfig,
      traffic,
      stable,
      revision: (parsed.revision as number | undefined) ?? 0,
      rollout: { ...rollout, plan, planName },
      alarms,
      network: parsed.network as NetworkConfig | undefined,
      alb: profile?.allowed.includes("alb")
        ? ((parsed.alb ?? KEY_SCHEMAS.alb.parse({})) as AlbConfig)
        : undefined,
      ecs: parsed.ecs as EcsConfig | undefined,
      lambda: parsed.lambda as LambdaConfig | undefined,
      kubernetes,
      secretKeys: [...present].filter((key) => (SECRET_KEYS as readonly string[]).includes(key)),
    },
  };
}

/** Validates and returns the config, or throws a ConfigError listing every problem. */
export function requireValidConfig(raw: RawStackConfig, source?: string): BluegreenConfig {
  const result = validateConfig(raw);
  if (!result.ok) throw new ConfigError(result.errors, source);
  return result.config;
}

/** The steps of a named plan, with bakes in seconds. */
export function presetPlan(name: RolloutPreset): PlanStep[] {
  return ROLLOUT_PRESETS[name].map((step) => ({
    weight: step.weight,
    bakeSeconds: parseDuration(step.bake) ?? 0,
  }));
}

/**
 * The shortest bake in which every enabled alarm of the platform can reach ALARM: its period times
 * its evaluation periods, plus the lag with which AWS publishes the metric.
 */
export function evaluationWindow(
  platform: ServiceConfig["platform"],
  alarms: AlarmsConfig,
  kubernetesMode?: KubernetesRoutingMode,
): { seconds: number; reason: string } | undefined {
  const profile = platformProfile(platform, kubernetesMode);
  const lag = profile.metricLagSeconds;
  let longest: { seconds: number; reason: string } | undefined;
  for (const name of profile.alarms) {
    const alarm = alarms[name];
    if (!alarm.enabled) continue;
    const seconds = alarm.period * alarm.evaluationPeriods + lag;
    if (!longest || seconds > longest.seconds) {
      longest = {
        seconds,
        reason: `alarm ${name} (${alarm.evaluationPeriods} x ${formatDuration(alarm.period)}, plus ${formatDuration(lag)} metric lag)`,
      };
    }
  }
  return longest;
}

const REQUIRED_EXAMPLES: Record<(typeof REQUIRED_KEYS)[number], string> = {
  service: "for example { name: checkout, platform: ecs }",
  slots: 'for example { blue: { version: "1.0.0" }, green: { version: "1.0.0" } }',
  traffic: "for example { blue: 100, green: 0 }",
};

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

function keyPath(fullKey: string, path: readonly PropertyKey[]): string {
  let text = fullKey;
  for (const part of path) {
    text += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  }
  return text;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys": {
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}; check the spelling against the config reference in the README`;
    }
    case "invalid_type":
      if (issue.input === undefined) return `is required (expected ${issue.expected})`;
      return issue.message.startsWith("expected")
        ? issue.message
        : `expected ${issue.expected}, got ${describe(issue.input)}`;
    default:
      return issue.message;
  }
}

/** The known key nearest to a typo, when it is near enough to be a typo. */
function closest(key: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(
        previous[j] + 1,
        previous[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length];
}
