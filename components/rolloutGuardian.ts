/**
 * The guardian in the cloud: one small Lambda function per stack that reverts the split when one
 * of the stack's colour alarms enters ALARM (an EventBridge rule on the alarms' state changes) or
 * when the driver that holds the split has stopped beating (an EventBridge schedule), so a split
 * whose driver died is not left serving the candidate unwatched. It may touch only what a revert
 * needs: the production listener or the alias, the control record, the stack's notification topic
 * and its own log group.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  COLOURS,
  GUARDIAN_SCHEDULE_SECONDS,
  GUARDIAN_TABLE_LEADING_KEYS,
  HISTORY_PARTITION,
  GUARDIAN_TARGET_ENV,
  GuardianTarget,
  guardianTargetSchema,
} from "./domain";
import { bundleGuardianHandler } from "./guardianBundle";

/** Days the guardian's log is kept: long enough to look back at a month's rollouts. */
export const GUARDIAN_LOG_RETENTION_DAYS = 30;

/**
 * Memory of the guardian's function, in MiB. Its work is a few AWS calls, far below 128 MB of
 * memory; but Lambda gives CPU in proportion to memory, and a cold start parses the whole
 * bundled SDK, which is CPU-bound: 256 MB halves that on the path where every second counts (an
 * alarm to a revert), for a bill that stays in cents (README "Guardian in the cloud").
 */
export const GUARDIAN_MEMORY_MB = 256;

/**
 * Seconds one invocation may run: a revert is a read, a write and a read-back of the router plus
 * two control-record writes, each retried by the SDK on throttling; 30s covers those retries and
 * ends well before the next scheduled run.
 */
export const GUARDIAN_TIMEOUT_SECONDS = 30;

/** The runtime of the guardian's function: what the bundle targets. */
export const GUARDIAN_RUNTIME = "nodejs22.x";

/** The arguments of a {@link RolloutGuardian}. */
export interface RolloutGuardianArgs {
  /**
   * What the guardian watches and may touch (the contract in components/domain/guardian.ts). It
   * must not depend on the live split or the stable colour: a traffic step then leaves the
   * guardian unchanged.
   */
  readonly target: pulumi.Input<GuardianTarget>;
  /** The handler's TypeScript entry file, exporting `handler(event)`; bundled once per program run. */
  readonly entryFile: string;
  /**
   * Tags of every taggable resource.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The account and partition the guardian's ARNs are written in. */
interface Account {
  readonly accountId: string;
  readonly partition: string;
}

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string[]>>;
}

/**
 * The guardian of one stack: its function, the two EventBridge rules that run it, the permissions
 * for EventBridge to invoke it, its log group and its role.
 */
export class RolloutGuardian extends pulumi.ComponentResource {
  /** The guardian's function name. */
  public readonly functionName: pulumi.Output<string>;
  /** The guardian's function ARN. */
  public readonly functionArn: pulumi.Output<string>;
  /** The role the function runs as. */
  public readonly roleArn: pulumi.Output<string>;
  /** The log group the function writes to. */
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: RolloutGuardianArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:guardian:RolloutGuardian", name, {}, opts);
    let code = "";
    try {
      code = bundleGuardianHandler(args.entryFile);
    } catch (error) {
      throw new pulumi.ResourceError(`RolloutGuardian ${name}: ${(error as Error).message}`, this);
    }
    const tags = { ...(args.tags ?? {}) };
    // Parsed with the handler's own schema: a target the handler would refuse fails the update
    // here, not at the first alarm.
    const target = pulumi.output(args.target).apply((value) => guardianTargetSchema.parse(value));
    const account: pulumi.Output<Account> = pulumi
      .all([
        aws.getCallerIdentityOutput({}, { parent: this }).accountId,
        aws.getPartitionOutput({}, { parent: this }).partition,
      ])
      .apply(([accountId, partition]) => ({ accountId, partition }));

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-guardian-logs`,
      { name: `/bluegreen/guardian/${name}`, retentionInDays: GUARDIAN_LOG_RETENTION_DAYS, tags },
      { parent: this },
    );
    const role = new aws.iam.Role(
      `${name}-guardian-role`,
      {
        description: `The guardian of ${name}: reverts its split on an alarm or a lost driver`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
        tags,
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-guardian-policy`,
      {
        role: role.name,
        policy: pulumi.all([target, account, logGroup.arn]).apply(([resolved, where, logGroupArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: guardianStatements(resolved, where, logGroupArn),
          }),
        ),
      },
      { parent: this },
    );
    const fn = new aws.lambda.Function(
      `${name}-guardian`,
      {
        description: `The guardian of ${name}: reverts its split on an alarm or a lost driver`,
        runtime: GUARDIAN_RUNTIME,
        architectures: ["arm64"],
        memorySize: GUARDIAN_MEMORY_MB,
        timeout: GUARDIAN_TIMEOUT_SECONDS,
        handler: "index.handler",
        role: role.arn,
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) }),
        environment: { variables: { [GUARDIAN_TARGET_ENV]: pulumi.jsonStringify(target) } },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        tags,
      },
      // The role's policy first: the first invocation must not find the role without it.
      { parent: this, dependsOn: [policy] },
    );

    const alarmRule = new aws.cloudwatch.EventRule(
      `${name}-guardian-alarms`,
      {
        description: `${name}: a colour alarm entered ALARM`,
        eventPattern: target.apply((resolved) => JSON.stringify(alarmEventPattern(resolved))),
        tags,
      },
      { parent: this },
    );
    const scheduleRule = new aws.cloudwatch.EventRule(
      `${name}-guardian-schedule`,
      {
        description: `${name}: the guardian's check for a lost driver`,
        scheduleExpression: scheduleExpression(GUARDIAN_SCHEDULE_SECONDS),
        tags,
      },
      { parent: this },
    );
    for (const [key, rule] of [
      ["alarms", alarmRule],
      ["schedule", scheduleRule],
    ] as const) {
      new aws.lambda.Permission(
        `${name}-guardian-${key}-invoke`,
        {
          action: "lambda:InvokeFunction",
          function: fn.name,
          principal: "events.amazonaws.com",
          sourceArn: rule.arn,
        },
        { parent: this },
      );
      new aws.cloudwatch.EventTarget(
        `${name}-guardian-${key}-target`,
        { rule: rule.name, arn: fn.arn },
        { parent: this },
      );
    }

    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      roleArn: this.roleArn,
      logGroupName: this.logGroupName,
    });
  }
}

/** Every alarm that judges a colour of the target: both colours' composites and their members. */
export function guardianAlarmNames(target: GuardianTarget): string[] {
  return COLOURS.flatMap((colour) => [target.alarms[colour].composite, ...target.alarms[colour].members]);
}

/** The EventBridge pattern of a state change of exactly the target's colour alarms into ALARM. */
export function alarmEventPattern(target: GuardianTarget): Record<string, unknown> {
  return {
    source: ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    detail: { alarmName: guardianAlarmNames(target), state: { value: ["ALARM"] } },
  };
}

/** An EventBridge rate expression for a period in whole minutes, as rules take it (`rate(1 minute)`). */
export function scheduleExpression(seconds: number): string {
  const minutes = seconds / 60;
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new Error(`an EventBridge rule runs at most once a minute, in whole minutes; got ${seconds}s`);
  }
  return `rate(${minutes} minute${minutes === 1 ? "" : "s"})`;
}

/**
 * The guardian's permissions, statement by statement, each on the one resource it needs. The
 * router calls are those the driver's routers make to revert and read the split back
 * (automation/adapters/aws): on an ALB DescribeListeners then ModifyListener; on Lambda GetAlias
 * then UpdateAlias. DescribeTargetHealth is not among them (only a readiness check makes it).
 */
export function guardianStatements(
  target: GuardianTarget,
  account: Account,
  logGroupArn: string,
): PolicyStatement[] {
  const arn = (service: string, resource: string) =>
    `arn:${account.partition}:${service}:${target.region}:${account.accountId}:${resource}`;
  const routing: PolicyStatement[] =
    target.routing.kind === "alb"
      ? [
          {
            Sid: "RevertListener",
            Effect: "Allow",
            Action: ["elasticloadbalancing:ModifyListener"],
            Resource: target.routing.listenerArn,
          },
          {
            Sid: "ReadListener",
            Effect: "Allow",
            // Elastic Load Balancing's Describe* actions support no resource-level permissions:
            // IAM accepts them only on "*". They read; nothing here can change through them.
            Action: ["elasticloadbalancing:DescribeListeners"],
            Resource: "*",
          },
        ]
      : [
          {
            Sid: "RevertAlias",
            Effect: "Allow",
            Action: ["lambda:GetAlias", "lambda:UpdateAlias"],
            Resource: target.routing.aliasArn,
          },
        ];
  const statements: PolicyStatement[] = [
    ...routing,
    {
      Sid: "ReadAlarms",
      Effect: "Allow",
      Action: ["cloudwatch:DescribeAlarms"],
      Resource: guardianAlarmNames(target).map((alarm) => arn("cloudwatch", `alarm:${alarm}`)),
    },
    {
      Sid: "ControlRecord",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: arn("dynamodb", `table/${target.controlTableName}`),
      // Only the control record's partition: the history is the driver's to write.
      Condition: {
        "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [...GUARDIAN_TABLE_LEADING_KEYS] },
      },
    },
  ];
  if (target.idle !== undefined) {
    const cluster = target.idle.cluster.split("/").pop() ?? target.idle.cluster;
    statements.push({
      Sid: "RecordScaleDown",
      Effect: "Allow",
      // Appends the scale-down to the release history (GetItem tells a retried append from a clash).
      Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
      Resource: arn("dynamodb", `table/${target.controlTableName}`),
      Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [HISTORY_PARTITION] } },
    });
    statements.push({
      Sid: "ScaleIdleColour",
      Effect: "Allow",
      Action: ["ecs:DescribeServices", "ecs:UpdateService"],
      Resource: [target.idle.serviceNames.blue, target.idle.serviceNames.green].map((service) =>
        arn("ecs", `service/${cluster}/${service}`),
      ),
    });
  }
  if (target.notificationTopicArn !== undefined) {
    statements.push({
      Sid: "AnnounceTrip",
      Effect: "Allow",
      Action: ["sns:Publish"],
      Resource: target.notificationTopicArn,
    });
  }
  statements.push({
    Sid: "WriteLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn}:*`,
  });
  return statements;
}
