import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DynamoControlChannel } from "../../../automation/adapters/control/dynamoControlChannel";
import { handleEvent, handler, targetFromEnv, triggerOf } from "../../../automation/guardian/lambda";
import { GUARDIAN_TARGET_ENV } from "../../../components/domain";
import { useDynalite } from "../adapters/control/dynalite";
import { FakeLambdaApi } from "./fakeLambdaApi";
import { guardianTarget, halfwayRun } from "./support";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, "fixtures", name), "utf8")) as unknown;
const ALARM_EVENT = fixture("alarm-state-change.json");
const SCHEDULED_EVENT = fixture("scheduled-event.json");

describe("the guardian's Lambda entry", () => {
  describe("reads the EventBridge event", () => {
    it("an alarm's state change, at the state's timestamp", () => {
      assert.deepEqual(triggerOf(ALARM_EVENT, 0), {
        kind: "alarm",
        alarmName: "checkout-dev-green",
        state: "ALARM",
        at: Date.parse("2027-01-15T10:00:00.000Z"),
      });
    });
    it("the schedule, at the event's time", () => {
      assert.deepEqual(triggerOf(SCHEDULED_EVENT, 0), {
        kind: "schedule",
        at: Date.parse("2027-01-15T10:00:00Z"),
      });
    });
    it("refuses any other event, naming its type", () => {
      assert.throws(
        () => triggerOf({ "detail-type": "EC2 Instance State-change Notification" }, 0),
        /got "EC2 Instance State-change Notification"/,
      );
      assert.throws(
        () => triggerOf({ "detail-type": "CloudWatch Alarm State Change", detail: {} }, 0),
        /alarmName/,
      );
    });
  });

  describe("reads its target from the environment", () => {
    it("parses it", () => {
      const target = guardianTarget();
      assert.deepEqual(targetFromEnv({ [GUARDIAN_TARGET_ENV]: JSON.stringify(target) }), target);
    });
    const bad: { label: string; value: string | undefined; error: RegExp }[] = [
      { label: "missing", value: undefined, error: /BLUEGREEN_GUARDIAN_TARGET is not set/ },
      { label: "not JSON", value: "{", error: /BLUEGREEN_GUARDIAN_TARGET is not JSON/ },
      {
        label: "not a target",
        value: JSON.stringify({ stack: "dev" }),
        error: /BLUEGREEN_GUARDIAN_TARGET is not a guardian target:[\s\S]*region/,
      },
    ];
    for (const { label, value, error } of bad) {
      it(`names the variable when it is ${label}`, () =>
        assert.throws(() => targetFromEnv({ [GUARDIAN_TARGET_ENV]: value }), error));
    }
  });

  describe("in-process, with dynalite and a local Lambda API", () => {
    const dynalite = useDynalite();
    let lambda: FakeLambdaApi;
    const saved: Record<string, string | undefined> = {};
    const setEnv = (values: Record<string, string>): void => {
      for (const [key, value] of Object.entries(values)) {
        if (!(key in saved)) saved[key] = process.env[key];
        process.env[key] = value;
      }
    };

    beforeEach(async () => {
      lambda = new FakeLambdaApi("checkout-dev", "live", {
        FunctionVersion: "3",
        RoutingConfig: { AdditionalVersionWeights: { "4": 0.5 } },
        RevisionId: "rev-1",
      });
      await lambda.start();
    });
    afterEach(async () => {
      await lambda.stop();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
        delete saved[key];
      }
    });

    async function arrange(heartbeatAt: number): Promise<DynamoControlChannel> {
      const table = await dynalite().createTable();
      const driver = new DynamoControlChannel({ client: dynalite().client, table, owner: "driver" });
      await driver.claimRun(halfwayRun(heartbeatAt - 60_000), heartbeatAt);
      const endpoint = await dynalite().client.config.endpoint?.();
      setEnv({
        [GUARDIAN_TARGET_ENV]: JSON.stringify(guardianTarget({ controlTableName: table })),
        AWS_ENDPOINT_URL_DYNAMODB: `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`,
        AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      });
      return driver;
    }

    it("an alarm of the candidate puts the alias back on the stable version and records the trip", async () => {
      const driver = await arrange(Date.now());
      const logged: unknown[] = [];
      const log = console.log;
      console.log = (line: unknown) => void logged.push(line);
      const result = await handler(ALARM_EVENT).finally(() => (console.log = log));
      assert.equal(logged.length, 1, "one log line");
      assert.match(String(logged[0]), /^\{"source":"bluegreen-guardian".*"outcome":"reverted"/);
      assert.equal(result.outcome, "reverted", result.detail);
      assert.deepEqual(lambda.alias.FunctionVersion, "3");
      assert.deepEqual(lambda.alias.RoutingConfig, { AdditionalVersionWeights: {} });
      assert.equal(lambda.updates.length, 1);
      const trip = (await driver.readRecord()).trip;
      assert.equal(trip?.runId, "run-1");
      assert.ok(trip?.revertedAt !== undefined);
    });

    it("the schedule leaves a live driver's split alone", async () => {
      await arrange(Date.now());
      const lines: string[] = [];
      const result = await handleEvent(SCHEDULED_EVENT, process.env, (line) => lines.push(line));
      assert.deepEqual(
        lines.map((line) => JSON.parse(line) as unknown),
        [{ source: "bluegreen-guardian", ...result }],
      );
      assert.equal(result.outcome, "nothing");
      assert.equal(result.why, "driver-alive");
      assert.equal(lambda.updates.length, 0);
    });

    it("the schedule reverts a lost driver's split", async () => {
      await arrange(Date.now() - 600_000);
      const result = await handleEvent(SCHEDULED_EVENT, process.env, () => {});
      assert.equal(result.outcome, "reverted", result.detail);
      assert.deepEqual(lambda.alias.RoutingConfig, { AdditionalVersionWeights: {} });
    });

    it("fails the invocation when the control table cannot be reached", async () => {
      await arrange(Date.now());
      setEnv({ [GUARDIAN_TARGET_ENV]: JSON.stringify(guardianTarget({ controlTableName: "nope" })) });
      await assert.rejects(
        handleEvent(SCHEDULED_EVENT, process.env, () => {}),
        /control table nope does not exist/,
      );
      assert.equal(lambda.updates.length, 0);
    });
  });
});
