/**
 * The stack config schema: every key in the `bluegreen:` namespace, its type, default, limits and
 * description, as one strict object; the rules across keys (which blocks a platform needs and
 * admits, the stable colour of a split, versions that must be label values, bakes long enough for
 * the alarms) refine it as one, and `BluegreenConfig` is what it parses to.
 *
 * This module imports neither Pulumi nor an AWS SDK, so the program, the rollout driver and the
 * `validate` command share one definition of what a valid stack file is. The README's config
 * reference and `stacks/bluegreen.schema.json` are generated from it (`npm run generate`).
 */
import { z } from "zod";
import { ECHO_LIMIT } from "../../components/domain/echo";
import { PLATFORMS, Platform, slotVersionsSchema, versionSchema } from "../../components/domain/outputs";
import {
  AlarmThreshold,
  LABEL_VALUE_RULE,
  MAX_SERVICE_NAME_LENGTH,
  SERVICE_NAME_PATTERN,
  isLabelValue,
} from "../../components/domain/rules";
import {
  COLOURS,
  Colour,
  PlanStep,
  SPLIT_TOTAL,
  TrafficSplit,
  colourSchema,
  describe,
  percentSchema,
  splitSumCheck,
} from "../../components/domain/traffic";
import { controlSchema } from "./control";
import { idleSchema } from "./idle";
import { formatDuration } from "./duration";
import {
  GUARDIAN_DEFAULTS,
  driverTimeoutProblem,
  guardianAbsence,
  guardianChannelProblem,
  guardianSchema,
} from "./guardian";
import { judgingAlarms, unjudgedProblem } from "./judging";
import { documented, integer } from "./fields";
import {
  NOTIFICATIONS_DEFAULTS,
  SLACK_WEBHOOK_DESCRIPTION,
  notificationDestinationProblem,
  notificationsSchema,
} from "./notifications";
import {
  KubernetesRoutingMode,
  albSchema,
  ecsSchema,
  kubernetesSchema,
  lambdaSchema,
  networkSchema,
} from "./platforms";
import {
  BUILT_IN_ALARM_DEFAULTS,
  BuiltInAlarm,
  RolloutSettings,
  alarmsSchema,
  resolvePlan,
  rolloutSchema,
} from "./rollout";

// The blocks live in modules of their own; this module is the schema's one entry point.
export {
  KUBERNETES_ROUTING_MODES,
  albSchema,
  ecsSchema,
  kubernetesSchema,
  lambdaSchema,
  networkSchema,
  type KubernetesRoutingMode,
} from "./platforms";
export { ALARM_DEFAULTS, alarmsSchema, rolloutSchema, type BuiltInAlarm } from "./rollout";

/** `bluegreen:service` */
export const serviceSchema = z.strictObject({
  name: documented(
    z
      .string({ error: "expected the service name as text" })
      .regex(SERVICE_NAME_PATTERN, {
        error: (issue) =>
          `expected lower-case letters, digits and hyphens, starting with a letter, got ${describe(issue.input)}`,
      })
      .max(MAX_SERVICE_NAME_LENGTH, {
        error: (issue) => {
          const length = String(issue.input).length;
          // A long name's echo already ends with its length.
          const echo = length > ECHO_LIMIT ? describe(issue.input) : `${describe(issue.input)} (${length})`;
          return `must be at most ${MAX_SERVICE_NAME_LENGTH} characters so that "<name>-green" plus the 8-character suffix fits the 32-character target group limit, got ${echo}`;
        },
      }),
    `lower-case letters, digits, hyphens; at most ${MAX_SERVICE_NAME_LENGTH} characters so \`<name>-green\` plus the provider's 8-character suffix fits the 32-character target group limit`,
  ),
  platform: documented(
    z.enum(PLATFORMS, {
      error: (issue) => `expected one of ${PLATFORMS.join(", ")}, got ${describe(issue.input)}`,
    }),
    "`ecs`, `lambda` or `kubernetes` (see [Kubernetes](#kubernetes))",
  ),
});

const SLOT_VERSION =
  "what the colour runs: the image tag (ECS, Kubernetes) or the artifact version (Lambda). The driver writes the candidate's";

/** `bluegreen:slots` */
export const slotsSchema = z.strictObject({
  blue: documented(z.strictObject({ version: documented(versionSchema, SLOT_VERSION) }), "the blue slot"),
  green: documented(z.strictObject({ version: documented(versionSchema, SLOT_VERSION) }), "the green slot"),
}) satisfies z.ZodType<z.output<typeof slotVersionsSchema>>;

const PERCENT =
  "whole percent 0-100 per colour, summing to 100. The driver writes it; `pulumi up` applies it as written";

/** `bluegreen:traffic` */
export const trafficSchema = z
  .strictObject({ blue: documented(percentSchema, PERCENT), green: documented(percentSchema, PERCENT) })
  .check(splitSumCheck) satisfies z.ZodType<TrafficSplit>;

/** `bluegreen:stable` */
const stableSchema = colourSchema;

/** `bluegreen:revision` */
const revisionSchema = integer("a release revision", 0, Number.MAX_SAFE_INTEGER);

/** A secret key (`bluegreen:kubeconfig`, `slackWebhookUrl`): only its presence is checked, never its value. */
const secretSchema = z.strictObject({
  secure: documented(z.string(), "the value as the stack's secrets provider encrypted it"),
});

/** Keys whose values are secrets: only their presence is checked; values stay Pulumi secrets. */
export const SECRET_KEYS = ["kubeconfig", "slackWebhookUrl"] as const;

/** Every plain key of the `bluegreen:` namespace with its schema, as a value of that key is checked on its own. */
export const KEY_SCHEMAS = {
  service: serviceSchema,
  slots: slotsSchema,
  traffic: trafficSchema,
  stable: stableSchema,
  revision: revisionSchema,
  rollout: rolloutSchema,
  alarms: alarmsSchema,
  network: networkSchema,
  alb: albSchema,
  ecs: ecsSchema,
  lambda: lambdaSchema,
  kubernetes: kubernetesSchema,
  notifications: notificationsSchema,
  control: controlSchema,
  guardian: guardianSchema,
  idle: idleSchema,
} as const;

/** A config key of the `bluegreen:` namespace (without the prefix). */
export type ConfigKey = keyof typeof KEY_SCHEMAS;

/** Keys every stack must set. */
export const REQUIRED_KEYS = ["service", "slots", "traffic"] as const;

/** The whole `bluegreen:` namespace, keyed without the prefix, before the rules across keys. */
export const namespaceSchema = z.strictObject({
  service: documented(serviceSchema, "the service and the platform it runs on"),
  slots: documented(slotsSchema, "the version each colour runs"),
  traffic: documented(trafficSchema, "percent of production traffic per colour"),
  stable: documented(
    stableSchema.optional(),
    "the colour a revert goes back to. The driver always writes it",
    {
      required: "while split",
      default: "the colour at 100",
    },
  ),
  revision: documented(
    revisionSchema.prefault(0),
    "the driver's release counter; a stack file behind the deployed revision is refused",
  ),
  rollout: documented(rolloutSchema.prefault({}), "the plan the driver follows and how it watches each step"),
  alarms: documented(alarmsSchema.prefault({}), "the alarms that judge each colour"),
  network: documented(networkSchema.optional(), "the VPC the platform team owns", {
    required: "ECS, Kubernetes alb mode",
  }),
  alb: documented(albSchema.optional(), "the load balancer in front of ECS or Kubernetes alb mode"),
  ecs: documented(ecsSchema.optional(), "the Fargate service each colour runs", { required: "ECS" }),
  lambda: documented(lambdaSchema.optional(), "the function whose published versions are the two colours", {
    required: "Lambda",
  }),
  kubernetes: documented(
    kubernetesSchema.optional(),
    "the two Deployments and how their traffic is weighted",
    {
      required: "Kubernetes",
    },
  ),
  control: documented(controlSchema.prefault({}), "how operators reach the driver of a rollout"),
  guardian: documented(
    guardianSchema.optional(),
    "the [guardian in the cloud](#guardian-in-the-cloud): reverts a split when an alarm fires or its driver is lost",
  ),
  idle: documented(
    idleSchema.prefault({}),
    "how long the colour that serves nothing keeps its capacity after a promotion, and what it keeps after",
  ),
  kubeconfig: documented(
    secretSchema.optional(),
    'the cluster\'s kubeconfig, a secret: `pulumi config set --secret bluegreen:kubeconfig "$(cat kubeconfig)"`',
    { default: "the ambient context", collapse: true },
  ),
  notifications: documented(
    notificationsSchema.optional(),
    "who hears about a rollout: start, each step, progress during long bakes, a revert and its reason, the outcome",
  ),
  slackWebhookUrl: documented(secretSchema.optional(), SLACK_WEBHOOK_DESCRIPTION, {
    default: "none",
    collapse: true,
  }),
});

/** The namespace's values once each key has parsed. */
export type NamespaceValues = z.output<typeof namespaceSchema>;

// The rules across keys: which blocks a platform needs and admits, the stable colour of a split,
// versions that must be label values, and bakes long enough for the alarms to judge.

/** Seconds CloudWatch needs after a minute ends before an ALB/ECS data point is reliably there. */
export const ALB_METRIC_LAG_SECONDS = 60;
/** Lambda data points may arrive minutes late; a bake must cover that lag too. */
export const LAMBDA_METRIC_LAG_SECONDS = 120;

/** What a platform (and, on Kubernetes, its routing mode) reads from the config. */
export interface PlatformProfile {
  /** Blocks that must be present. */
  readonly required: ConfigKey[];
  /** Blocks that may be present; any other platform block is a mistake worth flagging. */
  readonly allowed: ConfigKey[];
  /** The built-in alarms that judge a colour. */
  readonly alarms: BuiltInAlarm[];
  /** Seconds AWS needs to publish the alarms' metrics. */
  readonly metricLagSeconds: number;
}

const ALB_ALARMS: BuiltInAlarm[] = ["errorRate", "latencyP95", "unhealthyHosts"];
const LAMBDA_ALARMS: BuiltInAlarm[] = ["lambdaErrorRate", "lambdaThrottles", "lambdaDurationP95"];

/** Every built-in alarm that applies to some platform. */
export const ALL_BUILT_IN_ALARMS: BuiltInAlarm[] = [...ALB_ALARMS, ...LAMBDA_ALARMS];

/** The blocks that belong to one platform or another. */
const PLATFORM_BLOCKS: ConfigKey[] = ["network", "alb", "ecs", "lambda", "kubernetes"];

/** The profile of a platform; Kubernetes depends on its routing mode. */
export function platformProfile(platform: Platform, kubernetesMode?: KubernetesRoutingMode): PlatformProfile {
  switch (platform) {
    case "ecs":
      return {
        required: ["network", "ecs"],
        allowed: ["network", "alb", "ecs"],
        alarms: ALB_ALARMS,
        metricLagSeconds: ALB_METRIC_LAG_SECONDS,
      };
    case "lambda":
      return {
        required: ["lambda"],
        allowed: ["lambda"],
        alarms: LAMBDA_ALARMS,
        metricLagSeconds: LAMBDA_METRIC_LAG_SECONDS,
      };
    case "kubernetes":
      return kubernetesMode === "gateway"
        ? {
            required: ["kubernetes"],
            allowed: ["kubernetes"],
            alarms: [],
            metricLagSeconds: ALB_METRIC_LAG_SECONDS,
          }
        : {
            required: ["kubernetes", "network"],
            allowed: ["kubernetes", "network", "alb"],
            alarms: ALB_ALARMS,
            metricLagSeconds: ALB_METRIC_LAG_SECONDS,
          };
  }
}

/** Every built-in alarm, the stack file's own blocks over the defaults. */
export function resolveAlarms(
  written: Partial<Record<BuiltInAlarm, AlarmThreshold>>,
): Record<BuiltInAlarm, AlarmThreshold> {
  const resolved = { ...BUILT_IN_ALARM_DEFAULTS };
  for (const name of ALL_BUILT_IN_ALARMS) {
    const alarm = written[name];
    if (alarm !== undefined) resolved[name] = alarm;
  }
  return resolved;
}

/**
 * The shortest bake in which every enabled alarm of the platform can reach ALARM: its period times
 * its evaluation periods, plus the lag with which AWS publishes the metric.
 */
export function evaluationWindow(
  platform: Platform,
  alarms: Readonly<Record<BuiltInAlarm, AlarmThreshold>>,
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

/** The colour serving everything, which a revert returns to when `stable` is not written. */
export function colourServingAll(traffic: TrafficSplit): Colour | undefined {
  return COLOURS.find((colour) => traffic[colour] === SPLIT_TOTAL);
}

/** Marks the issues of the cross-key rules, which are reported after each key's own. */
export const CROSS_KEY = { crossKey: true } as const;

/**
 * The cross-key rules, as one refinement of the namespace. It runs even when some keys are
 * invalid, reading only the keys that parsed, so a stack file gets every problem in one pass.
 */
export function crossKeyRules(config: NamespaceValues, ctx: z.RefinementCtx<NamespaceValues>): void {
  const invalid = new Set(ctx.issues.map((issue) => issue.path?.[0]));
  const valid = <K extends keyof NamespaceValues>(key: K): NamespaceValues[K] | undefined =>
    invalid.has(key) ? undefined : config[key];
  const fail = (path: PropertyKey[], message: string) =>
    ctx.addIssue({ code: "custom", path, message, params: CROSS_KEY });

  const service = valid("service");
  const kubernetes = valid("kubernetes");
  const alarms = valid("alarms");
  if (service !== undefined) {
    const profile = platformProfile(service.platform, kubernetes?.routing.mode);
    const present = (block: ConfigKey) => config[block] !== undefined || invalid.has(block);
    for (const block of profile.required) {
      if (!present(block)) fail([block], `is required for platform ${service.platform}`);
    }
    for (const block of PLATFORM_BLOCKS) {
      if (present(block) && !profile.allowed.includes(block)) {
        fail(
          [block],
          `is not used by platform ${service.platform}${kubernetes ? ` with routing mode ${kubernetes.routing.mode}` : ""}; remove it or change bluegreen:service.platform`,
        );
      }
    }
    // Which blocks were written is known even when one of them is invalid.
    const written: unknown = config.alarms;
    for (const name of ALL_BUILT_IN_ALARMS) {
      const block = typeof written === "object" && written !== null ? Reflect.get(written, name) : undefined;
      if (block !== undefined && !profile.alarms.includes(name)) {
        fail(
          ["alarms", name],
          `does not apply to platform ${service.platform}; its built-in alarms are ${profile.alarms.join(", ") || "none (use alarms.colourAlarms)"}`,
        );
      }
    }
    if (alarms !== undefined) {
      const gatewayMode = service.platform === "kubernetes" && kubernetes?.routing.mode === "gateway";
      if (gatewayMode && alarms.colourAlarms === undefined) {
        fail(
          ["alarms", "colourAlarms"],
          "is required in gateway mode: name the CloudWatch alarms that judge each colour, for example { blue: [checkout-blue-5xx], green: [checkout-green-5xx] }",
        );
      }
      if (!gatewayMode && alarms.colourAlarms !== undefined) {
        fail(
          ["alarms", "colourAlarms"],
          "applies only to Kubernetes in gateway mode; other platforms get built-in alarms per colour (use alarms.extra for the team's own)",
        );
      }
      // Outside gateway mode both colours get the same built-in alarms; gateway mode names at
      // least one alarm per colour, or is refused above.
      const judged = gatewayMode || judgingAlarms(profile.alarms, resolveAlarms(alarms), "blue").length > 0;
      if (!judged && !alarms.allowNone) {
        fail(["alarms"], unjudgedProblem(service.platform, profile.alarms));
      }
    }
  }

  const slots = valid("slots");
  if (service?.platform === "kubernetes" && slots !== undefined) {
    for (const colour of COLOURS) {
      const version = slots[colour].version;
      // The version is also a pod label value there.
      if (!isLabelValue(version)) {
        fail(
          ["slots", colour, "version"],
          `on Kubernetes the version is a label value: ${LABEL_VALUE_RULE}, got ${describe(version)}`,
        );
      }
    }
  }

  const traffic = valid("traffic");
  if (traffic !== undefined && valid("stable") === undefined && !invalid.has("stable")) {
    if (colourServingAll(traffic) === undefined) {
      fail(
        ["stable"],
        `is required while traffic is split (blue ${traffic.blue}, green ${traffic.green}): name the colour a revert goes back to, "blue" or "green"`,
      );
    }
  }

  const notifications = notificationDestinationProblem(
    valid("notifications"),
    config.slackWebhookUrl !== undefined || invalid.has("slackWebhookUrl"),
  );
  if (notifications !== undefined) fail(["notifications"], notifications);

  const guardian = valid("guardian");
  const control = valid("control");
  const channelProblem = guardianChannelProblem(guardian, control?.channel);
  if (channelProblem !== undefined) fail(["guardian", "enabled"], channelProblem);

  const rollout = valid("rollout");
  if (service !== undefined && control !== undefined && rollout !== undefined && !invalid.has("guardian")) {
    const setting = {
      guardian: guardian ?? GUARDIAN_DEFAULTS,
      control,
      service,
      ...(kubernetes !== undefined ? { kubernetes } : {}),
    };
    const timeoutProblem =
      guardianAbsence(setting) === undefined
        ? driverTimeoutProblem(setting.guardian, rollout.pollInterval)
        : undefined;
    if (timeoutProblem !== undefined) fail(["guardian", "driverTimeout"], timeoutProblem);
  }

  if (service !== undefined && rollout !== undefined && alarms !== undefined) {
    const window = evaluationWindow(service.platform, resolveAlarms(alarms), kubernetes?.routing.mode);
    resolvePlan(rollout, window?.seconds).plan.forEach((step: PlanStep, index) => {
      if (window && step.bakeSeconds < window.seconds) {
        fail(
          rollout.steps ? ["rollout", "steps", index, "bake"] : ["rollout", "preset"],
          `a bake of ${formatDuration(step.bakeSeconds)} is shorter than the alarms can evaluate: ${window.reason} needs at least ${formatDuration(window.seconds)}`,
        );
      }
    });
  }
}

/** `bluegreen:alb` with every default, parsed on first use: a Lambda or gateway stack never needs it. */
let albDefaults: AlbConfig | undefined;
function defaultAlb(): AlbConfig {
  albDefaults ??= albSchema.parse({});
  return albDefaults;
}

/**
 * The stable colour. The cross-key rules refuse a split without one before this runs, so a
 * missing colour here is a bug, not bad input.
 */
function resolvedStable(values: NamespaceValues): Colour {
  const stable = values.stable ?? colourServingAll(values.traffic);
  if (stable === undefined) throw new Error("bluegreen:stable is required while traffic is split");
  return stable;
}

function secretKeys(values: NamespaceValues): readonly string[] {
  return SECRET_KEYS.filter((key) => values[key] !== undefined);
}

/** The namespace resolved: the plan, the stable colour and every default in place. */
function resolve(values: NamespaceValues) {
  const profile = platformProfile(values.service.platform, values.kubernetes?.routing.mode);
  const window = evaluationWindow(
    values.service.platform,
    resolveAlarms(values.alarms),
    values.kubernetes?.routing.mode,
  );
  const rollout: RolloutSettings & ReturnType<typeof resolvePlan> = {
    ...values.rollout,
    ...resolvePlan(values.rollout, window?.seconds),
  };
  return {
    service: values.service,
    slots: values.slots,
    traffic: values.traffic,
    /** The colour that serves production when no rollout is in progress. */
    stable: resolvedStable(values),
    /** The driver's release counter; a stack file behind the deployed one is refused. */
    revision: values.revision,
    rollout,
    alarms: { ...values.alarms, ...resolveAlarms(values.alarms) },
    network: values.network,
    alb: profile.allowed.includes("alb") ? (values.alb ?? defaultAlb()) : undefined,
    ecs: values.ecs,
    lambda: values.lambda,
    kubernetes: values.kubernetes,
    /** Where messages about a rollout go besides the Slack webhook, and how often. */
    notifications: values.notifications ?? NOTIFICATIONS_DEFAULTS,
    control: values.control,
    /** The guardian in the cloud; whether the program declares it also depends on the platform and channel. */
    guardian: values.guardian ?? GUARDIAN_DEFAULTS,
    /** The rollback window after a promotion and the idle colour's capacity after it. */
    idle: values.idle,
    /** Secret keys that are set (their values are never parsed here). */
    secretKeys: secretKeys(values),
  };
}

/** The `bluegreen:` namespace: every key, the rules across keys, and the resolved config. */
export const configSchema = namespaceSchema
  .superRefine(crossKeyRules, { when: () => true })
  .transform(resolve);

/** A stack's config after validation, with every default applied. */
export type BluegreenConfig = z.output<typeof configSchema>;

/** `bluegreen:service` after validation. */
export type ServiceConfig = z.output<typeof serviceSchema>;
/** `bluegreen:slots` after validation. */
export type SlotsConfig = z.output<typeof slotsSchema>;
/** `bluegreen:rollout` after validation, durations in seconds. */
export type RolloutConfig = RolloutSettings;
/** `bluegreen:alarms` after validation, every built-in alarm resolved. */
export type AlarmsConfig = BluegreenConfig["alarms"];
/** `bluegreen:network` after validation. */
export type NetworkConfig = z.output<typeof networkSchema>;
/** `bluegreen:alb` after validation, with its defaults. */
export type AlbConfig = z.output<typeof albSchema>;
/** `bluegreen:ecs` after validation, with its defaults. */
export type EcsConfig = z.output<typeof ecsSchema>;
/** `bluegreen:lambda` after validation, with its defaults. */
export type LambdaConfig = z.output<typeof lambdaSchema>;
/** `bluegreen:kubernetes` after validation, with its defaults. */
export type KubernetesConfig = z.output<typeof kubernetesSchema>;
