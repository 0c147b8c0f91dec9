/**
 * Alarm states from CloudWatch `DescribeAlarms`, for the rollout driver's alarm gate.
 */
import {
  type CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import type { AlarmReading, AlarmSource, AlarmStateValue } from "../../ports";

/** DescribeAlarms accepts at most 100 names per request. */
export const MAX_ALARM_NAMES_PER_REQUEST = 100;

const STATES: readonly AlarmStateValue[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

/** Options of a `CloudWatchAlarmSource`. */
export interface CloudWatchAlarmSourceOptions {
  /** The CloudWatch client of the stack's account and region. */
  readonly client: CloudWatchClient;
}

/**
 * Reads metric and composite alarms by name. Names CloudWatch does not know are absent from the
 * answer (DescribeAlarms omits them silently): the driver compares what came back with what it
 * expected. Errors are thrown as they come, because the driver owns the retry policy and counts
 * consecutive failures.
 */
export class CloudWatchAlarmSource implements AlarmSource {
  private readonly client: CloudWatchClient;

  constructor(options: CloudWatchAlarmSourceOptions) {
    this.client = options.client;
  }

  /** The alarms among `names` that exist, each with its state and evaluation state. */
  async read(names: readonly string[], signal?: AbortSignal): Promise<AlarmReading[]> {
    const unique = [...new Set(names)];
    const readings: AlarmReading[] = [];
    for (let start = 0; start < unique.length; start += MAX_ALARM_NAMES_PER_REQUEST) {
      const batch = unique.slice(start, start + MAX_ALARM_NAMES_PER_REQUEST);
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: batch,
            // Without AlarmTypes, DescribeAlarms returns metric alarms only: a watched composite
            // alarm would look missing.
            AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
            MaxRecords: MAX_ALARM_NAMES_PER_REQUEST,
            NextToken: nextToken,
          }),
          { abortSignal: signal },
        );
        for (const alarm of page.MetricAlarms ?? []) readings.push(toReading(alarm));
        for (const alarm of page.CompositeAlarms ?? []) readings.push(toReading(alarm));
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return readings;
  }
}

function toReading(alarm: MetricAlarm | CompositeAlarm): AlarmReading {
  const name = alarm.AlarmName;
  if (!name) throw new Error("DescribeAlarms returned an alarm without AlarmName");
  const state = STATES.find((value) => value === alarm.StateValue);
  if (!state) {
    throw new Error(
      `alarm ${name} has StateValue ${JSON.stringify(alarm.StateValue)}; expected OK, ALARM or INSUFFICIENT_DATA`,
    );
  }
  // Only metric alarms carry EvaluationState; a composite alarm's members carry their own.
  const evaluationState = "EvaluationState" in alarm ? alarm.EvaluationState : undefined;
  return {
    name,
    state,
    ...(evaluationState ? { evaluationState } : {}),
    ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
    ...(alarm.StateUpdatedTimestamp ? { updatedAt: alarm.StateUpdatedTimestamp.getTime() } : {}),
  };
}
