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
import { AlarmThreshold, Colour, alarmWindowProblems, anyAlarmRule, ruleAlarmNameProblem } from "./domain";

/** The thresholds and windows of the three Lambda alarms. */
export interface LambdaAlarmThresholds {
  /** Percent of the version's invocations that errored. */
  readonly lambdaErrorRate: AlarmThreshold;
  /** Throttled invocations tolerated per period (0: any throttle breaches). */
  readonly lambdaThrottles: AlarmThreshold;
  /** Seconds of the version's p95 `Duration`. */
  readonly lambdaDurationP95: AlarmThreshold;
}

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
   * Error rate in percent, throttles as a count per period, p95 duration in seconds. Plain values,
   * because `enabled` decides whether an alarm exists.
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
            // The threshold is given in seconds; Lambda publishes Duration in milliseconds.
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
        alarmRule: this.memberAlarmNames.apply(compositeRule),
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
    // The member alarms are named after the component, and every name appears in the composite rule.
    for (const [what, value] of [
      ["the component name", name],
      ["compositeAlarmName", compositeAlarmName],
    ]) {
      const problem = ruleAlarmNameProblem(value);
      if (problem !== undefined) fail(`${what} ${problem}, got ${JSON.stringify(value)}`);
    }
    const keys = ["lambdaErrorRate", "lambdaThrottles", "lambdaDurationP95"] as const;
    for (const key of keys) {
      if (!thresholds[key].enabled) continue;
      for (const problem of alarmWindowProblems(thresholds[key])) {
        fail(`thresholds.${key}${problem.field ? `.${problem.field} ` : ": "}${problem.message}`);
      }
    }
    if (thresholds.lambdaErrorRate.enabled && thresholds.lambdaErrorRate.threshold >= 100) {
      fail(
        `thresholds.lambdaErrorRate.threshold is a percent and an error rate cannot exceed 100%, got ${thresholds.lambdaErrorRate.threshold}; use a value such as 5`,
      );
    }
    if (!keys.some((key) => thresholds[key].enabled)) {
      fail(
        `every Lambda alarm is disabled (thresholds.lambdaErrorRate, lambdaThrottles, lambdaDurationP95): enable at least one, or nothing judges the new version during a rollout`,
      );
    }
  }
}

/** The composite alarm rule: ALARM when any member is. */
export const compositeRule: (memberNames: readonly string[]) => string = anyAlarmRule;
