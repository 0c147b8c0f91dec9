/**
 * The rules that span keys of the `bluegreen:` namespace: which blocks a platform needs and
 * admits, the stable colour of a split, versions that must be label values, and bakes long enough
 * for the alarms to judge. They run as one refinement over the whole namespace.
 */
import { z } from "zod";
import {
  AlarmThreshold,
  Colour,
  COLOURS,
  LABEL_VALUE_RULE,
  Platform,
  PlanStep,
  SPLIT_TOTAL,
  TrafficSplit,
  isLabelValue,
} from "../../components/domain";
import { BUILT_IN_ALARM_DEFAULTS, BuiltInAlarm } from "./alarms";
import { formatDuration } from "./duration";
import type { KubernetesRoutingMode } from "./kubernetes";
import { resolvePlan } from "./rollout";
import type { ConfigKey, NamespaceValues } from "./schema";

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
          `on Kubernetes the version is a label value: ${LABEL_VALUE_RULE}, got ${JSON.stringify(version)}`,
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

  const rollout = valid("rollout");
  if (service !== undefined && rollout !== undefined && alarms !== undefined) {
    const window = evaluationWindow(service.platform, resolveAlarms(alarms), kubernetes?.routing.mode);
    resolvePlan(rollout).plan.forEach((step: PlanStep, index) => {
      if (window && step.bakeSeconds < window.seconds) {
        fail(
          rollout.steps ? ["rollout", "steps", index, "bake"] : ["rollout", "preset"],
          `a bake of ${formatDuration(step.bakeSeconds)} is shorter than the alarms can evaluate: ${window.reason} needs at least ${formatDuration(window.seconds)}`,
        );
      }
    });
  }
}
