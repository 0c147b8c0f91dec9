/**
 * The stack config schema: every key in the `bluegreen:` namespace, its type, default and limits.
 *
 * This module imports neither Pulumi nor an AWS SDK, so the program, the rollout driver and the
 * `validate` command share one definition of what a valid stack file is.
 */
import { z } from "zod";
import { parseDuration } from "./duration";

/** The two colours a service runs in. */
export const COLOURS = ["blue", "green"] as const;
/** A colour: `blue` or `green`. */
export type Colour = (typeof COLOURS)[number];

/** The other colour. */
export function otherColour(colour: Colour): Colour {
  return colour === "blue" ? "green" : "blue";
}

/** Platforms a service can run on. */
export const PLATFORMS = ["ecs", "lambda", "kubernetes"] as const;
/** A platform name. */
export type Platform = (typeof PLATFORMS)[number];

/**
 * The longest service name. Target group names are at most 32 characters; the program names them
 * `<service>-green` and the provider appends an 8-character random suffix (`-1a2b3c4`).
 */
export const MAX_SERVICE_NAME_LENGTH = 18;

/** Seconds CloudWatch needs after a minute ends before an ALB/ECS data point is reliably there. */
export const ALB_METRIC_LAG_SECONDS = 60;
/** Lambda data points may arrive minutes late; a bake must cover that lag too. */
export const LAMBDA_METRIC_LAG_SECONDS = 120;

/** A duration written as text ("90s", "5m", "1h30m"), parsed to whole seconds. */
function duration(opts: { min?: number; max?: number } = {}) {
  const min = opts.min ?? 1;
  const max = opts.max ?? 86_400;
  return z.string({ error: 'expected a duration such as "90s", "5m" or "1h30m"' }).transform((text, ctx) => {
    const seconds = parseDuration(text);
    if (seconds === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `expected a duration such as "90s", "5m" or "1h30m", got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    if (seconds < min || seconds > max) {
      ctx.addIssue({
        code: "custom",
        message: `must be between ${min}s and ${max}s, got ${JSON.stringify(text)} (${seconds}s)`,
      });
      return z.NEVER;
    }
    return seconds;
  });
}

function integer(what: string, min: number, max: number) {
  return z
    .number({
      error: (issue) =>
        `expected ${what} (a whole number from ${min} to ${max}), got ${describe(issue.input)}`,
    })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, {
      error: (issue) =>
        `expected ${what} (a whole number from ${min} to ${max}), got ${describe(issue.input)}`,
    });
}

/** Renders a rejected value for an error message, so a reviewer sees exactly what was written. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const percent = z
  .number({
    error: (issue) =>
      typeof issue.input === "string" && /^\s*\d+(\.\d+)?\s*%\s*$/.test(issue.input)
        ? `expected a whole-number percent, got ${describe(issue.input)}: write ${issue.input.replace(/[\s%]/g, "")} without the % sign`
        : `expected a whole-number percent from 0 to 100, got ${describe(issue.input)}`,
  })
  .refine((n) => Number.isInteger(n) && n >= 0 && n <= 100, {
    error: (issue) => `expected a whole-number percent from 0 to 100, got ${describe(issue.input)}`,
  });

const colour = z.enum(COLOURS, {
  error: (issue) => `expected "blue" or "green", got ${describe(issue.input)}`,
});

/** `bluegreen:service` */
export const serviceSchema = z.strictObject({
  /** Lower-case letters, digits and hyphens; used in every AWS name the program creates. */
  name: z
    .string({ error: "expected the service name as text" })
    .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, {
      error: (issue) =>
        `expected lower-case letters, digits and hyphens, starting with a letter, got ${describe(issue.input)}`,
    })
    .max(MAX_SERVICE_NAME_LENGTH, {
      error: (issue) =>
        `must be at most ${MAX_SERVICE_NAME_LENGTH} characters so that "<name>-green" plus the 8-character suffix fits the 32-character target group limit, got ${describe(issue.input)} (${String(issue.input).length})`,
    }),
  platform: z.enum(PLATFORMS, {
    error: (issue) => `expected one of ${PLATFORMS.join(", ")}, got ${describe(issue.input)}`,
  }),
});

/** An image tag or artifact version: what a colour runs. */
const version = z
  .string({
    error: (issue) => `expected a version as text, for example "1.4.2", got ${describe(issue.input)}`,
  })
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, {
    error: (issue) =>
      `expected a version of letters, digits, ".", "_" and "-" (at most 128, as an image tag), got ${describe(issue.input)}`,
  });

const slot = z.strictObject({ version });

/** `bluegreen:slots` */
export const slotsSchema = z.strictObject({ blue: slot, green: slot });

/** `bluegreen:traffic` */
export const trafficSchema = z.strictObject({ blue: percent, green: percent }).superRefine((traffic, ctx) => {
  if (traffic.blue + traffic.green !== 100) {
    ctx.addIssue({
      code: "custom",
      message: `blue ${traffic.blue} + green ${traffic.green} = ${traffic.blue + traffic.green}; the two must sum to 100, for example { blue: 90, green: 10 }`,
    });
  }
});

/** One step of a rollout plan: send `weight` percent to the new colour, then watch it for `bake`. */
const stepSchema = z.strictObject({
  weight: integer("a percent to the new colour", 1, 100),
  bake: duration({ min: 1, max: 86_400 }),
});

/** Named plans. `sop` is the deployment SOP's own. */
export const ROLLOUT_PRESETS = {
  /** The deployment SOP: 10% for 5m, 25% for 5m, 50% for 5m, 100% for 10m. */
  sop: [
    { weight: 10, bake: "5m" },
    { weight: 25, bake: "5m" },
    { weight: 50, bake: "5m" },
    { weight: 100, bake: "10m" },
  ],
  /** Slower and more careful, for production: a 5% canary and 15 minutes of stable metrics at the end. */
  careful: [
    { weight: 5, bake: "10m" },
    { weight: 10, bake: "10m" },
    { weight: 25, bake: "10m" },
    { weight: 50, bake: "10m" },
    { weight: 100, bake: "15m" },
  ],
  /** For development stacks: each bake still covers a 2-minute alarm plus metric lag. */
  quick: [
    { weight: 25, bake: "3m" },
    { weight: 100, bake: "3m" },
  ],
} as const;
/** The name of a preset plan. */
export type RolloutPreset = keyof typeof ROLLOUT_PRESETS;
const presetNames = Object.keys(ROLLOUT_PRESETS) as [RolloutPreset, ...RolloutPreset[]];

const httpCheckPath = z.strictObject({
  path: z
    .string()
    .regex(/^\//, { error: (issue) => `expected a path starting with "/", got ${describe(issue.input)}` }),
  expectStatus: integer("an HTTP status", 100, 599).default(200),
});

/** `bluegreen:rollout` */
export const rolloutSchema = z
  .strictObject({
    preset: z
      .enum(presetNames, {
        error: (issue) => `expected one of ${presetNames.join(", ")}, got ${describe(issue.input)}`,
      })
      .optional(),
    steps: z.array(stepSchema).optional(),
    pollInterval: duration({ min: 1, max: 300 }).default(10),
    insufficientData: z
      .strictObject({
        policy: z
          .enum(["wait", "fail", "ignore"], {
            error: (issue) => `expected "wait", "fail" or "ignore", got ${describe(issue.input)}`,
          })
          .default("wait"),
        deadline: duration({ min: 1, max: 3_600 }).default(300),
      })
      .default({ policy: "wait", deadline: 300 }),
    maxAlarmReadFailures: integer("a count of consecutive failed alarm reads", 1, 100).default(4),
    operationTimeout: duration({ min: 60, max: 7_200 }).default(1_800),
    preTrafficCheck: z
      .strictObject({
        paths: z
          .array(httpCheckPath)
          .min(1)
          .default([{ path: "/health", expectStatus: 200 }]),
        payload: z.string().default("{}"),
        /**
         * The host name the service's certificate names. An HTTPS test listener presents that
         * certificate, so the check sends this name as TLS SNI and Host header to the load balancer.
         */
        host: z
          .string()
          .regex(
            /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/,
            {
              error: (issue) =>
                `expected a host name such as "checkout.example.com", got ${describe(issue.input)}`,
            },
          )
          .optional(),
        timeout: duration({ min: 1, max: 60 }).default(5),
        attempts: integer("a number of attempts", 1, 20).default(3),
        enabled: z.boolean().default(true),
      })
      .default({
        paths: [{ path: "/health", expectStatus: 200 }],
        payload: "{}",
        timeout: 5,
        attempts: 3,
        enabled: true,
      }),
  })
  .superRefine((rollout, ctx) => {
    if (rollout.preset !== undefined && rollout.steps !== undefined) {
      ctx.addIssue({ code: "custom", message: "give either preset or steps, not both" });
    }
    const steps = rollout.steps;
    if (steps === undefined) return;
    if (steps.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["steps"],
        message: "the plan is empty: give at least one step ending at weight 100",
      });
      return;
    }
    steps.forEach((step, index) => {
      if (index > 0 && step.weight <= steps[index - 1].weight) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "weight"],
          message: `weights must strictly increase: step ${index + 1} has ${step.weight} after ${steps[index - 1].weight}`,
        });
      }
    });
    const last = steps[steps.length - 1];
    if (last.weight !== 100) {
      ctx.addIssue({
        code: "custom",
        path: ["steps", steps.length - 1, "weight"],
        message: `the last step must send 100% to the new colour, got ${last.weight}`,
      });
    }
  });

/** One alarm's threshold and evaluation window. */
function alarmSchema(
  defaults: { threshold: number; period: number; evaluationPeriods: number },
  unit: string,
) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      threshold: z
        .number({ error: (issue) => `expected a number (${unit}), got ${describe(issue.input)}` })
        .min(0, {
          error: (issue) => `expected a number (${unit}) of at least 0, got ${describe(issue.input)}`,
        })
        .default(defaults.threshold),
      period: duration({ min: 10, max: 86_400 }).default(defaults.period),
      evaluationPeriods: integer("a number of evaluation periods", 1, 1_440).default(
        defaults.evaluationPeriods,
      ),
      datapointsToAlarm: integer("a number of data points", 1, 1_440).optional(),
    })
    .superRefine((alarm, ctx) => {
      if (alarm.period % 60 !== 0) {
        ctx.addIssue({
          code: "custom",
          path: ["period"],
          message: `AWS publishes these metrics once a minute: a ${alarm.period}s period would evaluate gaps; use a multiple of 60s such as "1m"`,
        });
      }
      if (alarm.period * alarm.evaluationPeriods > 86_400) {
        ctx.addIssue({
          code: "custom",
          message: `period x evaluationPeriods is ${alarm.period * alarm.evaluationPeriods}s; CloudWatch allows at most one day (86400s)`,
        });
      }
      if (alarm.datapointsToAlarm !== undefined && alarm.datapointsToAlarm > alarm.evaluationPeriods) {
        ctx.addIssue({
          code: "custom",
          path: ["datapointsToAlarm"],
          message: `datapointsToAlarm ${alarm.datapointsToAlarm} exceeds evaluationPeriods ${alarm.evaluationPeriods}`,
        });
      }
    })
    .default({ enabled: true, ...defaults });
}

/** The SOP's automatic rollback triggers, as alarm defaults. */
export const ALARM_DEFAULTS = {
  /** SOP: error rate above 5% sustained for 2 minutes. */
  errorRate: { threshold: 5, period: 60, evaluationPeriods: 2 },
  /** SOP: p95 response time above 3 seconds. */
  latencyP95: { threshold: 3, period: 60, evaluationPeriods: 1 },
  /** SOP: health check failures; any unhealthy target. */
  unhealthyHosts: { threshold: 0, period: 60, evaluationPeriods: 1 },
  /** SOP: Lambda error rate above 5% for 2 minutes. */
  lambdaErrorRate: { threshold: 5, period: 60, evaluationPeriods: 2 },
  /** Any throttled invocation of the new version. */
  lambdaThrottles: { threshold: 0, period: 60, evaluationPeriods: 1 },
  /** SOP: p95 duration above 3 seconds. */
  lambdaDurationP95: { threshold: 3, period: 60, evaluationPeriods: 1 },
} as const;

const alarmName = z
  .string()
  .min(1)
  .max(255, { error: "CloudWatch alarm names are at most 255 characters" })
  .refine((name) => ![...name].some((char) => char.charCodeAt(0) < 32), {
    error: "alarm names cannot contain control characters",
  });

/** `bluegreen:alarms` */
export const alarmsSchema = z.strictObject({
  errorRate: alarmSchema(ALARM_DEFAULTS.errorRate, "percent of requests answered 5XX by the targets"),
  latencyP95: alarmSchema(ALARM_DEFAULTS.latencyP95, "seconds of p95 TargetResponseTime"),
  unhealthyHosts: alarmSchema(ALARM_DEFAULTS.unhealthyHosts, "unhealthy targets tolerated"),
  lambdaErrorRate: alarmSchema(ALARM_DEFAULTS.lambdaErrorRate, "percent of invocations that errored"),
  lambdaThrottles: alarmSchema(ALARM_DEFAULTS.lambdaThrottles, "throttled invocations tolerated per period"),
  lambdaDurationP95: alarmSchema(ALARM_DEFAULTS.lambdaDurationP95, "seconds of p95 Duration"),
  /** Alarms the team owns (business metrics), watched like the built-in ones. */
  extra: z.array(alarmName).default([]),
  /**
   * Alarms the team owns that judge one colour (for Kubernetes in gateway mode, where no ALB
   * metrics exist): each colour's composite alarm is built over them.
   */
  colourAlarms: z
    .strictObject({ blue: z.array(alarmName).min(1), green: z.array(alarmName).min(1) })
    .optional(),
  /** Where alarm notifications go. */
  notifications: z
    .strictObject({
      topicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, {
          error: "expected an SNS topic ARN",
        })
        .optional(),
      createTopic: z.boolean().default(false),
    })
    .optional(),
});

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, {
  error: (issue) => `expected a subnet ID such as "subnet-0abc1234", got ${describe(issue.input)}`,
});
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, {
  error: (issue) => `expected an IPv4 CIDR such as "10.0.0.0/16", got ${describe(issue.input)}`,
});

/** `bluegreen:network`: the VPC the platform team owns. */
export const networkSchema = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, {
    error: (issue) => `expected a VPC ID such as "vpc-0abc1234", got ${describe(issue.input)}`,
  }),
  /** Subnets for the load balancer, in at least two Availability Zones (an ALB requires two). */
  publicSubnetIds: z
    .array(subnetId)
    .min(2, { error: "an Application Load Balancer needs subnets in at least two Availability Zones" }),
  /** Subnets for the tasks. */
  privateSubnetIds: z.array(subnetId).min(1, { error: "give at least one subnet for the tasks" }),
  /** Give tasks public IPs (only for subnets without a NAT gateway). */
  assignPublicIp: z.boolean().default(false),
  /** Who may reach the production listener. */
  ingressCidrs: z.array(cidr).min(1).default(["0.0.0.0/0"]),
  /** Who may reach the test listener (pipelines, for pre-traffic checks). */
  testIngressCidrs: z.array(cidr).min(1).default(["10.0.0.0/8"]),
});

const arn = (service: string, example: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), {
    error: (issue) => `expected an ARN such as "${example}", got ${describe(issue.input)}`,
  });

/** `bluegreen:alb`: the load balancer in front of an ECS (or Kubernetes `alb` mode) service. */
export const albSchema = z
  .strictObject({
    /** Reuse a load balancer the platform team owns instead of creating one. */
    existingLoadBalancerArn: arn(
      "elasticloadbalancing",
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shared/0123456789abcdef",
    ).optional(),
    internal: z.boolean().default(false),
    /** An ACM certificate turns on HTTPS on 443 and a redirect from 80. */
    certificateArn: arn("acm", "arn:aws:acm:eu-west-1:123456789012:certificate/…").optional(),
    sslPolicy: z.string().default("ELBSecurityPolicy-TLS13-1-2-2021-06"),
    /** Port of the production listener. @default 443 with a certificate, else 80 */
    listenerPort: integer("a port", 1, 65_535).optional(),
    /** Port of the test listener that sends 100% to the idle colour. */
    testListenerPort: integer("a port", 1, 65_535).default(8443),
    stickiness: z
      .strictObject({
        enabled: z.boolean(),
        /** Seconds a client stays pinned to a target group: 1-604800, required when enabled. */
        duration: integer("a number of seconds", 1, 604_800).optional(),
      })
      .superRefine((stickiness, ctx) => {
        if (stickiness.enabled && stickiness.duration === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["duration"],
            message: "required when stickiness is enabled: seconds from 1 to 604800, for example 300",
          });
        }
      })
      .optional(),
    healthCheck: z
      .strictObject({
        path: z.string().regex(/^\//).default("/health"),
        matcher: z.string().default("200"),
        interval: integer("seconds between health checks", 5, 300).default(15),
        timeout: integer("seconds", 2, 120).default(5),
        healthyThreshold: integer("a count", 2, 10).default(3),
        unhealthyThreshold: integer("a count", 2, 10).default(3),
      })
      .default({
        path: "/health",
        matcher: "200",
        interval: 15,
        timeout: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      }),
    /** Seconds in-flight requests get when a target leaves. */
    deregistrationDelay: integer("seconds", 0, 3_600).default(30),
    idleTimeout: integer("seconds", 1, 4_000).default(60),
  })
  .superRefine((alb, ctx) => {
    if (alb.healthCheck.timeout >= alb.healthCheck.interval) {
      ctx.addIssue({
        code: "custom",
        path: ["healthCheck", "timeout"],
        message: "must be shorter than healthCheck.interval",
      });
    }
    const port = alb.listenerPort ?? (alb.certificateArn ? 443 : 80);
    if (port === alb.testListenerPort || (alb.certificateArn && alb.testListenerPort === 80)) {
      ctx.addIssue({
        code: "custom",
        path: ["testListenerPort"],
        message: `the test listener needs its own port; ${alb.testListenerPort} is already used by the production listener or the HTTP redirect`,
      });
    }
  });

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const FARGATE_MEMORY: Record<number, [number, number, number]> = {
  256: [512, 2048, 1024],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

/** An image repository without a tag: each colour runs `<repository>:<slot version>`. */
function imageRepository(example: string) {
  return z
    .string()
    .regex(/^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/, {
      error: (issue) => `expected an image repository such as "${example}", got ${describe(issue.input)}`,
    })
    .refine((image) => !/:[^/]+$/.test(image.replace(/^[^/]+\//, "")), {
      error: (issue) =>
        `give the repository without a tag (the tag comes from bluegreen:slots), got ${describe(issue.input)}`,
    });
}

/** `bluegreen:ecs`: the Fargate service each colour runs. */
export const ecsSchema = z
  .strictObject({
    /** The image repository without a tag; each colour runs `<image>:<slot version>`. */
    image: imageRepository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout"),
    containerPort: integer("a port", 1, 65_535).default(8080),
    cpu: z
      .union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)], {
        error: (issue) =>
          `expected Fargate CPU units 256, 512, 1024, 2048 or 4096, got ${describe(issue.input)}`,
      })
      .default(256),
    memory: integer("MiB", 512, 30_720).default(512),
    /** Tasks per colour. Both colours keep their tasks, so a revert needs no scale-up. */
    desiredCount: integer("a task count", 1, 1_000).default(2),
    /** Reuse an ECS cluster instead of creating one. */
    clusterArn: arn("ecs", "arn:aws:ecs:eu-west-1:123456789012:cluster/apps").optional(),
    environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    /** Environment variables read from Secrets Manager or SSM by ARN: values never pass through config. */
    secrets: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
        z.string().regex(/^arn:aws[a-z-]*:(secretsmanager|ssm):/, {
          error: "expected a Secrets Manager or SSM parameter ARN",
        }),
      )
      .default({}),
    logRetentionDays: z
      .number()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), {
        error: (issue) =>
          `expected a CloudWatch Logs retention such as 7, 14, 30, 90 or 365, got ${describe(issue.input)}`,
      })
      .default(30),
    healthCheckGracePeriod: integer("seconds", 0, 2_147_483_647).default(60),
  })
  .superRefine((ecs, ctx) => {
    const [min, max, stepSize] = FARGATE_MEMORY[ecs.cpu];
    // 256 CPU units is the one size whose memory options are not a regular 1 GiB ladder.
    const valid =
      ecs.cpu === 256
        ? [512, 1024, 2048].includes(ecs.memory)
        : ecs.memory >= min && ecs.memory <= max && ecs.memory % stepSize === 0;
    if (!valid) {
      ctx.addIssue({
        code: "custom",
        path: ["memory"],
        message:
          ecs.cpu === 256
            ? `Fargate with cpu 256 takes memory 512, 1024 or 2048 MiB, got ${ecs.memory}`
            : `Fargate with cpu ${ecs.cpu} takes memory from ${min} to ${max} MiB in steps of ${stepSize}, got ${ecs.memory}`,
      });
    }
  });

/** `bluegreen:lambda`: the function whose published versions are the two colours. */
export const lambdaSchema = z.strictObject({
  runtime: z.string().default("nodejs22.x"),
  handler: z.string().default("index.handler"),
  architecture: z.enum(["x86_64", "arm64"]).default("arm64"),
  memorySize: integer("MiB", 128, 10_240).default(256),
  timeout: integer("seconds", 1, 900).default(30),
  /** Where each version's code artifact lives: `{version}` is replaced by the slot's version. */
  code: z.strictObject({
    s3Bucket: z.string().min(3).max(63),
    s3KeyTemplate: z.string().refine((key) => key.includes("{version}"), {
      error: (issue) =>
        `must contain "{version}" so each colour gets its own artifact, got ${describe(issue.input)}`,
    }),
  }),
  aliasName: z
    .string()
    .regex(/^(?!^[0-9]+$)[a-zA-Z0-9-_]+$/, {
      error: "alias names are letters, digits, - and _, and not all digits",
    })
    .default("live"),
  environment: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.string()).default({}),
  /** An SQS queue or SNS topic ARN for failed asynchronous invocations. */
  deadLetterTargetArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:(sqs|sns):/)
    .optional(),
});

const quantity = (example: string) =>
  z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, {
    error: (issue) => `expected a Kubernetes quantity such as "${example}", got ${describe(issue.input)}`,
  });
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error: (issue) =>
      `expected a DNS label (lower-case letters, digits, hyphens; at most 63), got ${describe(issue.input)}`,
  })
  .max(63);

/** `bluegreen:kubernetes`: the two Deployments and how their traffic is weighted. */
export const kubernetesSchema = z
  .strictObject({
    /** The namespace of the stack's resources. @default "<service>-<stack>" */
    namespace: dnsLabel.optional(),
    /** The image repository without a tag; each colour runs `<image>:<slot version>`. */
    image: imageRepository("registry.example.com/checkout"),
    containerPort: integer("a port", 1, 65_535).default(8080),
    /** Pods per colour. Both colours keep their pods, so a revert needs no scale-up. */
    replicas: integer("a replica count", 1, 1_000).default(2),
    resources: z
      .strictObject({
        requests: z
          .strictObject({ cpu: quantity("250m").default("250m"), memory: quantity("256Mi").default("256Mi") })
          .default({ cpu: "250m", memory: "256Mi" }),
        limits: z
          .strictObject({ cpu: quantity("500m").default("500m"), memory: quantity("512Mi").default("512Mi") })
          .default({ cpu: "500m", memory: "512Mi" }),
      })
      .default({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } }),
    probes: z
      .strictObject({
        readinessPath: z.string().regex(/^\//).default("/health"),
        livenessPath: z.string().regex(/^\//).default("/health"),
        initialDelaySeconds: integer("seconds", 0, 3_600).default(5),
        periodSeconds: integer("seconds", 1, 3_600).default(10),
      })
      .default({
        readinessPath: "/health",
        livenessPath: "/health",
        initialDelaySeconds: 5,
        periodSeconds: 10,
      }),
    /** Pods of a colour that must stay up during voluntary disruptions. */
    minAvailable: integer("a pod count", 0, 1_000).default(1),
    environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    routing: z.discriminatedUnion(
      "mode",
      [
        z.strictObject({ mode: z.literal("alb") }),
        z.strictObject({
          mode: z.literal("gateway"),
          /** The Gateway the HTTPRoute attaches to. */
          gateway: z.strictObject({
            name: dnsLabel,
            namespace: dnsLabel.optional(),
            sectionName: z.string().optional(),
          }),
          hostnames: z.array(z.string()).default([]),
          /** The port of each colour's Service. */
          servicePort: integer("a port", 1, 65_535).default(80),
        }),
      ],
      {
        error: (issue) =>
          `expected routing.mode "alb" or "gateway", got ${describe((issue.input as { mode?: unknown } | undefined)?.mode)}`,
      },
    ),
  })
  .superRefine((k8s, ctx) => {
    if (k8s.minAvailable >= k8s.replicas && k8s.replicas > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["minAvailable"],
        message: `must be below replicas (${k8s.replicas}), or no pod could ever be evicted for node maintenance`,
      });
    }
  });

/** Keys whose values are secrets: only their presence is checked; values stay Pulumi secrets. */
export const SECRET_KEYS = ["kubeconfig"] as const;

/** Every key of the `bluegreen:` namespace with its schema. */
export const KEY_SCHEMAS = {
  service: serviceSchema,
  slots: slotsSchema,
  traffic: trafficSchema,
  stable: colour,
  revision: integer("a release revision", 0, Number.MAX_SAFE_INTEGER),
  rollout: rolloutSchema,
  alarms: alarmsSchema,
  network: networkSchema,
  alb: albSchema,
  ecs: ecsSchema,
  lambda: lambdaSchema,
  kubernetes: kubernetesSchema,
} as const;

/** Keys every stack must set. */
export const REQUIRED_KEYS = ["service", "slots", "traffic"] as const;

/** A config key of the `bluegreen:` namespace (without the prefix). */
export type ConfigKey = keyof typeof KEY_SCHEMAS;

/** How a Kubernetes service's traffic is weighted. */
export const KUBERNETES_ROUTING_MODES = ["alb", "gateway"] as const;
/** A Kubernetes routing mode. */
export type KubernetesRoutingMode = (typeof KUBERNETES_ROUTING_MODES)[number];

/** The names of the built-in alarm blocks. */
export type BuiltInAlarm = keyof typeof ALARM_DEFAULTS;

/** What a platform (and, on Kubernetes, its routing mode) reads from the config. */
export interface PlatformProfile {
  /** Blocks that must be present. */
  readonly required: ConfigKey[];
  /** Blocks that may be present; any other platform block is a mistake worth flagging. */
  readonly allowed: ConfigKey[];
  /** The built-in alarms that judge a colour. */
  readonly alarms: BuiltInAlarm[];
  /** Seconds AWS needs to publish the alarms' metrics. */
  readonly metricLagSeconds: number;
}

const ALB_ALARMS: BuiltInAlarm[] = ["errorRate", "latencyP95", "unhealthyHosts"];
const LAMBDA_ALARMS: BuiltInAlarm[] = ["lambdaErrorRate", "lambdaThrottles", "lambdaDurationP95"];

/** The profile of a platform; Kubernetes depends on its routing mode. */
export function platformProfile(platform: Platform, kubernetesMode?: KubernetesRoutingMode): PlatformProfile {
  switch (platform) {
    case "ecs":
      return {
        required: ["network", "ecs"],
        allowed: ["network", "alb", "ecs"],
        alarms: ALB_ALARMS,
        metricLagSeconds: ALB_METRIC_LAG_SECONDS,
      };
    case "lambda":
      return {
        required: ["lambda"],
        allowed: ["lambda"],
        alarms: LAMBDA_ALARMS,
        metricLagSeconds: LAMBDA_METRIC_LAG_SECONDS,
      };
    case "kubernetes":
      return kubernetesMode === "gateway"
        ? {
            required: ["kubernetes"],
            allowed: ["kubernetes"],
            alarms: [],
            metricLagSeconds: ALB_METRIC_LAG_SECONDS,
          }
        : {
            required: ["kubernetes", "network"],
            allowed: ["kubernetes", "network", "alb"],
            alarms: ALB_ALARMS,
            metricLagSeconds: ALB_METRIC_LAG_SECONDS,
          };
  }
}

/** Every built-in alarm that applies to some platform. */
export const ALL_BUILT_IN_ALARMS: BuiltInAlarm[] = [...ALB_ALARMS, ...LAMBDA_ALARMS];

export type ServiceConfig = z.infer<typeof serviceSchema>;
export type SlotsConfig = z.infer<typeof slotsSchema>;
export type TrafficSplit = z.infer<typeof trafficSchema>;
export type RolloutConfig = z.infer<typeof rolloutSchema>;
export type AlarmsConfig = z.infer<typeof alarmsSchema>;
export type AlarmThreshold = AlarmsConfig["errorRate"];
export type NetworkConfig = z.infer<typeof networkSchema>;
export type AlbConfig = z.infer<typeof albSchema>;
export type EcsConfig = z.infer<typeof ecsSchema>;
export type LambdaConfig = z.infer<typeof lambdaSchema>;
export type KubernetesConfig = z.infer<typeof kubernetesSchema>;
