/**
 * A Lambda function whose two colours are published versions behind one weighted alias.
 *
 * Version bookkeeping
 * -------------------
 * - There is one `aws.lambda.Function` (`publish: false`). Its code, `$LATEST`, is the S3 artifact of
 *   the colour that is NOT stable (`s3KeyTemplate` with `{version}` replaced by that colour's slot
 *   version). A release always goes into the non-stable colour, so `$LATEST` holds the code about to
 *   be published.
 * - Each colour is a published version modelled as its own resource: an `AWS::Lambda::Version`
 *   managed through Cloud Control, whose desired state is only `{ FunctionName, Description }` with
 *   the description `bluegreen <colour> <slot version>`. The type is immutable, so a new slot version
 *   for a colour replaces that colour's resource, which publishes a new version from `$LATEST`; it
 *   depends on the function, so the code update lands first. The stable colour's desired state does
 *   not change during a rollout, so `pulumi up` never republishes or loses the stable version: its
 *   number lives in the stack state. The function's `codeSha256` is deliberately not part of the
 *   desired state: it would make every code change republish both colours.
 * - The alias (`live` by default) has the stable colour's version as its primary and the other colour
 *   as the one additional version, weighted with `lambdaAliasRouting` from the domain. Only the
 *   alias changes in a traffic step; it is `routingUrns`.
 * - Both colours are versions of one function, so they share its execution role and dead-letter
 *   configuration by construction, as a weighted alias requires. A version snapshots the function's
 *   configuration when it is published: after a change of `deadLetterTargetArn` the next candidate
 *   differs from the stable version until the stable colour is also republished.
 *
 * Consequences worth knowing
 * --------------------------
 * - Replaced versions are retained (`retainOnDelete`), not deleted: Lambda refuses to delete a version
 *   an alias still references, and on a first deployment both colours share one version (below).
 *   Old versions therefore accumulate until the function is deleted; prune them out of band if code
 *   storage matters.
 * - On the first deployment both colours are published from the same `$LATEST`, and Lambda returns
 *   the existing version instead of publishing an unchanged function again, so both colours get the
 *   same number. That is correct only when both slots name the same artifact: deploy a new stack with
 *   equal slot versions, then roll out. With equal numbers and equal slots the alias routes everything
 *   to that one version; with different slots the update fails with an error that says how to recover.
 * - Changing `stable` changes which artifact `$LATEST` holds (a code update, no publish): the full
 *   update after a promotion applies it; a targeted update of `routingUrns` does not.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ALIAS_NAME_PATTERN,
  AliasRouting,
  COLOURS,
  Colour,
  DEAD_LETTER_TARGET_ARN_PATTERN,
  DEFAULT_LOG_RETENTION_DAYS,
  FUNCTION_NAME_PATTERN,
  LAMBDA_ENVIRONMENT_NAME_PATTERN,
  LOG_RETENTION_DAYS,
  TrafficSplit,
  artifactKey,
  artifactKeyTemplateProblem,
  isColour,
  isLogRetentionDays,
  lambdaAliasRouting,
  otherColour,
  splitProblem,
} from "./domain";

/** The arguments of a {@link LambdaBlueGreen}. */
export interface LambdaBlueGreenArgs {
  /** The Lambda runtime, such as "nodejs22.x". */
  readonly runtime: string;
  /** The function's handler, such as "index.handler". */
  readonly handler: string;
  /** The instruction set the function runs on. */
  readonly architecture: "x86_64" | "arm64";
  /** Memory in MiB (128-10240). */
  readonly memorySize: number;
  /** Seconds an invocation may run (1-900). */
  readonly timeout: number;
  /** The bucket the colours' artifacts live in. */
  readonly s3Bucket: string;
  /** Each colour's artifact key: `{version}` is replaced by the colour's slot version. */
  readonly s3KeyTemplate: string;
  /** The alias callers invoke: letters, digits, `-` and `_`, not all digits. */
  readonly aliasName: string;
  /**
   * Environment variables of the function.
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * An SQS queue or SNS topic ARN for failed asynchronous invocations. Plain, because it decides
   * whether the role's policy for it exists.
   * @default none
   */
  readonly deadLetterTargetArn?: string;
  /**
   * The slot version of each colour (`bluegreen:slots`). Plain values: a change replaces that colour's
   * version resource, which is what publishes a new Lambda version.
   */
  readonly versions: Readonly<Record<Colour, string>>;
  /**
   * The colour a revert goes back to: the alias's primary version. Plain because it decides which
   * artifact the function's `$LATEST` runs (the other colour's).
   */
  readonly stable: Colour;
  /** Percent of invocations per colour. An Input so the program can hold it behind a release guard. */
  readonly traffic: pulumi.Input<TrafficSplit>;
  /**
   * The function's name; its log group is `/aws/lambda/<name>`. Fixed rather than generated so that the
   * log group can exist before the function first runs (Lambda would otherwise create it, unmanaged and
   * without retention).
   * @default the component name
   */
  readonly functionName?: string;
  /**
   * Days CloudWatch Logs keeps the function's logs; one of the retentions CloudWatch accepts.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Tags for every taggable resource (the alias and the versions take none).
   * @default no tags
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A Lambda function, one published version per colour and a weighted alias between them. */
export class LambdaBlueGreen extends pulumi.ComponentResource {
  /** The function's name. */
  public readonly functionName: pulumi.Output<string>;
  /** The function's unqualified ARN. */
  public readonly functionArn: pulumi.Output<string>;
  /** The alias callers invoke. */
  public readonly aliasName: pulumi.Output<string>;
  /** The alias's ARN (the function ARN qualified with the alias name). */
  public readonly aliasArn: pulumi.Output<string>;
  /** The published version number each colour runs. */
  public readonly versions: Readonly<Record<Colour, pulumi.Output<string>>>;
  /** URNs of the resources a traffic step changes: the alias only. */
  public readonly routingUrns: pulumi.Output<string[]>;
  /** The function whose `$LATEST` holds the non-stable colour's code. */
  public readonly lambdaFunction: aws.lambda.Function;
  /** The weighted alias. */
  public readonly alias: aws.lambda.Alias;
  /** The execution role both colours share. */
  public readonly role: aws.iam.Role;
  /** The function's log group. */
  public readonly logGroup: aws.cloudwatch.LogGroup;
  /** The `AWS::Lambda::Version` resource of each colour. */
  public readonly versionResources: Readonly<Record<Colour, aws.cloudcontrol.Resource>>;

  constructor(name: string, args: LambdaBlueGreenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:aws:LambdaBlueGreen", name, {}, opts);

    const { versions, stable } = args;
    const functionName = args.functionName ?? name;
    const logRetentionDays = args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    this.validate(args, functionName, logRetentionDays);

    const candidate = otherColour(stable);
    const tags = args.tags ? { ...args.tags } : undefined;

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${functionName}`, retentionInDays: logRetentionDays, tags },
      { parent: this },
    );

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
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
    const rolePolicies: pulumi.Resource[] = [
      new aws.iam.RolePolicyAttachment(
        `${name}-basic-execution`,
        { role: this.role.name, policyArn: aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole },
        { parent: this },
      ),
    ];
    const deadLetterTargetArn = args.deadLetterTargetArn;
    if (deadLetterTargetArn !== undefined) {
      rolePolicies.push(
        new aws.iam.RolePolicy(
          `${name}-dead-letter`,
          {
            role: this.role.id,
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: deadLetterAction(deadLetterTargetArn),
                  Resource: deadLetterTargetArn,
                },
              ],
            }),
          },
          { parent: this },
        ),
      );
    }

    const variables = args.environment ?? {};
    const environment = Object.keys(variables).length > 0 ? { variables: { ...variables } } : undefined;
    this.lambdaFunction = new aws.lambda.Function(
      `${name}-fn`,
      {
        name: functionName,
        role: this.role.arn,
        runtime: args.runtime,
        handler: args.handler,
        architectures: [args.architecture],
        memorySize: args.memorySize,
        timeout: args.timeout,
        s3Bucket: args.s3Bucket,
        s3Key: artifactKey(args.s3KeyTemplate, versions[candidate]),
        // Versions are published by the per-colour resources below, never as a side effect of an update.
        publish: false,
        environment,
        deadLetterConfig: deadLetterTargetArn !== undefined ? { targetArn: deadLetterTargetArn } : undefined,
        tags,
      },
      // Lambda checks the role may write to the dead-letter target when the function is created or
      // updated, and would create the log group itself (without retention) if it ran first.
      { parent: this, dependsOn: [this.logGroup, ...rolePolicies] },
    );

    const versionResources = {} as Record<Colour, aws.cloudcontrol.Resource>;
    const published = {} as Record<Colour, pulumi.Output<string>>;
    for (const colour of COLOURS) {
      const resource = new aws.cloudcontrol.Resource(
        `${name}-${colour}`,
        {
          typeName: "AWS::Lambda::Version",
          desiredState: versionDesiredState(functionName, colour, versions[colour]),
        },
        {
          parent: this,
          dependsOn: [this.lambdaFunction],
          // Every property of AWS::Lambda::Version is create-only: any change must publish anew.
          replaceOnChanges: ["desiredState"],
          // The new version must exist before the alias moves off the old one; and the old one is kept,
          // because Lambda refuses to delete a version an alias references.
          deleteBeforeReplace: false,
          retainOnDelete: true,
        },
      );
      versionResources[colour] = resource;
      published[colour] = resource.properties.apply((properties) =>
        publishedVersion(properties, colour, this),
      );
    }
    this.versionResources = versionResources;
    this.versions = published;

    const routing = pulumi
      .all([pulumi.output(args.traffic), published.blue, published.green])
      .apply(([traffic, blue, green]) => {
        try {
          return resolveAliasRouting(traffic, stable, versions, { blue, green });
        } catch (error) {
          throw new pulumi.ResourceError(`${name}: ${(error as Error).message}`, this);
        }
      });

    this.alias = new aws.lambda.Alias(
      `${name}-alias`,
      {
        name: args.aliasName,
        functionName: this.lambdaFunction.name,
        description: `bluegreen: primary is the stable colour (${stable}), the other colour is the weighted one`,
        functionVersion: routing.functionVersion,
        // Omitted when there is no additional version: the provider then sends an empty routing
        // config, which clears old weights, and reads back no block, so the stack shows no drift.
        routingConfig: routing.additionalVersionWeights.apply((weights) =>
          Object.keys(weights).length > 0 ? { additionalVersionWeights: { ...weights } } : undefined,
        ),
      },
      { parent: this },
    );

    this.functionName = this.lambdaFunction.name;
    this.functionArn = this.lambdaFunction.arn;
    this.aliasName = this.alias.name;
    this.aliasArn = this.alias.arn;
    this.routingUrns = this.alias.urn.apply((urn) => [urn]);

    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      aliasName: this.aliasName,
      aliasArn: this.aliasArn,
      versions: this.versions,
      routingUrns: this.routingUrns,
    });
  }

  private validate(args: LambdaBlueGreenArgs, functionName: string, logRetentionDays: number): void {
    const fail = (message: string): never => {
      throw new pulumi.ResourceError(message, this);
    };
    const templateProblem = artifactKeyTemplateProblem(args.s3KeyTemplate);
    if (templateProblem !== undefined) {
      fail(`s3KeyTemplate ${templateProblem}; for example "builds/checkout/{version}.zip"`);
    }
    if (!FUNCTION_NAME_PATTERN.test(functionName)) {
      fail(
        `functionName must be 1-64 letters, digits, "-" or "_" (a Lambda function name), got ${JSON.stringify(functionName)}; pass functionName or rename the component`,
      );
    }
    if (!ALIAS_NAME_PATTERN.test(args.aliasName)) {
      fail(
        `aliasName must be letters, digits, "-" and "_", and not all digits, got ${JSON.stringify(args.aliasName)}`,
      );
    }
    if (!isLogRetentionDays(logRetentionDays)) {
      fail(
        `logRetentionDays must be a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")}), got ${logRetentionDays}`,
      );
    }
    if (
      args.deadLetterTargetArn !== undefined &&
      !DEAD_LETTER_TARGET_ARN_PATTERN.test(args.deadLetterTargetArn)
    ) {
      fail(
        `deadLetterTargetArn must be an SQS queue or SNS topic ARN, got ${JSON.stringify(args.deadLetterTargetArn)}`,
      );
    }
    for (const key of Object.keys(args.environment ?? {})) {
      if (!LAMBDA_ENVIRONMENT_NAME_PATTERN.test(key)) {
        fail(
          `environment has the name ${JSON.stringify(key)}; Lambda takes letters, digits and _, starting with a letter`,
        );
      }
    }
    if (!isColour(args.stable)) fail(`stable must be "blue" or "green", got ${JSON.stringify(args.stable)}`);
    for (const colour of COLOURS) {
      const version = args.versions[colour];
      if (typeof version !== "string" || version.length === 0) {
        fail(`versions.${colour} must be the colour's slot version, got ${JSON.stringify(version)}`);
      }
    }
    const traffic = plainValue(args.traffic);
    const problem = traffic === undefined ? undefined : splitProblem(traffic);
    if (problem !== undefined) fail(problem);
  }
}

/**
 * The alias routing for a split, given each colour's slot version and published version number.
 *
 * Normally `lambdaAliasRouting`. The one exception is a first deployment, where Lambda hands both
 * colours the same version number because they were published from the same code: when the slot
 * versions are equal too and the other colour gets nothing, the alias simply points at that version.
 */
export function resolveAliasRouting(
  traffic: TrafficSplit,
  stable: Colour,
  slotVersions: Readonly<Record<Colour, string>>,
  published: Readonly<Record<Colour, string>>,
): AliasRouting {
  const candidate = otherColour(stable);
  if (published.blue === published.green) {
    if (slotVersions.blue !== slotVersions.green) {
      throw new Error(
        `blue (${slotVersions.blue}) and green (${slotVersions.green}) were both published as version ${published.blue}, from the one artifact the function held (${candidate}'s ${slotVersions[candidate]}); this happens on a first deployment: set both slots to ${slotVersions[candidate]}, deploy, then roll out the other version`,
      );
    }
    if (traffic[candidate] === 0) {
      // The converter still checks the split and the primary; Lambda numbers versions from 1, so "0"
      // stands in for the candidate without colliding, and its weight is empty anyway.
      const placeholder = { ...published, [candidate]: "0" } as Record<Colour, string>;
      return lambdaAliasRouting(traffic, stable, placeholder);
    }
  }
  return lambdaAliasRouting(traffic, stable, published);
}

/** The desired state of one colour's `AWS::Lambda::Version`: a pure function of name, colour and slot. */
export function versionDesiredState(functionName: string, colour: Colour, slotVersion: string): string {
  return JSON.stringify({ FunctionName: functionName, Description: `bluegreen ${colour} ${slotVersion}` });
}

function publishedVersion(properties: string, colour: Colour, resource: pulumi.Resource): string {
  let version: unknown;
  try {
    version = (JSON.parse(properties) as { Version?: unknown }).Version;
  } catch {
    version = undefined;
  }
  if (typeof version !== "string" || !/^\d+$/.test(version)) {
    throw new pulumi.ResourceError(
      `the ${colour} AWS::Lambda::Version reported no published version number (properties ${properties}); refresh the stack and check the function exists`,
      resource,
    );
  }
  return version;
}

function deadLetterAction(targetArn: string): string {
  // The schema admits only SQS and SNS targets; the service is the third field of the ARN.
  return targetArn.split(":")[2] === "sqs" ? "sqs:SendMessage" : "sns:Publish";
}

/** The value of an Input that is known now; an Output or a Promise is checked when it resolves. */
function plainValue<T>(input: pulumi.Input<T>): T | undefined {
  if (pulumi.Output.isInstance(input) || input instanceof Promise) return undefined;
  return input;
}
