/**
 * `bluegreen:alarms`: the built-in alarms that judge each colour (the SOP's rollback triggers),
 * the team's own alarms, and where notifications go.
 */
import { z } from "zod";
import {
  AlarmThreshold,
  MAX_RULE_ALARMS,
  SNS_TOPIC_ARN_PATTERN,
  alarmNameProblem,
  alarmWindowProblems,
  describe,
  ruleAlarmNameProblem,
} from "../../components/domain";
import { documented } from "./docs";
import { duration, integer, matching } from "./fields";

/** The SOP's automatic rollback triggers, as alarm defaults (periods as written in a stack file). */
export const ALARM_DEFAULTS = {
  /** SOP: error rate above 5% sustained for 2 minutes. */
  errorRate: { threshold: 5, period: "1m", evaluationPeriods: 2 },
  /** SOP: p95 response time above 3 seconds. */
  latencyP95: { threshold: 3, period: "1m", evaluationPeriods: 1 },
  /** SOP: health check failures; any unhealthy target. */
  unhealthyHosts: { threshold: 0, period: "1m", evaluationPeriods: 1 },
  /** SOP: Lambda error rate above 5% for 2 minutes. */
  lambdaErrorRate: { threshold: 5, period: "1m", evaluationPeriods: 2 },
  /** Any throttled invocation of the new version. */
  lambdaThrottles: { threshold: 0, period: "1m", evaluationPeriods: 1 },
  /** SOP: p95 duration above 3 seconds. */
  lambdaDurationP95: { threshold: 3, period: "1m", evaluationPeriods: 1 },
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
        duration({ min: 10, max: 86_400 }).prefault(defaults.period),
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
  return z.string().check((ctx) => {
    const message = problem(ctx.value);
    if (message !== undefined) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: `${message}, got ${describe(ctx.value)}`,
      });
    }
  });
}

/** The alarms that judge one colour: at least one, and no more than a composite rule can name. */
const colourAlarmNames = z
  .array(alarmName(ruleAlarmNameProblem))
  .min(1, { error: "name at least one alarm, or the colour would always look healthy" })
  .max(MAX_RULE_ALARMS, { error: `a composite alarm rule names at most ${MAX_RULE_ALARMS} alarms` });

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
    z.array(alarmName(alarmNameProblem)).prefault([]),
    "names of alarms the team owns (business metrics), watched like the built-in ones",
  ),
  colourAlarms: documented(
    z
      .strictObject({
        blue: documented(colourAlarmNames, "alarms that judge blue"),
        green: documented(colourAlarmNames, "alarms that judge green"),
      })
      .optional(),
    "Kubernetes gateway mode: the CloudWatch alarms the team owns that judge each colour; each colour's composite alarm is built over them",
    { required: "gateway mode", collapse: true },
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

/** Every built-in alarm with its defaults, for blocks a stack file leaves out. */
export const BUILT_IN_ALARM_DEFAULTS = Object.fromEntries(
  Object.entries(BUILT_IN_ALARM_SCHEMAS).map(([name, schema]) => [name, schema.unwrap().parse({})]),
) as Record<BuiltInAlarm, AlarmThreshold & z.output<ReturnType<typeof alarmSchema>>>;
