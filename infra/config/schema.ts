/**
 * The stack config schema: every key in the `bluegreen:` namespace, its type, default, limits and
 * description, as one strict object; the rules across keys refine it, and `BluegreenConfig` is
 * what it parses to.
 *
 * This module imports neither Pulumi nor an AWS SDK, so the program, the rollout driver and the
 * `validate` command share one definition of what a valid stack file is. The README's config
 * reference and `stacks/bluegreen.schema.json` are generated from it (`npm run generate`).
 */
import { z } from "zod";
import {
  Colour,
  MAX_SERVICE_NAME_LENGTH,
  PLATFORMS,
  SERVICE_NAME_PATTERN,
  TrafficSplit,
  colourSchema,
  describe,
  percentSchema,
  slotVersionsSchema,
  splitSumCheck,
  versionSchema,
} from "../../components/domain";
import { alarmsSchema } from "./alarms";
import { albSchema, ecsSchema, lambdaSchema, networkSchema } from "./aws";
import { documented } from "./docs";
import { integer } from "./fields";
import { kubernetesSchema } from "./kubernetes";
import { RolloutSettings, resolvePlan, rolloutSchema } from "./rollout";
import { colourServingAll, crossKeyRules, platformProfile, resolveAlarms } from "./rules";

// re-export: importers move to components/domain
export {
  COLOURS,
  PLATFORMS,
  LOG_RETENTION_DAYS,
  MAX_SERVICE_NAME_LENGTH,
  otherColour,
  describe,
  type Colour,
  type Platform,
  type TrafficSplit,
  type AlarmThreshold,
} from "../../components/domain";
// The blocks live in modules of their own; this module is the schema's one entry point.
export { ALARM_DEFAULTS, alarmsSchema, type BuiltInAlarm } from "./alarms";
export { albSchema, ecsSchema, lambdaSchema, networkSchema } from "./aws";
export { KUBERNETES_ROUTING_MODES, kubernetesSchema, type KubernetesRoutingMode } from "./kubernetes";
export { rolloutSchema } from "./rollout";
export {
  ALB_METRIC_LAG_SECONDS,
  ALL_BUILT_IN_ALARMS,
  LAMBDA_METRIC_LAG_SECONDS,
  platformProfile,
  type PlatformProfile,
} from "./rules";

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
        error: (issue) =>
          `must be at most ${MAX_SERVICE_NAME_LENGTH} characters so that "<name>-green" plus the 8-character suffix fits the 32-character target group limit, got ${describe(issue.input)} (${String(issue.input).length})`,
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
  blue: z.strictObject({ version: documented(versionSchema, SLOT_VERSION) }),
  green: z.strictObject({ version: documented(versionSchema, SLOT_VERSION) }),
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

/** `bluegreen:kubeconfig`: a Pulumi secret; only its presence is checked, never its value. */
const secretSchema = z.strictObject({ secure: z.string() });

/** Keys whose values are secrets: only their presence is checked; values stay Pulumi secrets. */
export const SECRET_KEYS = ["kubeconfig"] as const;

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
  kubeconfig: documented(
    secretSchema.optional(),
    'the cluster\'s kubeconfig, a secret: `pulumi config set --secret bluegreen:kubeconfig "$(cat kubeconfig)"`',
    { default: "the ambient context", collapse: true },
  ),
});

/** The namespace's values once each key has parsed. */
export type NamespaceValues = z.output<typeof namespaceSchema>;

const ALB_DEFAULTS = albSchema.parse({});

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
  const rollout: RolloutSettings & ReturnType<typeof resolvePlan> = {
    ...values.rollout,
    ...resolvePlan(values.rollout),
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
    alb: profile.allowed.includes("alb") ? (values.alb ?? ALB_DEFAULTS) : undefined,
    ecs: values.ecs,
    lambda: values.lambda,
    kubernetes: values.kubernetes,
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

export type ServiceConfig = z.output<typeof serviceSchema>;
export type SlotsConfig = z.output<typeof slotsSchema>;
export type RolloutConfig = RolloutSettings;
export type AlarmsConfig = BluegreenConfig["alarms"];
export type NetworkConfig = z.output<typeof networkSchema>;
export type AlbConfig = z.output<typeof albSchema>;
export type EcsConfig = z.output<typeof ecsSchema>;
export type LambdaConfig = z.output<typeof lambdaSchema>;
export type KubernetesConfig = z.output<typeof kubernetesSchema>;
