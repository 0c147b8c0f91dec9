import assert from "node:assert/strict";
import { DynamoControlChannel } from "../../../automation/adapters/control/dynamoControlChannel";
import type { Notification, Notifier } from "../../../automation/adapters/notify/notifier";
import { TRIP_LEASE_MS } from "../../../automation/core/controlTrip";
import type { GuardianTrigger } from "../../../automation/core/guardian";
import { type GuardianDeps, guardianLogLine, runGuardian } from "../../../automation/guardian/guardian";
import { useDynalite } from "../adapters/control/dynalite";
import { MemoryRouter, guardianTarget, halfwayRun } from "./support";

const NOW = 1_800_000_000_000;
const SPLIT = { blue: 50, green: 50 };
const BACK = { blue: 100, green: 0 };
const SCHEDULE: GuardianTrigger = { kind: "schedule", at: NOW };
const GREEN_ALARM: GuardianTrigger = {
  kind: "alarm",
  alarmName: "checkout-dev-green",
  state: "ALARM",
  at: NOW,
};

describe("runGuardian against the control table (dynalite)", () => {
  const dynalite = useDynalite();

  async function setup(options: { heartbeatAgeMs?: number; split?: typeof SPLIT; claim?: boolean } = {}) {
    const table = await dynalite().createTable();
    const driver = new DynamoControlChannel({ client: dynalite().client, table, owner: "driver-a" });
    if (options.claim ?? true)
      await driver.claimRun(halfwayRun(NOW - 600_000), NOW - (options.heartbeatAgeMs ?? 5_000));
    const router = new MemoryRouter(options.split ?? SPLIT);
    const sent: Notification[] = [];
    const deps = (notifier?: Notifier): GuardianDeps => ({
      target: guardianTarget({ controlTableName: table }),
      record: new DynamoControlChannel({ client: dynalite().client, table, owner: "guardian-dev" }),
      router: () => router,
      ...(notifier ? { notifier } : {}),
      clock: { now: () => NOW, sleep: async () => {} },
      random: () => 0,
    });
    const notifier: Notifier = { name: "test", send: async (message) => void sent.push(message) };
    return { table, driver, router, sent, deps, notifier };
  }

  it("reverts on the candidate's alarm: trip first, stable 100% verified, revert recorded, announced", async () => {
    const { driver, router, sent, deps, notifier } = await setup();
    const result = await runGuardian(deps(notifier), GREEN_ALARM);
    assert.equal(result.outcome, "reverted", result.detail);
    assert.deepEqual(router.writes, [BACK]);
    assert.deepEqual(result.weights, BACK);
    assert.deepEqual(result.found, SPLIT);
    assert.equal(result.notified, true);
    const trip = (await driver.readRecord()).trip;
    assert.equal(trip?.runId, "run-1");
    assert.equal(trip?.revertedAt, NOW);
    assert.deepEqual(trip?.weights, BACK);
    assert.match(trip?.reason ?? "", /alarm checkout-dev-green of green entered ALARM/);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.kind, "reverted");
    assert.match(sent[0]?.subject ?? "", /traffic back on blue/);
    const line = JSON.parse(guardianLogLine(result)) as Record<string, unknown>;
    assert.equal(line.source, "bluegreen-guardian");
    assert.equal(line.outcome, "reverted");
  });

  it("does nothing alongside a live driver on its schedule", async () => {
    const { driver, router, deps } = await setup({ heartbeatAgeMs: 10_000 });
    const before = await driver.readRecord();
    const result = await runGuardian(deps(), SCHEDULE);
    assert.equal(result.outcome, "nothing");
    assert.equal(result.why, "driver-alive");
    assert.deepEqual(router.writes, []);
    assert.equal((await driver.readRecord()).version, before.version, "the record is not written");
  });

  it("reverts a lost driver's split on its schedule", async () => {
    const { router, deps } = await setup({ heartbeatAgeMs: 301_000 });
    const result = await runGuardian(deps(), SCHEDULE);
    assert.equal(result.outcome, "reverted", result.detail);
    assert.match(result.detail, /driver of run run-1 is lost: last heartbeat 301s ago/);
    assert.deepEqual(router.split, BACK);
  });

  it("two guardians at once act once", async () => {
    const { router, deps } = await setup();
    const results = await Promise.all([runGuardian(deps(), GREEN_ALARM), runGuardian(deps(), GREEN_ALARM)]);
    const outcomes = results.map((result) => result.outcome).sort();
    assert.ok(
      JSON.stringify(outcomes) === JSON.stringify(["in-progress", "reverted"]) ||
        JSON.stringify(outcomes) === JSON.stringify(["nothing", "reverted"]),
      JSON.stringify(results),
    );
    assert.deepEqual(router.writes, [BACK], "one write");
  });

  it("a second run after a revert does nothing more", async () => {
    const { router, deps } = await setup();
    await runGuardian(deps(), GREEN_ALARM);
    const again = await runGuardian(deps(), GREEN_ALARM);
    assert.equal(again.outcome, "nothing");
    assert.equal(again.why, "already-tripped");
    assert.deepEqual(router.writes, [BACK]);
  });

  it("finishes a trip a crashed guardian left without a revert, once its lease is over", async () => {
    const { driver, router, deps } = await setup();
    const guardian = new DynamoControlChannel({ client: dynalite().client, table: driver.table, owner: "g" });
    const crashedAt = NOW - TRIP_LEASE_MS - 1;
    await guardian.recordTrip(
      {
        runId: "run-1",
        reason: "alarm checkout-dev-green of green entered ALARM",
        triggeredAt: crashedAt,
        weights: BACK,
      },
      crashedAt,
    );
    const result = await runGuardian(deps(), SCHEDULE);
    assert.equal(result.outcome, "reverted", result.detail);
    assert.equal(result.resumed, true);
    assert.match(result.detail, /^alarm checkout-dev-green of green/);
    assert.deepEqual(router.writes, [BACK]);
    assert.equal((await driver.readRecord()).trip?.revertedAt, NOW);
  });

  it("leaves a trip within its lease to the guardian carrying it out", async () => {
    const { driver, router, deps } = await setup();
    const guardian = new DynamoControlChannel({ client: dynalite().client, table: driver.table, owner: "g" });
    await guardian.recordTrip(
      { runId: "run-1", reason: "alarm", triggeredAt: NOW - 1_000, weights: BACK },
      NOW - 1_000,
    );
    const result = await runGuardian(deps(), GREEN_ALARM);
    assert.equal(result.outcome, "in-progress");
    assert.deepEqual(router.writes, []);
  });

  it("retries the direct write, and a failed announcement does not change the outcome", async () => {
    const { router, deps } = await setup();
    router.failWrites = 2;
    const result = await runGuardian(
      deps({ name: "broken", send: async () => Promise.reject(new Error("SNS down")) }),
      GREEN_ALARM,
    );
    assert.equal(result.outcome, "reverted");
    assert.equal(result.notified, false);
    assert.deepEqual(router.split, BACK);
  });

  it("a revert it cannot verify leaves the trip open and says so", async () => {
    const { driver, router, deps } = await setup();
    router.failWrites = 100;
    const result = await runGuardian(deps(), GREEN_ALARM);
    assert.equal(result.outcome, "failed");
    assert.match(result.detail, /could not put traffic back on blue: ThrottlingException/);
    const trip = (await driver.readRecord()).trip;
    assert.equal(trip?.runId, "run-1");
    assert.equal(trip?.revertedAt, undefined);
    assert.equal(trip?.attemptedAt, 0, "handed back");
    router.failWrites = 0;
    const retried = await runGuardian(deps(), GREEN_ALARM);
    assert.equal(retried.outcome, "reverted", "the next run retries at once, without waiting out the lease");
    assert.equal(retried.resumed, true);
    assert.deepEqual(router.split, BACK);
  });

  it("leaves a split with no run recorded alone", async () => {
    const { router, deps } = await setup({ claim: false });
    const result = await runGuardian(deps(), GREEN_ALARM);
    assert.equal(result.outcome, "nothing");
    assert.equal(result.why, "unowned-split");
    assert.deepEqual(router.writes, []);
  });

  it("reports an unreachable control table as such, and touches no traffic", async () => {
    const { router, deps } = await setup();
    const result = await runGuardian(
      {
        ...deps(),
        target: guardianTarget({ controlTableName: "missing" }),
        record: new DynamoControlChannel({ client: dynalite().client, table: "missing" }),
      },
      GREEN_ALARM,
    );
    assert.equal(result.outcome, "error");
    assert.equal(result.unreachable, "control");
    assert.match(result.detail, /control table missing does not exist/);
    assert.deepEqual(router.writes, []);
  });
});
