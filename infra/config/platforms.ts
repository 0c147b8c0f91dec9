/**
 * The platform blocks of the `bluegreen:` namespace: the network the platform team owns, the load
 * balancer, the ECS and Lambda settings of each colour, and the two Kubernetes Deployments with
 * how their traffic is weighted.
 */
import { z } from "zod";
import {
  ALIAS_NAME_PATTERN,
  CLUSTER_ARN_PATTERN,
  DEAD_LETTER_TARGET_ARN_PATTERN,
  DEFAULT_HEALTH_CHECK,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_SSL_POLICY,
  DEFAULT_TEST_LISTENER_PORT,
  DNS_LABEL_PATTERN,
  ENVIRONMENT_NAME_PATTERN,
  FARGATE_CPU_UNITS,
  IPV4_CIDR_PATTERN,
  LAMBDA_ENVIRONMENT_NAME_PATTERN,
  LOG_RETENTION_DAYS,
  MAX_LABEL_LENGTH,
  MAX_ROUTE_HOSTNAMES,
  QUANTITY_PATTERN,
  SECRET_REFERENCE_ARN_PATTERN,
  STICKINESS_SECONDS,
  SUBNET_ID_PATTERN,
  VPC_ID_PATTERN,
  artifactKeyTemplateProblem,
  fargateSizeProblem,
  healthCheckTimeoutProblem,
  imageRepositoryProblem,
  isDnsSubdomain,
  isRouteHostname,
  listenerPortProblems,
} from "../../components/domain/rules";
import { describe } from "../../components/domain/traffic";
import { arn, checkedText, documented, environment, integer, matching, port } from "./fields";

const subnetId = matching(SUBNET_ID_PATTERN, 'a subnet ID such as "subnet-0abc1234"');
const cidr = matching(IPV4_CIDR_PATTERN, 'an IPv4 CIDR such as "10.0.0.0/16"');

/** `bluegreen:network`: the VPC the platform team owns. */
export const networkSchema = z.strictObject({
  vpcId: documented(
    matching(VPC_ID_PATTERN, 'a VPC ID such as "vpc-0abc1234"'),
    "the VPC the platform team owns",
  ),
  publicSubnetIds: documented(
    z
      .array(subnetId)
      .min(2, { error: "an Application Load Balancer needs subnets in at least two Availability Zones" }),
    "load balancer subnets, at least two Availability Zones",
  ),
  privateSubnetIds: documented(
    z.array(subnetId).min(1, { error: "give at least one subnet for the tasks" }),
    "task subnets",
  ),
  assignPublicIp: documented(z.boolean().prefault(false), "only for task subnets without a NAT gateway"),
  ingressCidrs: documented(
    z
      .array(cidr)
      .min(1, { error: 'list at least one CIDR, such as "0.0.0.0/0" for everyone' })
      .prefault(["0.0.0.0/0"]),
    "who may reach the production listener",
  ),
  testIngressCidrs: documented(
    z
      .array(cidr)
      .min(1, { error: 'list at least one CIDR, such as "10.0.0.0/8" for the pipelines\' network' })
      .prefault(["10.0.0.0/8"]),
    "who may reach the test listener (pipelines)",
  ),
});

const healthCheckSchema = z
  .strictObject({
    path: documented(
      matching(/^\//, 'a path starting with "/"').prefault(DEFAULT_HEALTH_CHECK.path),
      "the path checked",
    ),
    matcher: documented(
      z.string().prefault(DEFAULT_HEALTH_CHECK.matcher),
      "the status codes that count as healthy",
    ),
    interval: documented(
      integer("seconds between health checks", 5, 300).prefault(DEFAULT_HEALTH_CHECK.interval),
      "seconds between checks",
    ),
    timeout: documented(
      integer("seconds", 2, 120).prefault(DEFAULT_HEALTH_CHECK.timeout),
      "seconds a check may take",
    ),
    healthyThreshold: documented(
      integer("a count", 2, 10).prefault(DEFAULT_HEALTH_CHECK.healthyThreshold),
      "passes before a target is healthy",
    ),
    unhealthyThreshold: documented(
      integer("a count", 2, 10).prefault(DEFAULT_HEALTH_CHECK.unhealthyThreshold),
      "failures before a target is unhealthy",
    ),
  })
  .superRefine((check, ctx) => {
    const problem = healthCheckTimeoutProblem(check.timeout, check.interval);
    if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["timeout"], message: problem });
  });

const stickinessSchema = z
  .strictObject({
    enabled: documented(z.boolean(), "forward-action stickiness"),
    duration: documented(
      integer("a number of seconds", STICKINESS_SECONDS.min, STICKINESS_SECONDS.max).optional(),
      "seconds a client stays pinned to a colour; required when enabled. A warning says when it outlasts every bake",
    ),
  })
  .superRefine((stickiness, ctx) => {
    if (stickiness.enabled && stickiness.duration === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["duration"],
        message: `required when stickiness is enabled: seconds from ${STICKINESS_SECONDS.min} to ${STICKINESS_SECONDS.max}, for example 300`,
      });
    }
  });

/** `bluegreen:alb`: the load balancer in front of an ECS (or Kubernetes `alb` mode) service. */
export const albSchema = z
  .strictObject({
    existingLoadBalancerArn: documented(
      arn(
        "elasticloadbalancing",
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shared/0123456789abcdef",
      ).optional(),
      "reuse a load balancer; listeners are still created on it",
      { default: "create one" },
    ),
    internal: documented(z.boolean().prefault(false), "an internal load balancer"),
    certificateArn: documented(
      arn("acm", "arn:aws:acm:eu-west-1:123456789012:certificate/…").optional(),
      "an ACM certificate turns on HTTPS on 443 and a redirect from 80",
      { default: "HTTP" },
    ),
    sslPolicy: documented(z.string().prefault(DEFAULT_SSL_POLICY), "the TLS policy of the HTTPS listeners"),
    listenerPort: documented(port().optional(), "the production listener's port", { default: "443 or 80" }),
    testListenerPort: documented(
      port().prefault(DEFAULT_TEST_LISTENER_PORT),
      "the test listener, which sends 100% to the idle colour",
    ),
    stickiness: documented(stickinessSchema.optional(), "forward-action stickiness", { default: "off" }),
    healthCheck: documented(healthCheckSchema.prefault({}), "the target groups' health check"),
    deregistrationDelay: documented(
      integer("seconds", 0, 3_600).prefault(30),
      "seconds in-flight requests get when a target leaves",
    ),
    idleTimeout: documented(
      integer("seconds", 1, 4_000).prefault(60),
      "seconds an idle connection stays open",
    ),
  })
  .superRefine((alb, ctx) => {
    const ports = { https: alb.certificateArn !== undefined, ...alb };
    for (const problem of listenerPortProblems(ports)) {
      ctx.addIssue({ code: "custom", path: problem.field ? [problem.field] : [], message: problem.message });
    }
  });

/** An image repository without a tag: each colour runs `<repository>:<slot version>`. */
export function imageRepository(example: string) {
  return checkedText((image) => imageRepositoryProblem(image, example));
}

/** `bluegreen:ecs`: the Fargate service each colour runs. */
export const ecsSchema = z
  .strictObject({
    image: documented(
      imageRepository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout"),
      "repository without a tag; each colour runs `<image>:<slot version>`",
    ),
    containerPort: documented(port().prefault(8080), "the port the container listens on"),
    cpu: documented(
      z
        .literal(FARGATE_CPU_UNITS, {
          error: (issue) =>
            `expected Fargate CPU units ${FARGATE_CPU_UNITS.join(", ")}, got ${describe(issue.input)}`,
        })
        .prefault(256),
      "Fargate CPU units; checked against the valid CPU/memory pairs",
    ),
    memory: documented(integer("MiB", 512, 30_720).prefault(512), "Fargate memory in MiB"),
    desiredCount: documented(
      integer("a task count", 1, 1_000).prefault(2),
      "tasks per colour; both colours keep their tasks so a revert needs no scale-up",
    ),
    clusterArn: documented(
      matching(
        CLUSTER_ARN_PATTERN,
        'a cluster ARN such as "arn:aws:ecs:eu-west-1:123456789012:cluster/apps"',
      ).optional(),
      "reuse an ECS cluster",
      { default: "create one" },
    ),
    environment: documented(
      environment(ENVIRONMENT_NAME_PATTERN).prefault({}),
      "plain environment variables",
    ),
    secrets: documented(
      z
        .record(
          matching(ENVIRONMENT_NAME_PATTERN, "an environment variable name such as DB_PASSWORD"),
          matching(
            SECRET_REFERENCE_ARN_PATTERN,
            'a Secrets Manager secret or SSM parameter ARN such as "arn:aws:secretsmanager:eu-west-1:123456789012:secret:checkout/db"',
          ),
        )
        .prefault({}),
      "variables read from Secrets Manager or SSM by ARN (values never pass through config)",
    ),
    logRetentionDays: documented(
      z
        .literal(LOG_RETENTION_DAYS, {
          error: (issue) =>
            `expected a CloudWatch Logs retention such as 7, 14, 30, 90 or 365, got ${describe(issue.input)}`,
        })
        .prefault(DEFAULT_LOG_RETENTION_DAYS),
      "days CloudWatch Logs keeps the tasks' logs",
    ),
    healthCheckGracePeriod: documented(
      integer("seconds", 0, 2_147_483_647).prefault(60),
      "seconds ECS ignores failing health checks of a new task",
    ),
  })
  .superRefine((ecs, ctx) => {
    const problem = fargateSizeProblem(ecs.cpu, ecs.memory);
    if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["memory"], message: problem });
  });

function bucketMessage(issue: { input?: unknown }): string {
  return `expected an S3 bucket name of 3 to 63 characters, got ${describe(issue.input)}`;
}

/** `bluegreen:lambda`: the function whose published versions are the two colours. */
export const lambdaSchema = z.strictObject({
  runtime: documented(z.string().prefault("nodejs22.x"), "the Lambda runtime"),
  handler: documented(z.string().prefault("index.handler"), "the function's handler"),
  architecture: documented(
    z
      .enum(["x86_64", "arm64"], {
        error: (issue) => `expected "x86_64" or "arm64", got ${describe(issue.input)}`,
      })
      .prefault("arm64"),
    "the instruction set",
  ),
  memorySize: documented(integer("MiB", 128, 10_240).prefault(256), "memory in MiB"),
  timeout: documented(integer("seconds", 1, 900).prefault(30), "seconds an invocation may run"),
  code: documented(
    z.strictObject({
      s3Bucket: documented(
        z
          .string({ error: bucketMessage })
          .check(z.minLength(3, { error: bucketMessage }), z.maxLength(63, { error: bucketMessage })),
        "the bucket the artifacts live in",
      ),
      s3KeyTemplate: documented(
        checkedText(artifactKeyTemplateProblem),
        "the artifact's key; `{version}` is replaced by the slot version",
      ),
    }),
    "where each version's code artifact lives",
  ),
  aliasName: documented(
    z
      .string()
      .regex(ALIAS_NAME_PATTERN, { error: "alias names are letters, digits, - and _, and not all digits" })
      .prefault("live"),
    "the alias clients invoke",
  ),
  environment: documented(environment(LAMBDA_ENVIRONMENT_NAME_PATTERN).prefault({}), "environment variables"),
  deadLetterTargetArn: documented(
    matching(DEAD_LETTER_TARGET_ARN_PATTERN, "an SQS queue or SNS topic ARN").optional(),
    "an SQS queue or SNS topic for failed asynchronous invocations",
    { default: "none" },
  ),
});

/** How a Kubernetes service's traffic is weighted. */
export const KUBERNETES_ROUTING_MODES = ["alb", "gateway"] as const;
/** A Kubernetes routing mode. */
export type KubernetesRoutingMode = (typeof KUBERNETES_ROUTING_MODES)[number];

const quantity = (example: string) =>
  matching(QUANTITY_PATTERN, `a Kubernetes quantity such as "${example}"`);
const dnsLabel = matching(
  DNS_LABEL_PATTERN,
  "a DNS label (lower-case letters, digits, hyphens; at most 63)",
).max(MAX_LABEL_LENGTH, {
  error: (issue) => `expected a DNS label of at most 63 characters, got ${describe(issue.input)}`,
});

function validated(rule: (value: string) => boolean, form: string) {
  return checkedText((value) => (rule(value) ? undefined : `expected ${form}, got ${describe(value)}`));
}

const MODE = "`alb` or `gateway`: how the colours' traffic is weighted";

const gatewayRouting = z.strictObject({
  mode: documented(z.literal("gateway"), MODE),
  gateway: documented(
    z.strictObject({
      name: documented(validated(isDnsSubdomain, 'a Gateway name such as "public"'), "the Gateway's name"),
      namespace: documented(dnsLabel.optional(), "the Gateway's namespace", { default: "the route's" }),
      sectionName: documented(
        validated(isDnsSubdomain, 'a listener name of the Gateway such as "https"').optional(),
        "the Gateway listener to attach to",
        { default: "every listener" },
      ),
    }),
    "the Gateway the route attaches to",
    { required: "gateway mode" },
  ),
  hostnames: documented(
    z
      .array(
        validated(isRouteHostname, 'a lower-case host name such as "shop.example.com" or "*.example.com"'),
      )
      .max(MAX_ROUTE_HOSTNAMES, { error: `an HTTPRoute takes at most ${MAX_ROUTE_HOSTNAMES} host names` })
      .prefault([]),
    "gateway mode: host names the route answers; none means every host name of the Gateway's listener",
  ),
  servicePort: documented(port().prefault(80), "gateway mode: the port of each colour's Service"),
});

/** `bluegreen:kubernetes`: the two Deployments and how their traffic is weighted. */
export const kubernetesSchema = z
  .strictObject({
    namespace: documented(dnsLabel.optional(), "the namespace of the stack's resources", {
      default: "`<service>-<stack>`",
    }),
    image: documented(
      imageRepository("registry.example.com/checkout"),
      "repository without a tag; each colour runs `<image>:<slot version>`",
    ),
    containerPort: documented(port().prefault(8080), "the port the container listens on"),
    replicas: documented(
      integer("a replica count", 1, 1_000).prefault(2),
      "pods per colour; both colours keep their pods, so a revert needs no scale-up",
    ),
    resources: documented(
      z
        .strictObject({
          requests: documented(
            z
              .strictObject({
                cpu: documented(quantity("250m").prefault("250m"), "CPU each pod requests"),
                memory: documented(quantity("256Mi").prefault("256Mi"), "memory each pod requests"),
              })
              .prefault({}),
            "what the scheduler reserves for each pod",
          ),
          limits: documented(
            z
              .strictObject({
                cpu: documented(quantity("500m").prefault("500m"), "CPU each pod may use"),
                memory: documented(quantity("512Mi").prefault("512Mi"), "memory each pod may use"),
              })
              .prefault({}),
            "what each pod may use at most",
          ),
        })
        .prefault({}),
      "requests and limits of each pod",
    ),
    probes: documented(
      z
        .strictObject({
          readinessPath: documented(
            matching(/^\//, 'a path starting with "/"').prefault("/health"),
            "readiness probe path",
          ),
          livenessPath: documented(
            matching(/^\//, 'a path starting with "/"').prefault("/health"),
            "liveness probe path",
          ),
          initialDelaySeconds: documented(
            integer("seconds", 0, 3_600).prefault(5),
            "seconds before the first probe",
          ),
          periodSeconds: documented(integer("seconds", 1, 3_600).prefault(10), "seconds between probes"),
        })
        .prefault({}),
      "the pods' HTTP probes",
    ),
    minAvailable: documented(
      integer("a pod count", 0, 1_000).prefault(1),
      "pods of a colour that stay up during voluntary disruptions; must stay below `replicas`",
    ),
    environment: documented(environment(ENVIRONMENT_NAME_PATTERN).prefault({}), "environment variables"),
    routing: documented(
      z.discriminatedUnion(
        "mode",
        [z.strictObject({ mode: documented(z.literal("alb"), MODE) }), gatewayRouting],
        {
          error: (issue) =>
            `expected routing.mode "alb" or "gateway", got ${describe((issue.input as { mode?: unknown } | undefined)?.mode)}`,
        },
      ),
      "how the colours' traffic is weighted",
    ),
  })
  .superRefine((k8s, ctx) => {
    if (k8s.minAvailable >= k8s.replicas) {
      ctx.addIssue({
        code: "custom",
        path: ["minAvailable"],
        message: `must be below replicas (${k8s.replicas}), or no pod could ever be evicted for node maintenance`,
      });
    }
  });
