/**
 * An ECS Fargate service in two colours: per colour a task definition running that slot's image
 * version and a service attached to that colour's target group. The serving colours keep their
 * tasks; the idle colour's count is left to the scale-down and scale-up done outside Pulumi.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  CLUSTER_ARN_PATTERN,
  COLOURS,
  Colour,
  DEFAULT_LOG_RETENTION_DAYS,
  ENVIRONMENT_NAME_PATTERN,
  LOG_RETENTION_DAYS,
  SECRET_REFERENCE_ARN_PATTERN,
  fargateSizeProblem,
  imageRepositoryProblem,
  isLogRetentionDays,
  isPort,
  isServiceName,
} from "./domain";

/** Arguments of {@link EcsBlueGreenService}. */
export interface EcsBlueGreenServiceArgs {
  /** The service name: names the container and the task definition families (`<service>-<colour>`). */
  readonly serviceName: string;
  /** The VPC the tasks run in. */
  readonly vpcId: pulumi.Input<string>;
  /** Subnets for the tasks. */
  readonly subnetIds: pulumi.Input<string>[];
  /**
   * Give tasks public IPs; only for subnets without a NAT gateway, where image pulls need one.
   * @default false
   */
  readonly assignPublicIp?: boolean;
  /** The load balancer's security group: the only source the tasks admit. */
  readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
  /** Each colour's target group; a colour's service registers its tasks there. */
  readonly targetGroupArns: Record<Colour, pulumi.Input<string>>;
  /** The image repository without a tag; each colour runs `<image>:<version>`. */
  readonly image: string;
  /** The port the container listens on and registers with its target group. */
  readonly containerPort: number;
  /** Fargate CPU units of a task: 256, 512, 1024, 2048 or 4096. */
  readonly cpu: number;
  /** Memory of a task in MiB; one of the sizes Fargate offers for `cpu`. */
  readonly memory: number;
  /** Tasks per serving colour: the count `pulumi up` holds each colour to, except the idle one. */
  readonly desiredCount: number;
  /**
   * The colour that serves nothing and is no revert target (`idleColour` of the domain). Its task
   * count is left to whatever scaled it (`ignoreChanges: ["desiredCount"]`): it is scaled down
   * after the rollback window and up before it takes traffic, outside `pulumi up`, and a plain
   * `pulumi up` must neither undo that nor show it as drift. Plain, because it decides an option.
   * @default none: every colour's count is held to `desiredCount`
   */
  readonly idleColour?: Colour;
  /** Seconds ECS ignores failing load balancer health checks of a new task. */
  readonly healthCheckGracePeriod: number;
  /**
   * Run in this ECS cluster instead of creating one. Plain, because it decides whether the cluster
   * exists.
   * @default a new cluster with Container Insights
   */
  readonly clusterArn?: string;
  /**
   * Plain environment variables of the container.
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Environment variables read from Secrets Manager or SSM by ARN: values never pass through Pulumi.
   * @default {}
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * Days CloudWatch Logs keeps the tasks' logs; one of the retentions CloudWatch accepts.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /** The image tag each colour runs (`<image>:<version>`). */
  readonly versions: Record<Colour, pulumi.Input<string>>;
  /**
   * Tags for every resource; services and their tasks also carry their colour and version.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/** Keeps the policy on a Secrets Manager ARN valid when the container asks for one JSON key of the secret. */
function secretResourceArn(valueFrom: string): string {
  // `arn:aws:secretsmanager:<region>:<account>:secret:<name>` may be followed by
  // `:<json-key>:<version-stage>:<version-id>` in valueFrom; IAM matches the secret's own ARN.
  const parts = valueFrom.split(":");
  return parts[2] === "secretsmanager" ? parts.slice(0, 7).join(":") : valueFrom;
}

/** The name of a cluster from its ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`). */
function clusterNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

const ASSUME_BY_ECS_TASKS = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});

/**
 * A Fargate service per colour behind the colour's target group, sharing a cluster, a log group,
 * the IAM roles and a task security group that admits only the load balancer.
 */
export class EcsBlueGreenService extends pulumi.ComponentResource {
  /** The cluster's name. */
  public readonly clusterName: pulumi.Output<string>;
  /** The cluster's ARN (the existing one when reused). */
  public readonly clusterArn: pulumi.Output<string>;
  /** Each colour's ECS service name. */
  public readonly serviceNames: Record<Colour, pulumi.Output<string>>;
  /** The tasks' security group. */
  public readonly taskSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: EcsBlueGreenServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:aws:EcsBlueGreenService", name, {}, opts);
    this.validate(name, args);

    const { serviceName, containerPort } = args;
    const tags = args.tags ?? {};
    const environmentVariables = args.environment ?? {};
    const secretReferences = args.secrets ?? {};

    if (args.clusterArn !== undefined) {
      this.clusterArn = pulumi.output(args.clusterArn);
      this.clusterName = pulumi.output(clusterNameFromArn(args.clusterArn));
    } else {
      const cluster = new aws.ecs.Cluster(
        `${name}-cluster`,
        { settings: [{ name: "containerInsights", value: "enabled" }], tags },
        { parent: this },
      );
      this.clusterArn = cluster.arn;
      this.clusterName = cluster.name;
    }

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS, tags },
      { parent: this },
    );

    const executionRole = new aws.iam.Role(
      `${name}-execution`,
      {
        description: `Pulls the image, writes logs and reads the secrets of ${serviceName}`,
        assumeRolePolicy: ASSUME_BY_ECS_TASKS,
        tags,
      },
      { parent: this },
    );
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    new aws.iam.RolePolicyAttachment(
      `${name}-execution-managed`,
      {
        role: executionRole.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
      },
      { parent: this },
    );
    const secretPolicy = secretsPolicy(secretReferences);
    if (secretPolicy !== undefined) {
      new aws.iam.RolePolicy(
        `${name}-execution-secrets`,
        { role: executionRole.name, policy: secretPolicy },
        { parent: this },
      );
    }

    // No policies: the application's own permissions are added by its owners, never granted here.
    const taskRole = new aws.iam.Role(
      `${name}-task`,
      { description: `Runtime identity of ${serviceName}`, assumeRolePolicy: ASSUME_BY_ECS_TASKS, tags },
      { parent: this },
    );

    const taskSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        description: `Tasks of ${serviceName}`,
        vpcId: args.vpcId,
        ingress: [
          {
            description: "From the load balancer only",
            protocol: "tcp",
            fromPort: containerPort,
            toPort: containerPort,
            securityGroups: [args.loadBalancerSecurityGroupId],
          },
        ],
        // Image pulls, Secrets Manager, CloudWatch Logs and the application's own dependencies are all
        // reached over endpoints or a NAT whose addresses this component cannot know.
        egress: [
          { description: "Outbound", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
        ],
        tags,
      },
      { parent: this },
    );
    this.taskSecurityGroupId = taskSecurityGroup.id;

    const region = aws.getRegionOutput({}, { parent: this }).region;
    const environment = Object.entries(environmentVariables)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({ name: key, value }));
    const secrets = Object.entries(secretReferences)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, arn]) => ({ name: key, valueFrom: arn }));

    const serviceNames = {} as Record<Colour, pulumi.Output<string>>;
    for (const colour of COLOURS) {
      const version = args.versions[colour];
      const colourTags = { ...tags, "bluegreen:colour": colour, "bluegreen:version": version };
      const taskDefinition = new aws.ecs.TaskDefinition(
        `${name}-${colour}`,
        {
          family: `${serviceName}-${colour}`,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: String(args.cpu),
          memory: String(args.memory),
          executionRoleArn: executionRole.arn,
          taskRoleArn: taskRole.arn,
          containerDefinitions: pulumi.jsonStringify([
            {
              name: serviceName,
              image: pulumi.interpolate`${args.image}:${version}`,
              essential: true,
              portMappings: [{ containerPort, protocol: "tcp" }],
              environment,
              secrets,
              logConfiguration: {
                logDriver: "awslogs",
                options: {
                  "awslogs-group": logGroup.name,
                  "awslogs-region": region,
                  "awslogs-stream-prefix": colour,
                },
              },
            },
          ]),
          tags: colourTags,
        },
        { parent: this },
      );
      const service = new aws.ecs.Service(
        `${name}-${colour}`,
        {
          cluster: this.clusterArn,
          taskDefinition: taskDefinition.arn,
          launchType: "FARGATE",
          desiredCount: args.desiredCount,
          networkConfiguration: {
            subnets: args.subnetIds,
            securityGroups: [taskSecurityGroup.id],
            assignPublicIp: args.assignPublicIp ?? false,
          },
          loadBalancers: [
            {
              targetGroupArn: args.targetGroupArns[colour],
              containerName: serviceName,
              containerPort,
            },
          ],
          deploymentCircuitBreaker: { enable: true, rollback: true },
          // The update that deploys a new version returns only when every task runs it. Otherwise
          // the candidate's previous tasks, still registered and healthy, would pass the driver's
          // target-health check and take the first traffic step instead of the new version.
          waitForSteadyState: true,
          healthCheckGracePeriodSeconds: args.healthCheckGracePeriod,
          propagateTags: "SERVICE",
          enableEcsManagedTags: true,
          tags: colourTags,
        },
        colour === args.idleColour ? { parent: this, ignoreChanges: ["desiredCount"] } : { parent: this },
      );
      serviceNames[colour] = service.name;
    }
    this.serviceNames = serviceNames;

    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      serviceNames: this.serviceNames,
      taskSecurityGroupId: this.taskSecurityGroupId,
    });
  }

  private validate(name: string, args: EcsBlueGreenServiceArgs): void {
    const fail = (message: string): never => {
      throw new pulumi.ResourceError(`EcsBlueGreenService ${name}: ${message}`, this);
    };
    if (!isServiceName(args.serviceName)) {
      fail(
        `serviceName ${JSON.stringify(args.serviceName)} names the container and task families; use lower-case letters, digits and hyphens, starting with a letter`,
      );
    }
    if (args.subnetIds.length === 0) fail("subnetIds is empty; give at least one subnet for the tasks");
    const imageProblem = imageRepositoryProblem(
      args.image,
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout",
    );
    if (imageProblem !== undefined) fail(`image: ${imageProblem}`);
    if (!isPort(args.containerPort))
      fail(`containerPort is ${args.containerPort}; expected a port from 1 to 65535`);
    const sizeProblem = fargateSizeProblem(args.cpu, args.memory);
    if (sizeProblem !== undefined) fail(`cpu and memory: ${sizeProblem}`);
    if (!Number.isInteger(args.desiredCount) || args.desiredCount < 1) {
      fail(`desiredCount is ${args.desiredCount}; expected a whole number of tasks of at least 1`);
    }
    if (!Number.isInteger(args.healthCheckGracePeriod) || args.healthCheckGracePeriod < 0) {
      fail(`healthCheckGracePeriod is ${args.healthCheckGracePeriod}; expected whole seconds of at least 0`);
    }
    if (args.clusterArn !== undefined && !CLUSTER_ARN_PATTERN.test(args.clusterArn)) {
      fail(
        `clusterArn ${JSON.stringify(args.clusterArn)} is not a cluster ARN such as "arn:aws:ecs:eu-west-1:123456789012:cluster/apps"`,
      );
    }
    const retention = args.logRetentionDays;
    if (retention !== undefined && !isLogRetentionDays(retention)) {
      fail(
        `logRetentionDays is ${retention}; use a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`,
      );
    }
    for (const [field, names] of [
      ["environment", Object.keys(args.environment ?? {})],
      ["secrets", Object.keys(args.secrets ?? {})],
    ] as const) {
      for (const key of names) {
        if (!ENVIRONMENT_NAME_PATTERN.test(key)) {
          fail(
            `${field} has the name ${JSON.stringify(key)}; an environment variable name is letters, digits and _, not starting with a digit`,
          );
        }
      }
    }
    for (const [key, arn] of Object.entries(args.secrets ?? {})) {
      if (!SECRET_REFERENCE_ARN_PATTERN.test(arn)) {
        fail(
          `secrets.${key} is ${JSON.stringify(arn)}; expected a Secrets Manager secret or SSM parameter ARN`,
        );
      }
    }
  }
}

/**
 * The execution role's read access to exactly the secrets the container references, or nothing when
 * it references none. Secrets encrypted with a customer managed KMS key also need kms:Decrypt on
 * that key, which the key's owner grants.
 */
function secretsPolicy(secrets: Readonly<Record<string, string>>): string | undefined {
  const arns = [...new Set(Object.values(secrets))].sort();
  const secretArns = [
    ...new Set(arns.filter((arn) => arn.split(":")[2] === "secretsmanager").map(secretResourceArn)),
  ];
  const parameterArns = arns.filter((arn) => arn.split(":")[2] === "ssm");
  const statements = [
    ...(secretArns.length > 0
      ? [
          {
            Sid: "ReadSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: secretArns,
          },
        ]
      : []),
    ...(parameterArns.length > 0
      ? [{ Sid: "ReadParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: parameterArns }]
      : []),
  ];
  return statements.length > 0 ? JSON.stringify({ Version: "2012-10-17", Statement: statements }) : undefined;
}
