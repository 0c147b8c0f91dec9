/**
 * The typed errors of the DynamoDB control table, each naming the table and what to do, and the
 * mapping from the SDK's answers to them. Errors this module does not recognise pass through as
 * they came, so the driver's `isTransient` still judges throttling and network failures by shape.
 */
import { formatDuration } from "../../../infra/config/duration";
import type { RunHolder } from "../../core/controlRecord";
import { markTransient } from "../../core/retry";

/** A failure of the control table; `table` names it. */
export class ControlTableError extends Error {
  constructor(
    readonly table: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ControlTableError";
  }
}

/** Another run holds the stack: its driver's heartbeat is fresh. */
export class StackBusyError extends ControlTableError {
  /**
   * @param holder the run that holds the stack, with its heartbeat's age
   * @param staleAfterMs when its heartbeat would be old enough to take the stack over
   */
  constructor(
    table: string,
    readonly holder: RunHolder,
    readonly staleAfterMs: number,
  ) {
    const { run, heartbeatAgeMs } = holder;
    const beat =
      heartbeatAgeMs === undefined
        ? "no heartbeat"
        : `last heartbeat ${formatDuration(heartbeatAgeMs / 1000)} ago`;
    super(
      table,
      `the stack is held by run ${run.runId} (version ${run.version}, started by ${run.startedBy}, ${beat}; control table ${table}): wait for it to end or stop it with \`bluegreen abort\`; it can be taken over once its heartbeat is older than ${formatDuration(staleAfterMs / 1000)}`,
    );
    this.name = "StackBusyError";
  }
}

/** An item of the table is not what this version of bluegreen wrote: a field is missing or wrong. */
export class MalformedControlItemError extends ControlTableError {
  /**
   * @param item the item's key, `pk=control, sk=control`
   * @param field the field's path in the item
   */
  constructor(
    table: string,
    readonly item: string,
    readonly field: string,
    problem: string,
    fix: string,
  ) {
    super(table, `control table ${table}, item (${item}): ${field} ${problem}; ${fix}`);
    this.name = "MalformedControlItemError";
  }
}

/** The table does not exist in the account and region the client reaches. */
export class ControlTableMissingError extends ControlTableError {
  constructor(table: string, options?: ErrorOptions) {
    super(
      table,
      `control table ${table} does not exist in this account and region: deploy the stack first: \`pulumi up\` declares the table`,
      options,
    );
    this.name = "ControlTableMissingError";
  }
}

/** The caller's credentials may not call `action` on the table. */
export class ControlTableAccessDeniedError extends ControlTableError {
  /**
   * @param action the denied action, `dynamodb:UpdateItem`
   * @param resource the table's ARN when AWS named it, else its pattern with region and account to fill in
   */
  constructor(
    table: string,
    readonly action: string,
    readonly resource: string,
    options?: ErrorOptions,
  ) {
    super(
      table,
      `not allowed to use control table ${table}: the policy needs ${action} on ${resource}`,
      options,
    );
    this.name = "ControlTableAccessDeniedError";
  }
}

/**
 * Every attempt at a write lost to another writer. Each loss means another write got through, so
 * this takes a crowd of writers; it is marked transient for the driver's retry.
 */
export class ControlWriteConflictError extends ControlTableError {
  constructor(table: string, attempts: number) {
    super(
      table,
      `control table ${table}: the control record changed under each of ${attempts} attempts to write it; try again`,
    );
    this.name = "ControlWriteConflictError";
    markTransient(this);
  }
}

/** Whether a write failed its condition: someone changed the item since it was read. */
export function isConditionFailed(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === "ConditionalCheckFailedException";
}

/** The resource an AccessDeniedException names: "... on resource: arn:aws:dynamodb:...:table/x ...". */
const DENIED_RESOURCE = /on resource:?\s+(arn:[^\s,;]+)/;

/**
 * The typed error for what the SDK threw while calling `action` on `table`: a missing table, a
 * denied action. Anything else is returned unchanged.
 */
export function mapDynamoError(error: unknown, table: string, action: string): unknown {
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === "ResourceNotFoundException") return new ControlTableMissingError(table, { cause: error });
  if (name === "AccessDeniedException") {
    const message = error instanceof Error ? error.message : "";
    const named = DENIED_RESOURCE.exec(message)?.[1]?.replace(/\.$/, "");
    const resource = named ?? `arn:aws:dynamodb:<region>:<account>:table/${table}`;
    return new ControlTableAccessDeniedError(table, action, resource, { cause: error });
  }
  return error;
}
