/**
 * The record each run leaves in the stack's release history (its DynamoDB control table, here
 * dynalite) beside the local audit log: the same record in both, none for a rehearsal, and a table
 * that fails or hangs costs a warning, never the run's outcome or exit code.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoHistoryStore,
  type HistoryStore,
} from "../../../automation/adapters/control/dynamoHistoryStore";
import type { AuditRecord } from "../../../automation/audit";
import { recordAudit } from "../../../automation/cli/auditRecord";
import type { ConnectRequest } from "../../../automation/cli/connection";
import { run } from "../../../automation/cli/main";
import { loadStack } from "../../../automation/cli/stacks";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import type { DriverDeps } from "../../../automation/rollout";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { failCalls, useDynalite } from "../adapters/control/dynalite";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const START = 1_700_000_000_000;
const MINUTE = 60_000;

describe("the release history a run leaves in the control table", () => {
  const dynamo = useDynalite();
  let project: ReturnType<typeof makeProject>;
  let clock: VirtualClock;
  let world: SimulatedWorld;
  let table: string;
  beforeEach(async () => {
    project = makeProject({ dev: ecsStack() });
    clock = new VirtualClock(START);
    world = new SimulatedWorld({ config: loadStack(project.dir, "dev").config, stackName: "dev", clock });
    table = await dynamo().createTable();
  });
  afterEach(() => project.cleanup());

  function services(client: DynamoDBClient = dynamo().client, connect = true) {
    return testServices({
      clock,
      connect: connect
        ? async (request: ConnectRequest): Promise<DriverDeps> =>
            world.driverDeps(request.events, { clock, control: request.control })
        : undefined,
      historyStore: () => new DynamoHistoryStore({ client, table }),
    });
  }

  const tableRecords = async (): Promise<AuditRecord[]> =>
    (await new DynamoHistoryStore({ client: dynamo().client, table }).list()).map((entry) => entry.record);
  const localRecords = (): Record<string, unknown>[] => {
    const file = path.join(project.dir, "audit.ndjson");
    return fs.existsSync(file) ? ndjson(fs.readFileSync(file, "utf8")) : [];
  };

  it("writes a rollout's record to the table as it writes it to the local log: who, what, where, when, why, how", async () => {
    const t = testIo(project.dir);
    const code = await run(
      ["rollout", "--stack", "dev", "--version", "1.5.0", "--reason", "ticket 42", "--json"],
      t.io,
      services(),
    );
    assert.equal(code, 0, t.stderr());
    const [stored] = await tableRecords();
    assert.deepEqual(stored, localRecords()[0]);
    const events = ndjson(t.stdout());
    assert.equal(stored.runId, events[0].runId, "the run id its events carry");
    assert.deepEqual(
      { ...stored, runId: undefined, elapsedSeconds: undefined },
      {
        at: "2023-11-14T22:13:20.000Z",
        stack: "dev",
        command: "rollout",
        who: "tester@example.com",
        versions: { from: "1.4.1", to: "1.5.0" },
        reason: "ticket 42",
        outcome: "promoted",
        exitCode: 0,
        elapsedSeconds: undefined,
        rehearsal: false,
        runId: undefined,
        service: "checkout",
        region: "eu-west-1",
        endedAt: new Date(clock.now()).toISOString(),
      },
    );
    assert.ok(stored.elapsedSeconds > 0);
  });

  it("keeps why a rollout reverted and the seconds from trigger to verified revert", async () => {
    world.inject({ at: 7 * MINUTE, alarm: "*", state: "ALARM" });
    const t = testIo(project.dir);
    const code = await run(["rollout", "--stack", "dev", "--version", "1.5.0"], t.io, services());
    assert.equal(code, 3, t.stdout());
    const [stored] = await tableRecords();
    assert.equal(stored.outcome, "rolled-back");
    assert.match(String(stored.revertReason), /ALARM/);
    assert.equal(typeof stored.secondsToRevert, "number");
    assert.deepEqual(stored, localRecords()[0]);
  });

  it("writes the direct abort's record to the table", async () => {
    const control = new MemoryControlChannel();
    const inProgress = new SimulatedWorld({
      config: loadStack(project.dir, "dev").config,
      stackName: "dev",
      clock,
      deployed: {
        traffic: { blue: 75, green: 25 },
        slots: { blue: { version: "1.4.1" }, green: { version: "1.5.0" } },
        stable: "blue",
        revision: 3,
      },
    });
    const t = testIo(project.dir);
    const code = await run(
      ["abort", "--stack", "dev", "--reason", "bad deploy"],
      t.io,
      testServices({
        clock,
        control,
        connect: async (request) =>
          inProgress.driverDeps(request.events, { clock, control: request.control }),
        historyStore: () => new DynamoHistoryStore({ client: dynamo().client, table }),
      }),
    );
    assert.equal(code, 4, t.stderr());
    const [stored] = await tableRecords();
    assert.equal(stored.command, "abort");
    assert.equal(stored.outcome, "aborted");
    assert.equal(stored.reason, "bad deploy");
    assert.deepEqual(stored, localRecords()[0]);
  });

  it("writes nothing to the table for a rehearsal", async () => {
    const t = testIo(project.dir);
    const code = await run(
      ["rehearse", "--stack", "dev", "--version", "2.0.0"],
      t.io,
      services(undefined, false),
    );
    assert.equal(code, 0, t.stderr());
    assert.equal(localRecords().length, 1, "the local log has the rehearsal, as always");
    assert.deepEqual(await tableRecords(), []);
  });

  it("warns when the table refuses the record, and keeps the outcome, the exit code and the local record", async () => {
    const client = dynamo().newClient();
    failCalls(client, "PutItemCommand", () =>
      Object.assign(new Error("not authorized to perform: dynamodb:PutItem"), {
        name: "AccessDeniedException",
      }),
    );
    const t = testIo(project.dir);
    const code = await run(
      ["rollout", "--stack", "dev", "--version", "1.5.0", "--json"],
      t.io,
      services(client),
    );
    assert.equal(code, 0);
    const warning =
      /could not write the run's record to the release history in the control table bluegreen-checkout-dev \(eu-west-1\): not allowed to use control table bluegreen-test-t\d+: the policy needs dynamodb:PutItem .*; the local audit log has it, and the outcome stands/;
    assert.match(t.stderr(), new RegExp(`warning: ${warning.source}`));
    const events = ndjson(t.stdout());
    const last = events.at(-1);
    assert.equal(last?.type, "completed", "the stream still ends with completed");
    assert.equal(last?.outcome, "promoted");
    assert.equal(events.at(-2)?.type, "warning");
    assert.match(String(events.at(-2)?.message), warning);
    assert.equal(localRecords()[0].outcome, "promoted");
    assert.deepEqual(await tableRecords(), []);
  });
});

describe("recordAudit's bound on the release history", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-record-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("gives up on a table that does not answer, with a warning, within the bound", async () => {
    const never: HistoryStore = {
      append: () => new Promise<AuditRecord>(() => undefined),
      list: async () => [],
    };
    const t = testIo(dir);
    const warnings: string[] = [];
    const record: AuditRecord = {
      at: "2026-11-30T10:00:00.000Z",
      stack: "dev",
      command: "rollout",
      who: "alice",
      versions: { from: "1.0.0", to: "1.1.0" },
      outcome: "promoted",
      exitCode: 0,
      elapsedSeconds: 1,
      rehearsal: false,
    };
    const started = Date.now();
    await recordAudit(t.io, record, {
      store: never,
      location: "control table bluegreen-checkout-dev (eu-west-1)",
      warn: (message) => warnings.push(message),
      timeoutMs: 50,
    });
    assert.ok(Date.now() - started < 2_000, "bounded");
    assert.deepEqual(warnings.length, 1);
    assert.match(warnings[0], /control table bluegreen-checkout-dev \(eu-west-1\): no answer within 0\.05s/);
    assert.equal(ndjson(fs.readFileSync(path.join(dir, "audit.ndjson"), "utf8")).length, 1);
  });
});
