/**
 * `bluegreen history` and the release history a run leaves: through the real CLI entry (`run`)
 * against a real DynamoDB API (dynalite), the stack's table standing for the shared history.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoHistoryStore } from "../../../automation/adapters/control/dynamoHistoryStore";
import type { AuditRecord } from "../../../automation/audit";
import { run } from "../../../automation/cli/main";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { failCalls, recordActions, useDynalite } from "../adapters/control/dynalite";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const DAY = 86_400_000;

/** The record of a run of stack dev that started `ms` before NOW. */
function record(msBefore: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    at: new Date(NOW - msBefore).toISOString(),
    stack: "dev",
    command: "rollout",
    who: "alice@example.com",
    versions: { from: "1.4.1", to: "1.5.0" },
    outcome: "promoted",
    exitCode: 0,
    elapsedSeconds: 1500,
    rehearsal: false,
    ...overrides,
  };
}

describe("bluegreen history", () => {
  const dynamo = useDynalite();
  let project: ReturnType<typeof makeProject>;
  let table: string;
  beforeEach(async () => {
    project = makeProject({
      dev: ecsStack(),
      shared: ecsStack({ extra: "  bluegreen:control: { channel: file }" }),
    });
    table = await dynamo().createTable();
  });
  afterEach(() => project.cleanup());

  /** Runs `history` with the dev stack's history in this test's table, read `pageSize` items a page. */
  async function history(argv: string[], options: { pageSize?: number; client?: DynamoDBClient } = {}) {
    const t = testIo(project.dir);
    const client = options.client ?? dynamo().client;
    const services = testServices({
      clock: new VirtualClock(NOW),
      historyStore: (stack) =>
        stack.config.control.channel === "file"
          ? undefined
          : new DynamoHistoryStore({ client, table, pageSize: options.pageSize ?? 100 }),
    });
    const code = await run(["history", ...argv], t.io, services);
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  }

  async function seed(records: readonly AuditRecord[]): Promise<void> {
    const store = new DynamoHistoryStore({ client: dynamo().client, table });
    for (const [index, entry] of records.entries()) await store.append(entry, `run-${index}`);
  }

  it("lists every run newest first across several pages of the table, one Query each", async () => {
    // Seven runs, three to a page: three pages, the last one short.
    await seed(
      Array.from({ length: 7 }, (_, index) =>
        record(index * 60_000, { versions: { from: "1.0.0", to: `1.0.${index}` } }),
      ),
    );
    const client = dynamo().newClient();
    const actions = recordActions(client);
    const result = await history(["--stack", "dev", "--json"], { pageSize: 3, client });
    assert.equal(result.code, 0, result.stderr);
    const lines = ndjson(result.stdout);
    assert.deepEqual(
      lines.map((line) => (line.versions as { to: string }).to),
      ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6"],
    );
    assert.deepEqual(
      lines.map((line) => line.runId),
      ["run-0", "run-1", "run-2", "run-3", "run-4", "run-5", "run-6"],
    );
    assert.deepEqual(actions, ["dynamodb:Query", "dynamodb:Query", "dynamodb:Query"]);
    assert.match(
      result.stderr,
      /release history of stack dev in the control table bluegreen-checkout-dev \(eu-west-1\), newest first/,
    );
  });

  it("--since 30d takes a run that started exactly 30 days ago and leaves one a millisecond older", async () => {
    await seed([
      record(30 * DAY + 1, { who: "older" }),
      record(30 * DAY, { who: "boundary" }),
      record(DAY, { who: "recent" }),
    ]);
    const result = await history(["--stack", "dev", "--since", "30d", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      ndjson(result.stdout).map((line) => line.who),
      ["recent", "boundary"],
    );
  });

  it("--limit keeps the newest", async () => {
    await seed([record(3 * DAY, { who: "c" }), record(2 * DAY, { who: "b" }), record(DAY, { who: "a" })]);
    const result = await history(["--stack", "dev", "--limit", "2", "--json"]);
    assert.deepEqual(
      ndjson(result.stdout).map((line) => line.who),
      ["a", "b"],
    );
  });

  it("prints one aligned line per run: when, versions, outcome, duration, who, reason cut to 60, revert", async () => {
    await seed([
      record(2 * DAY, { reason: `release ${"x".repeat(80)}` }),
      record(DAY, {
        outcome: "rolled-back",
        exitCode: 3,
        elapsedSeconds: 750,
        who: "bob",
        versions: { from: "1.5.0", to: "1.6.0" },
        secondsToRevert: 7,
        revertReason: "alarm checkout-dev-green-error-rate is in ALARM",
      }),
    ]);
    const result = await history(["--stack", "dev"]);
    assert.equal(result.code, 0, result.stderr);
    const [header, newest, oldest] = result.stdout.trimEnd().split("\n");
    assert.match(header, /^started\s+command\s+version\s+outcome\s+duration\s+who\s+reason\s+revert$/);
    assert.match(
      newest,
      /^2026-11-29 12:00Z\s+rollout\s+1\.5\.0 -> 1\.6\.0\s+rolled-back\s+12m30s\s+bob\s+-\s+in 7s: alarm checkout-dev-green-error-rate is in ALARM$/,
    );
    assert.match(
      oldest,
      /^2026-11-28 12:00Z\s+rollout\s+1\.4\.1 -> 1\.5\.0\s+promoted\s+25m\s+alice@example\.com\s+release x{51}…\s+-$/,
    );
    // Aligned: each column starts at the same place on every line.
    for (const word of ["command", "version", "outcome", "duration", "who", "reason", "revert"]) {
      const column = header.indexOf(word);
      assert.notEqual(newest[column - 1], undefined);
      assert.equal(newest[column - 2], " ", `${word} starts after two spaces on every line`);
      assert.equal(oldest[column - 2], " ", `${word} starts after two spaces on every line`);
    }
  });

  it("says so when the table holds no runs", async () => {
    const result = await history(["--stack", "dev"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "no runs recorded\n");
  });

  const failures: { name: string; setup: () => Promise<Parameters<typeof history>[1]>; names: RegExp }[] = [
    {
      name: "a missing table",
      setup: async () => {
        table = "bluegreen-checkout-gone";
        return {};
      },
      names:
        /could not read the release history of stack dev: the control table bluegreen-checkout-gone does not exist in eu-west-1: run `pulumi up` for stack dev first/,
    },
    {
      name: "access denied",
      setup: async () => {
        const client = dynamo().newClient();
        failCalls(client, "QueryCommand", () =>
          Object.assign(
            new Error(
              `User: arn:aws:sts::123456789012:assumed-role/ops/x is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/${table} because no identity-based policy allows the dynamodb:Query action`,
            ),
            { name: "AccessDeniedException" },
          ),
        );
        return { client };
      },
      names:
        /not allowed to use control table bluegreen-test-t\d+: the policy needs dynamodb:Query on arn:aws:dynamodb:eu-west-1:123456789012:table\/bluegreen-test-t\d+/,
    },
    {
      name: "a malformed item",
      setup: async () => {
        await seed([record(DAY)]);
        await DynamoDBDocumentClient.from(dynamo().client).send(
          new PutCommand({
            TableName: table,
            Item: {
              pk: "history",
              sk: `${record(0).at}#bad`,
              runId: "bad",
              record: { ...record(0), outcome: "exploded" },
            },
          }),
        );
        return {};
      },
      names:
        /control table bluegreen-test-t\d+, item \(pk=history, sk=.*#bad\): record\.outcome must be one of/,
    },
  ];
  for (const { name, setup, names } of failures) {
    it(`exits 5 naming the table on ${name}`, async () => {
      const options = await setup();
      const result = await history(["--stack", "dev"], options);
      assert.equal(result.code, 5, result.stderr);
      assert.match(result.stderr, names);
      assert.equal(result.stdout, "");
    });
  }

  it("reads the local audit log of a file-channel stack, and says so", async () => {
    const log = [
      record(2 * DAY, { stack: "shared", who: "older" }),
      record(DAY, { stack: "dev", who: "another stack" }),
      record(DAY / 2, { stack: "shared", who: "newer" }),
    ];
    fs.writeFileSync(
      path.join(project.dir, "audit.ndjson"),
      log.map((entry) => `${JSON.stringify(entry)}\n`).join(""),
    );
    const result = await history(["--stack", "shared", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      ndjson(result.stdout).map((line) => line.who),
      ["newer", "older"],
    );
    assert.match(
      result.stderr,
      /stack shared uses the file control channel .*: reading the local audit log .*audit\.ndjson/,
    );
  });

  const refusals: { argv: string[]; names: RegExp }[] = [
    {
      argv: ["--since", "yesterday"],
      names: /--since "yesterday": expected a span back from now such as 30d/,
    },
    { argv: ["--since", "30x"], names: /--since "30x"/ },
    {
      argv: ["--limit", "0"],
      names: /option '--limit <n>' argument '0' is invalid\. expected a whole number of runs from 1/,
    },
    { argv: ["--limit", "ten"], names: /option '--limit <n>' argument 'ten' is invalid/ },
  ];
  for (const { argv, names } of refusals) {
    it(`refuses ${argv.join(" ")} with exit 2, naming the flag`, async () => {
      const result = await history(["--stack", "dev", ...argv]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, names);
    });
  }

  describe("report --stack", () => {
    async function report(argv: string[]) {
      const t = testIo(project.dir);
      const services = testServices({
        clock: new VirtualClock(NOW),
        historyStore: (stack) =>
          stack.config.control.channel === "file"
            ? undefined
            : new DynamoHistoryStore({ client: dynamo().client, table }),
      });
      const code = await run(["report", ...argv], t.io, services);
      return { code, stdout: t.stdout(), stderr: t.stderr() };
    }

    it("computes the DORA metrics from the table's history and names it as the source", async () => {
      await seed([
        record(3 * DAY),
        record(2 * DAY, { outcome: "rolled-back", exitCode: 3, secondsToRevert: 30 }),
        record(DAY),
      ]);
      // The local log says something else: it must not be what is read.
      fs.writeFileSync(path.join(project.dir, "audit.ndjson"), `${JSON.stringify(record(DAY))}\n`);
      const result = await report(["--stack", "dev"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /: 3 rollouts, 2 promoted, 1 rolled back or failed, 0 aborted\n/);
      assert.match(
        result.stdout,
        /^read from the release history in the control table bluegreen-checkout-dev \(eu-west-1\)$/m,
      );
      const json = await report(["--stack", "dev", "--format", "json"]);
      assert.match(JSON.parse(json.stdout).source, /control table bluegreen-checkout-dev/);
    });

    it("reads the local audit log of a file-channel stack and names it", async () => {
      fs.writeFileSync(
        path.join(project.dir, "audit.ndjson"),
        `${JSON.stringify(record(DAY, { stack: "shared" }))}\n`,
      );
      const result = await report(["--stack", "shared", "--format", "markdown"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /: 1 rollout, 1 promoted/);
      assert.match(result.stdout, /^Read from the local audit log .*audit\.ndjson\.$/m);
    });

    it("exits 5 naming the table when the history cannot be read", async () => {
      table = "bluegreen-checkout-gone";
      const result = await report(["--stack", "dev"]);
      assert.equal(result.code, 5);
      assert.match(
        result.stderr,
        /could not read the release history of stack dev: the control table bluegreen-checkout-gone does not exist in eu-west-1: run `pulumi up` for stack dev first/,
      );
    });
  });
});
