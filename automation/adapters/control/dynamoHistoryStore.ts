/**
 * The stack's rollout history in its DynamoDB control table: one item per run, the audit record
 * stored as a map under partition `history`, sorted by the run's start, so `since` is a key
 * condition and the newest come first. Append-only: an item is never overwritten.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { type AuditOutcome, type AuditRecord, buildAuditRecord } from "../../audit";
import { HISTORY_PARTITION, historySortKey } from "../../../components/domain/controlTable";
import { FieldReader, InvalidFieldError } from "../../core/fields";
import { EXIT_CODES, type Outcome } from "../../events";
import { ControlTableError, isConditionFailed, MalformedControlItemError } from "./dynamoErrors";
import { describeKey, DynamoTable, type DynamoTableOptions, type Item, type ItemKey } from "./dynamoTable";

/** One run in the history. */
export interface HistoryEntry {
  /** The run's id: with its start, the item's sort key. */
  readonly runId: string;
  readonly record: AuditRecord;
}

/** Which runs to list. */
export interface HistoryQuery {
  /** Only runs that started at or after this instant, in epoch milliseconds. @default all */
  readonly since?: number;
  /** At most this many, the newest. @default all */
  readonly limit?: number;
}

/** Where the runs of a stack are kept, newest first. */
export interface HistoryStore {
  /**
   * Appends the record of a run (scrubbed as the audit log scrubs it) and returns it as stored.
   * Appending the same run's record again stores nothing new. `signal` abandons the write.
   */
  append(record: AuditRecord, runId?: string, signal?: AbortSignal): Promise<AuditRecord>;
  /** The runs matching `query`, newest first. */
  list(query?: HistoryQuery): Promise<HistoryEntry[]>;
}

/** Options of the DynamoDB history store. */
export interface DynamoHistoryStoreOptions extends DynamoTableOptions {
  /** Items asked for per Query call. @default 100 */
  readonly pageSize?: number;
}

const OUTCOMES: readonly AuditOutcome[] = [...(Object.keys(EXIT_CODES) as Outcome[]), "scaled-down"];

/** The history kept in the stack's control table. */
export class DynamoHistoryStore implements HistoryStore {
  /** The table's name. */
  readonly table: string;
  private readonly store: DynamoTable;
  private readonly pageSize: number;

  constructor(options: DynamoHistoryStoreOptions) {
    const pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new Error(`DynamoHistoryStore: pageSize must be a whole number from 1, got ${pageSize}`);
    }
    this.store = new DynamoTable(options);
    this.table = options.table;
    this.pageSize = pageSize;
  }

  /**
   * Appends the record under its start (`record.at`, which must be ISO 8601 UTC as
   * `Date.toISOString` writes it, or the order breaks) and `runId` (the record's own run id, else
   * random). Throws when another record already holds that key.
   */
  async append(
    input: AuditRecord,
    runId: string = input.runId ?? randomUUID(),
    signal?: AbortSignal,
  ): Promise<AuditRecord> {
    const record = buildAuditRecord(input);
    if (Number.isNaN(Date.parse(record.at)) || new Date(record.at).toISOString() !== record.at) {
      throw new Error(
        `history record: at must be an ISO 8601 UTC time as toISOString writes it, got ${JSON.stringify(record.at)}`,
      );
    }
    if (runId === "") throw new Error("history record: the run id is empty");
    const key: ItemKey = { pk: HISTORY_PARTITION, sk: historySortKey(record.at, runId) };
    try {
      await this.store.put(
        {
          Item: { ...key, runId, record },
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": "pk" },
        },
        signal,
      );
      return record;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    // The key is taken: by this very record when an append is retried after its answer was lost.
    const stored = await this.store.get(key, signal);
    if (stored !== undefined && isDeepStrictEqual(this.parse(stored).record, record)) return record;
    throw new ControlTableError(
      this.table,
      `control table ${this.table} already holds a different history record under (${describeKey(key)}); the history is append-only, so this record was not written`,
    );
  }

  /** The runs that started at or after `since`, newest first, at most `limit` of them. */
  async list(query: HistoryQuery = {}): Promise<HistoryEntry[]> {
    const { since, limit } = query;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new Error(`history: limit must be a whole number from 1, got ${limit}`);
    }
    if (since !== undefined && !Number.isFinite(since)) {
      throw new Error(`history: since must be epoch milliseconds, got ${since}`);
    }
    const values: Record<string, string> = { ":pk": HISTORY_PARTITION };
    let condition = "#pk = :pk";
    if (since !== undefined) {
      condition += " AND #sk >= :since";
      values[":since"] = new Date(since).toISOString();
    }
    const entries: HistoryEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.store.query({
        KeyConditionExpression: condition,
        ExpressionAttributeNames: since === undefined ? { "#pk": "pk" } : { "#pk": "pk", "#sk": "sk" },
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: limit === undefined ? this.pageSize : Math.min(this.pageSize, limit - entries.length),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      for (const item of page.items) entries.push(this.parse(item));
      startKey = page.lastKey;
    } while (startKey !== undefined && (limit === undefined || entries.length < limit));
    return entries;
  }

  /** A history item, checked; a malformed one is a MalformedControlItemError naming the field. */
  private parse(item: Item): HistoryEntry {
    const key = describeKey({ pk: String(item.pk), sk: String(item.sk) });
    try {
      const fields = FieldReader.of(item, "");
      return { runId: fields.string("runId"), record: parseAuditRecord(fields.map("record")) };
    } catch (error) {
      if (!(error instanceof InvalidFieldError)) throw error;
      throw new MalformedControlItemError(
        this.table,
        key,
        error.field,
        error.problem,
        "fix the field or delete the item",
      );
    }
  }
}

/** The audit record in a history item; fields a later version adds are left out. */
function parseAuditRecord(fields: FieldReader): AuditRecord {
  const versions = fields.map("versions");
  const from = versions.optionalString("from");
  const to = versions.optionalString("to");
  const reason = fields.optionalString("reason");
  const optional = {
    runId: fields.optionalString("runId"),
    secondsToRevert: fields.optionalNumber("secondsToRevert", { min: 0 }),
    commitAt: fields.optionalString("commitAt"),
    service: fields.optionalString("service"),
    region: fields.optionalString("region"),
    endedAt: fields.optionalString("endedAt"),
    revertReason: fields.optionalString("revertReason"),
  };
  return {
    at: fields.string("at"),
    stack: fields.string("stack"),
    command: fields.string("command"),
    who: fields.string("who"),
    versions: { from, to },
    ...(reason !== undefined ? { reason } : {}),
    outcome: fields.oneOf("outcome", OUTCOMES),
    exitCode: fields.number("exitCode", { integer: true, min: 0 }),
    elapsedSeconds: fields.number("elapsedSeconds", { min: 0 }),
    rehearsal: fields.boolean("rehearsal"),
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}
