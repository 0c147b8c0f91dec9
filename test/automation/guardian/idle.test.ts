import assert from "node:assert/strict";
import { DynamoControlChannel } from "../../../automation/adapters/control/dynamoControlChannel";
import { DynamoHistoryStore } from "../../../automation/adapters/control/dynamoHistoryStore";
import type { ControlIdle } from "../../../automation/core/idle";
import { type GuardianDeps, runGuardian } from "../../../automation/guardian/guardian";
import type { CapacityScaler, ColourCapacity } from "../../../automation/ports";
import type { Colour } from "../../../components/domain";
import { useDynalite } from "../adapters/control/dynalite";
import { MemoryRouter, guardianTarget, halfwayRun } from "./support";

/**
 * The guardian's schedule also ends the rollback window: with nothing to revert, the colour the
 * last promotion left idle is scaled down once its window has closed, recorded in the control
 * record first; never while traffic is split, and never on an alarm.
 */

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;

class CountingScaler implements CapacityScaler {
  readonly scaled: { colour: Colour; count: number }[] = [];
  async capacity(): Promise<ColourCapacity> {
    return { desired: 2, running: 2, ready: 2 };
  }
  async scale(colour: Colour, count: number): Promise<void> {
    this.scaled.push({ colour, count });
  }
}

describe("the guardian's schedule scales the idle colour down after its rollback window (dynalite)", () => {
  const dynalite = useDynalite();

  async function setup(idle: ControlIdle, split = { blue: 0, green: 100 }) {
    const table = await dynalite().createTable();
    const record = new DynamoControlChannel({ client: dynalite().client, table, owner: "guardian-dev" });
    await record.changeIdle(() => idle);
    const scaler = new CountingScaler();
    const history = new DynamoHistoryStore({ client: dynalite().client, table });
    const deps: GuardianDeps = {
      target: guardianTarget({ controlTableName: table }),
      record,
      router: () => new MemoryRouter(split),
      clock: { now: () => NOW, sleep: async () => {} },
      idle: {
        control: record,
        scaler,
        capacity: 0,
        history: { store: history, stack: "dev", service: "checkout", who: "guardian of checkout-dev" },
      },
    };
    return { record, scaler, deps, history };
  }

  const promotedBlueIdle = (windowEndsAt: number): ControlIdle => ({
    colour: "blue",
    version: "1.0.0",
    promotedAt: NOW - 2 * HOUR,
    windowEndsAt,
    capacity: 2,
  });

  it("scales the idle colour to idle.capacity once the window has closed, and records it", async () => {
    const { record, scaler, deps, history } = await setup(promotedBlueIdle(NOW - HOUR));
    const result = await runGuardian(deps, { kind: "schedule", at: NOW });
    assert.equal(result.outcome, "nothing");
    assert.deepEqual(result.idle, { kind: "scaled-down", colour: "blue", from: 2, to: 0, recorded: true });
    const entries = (await history.list()).map((entry) => entry.record);
    assert.deepEqual(
      entries.map(({ command, outcome, who, versions, reason }) => ({
        command,
        outcome,
        who,
        from: versions.from,
        reason,
      })),
      [
        {
          command: "idle",
          outcome: "scaled-down",
          who: "guardian of checkout-dev",
          from: "1.0.0",
          reason: "the rollback window of blue closed: scaled from 2 to 0",
        },
      ],
    );
    assert.deepEqual(scaler.scaled, [{ colour: "blue", count: 0 }]);
    const idle = (await record.readRecord()).idle;
    assert.equal(idle?.scaledDownAt, NOW);
    assert.equal(idle?.scaledTo, 0);
    // A second pass has nothing left to do.
    const again = await runGuardian(deps, { kind: "schedule", at: NOW + 60_000 });
    assert.equal(again.idle?.kind, "nothing");
    assert.equal(scaler.scaled.length, 1);
  });

  it("leaves it warm while the window is open", async () => {
    const { scaler, deps } = await setup(promotedBlueIdle(NOW + HOUR));
    const result = await runGuardian(deps, { kind: "schedule", at: NOW });
    assert.equal(result.idle?.kind, "nothing");
    assert.deepEqual(scaler.scaled, []);
  });

  it("never scales while traffic is split, nor on an alarm", async () => {
    const split = await setup(promotedBlueIdle(NOW - HOUR), { blue: 10, green: 90 });
    assert.equal((await runGuardian(split.deps, { kind: "schedule", at: NOW })).idle?.kind, "nothing");
    assert.deepEqual(split.scaler.scaled, []);
    const alarm = await setup(promotedBlueIdle(NOW - HOUR));
    const result = await runGuardian(alarm.deps, {
      kind: "alarm",
      alarmName: "checkout-dev-blue",
      state: "ALARM",
      at: NOW,
    });
    assert.equal(result.idle, undefined);
    assert.deepEqual(alarm.scaler.scaled, []);
  });

  it("never scales while a run holds the stack", async () => {
    const { record, scaler, deps } = await setup(promotedBlueIdle(NOW - HOUR), { blue: 0, green: 100 });
    const driver = new DynamoControlChannel({
      client: dynalite().client,
      table: deps.target.controlTableName,
      owner: "driver-a",
    });
    await driver.claimRun({ ...halfwayRun(NOW - 60_000), weights: { blue: 0, green: 100 } }, NOW - 5_000);
    const result = await runGuardian(deps, { kind: "schedule", at: NOW });
    assert.equal(result.idle?.kind, "nothing");
    assert.deepEqual(scaler.scaled, []);
    assert.equal((await record.readRecord()).idle?.scaledDownAt, undefined);
  });
});
