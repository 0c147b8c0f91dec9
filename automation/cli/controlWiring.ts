/**
 * The stack's DynamoDB control table as the commands reach it: the control channel and the
 * history store over one client of the stack's region. Loaded on first use, like the driver's
 * wiring, so commands that never touch the table do not load the AWS SDK.
 *
 * The endpoint is the SDK's own choice: it honours AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL
 * from the environment, which is how a local DynamoDB (or dynalite in the tests) stands in.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { awsClient } from "../adapters/aws/clients";
import { DynamoControlChannel } from "../adapters/control/dynamoControlChannel";
import { DynamoHistoryStore } from "../adapters/control/dynamoHistoryStore";
import { heartbeatStaleAfterMs } from "../core/controlRecord";
import { controlTableName } from "../../components/domain/controlTable";
import type { CliIo } from "./io";
import { stackRegion } from "./region";
import type { LoadedStack } from "./stacks";

/** The stack's control table: its name and a client of its region. */
export interface ControlTableAccess {
  readonly table: string;
  readonly region: string;
  readonly client: DynamoDBClient;
}

/** Where the stack's control table is; throws a UsageError when the stack names no region. */
export function controlTableAccess(stack: LoadedStack, io: Pick<CliIo, "env">): ControlTableAccess {
  const region = stackRegion({ stack, io });
  return {
    table: controlTableName(stack.config.service.name, stack.name),
    region,
    client: awsClient(DynamoDBClient, region),
  };
}

/** The control channel over the stack's table, judging heartbeats by the stack's poll interval. */
export function dynamoControl(stack: LoadedStack, io: Pick<CliIo, "env">): DynamoControlChannel {
  const { table, client } = controlTableAccess(stack, io);
  return new DynamoControlChannel({
    client,
    table,
    staleAfterMs: heartbeatStaleAfterMs(stack.config.rollout.pollInterval),
  });
}

/** The stack's history in its table. */
export function dynamoHistory(stack: LoadedStack, io: Pick<CliIo, "env">): DynamoHistoryStore {
  const { table, client } = controlTableAccess(stack, io);
  return new DynamoHistoryStore({ client, table });
}
