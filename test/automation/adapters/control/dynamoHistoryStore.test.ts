import assert from "node:assert/strict";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  ControlTableError,
  ControlTableMissingError,
  MalformedControlItemError,
} from "../../../../automation/adapters/control/dynamoErrors";
import { DynamoHistoryStore } from "../../../../automation/adapters/control/dynamoHistoryStore";
import type { AuditRecord } from "../../../../automation/audit";
import { CONTROL_TABLE_ACTIONS } from "../../../../components/domain/controlTable";
import { recordActions, useDynalite } from "./dynalite";

const T = Date.UTC(2025, 2, 1, 10, 0, 0);
const MINUTE = 60_000;

/** The record of a run that started `minutes` after T. */
const record = (minutes: number, overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  at: new Date(T + minutes * MINUTE).toISOString(),
  stack: "prod",
  command: "rollout",
  who: "alice",
  versions: { from: "1.0.0", to: `1.0.${minutes}` },
  outcome: "promoted",
  exitCode: 0,
  elapsedSeconds: 1500,
  rehearsal: false,
  ...overrides,
});

describe("DynamoHistoryStore against a DynamoDB API", () => {
  const dynamo = useDynalite();
  let table: string;
  beforeEach(async () => {
    table = await dynamo().createTable();
  });

  it("lists every run across pages, newest first, with the run's id", async () => {
    const client = dynamo().newClient();
    const store = new DynamoHistoryStore({ client, table, pageSize: 2 });
    for (const minutes of [3, 0, 4, 1, 2]) await store.append(record(minutes), `run-${minutes}`);
    const actions = recordActions(client);
    const entries = await store.list();
    assert.deepEqual(
      entries.map((entry) => entry.runId),
      ["run-4", "run-3", "run-2", "run-1", "run-0"],
    );
    assert.deepEqual(entries[0].record, record(4));
    // Five items two to a page: the third page is where DynamoDB says there is no more.
    assert.deepEqual(actions, ["dynamodb:Query", "dynamodb:Query", "dynamodb:Query"]);
  });

  const queries: { name: string; since?: number; limit?: number; runIds: string[] }[] = [
    {
      name: "since a start: that run and the later ones",
      since: T + 2 * MINUTE,
      runIds: ["run-4", "run-3", "run-2"],
    },
    { name: "since a moment between runs", since: T + 2 * MINUTE + 1, runIds: ["run-4", "run-3"] },
    { name: "since after the last run: none", since: T + 5 * MINUTE, runIds: [] },
    { name: "a limit: the newest", limit: 3, runIds: ["run-4", "run-3", "run-2"] },
    { name: "a limit and since", since: T + MINUTE, limit: 1, runIds: ["run-4"] },
    {
      name: "a limit beyond the runs: all",
      limit: 50,
      runIds: ["run-4", "run-3", "run-2", "run-1", "run-0"],
    },
  ];
  for (const { name, since, limit, runIds } of queries) {
    it(`lists ${name}`, async () => {
      const store = new DynamoHistoryStore({ client: dynamo().client, table, pageSize: 2 });
      for (const minutes of [0, 1, 2, 3, 4]) await store.append(record(minutes), `run-${minutes}`);
      const entries = await store.list({ since, limit });
      assert.deepEqual(
        entries.map((entry) => entry.runId),
        runIds,
      );
    });
  }

  it("stores the reason scrubbed, as the audit log does", async () => {
    const store = new DynamoHistoryStore({ client: dynamo().client, table });
    const stored = await store.append(
      record(0, { reason: "rollback drill, token=ghp_abcdefghijklmnopqrstuvwxyz0123" }),
    );
    assert.equal(stored.reason, "rollback drill, token=[redacted]");
    assert.equal((await store.list())[0].record.reason, "rollback drill, token=[redacted]");
  });

  it("takes a retried append of the same run as done, and never overwrites another record", async () => {
    const store = new DynamoHistoryStore({ client: dynamo().client, table });
    await store.append(record(0), "run-0");
    await store.append(record(0), "run-0");
    assert.equal((await store.list()).length, 1);
    await assert.rejects(
      store.append(record(0, { outcome: "rolled-back", exitCode: 2 }), "run-0"),
      (error: unknown) =>
        error instanceof ControlTableError &&
        /already holds a different history record under \(pk=history, sk=2025-03-01T10:00:00.000Z#run-0\)/.test(
          error.message,
        ),
    );
    assert.equal((await store.list())[0].record.outcome, "promoted");
  });

  it("gives two records of one moment without a run id their own items", async () => {
    const store = new DynamoHistoryStore({ client: dynamo().client, table });
    await store.append(record(0, { command: "abort" }));
    await store.append(record(0, { command: "abort", who: "bob" }));
    assert.equal((await store.list()).length, 2);
  });

  it("refuses a start that would not sort as a time", async () => {
    const store = new DynamoHistoryStore({ client: dynamo().client, table });
    await assert.rejects(
      store.append(record(0, { at: "1 March 2025" }), "run-0"),
      /at must be an ISO 8601 UTC time/,
    );
    assert.deepEqual(await store.list(), []);
  });

  it("refuses a malformed history item, naming the table, the item and the field", async () => {
    const store = new DynamoHistoryStore({ client: dynamo().client, table });
    await store.append(record(0), "run-0");
    const broken = { ...record(1), outcome: "exploded" };
    await DynamoDBDocumentClient.from(dynamo().client).send(
      new PutCommand({
        TableName: table,
        Item: { pk: "history", sk: `${broken.at}#run-1`, runId: "run-1", record: broken },
      }),
    );
    await assert.rejects(store.list(), (error: unknown) => {
      assert.ok(error instanceof MalformedControlItemError, String(error));
      assert.equal(error.field, "record.outcome");
      assert.equal(error.item, `pk=history, sk=${broken.at}#run-1`);
      assert.match(
        error.message,
        new RegExp(`control table ${table}, item .*record\\.outcome must be one of promoted`),
      );
      return true;
    });
  });

  it("reads a record a later version wrote with more fields", async () => {
    const store = new DynamoHistoryStore({ client: dynamo().client, table });
    await DynamoDBDocumentClient.from(dynamo().client).send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: "history",
          sk: `${record(0).at}#run-0`,
          runId: "run-0",
          record: { ...record(0), pausedSeconds: 30 },
        },
      }),
    );
    assert.deepEqual(await store.list(), [{ runId: "run-0", record: record(0) }]);
  });

  it("reports a missing table with how to create it", async () => {
    const store = new DynamoHistoryStore({ client: dynamo().client, table: "bluegreen-orders-nowhere" });
    await assert.rejects(store.list(), ControlTableMissingError);
    await assert.rejects(store.append(record(0)), /`pulumi up` declares the table/);
  });

  it("needs only the listed actions: the driver appends, the operator lists", async () => {
    const client = dynamo().newClient();
    const actions = recordActions(client);
    const store = new DynamoHistoryStore({ client, table });
    await store.append(record(0), "run-0");
    await store.append(record(0), "run-0");
    for (const action of new Set(actions.splice(0))) {
      assert.ok(
        CONTROL_TABLE_ACTIONS.driver.some((listed) => listed === action),
        action,
      );
    }
    await store.list();
    assert.deepEqual(actions, ["dynamodb:Query"]);
    assert.ok(CONTROL_TABLE_ACTIONS.operator.some((listed) => listed === "dynamodb:Query"));
  });
});
