/**
 * What CloudWatch accepts of an alarm, and what keeps an alarm from lying: AWS publishes the ALB,
 * ECS and Lambda metrics once a minute, and evaluates at most one day of periods.
 */
import type { FieldProblem } from "./aws";

/** AWS publishes the metrics the built-in alarms read once a minute. */
export const METRIC_PERIOD_SECONDS = 60;
/** CloudWatch evaluates at most one day of periods. */
export const MAX_EVALUATION_SECONDS = 86_400;
/** CloudWatch alarm names are at most 255 characters. */
export const MAX_ALARM_NAME_LENGTH = 255;
/** A composite alarm rule can reference at most 100 alarms. */
export const MAX_RULE_ALARMS = 100;
/** A composite alarm rule is at most 10,240 characters. */
export const MAX_RULE_LENGTH = 10_240;

/** One metric alarm's threshold and evaluation window. */
export interface AlarmThreshold {
  /** Whether the alarm exists at all. */
  readonly enabled: boolean;
  /** The value the statistic must exceed. */
  readonly threshold: number;
  /** Seconds per evaluated period. */
  readonly period: number;
  /** Periods CloudWatch looks at. */
  readonly evaluationPeriods: number;
  /** Breaching periods among them that fire the alarm; all of them when absent. */
  readonly datapointsToAlarm?: number;
}

/**
 * What CloudWatch would reject in an alarm's window, or would accept and then evaluate wrongly
 * (a period shorter than the metric's one-minute resolution evaluates the gaps between points).
 */
export function alarmWindowProblems(alarm: AlarmThreshold): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!Number.isFinite(alarm.threshold) || alarm.threshold < 0) {
    problems.push({ field: "threshold", message: `is ${alarm.threshold}; expected a number of at least 0` });
  }
  if (!Number.isInteger(alarm.period) || alarm.period <= 0 || alarm.period % METRIC_PERIOD_SECONDS !== 0) {
    problems.push({
      field: "period",
      message: `is ${alarm.period}s; AWS publishes these metrics once a minute, so any other period evaluates gaps: use a multiple of 60s such as "1m"`,
    });
  }
  if (!Number.isInteger(alarm.evaluationPeriods) || alarm.evaluationPeriods < 1) {
    problems.push({
      field: "evaluationPeriods",
      message: `is ${alarm.evaluationPeriods}; expected a whole number of at least 1`,
    });
  }
  const window = alarm.period * alarm.evaluationPeriods;
  if (window > MAX_EVALUATION_SECONDS) {
    problems.push({
      message: `period x evaluationPeriods is ${window}s; CloudWatch allows at most one day (${MAX_EVALUATION_SECONDS}s)`,
    });
  }
  const datapoints = alarm.datapointsToAlarm;
  if (
    datapoints !== undefined &&
    (!Number.isInteger(datapoints) || datapoints < 1 || datapoints > alarm.evaluationPeriods)
  ) {
    problems.push({
      field: "datapointsToAlarm",
      message: `is ${datapoints}; expected a whole number from 1 to evaluationPeriods (${alarm.evaluationPeriods})`,
    });
  }
  return problems;
}

/** Why a value cannot be a CloudWatch alarm name, or undefined; the caller shows the value. */
export function alarmNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_ALARM_NAME_LENGTH) {
    return `must have 1-${MAX_ALARM_NAME_LENGTH} characters`;
  }
  if ([...name].some((char) => char.charCodeAt(0) < 32)) return "cannot contain control characters";
  return undefined;
}

/**
 * Why an alarm cannot be named in a composite alarm rule, or undefined. Names appear there in
 * double quotes, so a quote would end the name early.
 */
export function ruleAlarmNameProblem(name: string): string | undefined {
  return (
    alarmNameProblem(name) ??
    (name.includes('"') ? "cannot contain a double quote (it appears quoted in alarm rules)" : undefined)
  );
}

/** The rule of a composite alarm that is in ALARM whenever any of `alarmNames` is. */
export function anyAlarmRule(alarmNames: readonly string[]): string {
  return alarmNames.map((alarm) => `ALARM(${JSON.stringify(alarm)})`).join(" OR ");
}
