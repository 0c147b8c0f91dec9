/**
 * The DynamoDB table that carries a stack's control record and its rollout history: its name, its
 * keys, where each item lives in it, and the actions its users need. Plain data and pure
 * functions, so the Pulumi program that declares the table, the driver and the operator commands
 * all take them from here and cannot drift apart.
 *
 * One table per stack, named from the stack file alone (`bluegreen-<service>-<stack>`), so an
 * operator's `bluegreen abort` on any machine finds the table without asking the stack's outputs.
 */

/**
 * The table's key schema: a string partition key `pk` and a string sort key `sk`. The names and
 * types are what `aws.dynamodb.Table` takes as `hashKey`, `rangeKey` and `attributes`.
 */
export const CONTROL_TABLE_SCHEMA = {
  hashKey: "pk",
  rangeKey: "sk",
  attributes: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
  ],
} as const;

/** The key of the one item that holds the control record. */
export const CONTROL_ITEM_KEY = { pk: "control", sk: "control" } as const;

/** The partition of the history items; their sort keys order them by start (`historySortKey`). */
export const HISTORY_PARTITION = "history";

/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * The control table of a stack: `bluegreen-<service>-<stack>`. Throws, naming the part at fault,
 * when the name breaks DynamoDB's rule (3-255 characters of letters, digits, `_`, `.` and `-`),
 * as a fully qualified stack name (`org/project/dev`) would.
 */
export function controlTableName(service: string, stack: string): string {
  for (const [what, value] of [
    ["service", service],
    ["stack", stack],
  ] as const) {
    if (value === "") throw new Error(`control table name: the ${what} name is empty`);
    const bad = [...value].filter((char) => !/[A-Za-z0-9_.-]/.test(char));
    if (bad.length > 0) {
      throw new Error(
        `control table name: the ${what} name ${JSON.stringify(value)} has ${JSON.stringify([...new Set(bad)].join(""))}; a DynamoDB table name takes only letters, digits, "_", "." and "-" (use the stack's short name, not org/project/stack)`,
      );
    }
  }
  const name = `bluegreen-${service}-${stack}`;
  if (!TABLE_NAME.test(name)) {
    throw new Error(
      `control table name ${JSON.stringify(name.slice(0, 40))}... has ${name.length} characters; DynamoDB allows 3 to 255`,
    );
  }
  return name;
}

/**
 * The sort key of a history item: the run's start (ISO 8601 UTC, so the keys sort by time) and
 * its id (two runs may start in the same millisecond).
 */
export function historySortKey(startedAt: string, runId: string): string {
  return `${startedAt}#${runId}`;
}

/**
 * The DynamoDB actions on the table each side needs, for a least-privilege policy on the table's
 * ARN. The driver claims, beats, takes requests and releases (GetItem, UpdateItem) and appends its
 * history item (PutItem; GetItem tells a retried append from a clash). The operator commands send
 * and withdraw requests and read the heartbeat (GetItem, UpdateItem), append the record of a
 * direct abort to the history (PutItem) and list the history (Query, for `history` and `report`).
 */
export const CONTROL_TABLE_ACTIONS = {
  driver: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"],
  operator: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:Query"],
} as const;
