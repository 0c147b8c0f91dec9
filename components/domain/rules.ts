/**
 * The limits AWS (and an image registry) enforce on what the components create, stated once: the
 * config schema checks a stack file against them, and each component checks its args against them
 * when used on its own. CloudWatch's are the ones that also keep an alarm from lying: AWS
 * publishes the ALB, ECS and Lambda metrics once a minute and evaluates at most one day of periods.
 * Kubernetes' name and label formats, and the Gateway API's, close the file.
 */
import { describe } from "./traffic";

/** A problem with one field of a group of related values; `field` is absent when no single one is at fault. */
export interface FieldProblem {
  readonly field?: string;
  /** Phrased to follow the field's name: "is 80, ...". */
  readonly message: string;
}

/** The start of an ARN of an AWS service in any partition (aws, aws-cn, aws-us-gov). */
export function arnPattern(service: string): RegExp {
  return new RegExp(`^arn:aws[a-z-]*:${service}:`);
}

/** An ECS cluster's ARN. */
export const CLUSTER_ARN_PATTERN = /^arn:aws[a-z-]*:ecs:[^:]*:\d{12}:cluster\/.+$/;
/** A Secrets Manager secret or SSM parameter, as a container's `valueFrom` names it. */
export const SECRET_REFERENCE_ARN_PATTERN =
  /^arn:aws[a-z-]*:(secretsmanager|ssm):[^:]*:\d{12}:(secret:|parameter\/)/;
/** A target group's ARN. */
export const TARGET_GROUP_ARN_PATTERN = /^arn:aws[a-z-]*:elasticloadbalancing:[^:]+:\d{12}:targetgroup\//;
/** An SNS topic's ARN. */
export const SNS_TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/;
/** Where Lambda sends failed asynchronous invocations: an SQS queue or an SNS topic. */
export const DEAD_LETTER_TARGET_ARN_PATTERN = /^arn:aws[a-z-]*:(sqs|sns):/;

/** A VPC ID. */
export const VPC_ID_PATTERN = /^vpc-[0-9a-f]{8,17}$/;
/** A subnet ID. */
export const SUBNET_ID_PATTERN = /^subnet-[0-9a-f]{8,17}$/;
/** An IPv4 CIDR block. */
export const IPV4_CIDR_PATTERN = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** The ports a listener, a target or a container can use. */
export const PORT_RANGE = { min: 1, max: 65_535 } as const;

/** Whether a value is a usable port number. */
export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= PORT_RANGE.min && value <= PORT_RANGE.max;
}

/** Seconds an ALB forward action can pin a client to a target group. */
export const STICKINESS_SECONDS = { min: 1, max: 604_800 } as const;

/** Whether a stickiness duration is one an ALB forward action accepts. */
export function isStickinessDuration(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= STICKINESS_SECONDS.min && seconds <= STICKINESS_SECONDS.max;
}

/** The TLS policy of HTTPS listeners when none is given. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** The test listener's port when none is given. */
export const DEFAULT_TEST_LISTENER_PORT = 8443;

/** A target group health check, as `aws.lb.TargetGroup` takes it. */
export interface TargetGroupHealthCheck {
  /** The path requested. */
  readonly path: string;
  /** The status codes that count as healthy, such as "200" or "200-299". */
  readonly matcher: string;
  /** Seconds between checks (5-300). */
  readonly interval: number;
  /** Seconds a check may take; shorter than `interval`. */
  readonly timeout: number;
  /** Passes before a target is healthy (2-10). */
  readonly healthyThreshold: number;
  /** Failures before a target is unhealthy (2-10). */
  readonly unhealthyThreshold: number;
}

/** The target group health check when none is given. */
export const DEFAULT_HEALTH_CHECK: TargetGroupHealthCheck = {
  path: "/health",
  matcher: "200",
  interval: 15,
  timeout: 5,
  healthyThreshold: 3,
  unhealthyThreshold: 3,
};

/** The port of the HTTP listener that redirects to HTTPS when a certificate is set. */
export const HTTP_REDIRECT_PORT = 80;

/** The production listener's port when none is given: 443 with a certificate, else 80. */
export function defaultListenerPort(https: boolean): number {
  return https ? 443 : HTTP_REDIRECT_PORT;
}

/**
 * Ports that collide on one load balancer: the test listener needs its own port, and with HTTPS
 * port 80 belongs to the redirect.
 */
export function listenerPortProblems(ports: {
  readonly https: boolean;
  readonly listenerPort?: number;
  readonly testListenerPort: number;
}): FieldProblem[] {
  const listenerPort = ports.listenerPort ?? defaultListenerPort(ports.https);
  const problems: FieldProblem[] = [];
  if (ports.testListenerPort === listenerPort) {
    problems.push({
      field: "testListenerPort",
      message: `is ${ports.testListenerPort}, the production listener's port; give the test listener a port of its own such as 8443`,
    });
  }
  if (ports.https) {
    for (const [field, port] of [
      ["listenerPort", listenerPort],
      ["testListenerPort", ports.testListenerPort],
    ] as const) {
      if (port === HTTP_REDIRECT_PORT) {
        problems.push({
          field,
          message: `is ${HTTP_REDIRECT_PORT}, which carries the HTTP to HTTPS redirect when a certificate is set; move it off ${HTTP_REDIRECT_PORT}`,
        });
      }
    }
  }
  return problems;
}

/** A target group health check's timeout must end before the next check starts. */
export function healthCheckTimeoutProblem(timeout: number, interval: number): string | undefined {
  return timeout >= interval
    ? `is ${timeout}s; it must be shorter than the health check interval (${interval}s)`
    : undefined;
}

/** The CPU units a Fargate task can have. */
export const FARGATE_CPU_UNITS = [256, 512, 1024, 2048, 4096] as const;
/** CPU units of a Fargate task. */
export type FargateCpu = (typeof FARGATE_CPU_UNITS)[number];

/** Memory (MiB) each CPU size takes: from, to, in steps of. */
const FARGATE_MEMORY: Record<Exclude<FargateCpu, 256>, readonly [number, number, number]> = {
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};
/** 256 CPU units is the one size whose memory options are not a regular 1 GiB ladder. */
const FARGATE_MEMORY_FOR_256 = [512, 1024, 2048];

/** Why a CPU and memory pair is not a Fargate task size, or undefined when it is one. */
export function fargateSizeProblem(cpu: number, memory: number): string | undefined {
  if (!(FARGATE_CPU_UNITS as readonly number[]).includes(cpu)) {
    return `cpu ${cpu} is not a Fargate size; use ${FARGATE_CPU_UNITS.join(", ")}`;
  }
  if (cpu === 256) {
    return FARGATE_MEMORY_FOR_256.includes(memory)
      ? undefined
      : `Fargate with cpu 256 takes memory 512, 1024 or 2048 MiB, got ${memory}`;
  }
  const [min, max, step] = FARGATE_MEMORY[cpu as Exclude<FargateCpu, 256>];
  return memory >= min && memory <= max && memory % step === 0
    ? undefined
    : `Fargate with cpu ${cpu} takes memory from ${min} to ${max} MiB in steps of ${step}, got ${memory}`;
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Days CloudWatch Logs keeps a service's logs when nothing else is said. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** Whether CloudWatch Logs accepts a retention of this many days. */
export function isLogRetentionDays(days: number): boolean {
  return (LOG_RETENTION_DAYS as readonly number[]).includes(days);
}

/** An environment variable name for a container (ECS, Kubernetes). */
export const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Lambda's stricter form: a letter first. */
export const LAMBDA_ENVIRONMENT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A Lambda function name. */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A Lambda alias name: letters, digits, `-` and `_`, and not all digits (that would read as a version). */
export const ALIAS_NAME_PATTERN = /^(?!^[0-9]+$)[a-zA-Z0-9-_]+$/;
/** Where a slot's version goes in an artifact key template. */
export const VERSION_PLACEHOLDER = "{version}";

/** Why an S3 key template cannot give each colour its own artifact, or undefined. */
export function artifactKeyTemplateProblem(template: string): string | undefined {
  return template.includes(VERSION_PLACEHOLDER)
    ? undefined
    : `must contain "${VERSION_PLACEHOLDER}" so each colour gets its own artifact, got ${describe(template)}`;
}

/** The S3 key of one colour's artifact. */
export function artifactKey(template: string, version: string): string {
  return template.split(VERSION_PLACEHOLDER).join(version);
}

/** The longest load balancer or target group name AWS accepts. */
export const MAX_TARGET_GROUP_NAME_LENGTH = 32;
/** The provider appends `-` and 7 random characters to an auto-named load balancer or target group. */
export const AUTONAME_SUFFIX_LENGTH = 8;
/** The longest colour suffix the components append to a service's name for a named child. */
export const LONGEST_COLOUR_SUFFIX = "-green";

/**
 * The longest service name. Target groups are named `<service>-green` and the provider appends an
 * 8-character random suffix, all within AWS's 32 characters.
 */
export const MAX_SERVICE_NAME_LENGTH =
  MAX_TARGET_GROUP_NAME_LENGTH - LONGEST_COLOUR_SUFFIX.length - AUTONAME_SUFFIX_LENGTH;

/** Lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/** Whether a name fits the service name pattern (the length limit is the caller's to apply). */
export function isServiceName(name: string): boolean {
  return SERVICE_NAME_PATTERN.test(name);
}

/** An image repository: registry host (and port) and path, lower case, no tag. */
export const IMAGE_REPOSITORY_PATTERN = /^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/;

/** Whether an image reference carries a tag: a `:` after the registry host's part. */
export function hasImageTag(image: string): boolean {
  return /:[^/]+$/.test(image.replace(/^[^/]+\//, ""));
}

/**
 * Why a value is not an image repository without a tag, or undefined. Each colour runs
 * `<repository>:<slot version>`, so a tag here would be a second one.
 */
export function imageRepositoryProblem(image: string, example: string): string | undefined {
  if (!IMAGE_REPOSITORY_PATTERN.test(image)) {
    return `expected an image repository such as "${example}", got ${describe(image)}`;
  }
  if (hasImageTag(image)) {
    return `give the repository without a tag (the tag comes from bluegreen:slots), got ${describe(image)}`;
  }
  return undefined;
}

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

/** An RFC 1123 label: namespaces, container names, and the parts of a subdomain. */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** An RFC 1035 label: Service names, which also become DNS names and must start with a letter. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** The longest label (and label value) Kubernetes accepts. */
export const MAX_LABEL_LENGTH = 63;
/** The longest DNS subdomain Kubernetes accepts (most object names). */
export const MAX_SUBDOMAIN_LENGTH = 253;
/** A label value: empty, or letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export const LABEL_VALUE_PATTERN = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** A Kubernetes resource quantity such as `250m`, `512Mi` or `1.5`. */
export const QUANTITY_PATTERN = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/** True for an RFC 1123 label of at most 63 characters (a namespace name). */
export function isDnsLabel(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && DNS_LABEL_PATTERN.test(value);
}

/** True for an RFC 1035 label of at most 63 characters (a Service name). */
export function isDns1035Label(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && DNS_1035_LABEL.test(value);
}

/** True for an RFC 1123 subdomain of at most 253 characters (most object names). */
export function isDnsSubdomain(value: string): boolean {
  return (
    value.length <= MAX_SUBDOMAIN_LENGTH && value.split(".").every((part) => DNS_LABEL_PATTERN.test(part))
  );
}

/** True for a label value: empty, or at most 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && LABEL_VALUE_PATTERN.test(value);
}

/** True for a label key: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || !isDnsSubdomain(prefix))) return false;
  return name.length <= MAX_LABEL_LENGTH && LABEL_NAME.test(name);
}

/** How a label value must look, for error messages. */
export const LABEL_VALUE_RULE =
  "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

/** The Gateway API allows at most 16 hostnames per route. */
export const MAX_ROUTE_HOSTNAMES = 16;
/** A precise or wildcard host name as the Gateway API accepts it: no IP address, no port. */
export const ROUTE_HOSTNAME_PATTERN =
  /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** True for a host name an HTTPRoute may answer: lower case, optionally `*.`-prefixed, not an IP. */
export function isRouteHostname(host: string): boolean {
  return host.length <= MAX_SUBDOMAIN_LENGTH && ROUTE_HOSTNAME_PATTERN.test(host) && !IPV4.test(host);
}
