/**
 * Reading a CloudWatch metric alarm the way CloudWatch evaluates it: which metrics it reads, which
 * series it compares with its threshold, and whether that makes it an error-rate or a latency alarm
 * of an ALB target group or a Lambda version, no looser than the SOP.
 */
import {
  PolicyInput,
  PropertyMap,
  PropertyValue,
  UNKNOWN,
  asList,
  asMap,
  asNumber,
  asString,
  isUnknown,
} from "./resource";
import { SopLimits } from "./sop";

/** Where a colour's metrics come from: its ALB target group or its Lambda version. */
export type Platform = "alb" | "lambda";

/** The two alarms the SOP requires for every colour. */
export type AlarmKind = "errorRate" | "latency";

/** The metrics that judge a colour on one platform. */
export interface PlatformMetrics {
  /** The CloudWatch namespace. */
  readonly namespace: string;
  /** Failed requests: the numerator of the error rate. */
  readonly errors: string;
  /** All requests: the denominator of the error rate. */
  readonly requests: string;
  /** The response time metric. */
  readonly latency: string;
  /** How many of the latency metric's units make one second. */
  readonly latencyUnitsPerSecond: number;
}

/** The metrics of each platform, as AWS publishes them. */
export const PLATFORM_METRICS: Readonly<Record<Platform, PlatformMetrics>> = {
  alb: {
    namespace: "AWS/ApplicationELB",
    errors: "HTTPCode_Target_5XX_Count",
    requests: "RequestCount",
    latency: "TargetResponseTime",
    latencyUnitsPerSecond: 1,
  },
  lambda: {
    namespace: "AWS/Lambda",
    errors: "Errors",
    requests: "Invocations",
    // Lambda publishes Duration in milliseconds.
    latency: "Duration",
    latencyUnitsPerSecond: 1000,
  },
};

/** One metric an alarm reads, directly or as a query of its metric math. */
export interface AlarmMetric {
  /** The query id that expressions refer to; absent for an alarm on a single metric. */
  readonly id?: string;
  /** The metric's namespace. */
  readonly namespace: PropertyValue;
  /** The metric's name. */
  readonly metricName: PropertyValue;
  /** The metric's dimensions. */
  readonly dimensions: PropertyValue;
  /** Seconds per datapoint. */
  readonly period: PropertyValue;
  /** `Sum`, `Maximum`, `p95`...: the statistic or extended statistic. */
  readonly stat: PropertyValue;
}

/** The series an alarm compares with its threshold. */
export type ReturnedSeries =
  { readonly metric: AlarmMetric } | { readonly expression: string } | typeof UNKNOWN | undefined;

/** A metric alarm as CloudWatch evaluates it. */
export interface AlarmReading {
  /** The alarm resource. */
  readonly resource: PolicyInput;
  /** Every metric the alarm reads. */
  readonly metrics: readonly AlarmMetric[];
  /** What it compares with the threshold. */
  readonly returned: ReturnedSeries;
}

const ALARMING_OPERATORS = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold"];

/**
 * The first value that is set. Stack validation reads outputs, where the provider reports an unset
 * string as "" and an unset number as 0, so those count as unset too.
 */
function firstSet(...values: PropertyValue[]): PropertyValue {
  return values.find((value) => value !== undefined && value !== null && value !== "" && value !== 0);
}

function metricOf(map: PropertyMap, id?: string): AlarmMetric {
  return {
    ...(id !== undefined ? { id } : {}),
    namespace: map.namespace,
    metricName: map.metricName,
    dimensions: map.dimensions,
    period: map.period,
    stat: firstSet(map.extendedStatistic, map.statistic, map.stat),
  };
}

/** Reads the metrics of an alarm on one metric or on metric math (`metricQueries`). */
export function readAlarm(resource: PolicyInput): AlarmReading {
  const { props } = resource;
  if (isUnknown(props.metricQueries)) return { resource, metrics: [], returned: UNKNOWN };
  const queries = asList(props.metricQueries) ?? [];
  if (queries.length === 0) {
    const metric = metricOf(props);
    return { resource, metrics: [metric], returned: { metric } };
  }
  const metrics: AlarmMetric[] = [];
  let returned: ReturnedSeries;
  for (const entry of queries) {
    const query = asMap(entry);
    if (query === undefined) continue;
    const id = asString(query.id);
    const metric = asMap(query.metric);
    if (metric !== undefined) metrics.push(metricOf(metric, id));
    // CloudWatch compares the one query whose ReturnData is true; an omitted ReturnData is true.
    if (query.returnData === false) continue;
    if (isUnknown(query.returnData) || isUnknown(query.expression) || isUnknown(query.metric)) {
      returned = UNKNOWN;
      continue;
    }
    const expression = asString(query.expression);
    if (expression !== undefined) returned = { expression };
    else if (metric !== undefined) returned = { metric: metricOf(metric, id) };
  }
  return { resource, metrics, returned };
}

function referencesId(expression: string, id: string | undefined): boolean {
  if (id === undefined) return false;
  return new RegExp(`(^|[^A-Za-z0-9_])${id.replace(/[^A-Za-z0-9_]/g, "\\$&")}([^A-Za-z0-9_]|$)`).test(
    expression,
  );
}

/** Whether the alarm judges a platform's error rate or latency, or neither. */
export function alarmKind(alarm: AlarmReading, platform: Platform): AlarmKind | undefined {
  const spec = PLATFORM_METRICS[platform];
  const { returned } = alarm;
  if (returned === undefined || isUnknown(returned)) return undefined;
  if ("metric" in returned) {
    const { metric } = returned;
    return metric.namespace === spec.namespace && metric.metricName === spec.latency ? "latency" : undefined;
  }
  const inNamespace = alarm.metrics.filter((metric) => metric.namespace === spec.namespace);
  const errors = inNamespace.find((metric) => metric.metricName === spec.errors);
  const requests = inNamespace.find((metric) => metric.metricName === spec.requests);
  if (errors === undefined || requests === undefined) return undefined;
  return referencesId(returned.expression, errors.id) && referencesId(returned.expression, requests.id)
    ? "errorRate"
    : undefined;
}

/** An error-rate expression scaled to percent (`100 * errors / requests`), rather than a fraction. */
function isPercent(expression: string): boolean {
  return /(^|[^\w.])100\s*\*|\*\s*100(?![\w.])/.test(expression);
}

/** Seconds of breach the alarm needs before it fires: period × datapoints to alarm. */
function secondsToAlarm(alarm: AlarmReading): { seconds: number; detail: string } | undefined {
  const { props } = alarm.resource;
  const periods: number[] = [];
  const candidates =
    alarm.returned !== undefined && !isUnknown(alarm.returned) && "metric" in alarm.returned
      ? [alarm.returned.metric]
      : alarm.metrics;
  for (const metric of candidates) {
    const period = asNumber(metric.period);
    if (period === undefined) return undefined;
    periods.push(period);
  }
  const count = asNumber(firstSet(props.datapointsToAlarm, props.evaluationPeriods));
  if (periods.length === 0 || count === undefined) return undefined;
  // Metric math evaluates at the longest period of its metrics.
  const period = Math.max(...periods);
  return { seconds: period * count, detail: `${period} s × ${count} datapoint(s)` };
}

function percentile(stat: PropertyValue): number | undefined {
  if (stat === "Maximum") return 100;
  const match = /^p(\d+(?:\.\d+)?)$/.exec(asString(stat) ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * What makes an alarm of the given kind looser than the SOP, one phrase per problem; empty when it
 * complies. A value the engine does not know yet is not held against the alarm: the update sees it.
 */
export function alarmProblems(
  alarm: AlarmReading,
  kind: AlarmKind,
  platform: Platform,
  limits: SopLimits,
): string[] {
  const { props } = alarm.resource;
  const problems: string[] = [];
  const operator = props.comparisonOperator;
  if (typeof operator === "string" && !ALARMING_OPERATORS.includes(operator)) {
    problems.push(`it fires on ${operator}, not when the value rises above the threshold`);
  }
  const threshold = asNumber(props.threshold);
  const window = secondsToAlarm(alarm);
  const maxWindow = kind === "errorRate" ? limits.maxErrorRateWindowSeconds : limits.maxLatencyWindowSeconds;
  if (window !== undefined && window.seconds > maxWindow) {
    problems.push(
      `it needs ${window.seconds} s of breach to fire (${window.detail}), longer than the SOP's ${maxWindow} s`,
    );
  }
  const { returned } = alarm;
  if (returned === undefined || isUnknown(returned)) return problems;
  if (kind === "errorRate" && "expression" in returned) {
    const percent =
      threshold === undefined ? undefined : isPercent(returned.expression) ? threshold : threshold * 100;
    if (percent !== undefined && percent > limits.maxErrorRatePercent) {
      problems.push(`its threshold ${percent}% is above the SOP's ${limits.maxErrorRatePercent}%`);
    }
  }
  if (kind === "latency" && "metric" in returned) {
    const stat = returned.metric.stat;
    const judged = percentile(stat);
    if (!isUnknown(stat) && (judged === undefined || judged < limits.minLatencyPercentile)) {
      problems.push(
        `it judges ${asString(stat) ?? "no statistic"}, not p${limits.minLatencyPercentile} or a higher percentile`,
      );
    }
    const seconds =
      threshold === undefined ? undefined : threshold / PLATFORM_METRICS[platform].latencyUnitsPerSecond;
    if (seconds !== undefined && seconds > limits.maxLatencySeconds) {
      problems.push(`its threshold ${seconds} s is above the SOP's ${limits.maxLatencySeconds} s`);
    }
  }
  return problems;
}
