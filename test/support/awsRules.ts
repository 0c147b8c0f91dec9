/**
 * The rules the real AWS APIs enforce on load balancers, listeners and CloudWatch alarms, checked
 * against the inputs a program sent to the engine mocks. A mock accepts anything; these make a test
 * fail where CreateLoadBalancer, CreateListener or PutMetricAlarm would have.
 *
 * Each check collects every violation and throws one AssertionError that names each resource.
 */
import { AssertionError } from "node:assert";
import type { RecordedResource } from "./pulumi-mocks";

/** What a check reads: the recorded resources (see `resources()` in pulumi-mocks). */
export type Recorded = readonly RecordedResource[];

const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const TARGET_GROUP_TYPES = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"];
const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const LISTENER_RULE_TYPES = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];
const METRIC_ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE_ALARM_TYPE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";

/** Load balancer and target group names: at most 32 characters. */
const MAX_LB_NAME = 32;
/** `namePrefix` is at most 6 characters; the provider fills the rest with a unique ID. */
const MAX_LB_NAME_PREFIX = 6;
/** The provider appends `-` and 7 random characters to an auto-named load balancer or target group. */
const AUTONAME_SUFFIX = 8;
const LB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const MAX_FORWARD_TARGET_GROUPS = 5;
const MAX_WEIGHT = 999;
const MAX_STICKINESS_SECONDS = 604_800;
/** AWS namespaces whose metrics arrive once a minute: shorter periods evaluate gaps. */
const ONE_MINUTE_NAMESPACES = ["AWS/ApplicationELB", "AWS/Lambda", "AWS/ECS"];
const MAX_EVALUATION_SECONDS = 86_400;
const TREAT_MISSING_DATA = ["breaching", "notBreaching", "ignore", "missing"];
const MAX_ALARM_RULE_LENGTH = 10_240;

function of(resources: Recorded, types: readonly string[]): RecordedResource[] {
  return resources.filter((resource) => types.includes(resource.type));
}

function label(resource: RecordedResource): string {
  return `${resource.type} "${resource.name}"`;
}

function report(check: string, problems: string[]): void {
  if (problems.length > 0) {
    throw new AssertionError({
      message: `${check}: ${problems.length} violation(s)\n  - ${problems.join("\n  - ")}`,
    });
  }
}

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/**
 * Load balancer and target group names: at most 32 letters, digits and hyphens, no leading or
 * trailing hyphen, and no load balancer name starting with "internal-". Auto-named resources are
 * checked as the provider will name them (logical name plus an 8-character suffix); a `namePrefix`
 * may have at most 6 characters.
 */
export function assertLoadBalancerNames(resources: Recorded): void {
  const problems: string[] = [];
  for (const resource of of(resources, [...LOAD_BALANCER_TYPES, ...TARGET_GROUP_TYPES])) {
    const isLoadBalancer = LOAD_BALANCER_TYPES.includes(resource.type);
    const { name, namePrefix } = resource.inputs;
    if (typeof name !== "string" && typeof namePrefix === "string") {
      if (namePrefix.length > MAX_LB_NAME_PREFIX || !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(namePrefix)) {
        problems.push(
          `${label(resource)}: namePrefix ${JSON.stringify(namePrefix)} must be 1-${MAX_LB_NAME_PREFIX} letters, digits or hyphens, not starting with a hyphen`,
        );
      }
      if (isLoadBalancer && namePrefix.toLowerCase().startsWith("internal-")) {
        problems.push(`${label(resource)}: a load balancer name cannot start with "internal-"`);
      }
      continue;
    }
    // The provider names an auto-named resource `<logical name>-<7 random characters>`.
    const physical = typeof name === "string" ? name : `${resource.name}-a1b2c3d`;
    const origin =
      typeof name === "string"
        ? "name"
        : `auto-name from "${resource.name}" plus ${AUTONAME_SUFFIX} characters`;
    if (physical.length > MAX_LB_NAME) {
      problems.push(
        `${label(resource)}: ${origin} ${JSON.stringify(physical)} has ${physical.length} characters, more than ${MAX_LB_NAME}`,
      );
    }
    if (!LB_NAME.test(physical)) {
      problems.push(
        `${label(resource)}: ${origin} ${JSON.stringify(physical)} must be letters, digits and hyphens, not starting or ending with a hyphen`,
      );
    }
    if (isLoadBalancer && physical.toLowerCase().startsWith("internal-")) {
      problems.push(
        `${label(resource)}: a load balancer name cannot start with "internal-" (got ${JSON.stringify(physical)})`,
      );
    }
  }
  report("load balancer names", problems);
}

/** Forward blocks of listener default actions and listener rule actions. */
function forwardActions(
  resources: Recorded,
): { resource: RecordedResource; action: Record<string, unknown> }[] {
  const found: { resource: RecordedResource; action: Record<string, unknown> }[] = [];
  for (const resource of of(resources, LISTENER_TYPES)) {
    for (const action of (resource.inputs.defaultActions ?? []) as Record<string, unknown>[]) {
      if (action.type === "forward") found.push({ resource, action });
    }
  }
  for (const resource of of(resources, LISTENER_RULE_TYPES)) {
    for (const action of (resource.inputs.actions ?? []) as Record<string, unknown>[]) {
      if (action.type === "forward") found.push({ resource, action });
    }
  }
  return found;
}

/**
 * Listener forward actions: 1-5 target groups, each weight an integer 0-999, at least one weight
 * above 0 (or the action sends traffic nowhere), stickiness 1-604800 seconds when enabled.
 */
export function assertForwardActions(resources: Recorded): void {
  const problems: string[] = [];
  for (const { resource, action } of forwardActions(resources)) {
    const forward = action.forward as
      | {
          targetGroups?: { arn?: unknown; weight?: unknown }[];
          stickiness?: { enabled?: unknown; duration?: unknown };
        }
      | undefined;
    if (forward === undefined) {
      if (typeof action.targetGroupArn !== "string") {
        problems.push(`${label(resource)}: a forward action needs targetGroupArn or a forward block`);
      }
      continue;
    }
    const groups = forward.targetGroups ?? [];
    if (groups.length === 0 || groups.length > MAX_FORWARD_TARGET_GROUPS) {
      problems.push(
        `${label(resource)}: a forward action takes 1-${MAX_FORWARD_TARGET_GROUPS} target groups, got ${groups.length}`,
      );
    }
    const arns = groups.map((group) => group.arn);
    if (new Set(arns).size !== arns.length) {
      problems.push(`${label(resource)}: a forward action lists a target group twice`);
    }
    if (typeof action.targetGroupArn === "string" && !arns.includes(action.targetGroupArn)) {
      problems.push(
        `${label(resource)}: targetGroupArn ${action.targetGroupArn} is not among the forward block's groups`,
      );
    }
    const weights = groups.map((group) => group.weight);
    for (const weight of weights) {
      if (weight !== undefined && (!isInteger(weight) || weight < 0 || weight > MAX_WEIGHT)) {
        problems.push(
          `${label(resource)}: weight ${JSON.stringify(weight)} must be an integer from 0 to ${MAX_WEIGHT}`,
        );
      }
    }
    if (groups.length > 1 && weights.some((weight) => weight === undefined)) {
      problems.push(`${label(resource)}: with several target groups every group needs an explicit weight`);
    }
    if (
      groups.length > 0 &&
      weights.every((weight) => weight !== undefined) &&
      !weights.some((w) => isInteger(w) && w > 0)
    ) {
      problems.push(`${label(resource)}: every weight is 0, so the action sends traffic nowhere`);
    }
    const stickiness = forward.stickiness;
    if (stickiness?.enabled === true) {
      const duration = stickiness.duration;
      if (!isInteger(duration) || duration < 1 || duration > MAX_STICKINESS_SECONDS) {
        problems.push(
          `${label(resource)}: stickiness duration ${JSON.stringify(duration)} must be whole seconds from 1 to ${MAX_STICKINESS_SECONDS}`,
        );
      }
    }
  }
  report("listener forward actions", problems);
}

/**
 * Listeners: no two on one load balancer and port. HTTPS listeners carry a certificate; HTTP ones
 * carry neither certificate nor SSL policy; redirects use HTTP_301 or HTTP_302.
 */
export function assertListenerPortsUnique(resources: Recorded): void {
  const problems: string[] = [];
  const seen = new Map<string, RecordedResource>();
  for (const resource of of(resources, LISTENER_TYPES)) {
    const { loadBalancerArn, protocol, port, certificateArn, sslPolicy } = resource.inputs;
    const effectivePort = port ?? (protocol === "HTTPS" ? 443 : 80);
    const key = `${String(loadBalancerArn)}:${String(effectivePort)}`;
    const earlier = seen.get(key);
    if (earlier) {
      problems.push(
        `${label(resource)}: port ${effectivePort} on ${String(loadBalancerArn)} is taken by ${label(earlier)}`,
      );
    } else {
      seen.set(key, resource);
    }
    if (protocol === "HTTPS" && typeof certificateArn !== "string") {
      problems.push(`${label(resource)}: an HTTPS listener needs certificateArn`);
    }
    if ((protocol ?? "HTTP") === "HTTP" && (certificateArn !== undefined || sslPolicy !== undefined)) {
      problems.push(`${label(resource)}: an HTTP listener takes no certificateArn or sslPolicy`);
    }
    for (const action of (resource.inputs.defaultActions ?? []) as Record<string, unknown>[]) {
      const redirect = action.redirect as { statusCode?: unknown } | undefined;
      if (action.type === "redirect" && !["HTTP_301", "HTTP_302"].includes(String(redirect?.statusCode))) {
        problems.push(
          `${label(resource)}: redirect statusCode ${JSON.stringify(redirect?.statusCode)} must be HTTP_301 or HTTP_302`,
        );
      }
    }
  }
  report("listener ports", problems);
}

/** Target group health checks and deregistration within what CreateTargetGroup accepts. */
export function assertTargetGroupsValid(resources: Recorded): void {
  const problems: string[] = [];
  for (const resource of of(resources, TARGET_GROUP_TYPES)) {
    const { healthCheck, deregistrationDelay, targetType } = resource.inputs;
    if (targetType !== undefined && !["instance", "ip", "lambda", "alb"].includes(targetType)) {
      problems.push(
        `${label(resource)}: targetType ${JSON.stringify(targetType)} is not instance, ip, lambda or alb`,
      );
    }
    if (
      deregistrationDelay !== undefined &&
      (!isInteger(deregistrationDelay) || deregistrationDelay < 0 || deregistrationDelay > 3_600)
    ) {
      problems.push(
        `${label(resource)}: deregistrationDelay ${JSON.stringify(deregistrationDelay)} must be 0-3600 seconds`,
      );
    }
    if (healthCheck === undefined) continue;
    const { interval, timeout, healthyThreshold, unhealthyThreshold } = healthCheck;
    const ranges: [string, unknown, number, number][] = [
      ["interval", interval, 5, 300],
      ["timeout", timeout, 2, 120],
      ["healthyThreshold", healthyThreshold, 2, 10],
      ["unhealthyThreshold", unhealthyThreshold, 2, 10],
    ];
    for (const [field, value, min, max] of ranges) {
      if (value !== undefined && (!isInteger(value) || value < min || value > max)) {
        problems.push(
          `${label(resource)}: healthCheck.${field} ${JSON.stringify(value)} must be ${min}-${max}`,
        );
      }
    }
    if (isInteger(interval) && isInteger(timeout) && timeout >= interval) {
      problems.push(
        `${label(resource)}: healthCheck.timeout ${timeout} must be shorter than interval ${interval}`,
      );
    }
  }
  report("target groups", problems);
}

function checkPeriod(
  problems: string[],
  resource: RecordedResource,
  where: string,
  period: unknown,
  namespace: unknown,
): void {
  if (period === undefined) return;
  if (
    !isInteger(period) ||
    period < 1 ||
    (period < 60 && ![10, 20, 30].includes(period)) ||
    (period >= 60 && period % 60 !== 0)
  ) {
    problems.push(
      `${label(resource)}: ${where} period ${JSON.stringify(period)} must be 10, 20, 30 or a multiple of 60`,
    );
  } else if (
    typeof namespace === "string" &&
    ONE_MINUTE_NAMESPACES.includes(namespace) &&
    period % 60 !== 0
  ) {
    problems.push(
      `${label(resource)}: ${where} period ${period}s on ${namespace}, which publishes once a minute: use a multiple of 60`,
    );
  }
}

interface MetricQuery {
  id?: unknown;
  expression?: unknown;
  returnData?: unknown;
  period?: unknown;
  metric?: { metricName?: unknown; namespace?: unknown; period?: unknown; stat?: unknown };
}

/** The names a composite rule may reference: explicit names, and auto-names as `<logical>-<7 chars>`. */
function alarmNameMatchers(
  resources: Recorded,
  externalAlarmNames: readonly string[],
): ((name: string) => boolean)[] {
  const matchers: ((name: string) => boolean)[] = externalAlarmNames.map((known) => (name) => name === known);
  for (const resource of of(resources, [METRIC_ALARM_TYPE])) {
    const explicit = resource.inputs.name;
    if (typeof explicit === "string") matchers.push((name) => name === explicit);
    else
      matchers.push(
        (name) =>
          name.length === resource.name.length + AUTONAME_SUFFIX && name.startsWith(`${resource.name}-`),
      );
  }
  for (const resource of of(resources, [COMPOSITE_ALARM_TYPE])) {
    const alarmName = resource.inputs.alarmName;
    if (typeof alarmName === "string") matchers.push((name) => name === alarmName);
  }
  return matchers;
}

/**
 * CloudWatch alarms as PutMetricAlarm and PutCompositeAlarm accept them, and as they can judge
 * honestly: periods of 10, 20, 30 s or a multiple of 60 (only multiples of 60 on one-minute AWS
 * namespaces), period x evaluationPeriods at most one day, datapointsToAlarm within
 * evaluationPeriods, metric math with exactly one returned series and no single-metric fields at the
 * top level, and composite rules that reference only alarms that exist (here or in
 * `externalAlarmNames`).
 */
export function assertAlarmsValid(resources: Recorded, externalAlarmNames: readonly string[] = []): void {
  const problems: string[] = [];
  for (const resource of of(resources, [METRIC_ALARM_TYPE])) {
    const inputs = resource.inputs;
    const queries = (inputs.metricQueries ?? []) as MetricQuery[];
    const periods: number[] = [];
    if (queries.length > 0) {
      for (const field of [
        "metricName",
        "namespace",
        "statistic",
        "extendedStatistic",
        "period",
        "dimensions",
      ]) {
        if (inputs[field] !== undefined) {
          problems.push(`${label(resource)}: a metric-math alarm takes no top-level ${field}`);
        }
      }
      const returned = queries.filter((query) => query.returnData !== false);
      if (returned.length !== 1) {
        problems.push(
          `${label(resource)}: metric math must return exactly one series (returnData true, or unset), got ${returned.length}: ${returned.map((query) => String(query.id)).join(", ") || "none"}`,
        );
      }
      const ids = queries.map((query) => query.id);
      for (const query of queries) {
        if (typeof query.id !== "string" || !/^[a-z][A-Za-z0-9_]*$/.test(query.id)) {
          problems.push(
            `${label(resource)}: query id ${JSON.stringify(query.id)} must start with a lower-case letter`,
          );
        }
        const hasMetric = query.metric !== undefined;
        const hasExpression = typeof query.expression === "string";
        if (hasMetric === hasExpression) {
          problems.push(
            `${label(resource)}: query ${String(query.id)} needs exactly one of metric or expression`,
          );
        }
        if (hasExpression) {
          // Functions are upper case (FILL, SUM, SEARCH); every lower-case name outside quotes is a query id.
          const bare = (query.expression as string).replace(/'[^']*'|"[^"]*"/g, "");
          for (const id of bare.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? []) {
            if (!ids.includes(id)) {
              problems.push(
                `${label(resource)}: expression of ${String(query.id)} references unknown query ${id}`,
              );
            }
          }
        }
        checkPeriod(
          problems,
          resource,
          `query ${String(query.id)}`,
          query.metric?.period,
          query.metric?.namespace,
        );
        checkPeriod(problems, resource, `query ${String(query.id)}`, query.period, undefined);
        if (query.metric !== undefined) {
          if (query.metric.stat === undefined)
            problems.push(`${label(resource)}: query ${String(query.id)} needs a stat`);
          if (isInteger(query.metric.period)) periods.push(query.metric.period);
        }
        if (isInteger(query.period)) periods.push(query.period);
      }
    } else {
      if (typeof inputs.metricName !== "string" || typeof inputs.namespace !== "string") {
        problems.push(`${label(resource)}: a single-metric alarm needs metricName and namespace`);
      }
      if ((inputs.statistic === undefined) === (inputs.extendedStatistic === undefined)) {
        problems.push(`${label(resource)}: give exactly one of statistic or extendedStatistic`);
      }
      if (
        inputs.extendedStatistic !== undefined &&
        !/^(p|tm|wm|tc|ts)\d{1,2}(\.\d+)?$/.test(String(inputs.extendedStatistic))
      ) {
        problems.push(
          `${label(resource)}: extendedStatistic ${JSON.stringify(inputs.extendedStatistic)} is not a percentile such as p95`,
        );
      }
      if (inputs.period === undefined)
        problems.push(`${label(resource)}: a single-metric alarm needs a period`);
      checkPeriod(problems, resource, "alarm", inputs.period, inputs.namespace);
      if (isInteger(inputs.period)) periods.push(inputs.period);
    }
    const evaluationPeriods = inputs.evaluationPeriods;
    if (!isInteger(evaluationPeriods) || evaluationPeriods < 1) {
      problems.push(
        `${label(resource)}: evaluationPeriods ${JSON.stringify(evaluationPeriods)} must be a whole number of at least 1`,
      );
    } else {
      const longest = Math.max(0, ...periods);
      if (longest * evaluationPeriods > MAX_EVALUATION_SECONDS) {
        problems.push(
          `${label(resource)}: period ${longest}s x evaluationPeriods ${evaluationPeriods} = ${longest * evaluationPeriods}s exceeds one day`,
        );
      }
      const datapoints = inputs.datapointsToAlarm;
      if (
        datapoints !== undefined &&
        (!isInteger(datapoints) || datapoints < 1 || datapoints > evaluationPeriods)
      ) {
        problems.push(
          `${label(resource)}: datapointsToAlarm ${JSON.stringify(datapoints)} must be from 1 to evaluationPeriods ${evaluationPeriods}`,
        );
      }
    }
    if (inputs.threshold === undefined && inputs.thresholdMetricId === undefined) {
      problems.push(`${label(resource)}: needs a threshold`);
    }
    if (inputs.treatMissingData !== undefined && !TREAT_MISSING_DATA.includes(inputs.treatMissingData)) {
      problems.push(
        `${label(resource)}: treatMissingData ${JSON.stringify(inputs.treatMissingData)} is not one of ${TREAT_MISSING_DATA.join(", ")}`,
      );
    }
  }

  const known = alarmNameMatchers(resources, externalAlarmNames);
  for (const resource of of(resources, [COMPOSITE_ALARM_TYPE])) {
    const { alarmRule, alarmName } = resource.inputs;
    if (typeof alarmRule !== "string" || alarmRule.trim() === "") {
      problems.push(`${label(resource)}: alarmRule is empty`);
      continue;
    }
    if (alarmRule.length > MAX_ALARM_RULE_LENGTH) {
      problems.push(
        `${label(resource)}: alarmRule has ${alarmRule.length} characters, more than ${MAX_ALARM_RULE_LENGTH}`,
      );
    }
    const references = [
      ...alarmRule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*(?:"([^"]*)"|'([^']*)'|([^\s)]+))\s*\)/g),
    ].map((match) => match[1] ?? match[2] ?? match[3]);
    if (references.length === 0) {
      problems.push(`${label(resource)}: alarmRule ${JSON.stringify(alarmRule)} references no alarm`);
    }
    for (const reference of references) {
      if (reference === alarmName) {
        problems.push(`${label(resource)}: alarmRule references the composite alarm itself`);
      } else if (!known.some((matches) => matches(reference))) {
        problems.push(
          `${label(resource)}: alarmRule references ${JSON.stringify(reference)}, which is no alarm of this program`,
        );
      }
    }
  }
  report("CloudWatch alarms", problems);
}

/** Every ALB and alarm rule above. */
export function assertAll(resources: Recorded, externalAlarmNames: readonly string[] = []): void {
  const failures: string[] = [];
  const checks: (() => void)[] = [
    () => assertLoadBalancerNames(resources),
    () => assertForwardActions(resources),
    () => assertListenerPortsUnique(resources),
    () => assertTargetGroupsValid(resources),
    () => assertAlarmsValid(resources, externalAlarmNames),
  ];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof AssertionError)) throw error;
      failures.push(error.message);
    }
  }
  if (failures.length > 0) throw new AssertionError({ message: failures.join("\n") });
}
