/**
 * The stack's control table: the DynamoDB table that carries the control record of a rollout (who
 * runs it, how far it got, its driver's heartbeat, the operator's pending request) and the stack's
 * rollout history, so operators reach a run from any machine with AWS credentials.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONTROL_TABLE_SCHEMA, controlTableName } from "./domain/controlTable";

/** The tag the policy pack's `control-table-protection` rule keys on, and its value here. */
export const CONTROL_TABLE_ROLE_TAG = { "bluegreen:role": "control" } as const;

/** Arguments of {@link ControlTable}. */
export interface ControlTableArgs {
  /** The service's name (`bluegreen:service.name`): the table is `bluegreen-<service>-<stack>`. */
  readonly serviceName: string;
  /** The stack's short name (`dev`, not `org/project/dev`). */
  readonly stackName: string;
  /**
   * Tags of the table; it also carries `bluegreen:role = control`.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The control table of one stack: on-demand (a rollout writes a few items per poll, far below
 * what provisioned capacity would cost), with point-in-time recovery and deletion protection (it
 * holds which run owns the stack and the stack's history, which a rollout must not lose) and
 * server-side encryption.
 */
export class ControlTable extends pulumi.ComponentResource {
  /** The table's name, which the driver and the operator commands derive from the stack file alone. */
  public readonly tableName: pulumi.Output<string>;
  /** The table's ARN, for a least-privilege policy. */
  public readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: ControlTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:control:ControlTable", name, {}, opts);
    let tableName = "";
    try {
      tableName = controlTableName(args.serviceName, args.stackName);
    } catch (error) {
      throw new pulumi.ResourceError(`ControlTable ${name}: ${(error as Error).message}`, this);
    }
    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        // The name is fixed, not auto-suffixed: operators find the table from the stack file alone.
        name: tableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: CONTROL_TABLE_SCHEMA.hashKey,
        rangeKey: CONTROL_TABLE_SCHEMA.rangeKey,
        attributes: CONTROL_TABLE_SCHEMA.attributes.map((attribute) => ({ ...attribute })),
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
        serverSideEncryption: { enabled: true },
        tags: { ...(args.tags ?? {}), ...CONTROL_TABLE_ROLE_TAG },
      },
      { parent: this },
    );
    this.tableName = table.name;
    this.tableArn = table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}
