/**
 * The control table as the control channel and the history store use it: four calls (GetItem,
 * UpdateItem, PutItem, Query) through the document client, each failure mapped to the table's
 * typed errors with the action that failed. Reads are strongly consistent: a conditional write
 * built on a stale read would only fail and be retried, and a heartbeat read late looks older
 * than it is.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mapDynamoError } from "./dynamoErrors";

/** Where the control table is and how to reach it. */
export interface DynamoTableOptions {
  /**
   * The DynamoDB client of the stack's account and region, built with `awsClient` so it makes one
   * attempt per call: the driver owns the retries.
   */
  readonly client: DynamoDBClient;
  /** The table's name: `controlTableName(service, stack)`. */
  readonly table: string;
}

/** A stored item, as the document client gives it back. */
export type Item = Readonly<Record<string, unknown>>;

/** The key of an item: its partition and sort key. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** One page of a query, and where the next one starts. */
export interface QueryPage {
  readonly items: readonly Item[];
  readonly lastKey?: Record<string, unknown>;
}

/** The control table, reached through the document client. */
export class DynamoTable {
  /** The table's name. */
  readonly name: string;
  private readonly documents: DynamoDBDocumentClient;

  constructor(options: DynamoTableOptions) {
    this.name = options.table;
    // Optional fields of a record are left out of the item rather than stored as NULL.
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  /** The item under `key`, read consistently; undefined when there is none. `signal` abandons the call. */
  async get(key: ItemKey, signal?: AbortSignal): Promise<Item | undefined> {
    const output = await this.call("dynamodb:GetItem", () =>
      this.documents.send(new GetCommand({ TableName: this.name, Key: { ...key }, ConsistentRead: true }), {
        abortSignal: signal,
      }),
    );
    return output.Item;
  }

  /** An UpdateItem on the table. A failed condition throws ConditionalCheckFailedException as it came. */
  async update(input: Omit<UpdateCommandInput, "TableName">): Promise<void> {
    await this.call("dynamodb:UpdateItem", () =>
      this.documents.send(new UpdateCommand({ ...input, TableName: this.name })),
    );
  }

  /**
   * A PutItem on the table. A failed condition throws ConditionalCheckFailedException as it came.
   * `signal` abandons the call.
   */
  async put(input: Omit<PutCommandInput, "TableName">, signal?: AbortSignal): Promise<void> {
    await this.call("dynamodb:PutItem", () =>
      this.documents.send(new PutCommand({ ...input, TableName: this.name }), { abortSignal: signal }),
    );
  }

  /** One page of a consistent Query on the table. */
  async query(input: Omit<QueryCommandInput, "TableName" | "ConsistentRead">): Promise<QueryPage> {
    const output = await this.call("dynamodb:Query", () =>
      this.documents.send(new QueryCommand({ ...input, TableName: this.name, ConsistentRead: true })),
    );
    return {
      items: output.Items ?? [],
      ...(output.LastEvaluatedKey ? { lastKey: output.LastEvaluatedKey } : {}),
    };
  }

  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw mapDynamoError(error, this.name, action);
    }
  }
}

/** An item's key for messages: `pk=control, sk=control`. */
export function describeKey(key: ItemKey): string {
  return `pk=${key.pk}, sk=${key.sk}`;
}
