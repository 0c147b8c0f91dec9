import assert from "node:assert/strict";
import { DynamoControlChannel } from "../../../../automation/adapters/control/dynamoControlChannel";
import type { ControlIdle, ControlRun } from "../../../../automation/core/controlRecord";
import { useDynalite } from "./dynalite";

const T = 1_700_000_000_000;

const idle: ControlIdle = {
  colour: "blue",
  version: "1.4.2",
  promotedAt: T,
  windowEndsAt: T + 3_600_000,
  capacity: 4,
};

describe("DynamoControlChannel: the idle colour in the control record", () => {
  const dynamo = useDynalite();
  let table: string;
  const channel = (owner?: string) =>
    new DynamoControlChannel({
      client: dynamo().client,
      table,
      staleAfterMs: 60_000,
      ...(owner ? { owner } : {}),
    });

  beforeEach(async () => {
    table = await dynamo().createTable();
  });

  it("writes the idle field and reads it back, beside a run, without touching the run", async () => {
    const run: ControlRun = {
      runId: "r1",
      version: "2.0.0",
      candidate: "green",
      stable: "blue",
      position: { step: 1, of: 4 },
      weights: { blue: 90, green: 10 },
      startedBy: "alice",
      startedAt: T,
    };
    await channel("driver").claimRun(run, T);
    assert.equal(await channel().changeIdle(() => idle), true);
    const record = await channel().readRecord();
    assert.deepEqual(record.idle, idle);
    assert.equal(record.run?.runId, "r1");
  });

  it("decides from the record as read: undefined writes nothing, null removes the field", async () => {
    await channel().changeIdle(() => idle);
    const before = await channel().readRecord();
    assert.equal(await channel().changeIdle(() => undefined), false);
    assert.equal((await channel().readRecord()).version, before.version);
    assert.equal(await channel().changeIdle((record) => (record.idle ? null : undefined)), true);
    assert.equal((await channel().readRecord()).idle, undefined);
  });

  it("refuses to write an idle field no reader could read back", async () => {
    await assert.rejects(
      channel().changeIdle(() => ({ ...idle, capacity: -1 })),
      /idle\.capacity/,
    );
    assert.equal((await channel().readRecord()).idle, undefined);
  });
});
