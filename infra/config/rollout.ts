/**
 * `bluegreen:rollout` and `bluegreen:alarms`: the plan the driver follows, how it watches each
 * step, and the alarms that judge each colour (the SOP's rollback triggers, the team's own alarms,
 * and where notifications go).
 */
import { z } from "zod";
import {
  AlarmThreshold,
  MAX_RULE_ALARMS,
  SNS_TOPIC_ARN_PATTERN,
  alarmNameProblem,
  alarmWindowProblems,
  ruleAlarmNameProblem,
} from "../../components/domain/rules";
import {
  DEFAULT_ROLLOUT_PRESET,
  PlanStep,
  ROLLOUT_PRESETS,
  ROLLOUT_PRESET_NAMES,
  RolloutPreset,
  describe,
  PlanPause,
  pauseProblems,
  planProblems,
  presetPlan,
} from "../../components/domain/traffic";
import { checkedText, documented, duration, integer, matching } from "./fields";
import { formatDuration } from "./duration";
import { pauseSchema } from "./pause";

/**
 * One step of a rollout plan: send `weight` percent to the new colour, watch it for `bake`, then,
 * with `pause`, wait for approval. A pause step may leave out its bake: it bakes as long as the
 * alarms need to evaluate, so nobody approves a step the alarms could not yet judge.
 */
const stepSchema = z
  .strictObject({
    weight: documented(integer("a percent to the new colour", 1, 100), "percent to the new colour"),
    bake: documented(
      duration({ min: 1, max: 86_400 }).optional(),
      "how long to watch the step before the next",
    ),
    pause: documented(pauseSchema.optional(), "wait for approval after the bake"),
  })
  .superRefine((step, ctx) => {
    if (step.bake === undefined && step.pause === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["bake"],
        message:
          'is required: how long to watch the step, such as "5m" (only a step with a pause may leave it out)',
      });
    }
  });

/** A pause as the plan's description says it: `approval (2h, then abort)`. */
export function pauseText(pause: PlanPause): string {
  return pause.timeoutSeconds === undefined
    ? "approval"
    : `approval (${formatDuration(pause.timeoutSeconds)}, then ${pause.onTimeout})`;
}

function presetText(name: RolloutPreset): string {
  const steps = ROLLOUT_PRESETS[name].map(
    (step: PlanStep) =>
      `${step.weight}% ${formatDuration(step.bakeSeconds)}${step.pause ? ` + ${pauseText(step.pause)}` : ""}`,
  );
  return `\`${name}\` (${steps.join(", ")})`;
}

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

const httpCheckPath = z.strictObject({
  path: documented(matching(/^\//, 'a path starting with "/"'), "the path requested"),
  expectStatus: documented(integer("an HTTP status", 100, 599).prefault(200), "the status it must answer"),
});

const preTrafficCheckSchema = z.strictObject({
  paths: documented(
    z
      .array(httpCheckPath)
      .min(1, { error: "list at least one path to request, or set preTrafficCheck.enabled: false" })
      .prefault([{ path: "/health", expectStatus: 200 }]),
    "requests to the test listener before the candidate gets traffic (ECS, Kubernetes alb mode), or through the API server's service proxy (Kubernetes gateway mode)",
  ),
  payload: documented(z.string().prefault("{}"), "the test invocation's payload (Lambda)"),
  host: documented(
    matching(HOST_NAME, 'a host name such as "checkout.example.com"').optional(),
    "the host name the service's certificate names, sent as TLS SNI and Host header to the HTTPS test listener (verification stays on)",
    { required: "with HTTPS", default: "none" },
  ),
  timeout: documented(duration({ min: 1, max: 60 }).prefault("5s"), "limit for one check request"),
  attempts: documented(
    integer("a number of attempts", 1, 20).prefault(3),
    "tries of the whole check before the candidate counts as failed",
  ),
  enabled: documented(z.boolean().prefault(true), "run the pre-traffic check at all"),
});

/** `bluegreen:rollout` */
export const rolloutSchema = z
  .strictObject({
    preset: documented(
      z
        .enum(ROLLOUT_PRESET_NAMES, {
          error: (issue) =>
            `expected one of ${ROLLOUT_PRESET_NAMES.join(", ")}, got ${describe(issue.input)}`,
        })
        .optional(),
      ROLLOUT_PRESET_NAMES.map(presetText).join(", "),
      { default: `\`${DEFAULT_ROLLOUT_PRESET}\`` },
    ),
    steps: documented(
      z.array(stepSchema).optional(),
      "instead of a preset: `[{ weight, bake, pause }]`, weights strictly increasing to 100, each bake at least the alarms' evaluation time (period × evaluation periods + metric lag: 1m ALB, 2m Lambda); [pauses](#approval-steps)",
    ),
    pollInterval: documented(
      duration({ min: 1, max: 300 }).prefault("10s"),
      "how often alarms and weights are read during a bake",
    ),
    insufficientData: documented(
      z
        .strictObject({
          policy: documented(
            z
              .enum(["wait", "fail", "ignore"], {
                error: (issue) => `expected "wait", "fail" or "ignore", got ${describe(issue.input)}`,
              })
              .prefault("wait"),
            "INSUFFICIENT_DATA is never healthy by default: `wait` (tolerate until the deadline, then revert), `fail` (revert at once), `ignore` (count as OK)",
          ),
          deadline: documented(
            duration({ min: 1, max: 3_600 }).prefault("5m"),
            "how long `wait` tolerates it within a step",
          ),
        })
        .prefault({}),
      "what an alarm without data means during a bake",
    ),
    maxAlarmReadFailures: documented(
      integer("a count of consecutive failed alarm reads", 1, 100).prefault(4),
      "consecutive failed alarm reads (after retries) before reverting",
    ),
    operationTimeout: documented(
      duration({ min: 60, max: 7_200 }).prefault("30m"),
      "limit for one Pulumi update or readiness wait",
    ),
    preTrafficCheck: documented(
      preTrafficCheckSchema.prefault({}),
      "the check the candidate must pass before it gets traffic",
    ),
  })
  .superRefine((rollout, ctx) => {
    if (rollout.preset !== undefined && rollout.steps !== undefined) {
      ctx.addIssue({ code: "custom", message: "give either preset or steps, not both" });
    }
    if (rollout.steps === undefined) return;
    for (const problem of planProblems(rollout.steps.map((step) => step.weight))) {
      ctx.addIssue({
        code: "custom",
        path: problem.step === undefined ? ["steps"] : ["steps", problem.step, "weight"],
        message: problem.message,
      });
    }
    for (const problem of pauseProblems(rollout.steps)) {
      ctx.addIssue({ code: "custom", path: ["steps", problem.step ?? 0, "pause"], message: problem.message });
    }
  });

/** `bluegreen:rollout` after validation, with every default applied. */
export type RolloutSettings = z.output<typeof rolloutSchema>;

/**
 * The plan a rollout config resolves to, and its name for plans and events. `pauseBakeSeconds`
 * is the bake of a pause step that gives none: the alarms' evaluation window, which only the
 * whole config knows.
 */
export function resolvePlan(
  rollout: RolloutSettings,
  pauseBakeSeconds = 0,
): { plan: PlanStep[]; planName: string } {
  if (rollout.steps !== undefined) {
    return {
      plan: rollout.steps.map((step) => ({
        weight: step.weight,
        bakeSeconds: step.bake ?? pauseBakeSeconds,
        ...(step.pause ? { pause: step.pause } : {}),
      })),
      planName: "custom",
    };
  }
  const name = rollout.preset ?? DEFAULT_ROLLOUT_PRESET;
  return { plan: presetPlan(name), planName: name };
}

/** The SOP's automatic rollback triggers, as alarm defaults (periods in seconds). */
export const ALARM_DEFAULTS = {
  /** SOP: error rate above 5% sustained for 2 minutes. */
  errorRate: { threshold: 5, period: 60, evaluationPeriods: 2 },
  /** SOP: p95 response time above 3 seconds. */
  latencyP95: { threshold: 3, period: 60, evaluationPeriods: 1 },
  /** SOP: health check failures; any unhealthy target. */
  unhealthyHosts: { threshold: 0, period: 60, evaluationPeriods: 1 },
  /** SOP: Lambda error rate above 5% for 2 minutes. */
  lambdaErrorRate: { threshold: 5, period: 60, evaluationPeriods: 2 },
  /** Any throttled invocation of the new version. */
  lambdaThrottles: { threshold: 0, period: 60, evaluationPeriods: 1 },
  /** SOP: p95 duration above 3 seconds. */
  lambdaDurationP95: { threshold: 3, period: 60, evaluationPeriods: 1 },
} as const;

/** The names of the built-in alarm blocks. */
export type BuiltInAlarm = keyof typeof ALARM_DEFAULTS;

/** One built-in alarm's threshold and evaluation window; `unit` says what the threshold counts. */
function alarmSchema(defaults: (typeof ALARM_DEFAULTS)[BuiltInAlarm], unit: string) {
  return z
    .strictObject({
      enabled: documented(z.boolean().prefault(true), "create the alarm and watch it"),
      threshold: documented(
        z
          .number({ error: (issue) => `expected a number (${unit}), got ${describe(issue.input)}` })
          .min(0, {
            error: (issue) => `expected a number (${unit}) of at least 0, got ${describe(issue.input)}`,
          })
          .prefault(defaults.threshold),
        `the alarm fires above it: ${unit}`,
      ),
      period: documented(
        duration({ min: 10, max: 86_400 }).prefault(formatDuration(defaults.period)),
        "a multiple of 1m; period × evaluation periods at most one day",
      ),
      evaluationPeriods: documented(
        integer("a number of evaluation periods", 1, 1_440).prefault(defaults.evaluationPeriods),
        "periods CloudWatch looks at",
      ),
      datapointsToAlarm: documented(
        integer("a number of data points", 1, 1_440).optional(),
        "breaching periods among them that fire the alarm",
        { default: "all periods" },
      ),
    })
    .superRefine((alarm, ctx) => {
      // A field that failed its own check reaches this rule as written: it is reported once, there.
      const fields: unknown[] = [alarm.threshold, alarm.period, alarm.evaluationPeriods];
      if (!fields.every((value) => typeof value === "number")) return;
      for (const problem of alarmWindowProblems(alarm)) {
        ctx.addIssue({
          code: "custom",
          path: problem.field === undefined ? [] : [problem.field],
          message: problem.message,
        });
      }
    });
}

/** A block of a built-in alarm: documented as one row, its fields shared by every block. */
function builtIn(name: BuiltInAlarm, unit: string, description: string) {
  return documented(alarmSchema(ALARM_DEFAULTS[name], unit).optional(), description, { collapse: true });
}

function alarmName(problem: (name: string) => string | undefined) {
  return checkedText((name) => {
    const message = problem(name);
    return message === undefined ? undefined : `${message}, got ${describe(name)}`;
  });
}

/** A list of alarm names, each named once: a repeated name is a copy-paste slip, never intended. */
function alarmNames(problem: (name: string) => string | undefined) {
  return z.array(alarmName(problem)).superRefine((names, ctx) => {
    const first = new Map<string, number>();
    names.forEach((name, index) => {
      const earlier = first.get(name);
      if (earlier === undefined) first.set(name, index);
      else
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `names ${describe(name)} again (first at [${earlier}]): list each alarm once`,
        });
    });
  });
}

/** The alarms that judge one colour: at least one, and no more than a composite rule can name. */
function colourAlarmNames() {
  return alarmNames(ruleAlarmNameProblem)
    .min(1, { error: "name at least one alarm, or the colour would always look healthy" })
    .max(MAX_RULE_ALARMS, { error: `a composite alarm rule names at most ${MAX_RULE_ALARMS} alarms` });
}

/** The built-in alarm blocks, each omitted from a stack file that keeps its defaults. */
export const BUILT_IN_ALARM_SCHEMAS = {
  errorRate: builtIn(
    "errorRate",
    "percent of requests answered 5XX by the targets",
    'ECS: 5XX from the targets as a percent of requests (metric math) — the SOP\'s "error rate above 5% sustained for 2 minutes"',
  ),
  latencyP95: builtIn(
    "latencyP95",
    "seconds of p95 TargetResponseTime",
    "ECS: p95 `TargetResponseTime` in seconds",
  ),
  unhealthyHosts: builtIn("unhealthyHosts", "unhealthy targets tolerated", "ECS: any unhealthy target"),
  lambdaErrorRate: builtIn(
    "lambdaErrorRate",
    "percent of invocations that errored",
    "Lambda: `Errors / Invocations` of the colour's version",
  ),
  lambdaThrottles: builtIn(
    "lambdaThrottles",
    "throttled invocations tolerated per period",
    "Lambda: any throttled invocation",
  ),
  lambdaDurationP95: builtIn(
    "lambdaDurationP95",
    "seconds of p95 Duration",
    "Lambda: p95 `Duration` in seconds",
  ),
};

/** `bluegreen:alarms` */
export const alarmsSchema = z.strictObject({
  ...BUILT_IN_ALARM_SCHEMAS,
  extra: documented(
    alarmNames(alarmNameProblem).prefault([]),
    "names of alarms the team owns (business metrics), each named once, watched like the built-in ones; they watch the service as a whole, so they do not judge a colour",
  ),
  colourAlarms: documented(
    z
      .strictObject({
        blue: documented(colourAlarmNames(), "alarms that judge blue"),
        green: documented(colourAlarmNames(), "alarms that judge green"),
      })
      .optional(),
    "Kubernetes gateway mode: the CloudWatch alarms the team owns that judge each colour; each colour's composite alarm is built over them",
    { required: "gateway mode", collapse: true },
  ),
  allowNone: documented(
    z.boolean({ error: (issue) => `expected true or false, got ${describe(issue.input)}` }).prefault(false),
    "roll out even though no alarm judges the new colour (every built-in alarm disabled): `validate` and `plan` warn, and a rollout promotes the new colour whatever it does. Without it such a stack is refused",
  ),
  notifications: documented(
    z
      .strictObject({
        topicArn: documented(
          matching(
            SNS_TOPIC_ARN_PATTERN,
            'an SNS topic ARN such as "arn:aws:sns:eu-west-1:123456789012:pager"',
          ).optional(),
          "an existing SNS topic for alarm notifications",
          { default: "none" },
        ),
        createTopic: documented(z.boolean().prefault(false), "create a topic for alarm notifications"),
      })
      .optional(),
    "where alarm notifications go",
  ),
});

/**
 * Every built-in alarm with its defaults, for blocks a stack file leaves out: what each block's
 * schema makes of `{}`, stated as data so the schema is not run at start-up (a test holds the two
 * equal).
 */
export const BUILT_IN_ALARM_DEFAULTS: Record<BuiltInAlarm, AlarmThreshold> = {
  errorRate: { enabled: true, ...ALARM_DEFAULTS.errorRate },
  latencyP95: { enabled: true, ...ALARM_DEFAULTS.latencyP95 },
  unhealthyHosts: { enabled: true, ...ALARM_DEFAULTS.unhealthyHosts },
  lambdaErrorRate: { enabled: true, ...ALARM_DEFAULTS.lambdaErrorRate },
  lambdaThrottles: { enabled: true, ...ALARM_DEFAULTS.lambdaThrottles },
  lambdaDurationP95: { enabled: true, ...ALARM_DEFAULTS.lambdaDurationP95 },
};
