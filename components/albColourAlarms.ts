/**
 * The deployment alarms that judge one colour behind an Application Load Balancer: its target 5XX
 * rate, its p95 response time and its unhealthy targets, joined by a composite alarm the rollout
 * driver can watch as one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  AlarmThreshold,
  Colour,
  alarmWindowProblems,
  anyAlarmRule,
  isColour,
  ruleAlarmNameProblem,
} from "./domain";

/** The thresholds of the three ALB alarms. */
export interface AlbAlarmThresholds {
  /** Percent of requests the colour's targets answered with 5XX. */
  readonly errorRate: AlarmThreshold;
  /** Seconds of p95 `TargetResponseTime`. */
  readonly latencyP95: AlarmThreshold;
  /** Unhealthy targets tolerated (0: any unhealthy target breaches). */
  readonly unhealthyHosts: AlarmThreshold;
}

/** Arguments of {@link AlbColourAlarms}. */
export interface AlbColourAlarmsArgs {
  /** The colour these alarms judge. */
  readonly colour: Colour;
  /** `app/<name>/<id>` of the load balancer: the `LoadBalancer` dimension. */
  readonly loadBalancerArnSuffix: pulumi.Input<string>;
  /** `targetgroup/<name>/<id>` of the colour's target group: the `TargetGroup` dimension. */
  readonly targetGroupArnSuffix: pulumi.Input<string>;
  /** Threshold, period and evaluation window of each alarm; disabled ones are not created. */
  readonly thresholds: AlbAlarmThresholds;
  /**
   * SNS topic ARNs notified when the composite alarm enters ALARM and when it returns to OK.
   * @default [] (no notifications; the rollout driver polls the alarm state)
   */
  readonly alarmActions?: pulumi.Input<string>[];
  /**
   * The composite alarm's name. CloudWatch generates no names for composite alarms, so this must be
   * unique in the account and region: include the stack when two stacks share an account.
   * @default the component name
   */
  readonly compositeAlarmName?: string;
  /**
   * Tags for every alarm; they also carry the colour.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

type AlarmKey = keyof AlbAlarmThresholds;

function describePeriods(threshold: AlarmThreshold): string {
  const datapoints = threshold.datapointsToAlarm ?? threshold.evaluationPeriods;
  const period =
    threshold.period % 60 === 0 ? `${threshold.period / 60}-minute` : `${threshold.period}-second`;
  return `in ${datapoints} of ${threshold.evaluationPeriods} ${period} period(s)`;
}

/**
 * The metric alarms that judge one colour behind the ALB, and a composite over them that is in
 * ALARM whenever any of them is.
 */
export class AlbColourAlarms extends pulumi.ComponentResource {
  /** The composite alarm the driver watches for this colour. */
  public readonly compositeAlarmName: pulumi.Output<string>;
  /** The metric alarms behind the composite. */
  public readonly memberAlarmNames: pulumi.Output<string[]>;

  constructor(name: string, args: AlbColourAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:aws:AlbColourAlarms", name, {}, opts);
    this.validate(name, args);

    const { colour, thresholds } = args;
    const tags = { ...(args.tags ?? {}), "bluegreen:colour": colour };
    const dimensions = {
      LoadBalancer: args.loadBalancerArnSuffix,
      TargetGroup: args.targetGroupArnSuffix,
    };
    const window = (threshold: AlarmThreshold) => ({
      evaluationPeriods: threshold.evaluationPeriods,
      datapointsToAlarm: threshold.datapointsToAlarm,
      threshold: threshold.threshold,
      comparisonOperator: "GreaterThanThreshold",
    });
    const members: aws.cloudwatch.MetricAlarm[] = [];

    if (thresholds.errorRate.enabled) {
      const t = thresholds.errorRate;
      members.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-error-rate`,
          {
            alarmDescription: `Target 5XX responses above ${t.threshold}% of requests ${describePeriods(t)}: judges the ${colour} colour; a rollout reverts when it fires.`,
            ...window(t),
            metricQueries: [
              {
                id: "m_5xx",
                returnData: false,
                metric: {
                  namespace: "AWS/ApplicationELB",
                  metricName: "HTTPCode_Target_5XX_Count",
                  stat: "Sum",
                  period: t.period,
                  dimensions,
                },
              },
              {
                id: "m_req",
                returnData: false,
                metric: {
                  namespace: "AWS/ApplicationELB",
                  metricName: "RequestCount",
                  stat: "Sum",
                  period: t.period,
                  dimensions,
                },
              },
              {
                // The ALB publishes no 5XX point for a minute without errors, which is 0%, while a
                // minute without requests has no rate at all: fill only the numerator.
                id: "error_rate",
                expression: "100 * FILL(m_5xx, 0) / m_req",
                label: `${colour} target 5XX rate (%)`,
                returnData: true,
              },
            ],
            // No requests means no evidence either way: the alarm shows INSUFFICIENT_DATA so the
            // driver's explicit insufficient-data policy decides, rather than a silent OK.
            treatMissingData: "missing",
            tags,
          },
          { parent: this },
        ),
      );
    }

    if (thresholds.latencyP95.enabled) {
      const t = thresholds.latencyP95;
      members.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-latency-p95`,
          {
            alarmDescription: `p95 target response time above ${t.threshold}s ${describePeriods(t)}: judges the ${colour} colour; a rollout reverts when it fires.`,
            ...window(t),
            namespace: "AWS/ApplicationELB",
            metricName: "TargetResponseTime",
            extendedStatistic: "p95",
            period: t.period,
            dimensions,
            // Same reasoning as the error rate: without requests there is no latency to judge.
            treatMissingData: "missing",
            // A canary at a few percent sees few requests; ignoring small samples would blind the
            // alarm exactly while the new colour is on trial.
            evaluateLowSampleCountPercentiles: "evaluate",
            tags,
          },
          { parent: this },
        ),
      );
    }

    if (thresholds.unhealthyHosts.enabled) {
      const t = thresholds.unhealthyHosts;
      members.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-unhealthy-hosts`,
          {
            alarmDescription: `More than ${t.threshold} unhealthy target(s) ${describePeriods(t)}: judges the ${colour} colour; a rollout reverts when it fires.`,
            ...window(t),
            namespace: "AWS/ApplicationELB",
            metricName: "UnHealthyHostCount",
            statistic: "Maximum",
            period: t.period,
            dimensions,
            // The ALB reports this count every minute while health checks run, zero included, so a
            // gap means the colour's health is unknown: that must not pass for healthy.
            treatMissingData: "breaching",
            tags,
          },
          { parent: this },
        ),
      );
    }

    this.memberAlarmNames = pulumi.all(members.map((member) => member.name));
    const actions = args.alarmActions ?? [];
    // Only the composite notifies, so one breach of a colour sends one message, not one per member.
    const composite = new aws.cloudwatch.CompositeAlarm(
      `${name}-composite`,
      {
        alarmName: args.compositeAlarmName ?? name,
        alarmDescription: `Any deployment alarm of the ${colour} colour is in ALARM: judges the ${colour} colour as one; a rollout reverts when it fires.`,
        alarmRule: this.memberAlarmNames.apply(anyAlarmRule),
        actionsEnabled: actions.length > 0,
        alarmActions: actions,
        okActions: actions,
        tags,
      },
      { parent: this },
    );
    this.compositeAlarmName = composite.alarmName;

    this.registerOutputs({
      compositeAlarmName: this.compositeAlarmName,
      memberAlarmNames: this.memberAlarmNames,
    });
  }

  private validate(name: string, args: AlbColourAlarmsArgs): void {
    const fail = (message: string): never => {
      throw new pulumi.ResourceError(`AlbColourAlarms ${name}: ${message}`, this);
    };
    if (!isColour(args.colour)) {
      fail(`colour is ${JSON.stringify(args.colour)}; expected "blue" or "green"`);
    }
    const keys: AlarmKey[] = ["errorRate", "latencyP95", "unhealthyHosts"];
    if (!keys.some((key) => args.thresholds[key].enabled)) {
      fail(
        "every alarm is disabled; enable at least one of thresholds.errorRate, latencyP95 or unhealthyHosts, or the colour would always look healthy",
      );
    }
    for (const key of keys) {
      const threshold = args.thresholds[key];
      if (!threshold.enabled) continue;
      for (const problem of alarmWindowProblems(threshold)) {
        fail(`thresholds.${key}${problem.field ? `.${problem.field} ` : ": "}${problem.message}`);
      }
    }
    const compositeName = args.compositeAlarmName ?? name;
    const nameProblem = ruleAlarmNameProblem(compositeName);
    if (nameProblem !== undefined) {
      fail(`the composite alarm name ${JSON.stringify(compositeName)} ${nameProblem}`);
    }
  }
}
