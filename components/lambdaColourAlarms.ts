/**
 * The CloudWatch alarms that judge one colour of a Lambda blue/green service: one published version
 * behind the weighted alias.
 *
 * Invocations through an alias are published per executed version with the dimensions
 * `FunctionName`, `Resource` (`<function>:<alias>`) and `ExecutedVersion` (the version number): that
 * is how two versions behind one weighted alias are told apart. Every metric here uses all three.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmThreshold, AlarmsConfig, Colour } from "../infra/config/schema";

/** The built-in Lambda alarm blocks of `bluegreen:alarms`. */
export type LambdaAlarmThresholds = Pick<
  AlarmsConfig,
  "lambdaErrorRate" | "lambdaThrottles" | "lambdaDurationP95"
>;

/** The arguments of a {@link LambdaColourAlarms}. */
export interface LambdaColourAlarmsArgs {
  /** The colour judged; it names and describes the alarms. */
  readonly colour: Colour;
  /** The function's name (the `FunctionName` dimension). */
  readonly functionName: pulumi.Input<string>;
  /** The weighted alias the colour is reached through (`Resource` is `<function>:<alias>`). */
  readonly aliasName: pulumi.Input<string>;
  /** The colour's published version number (the `ExecutedVersion` dimension). */
  readonly version: pulumi.Input<string>;
  /**
   * Thresholds from `bluegreen:alarms`: error rate in percent, throttles as a count per period, p95
   * duration in seconds. Plain values, because `enabled` decides whether an alarm exists.
   */
  readonly thresholds: LambdaAlarmThresholds;
  /**
   * Where the composite alarm notifies (SNS topic ARNs). Members notify nobody, so one incident sends
   * one message.
   * @default no notifications
   */
  readonly alarmActions?: pulumi.Input<string>[];
  /**
   * The composite alarm's name. CloudWatch does not generate names for composite alarms, so stacks
   * sharing an account and region need distinct ones.
   * @default the component name
   */
  readonly compositeAlarmName?: string;
  /**
   * Tags for every alarm.
   * @default no tags
   */
  readonly tags?: Readonly<Record<string, string>>;
}

const LAMBDA_NAMESPACE = "AWS/Lambda";

/** One colour's Lambda alarms and the composite that is in ALARM when any of them is. */
export class LambdaColourAlarms extends pulumi.ComponentResource {
  /**
   * The composite alarm. A composite's `ALARM(...)` terms are false for a member in
   * INSUFFICIENT_DATA, so the composite alone cannot tell "no data" from "healthy": read the members
   * for the insufficient-data policy.
   */
  public readonly compositeAlarmName: pulumi.Output<string>;
  /** The metric alarms behind the composite, in the order error rate, throttles, duration. */
  public readonly memberAlarmNames: pulumi.Output<string[]>;
  /** The metric alarms that were enabled. */
  public readonly memberAlarms: readonly aws.cloudwatch.MetricAlarm[];
  /** The composite alarm. */
  public readonly compositeAlarm: aws.cloudwatch.CompositeAlarm;

  constructor(name: string, args: LambdaColourAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:aws:LambdaColourAlarms", name, {}, opts);

    const { colour, thresholds } = args;
    const compositeAlarmName = args.compositeAlarmName ?? name;
    this.validate(name, compositeAlarmName, thresholds);

    const tags = args.tags ? { ...args.tags } : undefined;
    const dimensions = {
      FunctionName: args.functionName,
      Resource: pulumi.interpolate`${args.functionName}:${args.aliasName}`,
      ExecutedVersion: args.version,
    };
    const metric = (metricName: string, stat: string, period: number) => ({
      namespace: LAMBDA_NAMESPACE,
      metricName,
      stat,
      period,
      dimensions,
    });

    const members: aws.cloudwatch.MetricAlarm[] = [];

    const errorRate = thresholds.lambdaErrorRate;
    if (errorRate.enabled) {
      members.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-error-rate`,
          {
            alarmDescription: `bluegreen: ${colour} version's errors above ${errorRate.threshold}% of its invocations`,
            comparisonOperator: "GreaterThanThreshold",
            threshold: errorRate.threshold,
            evaluationPeriods: errorRate.evaluationPeriods,
            datapointsToAlarm: errorRate.datapointsToAlarm,
            metricQueries: [
              { id: "errors", metric: metric("Errors", "Sum", errorRate.period), returnData: false },
              {
                id: "invocations",
                metric: metric("Invocations", "Sum", errorRate.period),
                returnData: false,
              },
              {
                id: "error_rate",
                // Errors is absent in a minute without errors; FILL makes that 0%. A minute without
                // invocations stays empty (no division), so it is not reported as 0%.
                expression: "100 * FILL(errors, 0) / invocations",
                label: `${colour} error rate (%)`,
                returnData: true,
              },
            ],
            // No invocations yet is evidence of neither health nor failure: INSUFFICIENT_DATA lets the
            // driver apply its explicit policy instead of this alarm deciding.
            treatMissingData: "missing",
            tags,
          },
          { parent: this },
        ),
      );
    }

    const throttles = thresholds.lambdaThrottles;
    if (throttles.enabled) {
      members.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-throttles`,
          {
            alarmDescription: `bluegreen: ${colour} version throttled more than ${throttles.threshold} invocations in ${throttles.period}s`,
            comparisonOperator: "GreaterThanThreshold",
            threshold: throttles.threshold,
            evaluationPeriods: throttles.evaluationPeriods,
            datapointsToAlarm: throttles.datapointsToAlarm,
            namespace: LAMBDA_NAMESPACE,
            metricName: "Throttles",
            statistic: "Sum",
            period: throttles.period,
            dimensions,
            // A period without a Throttles data point throttled nothing. Whether the version saw any
            // traffic at all is the error-rate and duration alarms' question; answering it here too
            // would hold a healthy, busy version in INSUFFICIENT_DATA.
            treatMissingData: "notBreaching",
            tags,
          },
          { parent: this },
        ),
      );
    }

    const duration = thresholds.lambdaDurationP95;
    if (duration.enabled) {
      members.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-duration-p95`,
          {
            alarmDescription: `bluegreen: ${colour} version's p95 duration above ${duration.threshold}s`,
            comparisonOperator: "GreaterThanThreshold",
            // The config is in seconds; Lambda publishes Duration in milliseconds.
            threshold: duration.threshold * 1000,
            evaluationPeriods: duration.evaluationPeriods,
            datapointsToAlarm: duration.datapointsToAlarm,
            namespace: LAMBDA_NAMESPACE,
            metricName: "Duration",
            extendedStatistic: "p95",
            period: duration.period,
            dimensions,
            // A canary at a small weight sees few invocations per period; those are exactly the
            // samples being judged, so a percentile over few samples still counts.
            evaluateLowSampleCountPercentiles: "evaluate",
            // Without invocations there is no latency to judge: leave the verdict to the driver's policy.
            treatMissingData: "missing",
            tags,
          },
          { parent: this },
        ),
      );
    }

    const memberNames = members.map((alarm) => alarm.name);
    this.memberAlarms = members;
    this.memberAlarmNames = pulumi.all(memberNames);
    this.compositeAlarm = new aws.cloudwatch.CompositeAlarm(
      `${name}-composite`,
      {
        alarmName: compositeAlarmName,
        alarmDescription: `bluegreen: the ${colour} version is failing (any of its alarms is in ALARM)`,
        alarmRule: this.memberAlarmNames.apply((names) => compositeRule(names)),
        actionsEnabled: args.alarmActions !== undefined && args.alarmActions.length > 0,
        alarmActions: args.alarmActions,
        tags,
      },
      { parent: this },
    );
    this.compositeAlarmName = this.compositeAlarm.alarmName;

    this.registerOutputs({
      compositeAlarmName: this.compositeAlarmName,
      memberAlarmNames: this.memberAlarmNames,
    });
  }

  private validate(name: string, compositeAlarmName: string, thresholds: LambdaAlarmThresholds): void {
    const fail = (message: string): never => {
      throw new pulumi.ResourceError(message, this);
    };
    // Alarm names are quoted inside the composite rule; a quote or parenthesis would break the rule.
    for (const [what, value] of [
      ["the component name", name],
      ["compositeAlarmName", compositeAlarmName],
    ]) {
      if (/["()]/.test(value) || value.length === 0 || value.length > 255) {
        fail(`${what} must be 1-255 characters without quotes or parentheses, got ${JSON.stringify(value)}`);
      }
    }
    const keys = ["lambdaErrorRate", "lambdaThrottles", "lambdaDurationP95"] as const;
    for (const key of keys) checkThreshold(`alarms.${key}`, thresholds[key], fail);
    if (thresholds.lambdaErrorRate.enabled && thresholds.lambdaErrorRate.threshold >= 100) {
      fail(
        `alarms.lambdaErrorRate.threshold is a percent and an error rate cannot exceed 100%, got ${thresholds.lambdaErrorRate.threshold}; use a value such as 5`,
      );
    }
    if (!keys.some((key) => thresholds[key].enabled)) {
      fail(
        `every Lambda alarm is disabled (alarms.lambdaErrorRate, lambdaThrottles, lambdaDurationP95): enable at least one, or nothing judges the new version during a rollout`,
      );
    }
  }
}

/** The composite alarm rule: ALARM when any member is. */
export function compositeRule(memberNames: readonly string[]): string {
  return memberNames.map((alarmName) => `ALARM("${alarmName}")`).join(" OR ");
}

function checkThreshold(path: string, alarm: AlarmThreshold, fail: (message: string) => never): void {
  if (!alarm.enabled) return;
  if (!Number.isFinite(alarm.threshold) || alarm.threshold < 0) {
    fail(`${path}.threshold must be a number of at least 0, got ${alarm.threshold}`);
  }
  if (!Number.isInteger(alarm.period) || alarm.period < 60 || alarm.period % 60 !== 0) {
    fail(
      `${path}.period must be a multiple of 60 seconds: Lambda publishes one data point a minute, got ${alarm.period}s; use "1m" or more`,
    );
  }
  if (!Number.isInteger(alarm.evaluationPeriods) || alarm.evaluationPeriods < 1) {
    fail(`${path}.evaluationPeriods must be a whole number of at least 1, got ${alarm.evaluationPeriods}`);
  }
  if (alarm.period * alarm.evaluationPeriods > 86_400) {
    fail(
      `${path}: period x evaluationPeriods is ${alarm.period * alarm.evaluationPeriods}s; CloudWatch allows at most one day (86400s)`,
    );
  }
  const datapoints = alarm.datapointsToAlarm;
  if (datapoints !== undefined && (datapoints < 1 || datapoints > alarm.evaluationPeriods)) {
    fail(
      `${path}.datapointsToAlarm must be from 1 to evaluationPeriods (${alarm.evaluationPeriods}), got ${datapoints}`,
    );
  }
}
