/**
 * The preflight of the control table: does it exist, and may these credentials make each call the
 * command will make on it? IAM is asked the only way it can be from the caller's side, by making
 * the calls, each one harmless:
 *
 * - `GetItem` reads the control record: the table exists, and reads are allowed.
 * - `Query` reads one history item.
 * - `UpdateItem` and `PutItem` are sent with a condition that can never hold (the partition key
 *   equal to a value no item has). DynamoDB authorizes a request before it evaluates its
 *   condition, so a denied action answers AccessDenied and an allowed one answers
 *   ConditionalCheckFailed, having written nothing.
 *
 * What this cannot prove: a policy condition on the attributes written (`dynamodb:Attributes`)
 * is judged on the probe's attributes, not the real writes'; and a permission withdrawn after the
 * preflight is only found when the call fails.
 */
import { randomUUID } from "node:crypto";
import { CONTROL_ITEM_KEY, HISTORY_PARTITION } from "../../../components/domain/controlTable";
import { ControlTableError, isConditionFailed } from "./dynamoErrors";
import type { DynamoTable } from "./dynamoTable";

/** The outcome of the check, as a preflight check reports it. */
export interface TableAccess {
  readonly ok: boolean;
  readonly detail: string;
}

/** A value no item's partition key has: the condition of the write probes. */
const NO_SUCH_PARTITION = "bluegreen-preflight-probe";

/** The harmless call that proves each action, by its IAM name. */
const PROBES: Readonly<Record<string, (table: DynamoTable, signal?: AbortSignal) => Promise<unknown>>> = {
  "dynamodb:GetItem": (table, signal) => table.get(CONTROL_ITEM_KEY, signal),
  "dynamodb:Query": (table) =>
    table.query({
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": "pk" },
      ExpressionAttributeValues: { ":pk": HISTORY_PARTITION },
      Limit: 1,
    }),
  "dynamodb:UpdateItem": (table) =>
    neverWrites(() =>
      table.update({
        Key: { ...CONTROL_ITEM_KEY },
        UpdateExpression: "SET #probe = :probe",
        ConditionExpression: "#pk = :none",
        ExpressionAttributeNames: { "#pk": "pk", "#probe": "preflightProbe" },
        ExpressionAttributeValues: { ":none": NO_SUCH_PARTITION, ":probe": true },
      }),
    ),
  "dynamodb:PutItem": (table, signal) =>
    neverWrites(() =>
      table.put(
        {
          Item: { pk: HISTORY_PARTITION, sk: `preflight#${randomUUID()}` },
          ConditionExpression: "#pk = :none",
          ExpressionAttributeNames: { "#pk": "pk" },
          ExpressionAttributeValues: { ":none": NO_SUCH_PARTITION },
        },
        signal,
      ),
    ),
};

/** The actions the check knows how to prove. */
export const PROBED_ACTIONS: readonly string[] = Object.keys(PROBES);

/**
 * Proves each of `actions` on the table, in order, and stops at the first that fails: a missing
 * table or a denied action, named with the table. An action it cannot probe is a programming error.
 */
export async function checkControlTable(
  table: DynamoTable,
  actions: readonly string[],
  signal?: AbortSignal,
): Promise<TableAccess> {
  for (const action of actions) {
    const probe = PROBES[action];
    if (probe === undefined) throw new Error(`control table preflight: no probe for ${action}`);
    try {
      await probe(table, signal);
    } catch (error) {
      signal?.throwIfAborted();
      return {
        ok: false,
        detail:
          error instanceof ControlTableError
            ? error.message
            : `control table ${table.name}: ${action} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      };
    }
  }
  return { ok: true, detail: `control table ${table.name} allows ${actions.join(", ")}` };
}

/** Runs a write whose condition cannot hold; its refusal is the expected answer. */
async function neverWrites(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}
