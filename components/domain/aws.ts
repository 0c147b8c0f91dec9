/**
 * The limits AWS enforces on what the components create, stated once: the config schema checks a
 * stack file against them, and each component checks its args against them when used on its own.
 */

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
    : `must contain "${VERSION_PLACEHOLDER}" so each colour gets its own artifact, got ${JSON.stringify(template)}`;
}

/** The S3 key of one colour's artifact. */
export function artifactKey(template: string, version: string): string {
  return template.split(VERSION_PLACEHOLDER).join(version);
}
