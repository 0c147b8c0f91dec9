import assert from "node:assert/strict";
import { abortRollout, readStatus, RolloutResult, runRollout } from "../../automation/rollout";
import type { RolloutEvent } from "../../automation/events";
import type { ReleaseValues } from "../../automation/ports";
import { EPOCH, FakeWorld, minutes, seconds, testConfig } from "./fakes";

const VERSION = "1.5.0";
const POLL_MS = seconds(10);
const STABLE_ONLY = { blue: 100, green: 0 };
const PRE_ROLLOUT: Omit<ReleaseValues, "revision"> = {
  traffic: STABLE_ONLY,
  slots: { blue: { version: "1.4.0" }, green: { version: "1.3.0" } },
  stable: "blue",
};
/** The SOP plan: 10% 5m, 25% 5m, 50% 5m, 100% 10m; each step starts when the previous bake ends. */
const STEP_STARTS = [0, minutes(5), minutes(10), minutes(15)];

function start(world: FakeWorld, options: { version?: string; resume?: boolean; signal?: AbortSignal } = {}) {
  return runRollout(world.deps(), {
    config: world.config,
    version: options.version ?? VERSION,
    reason: "release 1.5.0",
    resume: options.resume ?? false,
    signal: options.signal ?? new AbortController().signal,
  });
}

/** Events end with `completed` carrying the result, and nothing moves traffic forward after a revert. */
function assertEventsClose(world: FakeWorld, result: RolloutResult): void {
  const last = world.recorded[world.recorded.length - 1];
  assert.deepEqual(
    { type: last.type, outcome: last.type === "completed" ? last.outcome : undefined },
    { type: "completed", outcome: result.outcome },
  );
  assert.equal(last.type === "completed" && last.exitCode, result.exitCode);
  const types = world.types();
  const reverted = types.indexOf("reverted");
  if (reverted >= 0) {
    const after = types.slice(reverted);
    assert.ok(
      !after.includes("shifted") && !after.includes("promoted"),
      `re-advanced after the revert: ${after.join(", ")}`,
    );
  }
  for (const event of world.recorded) {
    assert.equal(typeof event.elapsedSeconds, "number");
  }
}

/** Traffic on blue, the stack's values and outputs back to the pre-rollout ones with a newer revision. */
function assertRestored(world: FakeWorld, options: { resumed?: boolean } = {}): void {
  const revisionAbove = 7;
  assert.deepEqual(world.live, STABLE_ONLY, "live split");
  const { revision, ...values } = world.values;
  // A resumed run never saw the idle colour's previous version; the slot keeps what is deployed, at 0%.
  const expected = options.resumed
    ? { ...PRE_ROLLOUT, slots: { ...PRE_ROLLOUT.slots, green: { version: VERSION } } }
    : PRE_ROLLOUT;
  assert.deepEqual(values, expected, "stack values");
  assert.ok(revision > revisionAbove, `revision ${revision} must be above ${revisionAbove}`);
  assert.ok(
    world.valueWrites.every(
      (write, index) => index === 0 || write.values.revision > world.valueWrites[index - 1].values.revision,
    ),
    "every write raises the revision",
  );
  assert.equal(world.deployed?.stableColour, "blue");
  assert.deepEqual(world.deployed?.traffic, STABLE_ONLY);
}

function assertNothingChanged(world: FakeWorld): void {
  assert.deepEqual(world.valueWrites, [], "no writeValues");
  assert.deepEqual(world.updates, [], "no update");
  assert.deepEqual(world.routerWrites, [], "no router write");
  assert.deepEqual(world.live, STABLE_ONLY);
}

function only<T extends RolloutEvent["type"]>(world: FakeWorld, type: T): Extract<RolloutEvent, { type: T }> {
  const found = world.eventsOf(type);
  assert.equal(found.length, 1, `exactly one ${type} event, got ${found.length}`);
  return found[0];
}

describe("driver: the happy path", () => {
  it("promotes in 25 virtual minutes with exit 0, verified shifts 10/25/50/100 and completed last", async () => {
    const world = new FakeWorld();
    const startedAt = Date.now();
    const result = await start(world);
    assert.ok(Date.now() - startedAt < 2000, "a whole plan runs on virtual time");

    assert.deepEqual(
      {
        outcome: result.outcome,
        exitCode: result.exitCode,
        stable: result.stable,
        candidate: result.candidate,
      },
      { outcome: "promoted", exitCode: 0, stable: "blue", candidate: "green" },
    );
    assert.equal(result.fromVersion, "1.4.0");
    assert.equal(result.toVersion, VERSION);
    const shifted = world.eventsOf("shifted");
    assert.deepEqual(
      shifted.map((event) => [event.step, event.of, event.weights]),
      [
        [1, 4, { blue: 90, green: 10 }],
        [2, 4, { blue: 75, green: 25 }],
        [3, 4, { blue: 50, green: 50 }],
        [4, 4, { blue: 0, green: 100 }],
      ],
    );
    assert.deepEqual(
      shifted.map((event) => event.elapsedSeconds),
      STEP_STARTS.map((ms) => ms / 1000),
    );
    assert.deepEqual(only(world, "promoted"), {
      type: "promoted",
      stable: "green",
      version: VERSION,
      elapsedSeconds: 1500,
    });
    assert.equal(world.recorded[0].type, "preflight");
    assert.deepEqual(
      world.types().filter((type) => !["preflight", "baking", "alarm"].includes(type)),
      [
        "started",
        "deployed",
        "ready",
        "checked",
        "shifted",
        "shifted",
        "shifted",
        "shifted",
        "promoted",
        "completed",
      ],
    );
    assertEventsClose(world, result);

    assert.deepEqual(world.live, { blue: 0, green: 100 });
    assert.deepEqual(world.values.slots, { blue: { version: "1.4.0" }, green: { version: VERSION } });
    assert.equal(world.values.stable, "green");
    assert.equal(world.deployed?.stableColour, "green");
    assert.deepEqual(world.routerWrites, [], "steps go through the stack, never the direct path");
  });

  it("updates only the routing URNs for each step, and the full stack to deploy and promote", async () => {
    const world = new FakeWorld();
    await start(world);
    assert.deepEqual(
      world.updates.map((update) => update.targets),
      [undefined, world.routingUrns, world.routingUrns, world.routingUrns, world.routingUrns, undefined],
    );
    assert.match(world.updates[0].message, /deploy 1.5.0 to green - release 1.5.0/);
    assert.deepEqual(
      world.updates[0].values.traffic,
      STABLE_ONLY,
      "the deploy gives the candidate no weight",
    );
    assert.equal(world.updates[0].values.stable, "blue", "the stable colour is written explicitly");
  });

  it("writes every set of values with revision max(deployed, config) + 1, rising on each write", async () => {
    const world = new FakeWorld({ config: testConfig({ revision: 3 }) });
    world.deployed = { ...(world.deployed as NonNullable<typeof world.deployed>), revision: 12 };
    await start(world);
    assert.deepEqual(
      world.valueWrites.map((write) => write.values.revision),
      [13, 14, 15, 16, 17, 18],
    );
  });

  it("beats a heartbeat while it watches and clears it at the end", async () => {
    const world = new FakeWorld();
    const beats: number[] = [];
    const control = world.control;
    const deps = world.deps({
      control: {
        take: () => control.take(),
        send: (request) => control.send(request),
        heartbeat: async (at) => {
          beats.push(at);
          await control.heartbeat(at);
        },
        lastHeartbeat: () => control.lastHeartbeat(),
        clearHeartbeat: () => control.clearHeartbeat(),
      },
    });
    await runRollout(deps, {
      config: world.config,
      version: VERSION,
      resume: false,
      signal: new AbortController().signal,
    });
    assert.ok(beats.length >= 150, `a beat at every poll, got ${beats.length}`);
    const gaps = beats.slice(1).map((at, index) => at - beats[index]);
    assert.ok(Math.max(...gaps) <= POLL_MS, "never more than one poll interval without a beat");
    assert.equal(await control.lastHeartbeat(), undefined);
  });

  it("reports baking with the remaining time and the alarm states", async () => {
    const world = new FakeWorld();
    await start(world);
    const first = world.eventsOf("baking")[0];
    assert.equal(first.step, 1);
    assert.equal(first.weight, 10);
    assert.equal(first.remainingSeconds, 300);
    assert.deepEqual(Object.values(first.alarms), ["OK", "OK", "OK", "OK"]);
    assert.deepEqual(Object.keys(first.alarms), world.watchedFor("green"));
  });

  it("runs a Lambda stack's plan the same way", async () => {
    const config = testConfig({
      service: { name: "orders", platform: "lambda" },
      network: undefined,
      ecs: undefined,
      lambda: { code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/{version}.zip" } },
      slots: { blue: { version: "1.4.0" }, green: { version: "1.3.0" } },
    });
    const world = new FakeWorld({ config });
    const result = await start(world);
    assert.equal(result.exitCode, 0);
    assert.ok(Object.keys(world.eventsOf("baking")[0].alarms).includes("orders-dev-green-lambdaErrorRate"));
  });
});

describe("driver: an alarm at any moment reverts at once and never re-advances", () => {
  const moments: { label: string; at: number; step: number }[] = [
    { label: "in step 1 (10%)", at: STEP_STARTS[0] + minutes(2), step: 1 },
    { label: "in step 2 (25%)", at: STEP_STARTS[1] + minutes(2) + seconds(3), step: 2 },
    { label: "in step 3 (50%)", at: STEP_STARTS[2] + seconds(299), step: 3 },
    { label: "in the final 100% bake", at: STEP_STARTS[3] + minutes(4) + seconds(7), step: 4 },
    {
      label: "one second before the final bake ends",
      at: STEP_STARTS[3] + minutes(10) - seconds(1),
      step: 4,
    },
  ];
  for (const moment of moments) {
    it(`${moment.label}: back to blue 100/0, exit 3, stack restored with a higher revision`, async () => {
      const world = new FakeWorld();
      world.at(moment.at, () => world.setAlarm("checkout-dev-green-errorRate", "ALARM", "5XX rate 12% > 5%"));
      const result = await start(world);

      assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
      assert.match(result.reason, /checkout-dev-green-errorRate is ALARM: 5XX rate 12% > 5%/);
      const shifted = world.eventsOf("shifted");
      assert.equal(shifted.length, moment.step, "stopped at the step the alarm fired in");
      assert.equal(world.eventsOf("promoted").length, 0);

      const reverted = only(world, "reverted");
      assert.deepEqual(reverted.weights, STABLE_ONLY);
      const alarmSeconds = moment.at / 1000;
      assert.ok(reverted.elapsedSeconds >= alarmSeconds, "not before the alarm");
      assert.ok(
        reverted.elapsedSeconds - alarmSeconds <= POLL_MS / 1000,
        `reverted ${reverted.elapsedSeconds - alarmSeconds}s after the alarm, more than one poll interval`,
      );
      assert.ok(reverted.secondsSinceTrigger <= POLL_MS / 1000);
      const alarm = world.eventsOf("alarm").find((event) => event.state === "ALARM");
      assert.deepEqual(alarm && { name: alarm.name, previous: alarm.previous }, {
        name: "checkout-dev-green-errorRate",
        previous: "OK",
      });
      const revertWrite = world.routerWrites[0];
      assert.deepEqual(revertWrite.split, STABLE_ONLY, "the direct path goes first");
      assert.ok(
        world.updates[world.updates.length - 1].at >= revertWrite.at,
        "the stack is restored after the direct write",
      );
      assert.equal(
        world.updates[world.updates.length - 1].targets,
        undefined,
        "the restore is a full update",
      );

      const restored = only(world, "restored");
      assert.equal(restored.revision, world.values.revision);
      assert.equal(restored.drift, 0);
      assertRestored(world);
      assertEventsClose(world, result);

      const writesAfter = world.valueWrites.length;
      await world.clock.sleep(minutes(30));
      assert.equal(world.valueWrites.length, writesAfter, "nothing is written once the run has ended");
    });
  }

  it("warns that clients pinned by stickiness keep reaching the candidate", async () => {
    const world = new FakeWorld();
    const deployed = world.deployed as NonNullable<typeof world.deployed>;
    world.deployed = {
      ...deployed,
      routing: { ...deployed.routing, kind: "alb", stickinessSeconds: 3600 } as typeof deployed.routing,
    };
    world.at(minutes(1), () => world.setAlarm("checkout-dev-green-deploy", "ALARM"));
    await start(world);
    assert.ok(
      world
        .eventsOf("warning")
        .some((event) => /pinned by ALB stickiness keep reaching green for up to 3600s/.test(event.message)),
    );
  });

  it("emits a warning when the preview after the restore still finds drift", async () => {
    const world = new FakeWorld();
    world.previewDrift = 2;
    world.at(minutes(1), () => world.setAlarm("checkout-dev-green-deploy", "ALARM"));
    const result = await start(world);
    assert.equal(result.exitCode, 3);
    assert.equal(only(world, "restored").drift, 2);
    assert.ok(world.eventsOf("warning").some((event) => /still finds 2 changes/.test(event.message)));
  });
});

describe("driver: preflight rejects with exit 2 and changes nothing", () => {
  const cases: { name: string; arrange: (world: FakeWorld) => void; check: string; reason: RegExp }[] = [
    {
      name: "an alarm already firing before the start",
      arrange: (world) => world.setAlarm("checkout-dev-green-latencyP95", "ALARM"),
      check: "alarms",
      reason: /checkout-dev-green-latencyP95 is in ALARM: refusing to start/,
    },
    {
      name: "a configured alarm that does not exist, named",
      arrange: (world) => world.missingAlarms.add("checkout-dev-green-unhealthyHosts"),
      check: "alarms",
      reason: /checkout-dev-green-unhealthyHosts not found/,
    },
    {
      name: "a stack locked by a live process, naming the holder",
      arrange: (world) => (world.lock = { holder: "ci-runner-7 (pid 4242)", alive: true }),
      check: "lock",
      reason: /locked by ci-runner-7 \(pid 4242\), a process that is still running/,
    },
    {
      name: "a stale lock, saying how to clear it explicitly",
      arrange: (world) => (world.lock = { holder: "laptop (pid 99)", alive: false }),
      check: "lock",
      reason: /stale lock from laptop \(pid 99\).*pulumi cancel --stack dev/,
    },
    {
      name: "a stack never deployed",
      arrange: (world) => (world.deployed = undefined),
      check: "outputs",
      reason: /never been deployed: deploy it with `pulumi up` first/,
    },
    {
      name: "the version that already serves",
      arrange: () => undefined,
      check: "version",
      reason: /version 1.4.0 already serves 100% on blue/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const world = new FakeWorld();
      c.arrange(world);
      const result = await start(world, { version: c.check === "version" ? "1.4.0" : VERSION });
      assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
      assert.match(result.reason, c.reason);
      const failed = world.eventsOf("preflight").filter((event) => !event.ok);
      assert.deepEqual(
        failed.map((event) => event.check),
        [c.check],
      );
      assert.match(failed[0].detail, c.reason);
      assert.ok(!world.types().includes("started"));
      assertNothingChanged(world);
      assertEventsClose(world, result);
    });
  }

  it("a failing extra preflight check runs first and names itself", async () => {
    const world = new FakeWorld();
    let lockRead = false;
    const stack = { ...world.stack, lock: async () => ((lockRead = true), undefined) };
    const result = await runRollout(
      world.deps({
        stack,
        preflightChecks: [
          { name: "pulumi-cli", run: async () => ({ ok: true, detail: "pulumi v3.200.0" }) },
          {
            name: "aws-credentials",
            run: async () => ({ ok: false, detail: "no credentials: set AWS_PROFILE" }),
          },
        ],
      }),
      { config: world.config, version: VERSION, resume: false, signal: new AbortController().signal },
    );
    assert.equal(result.exitCode, 2);
    assert.match(result.reason, /aws-credentials: no credentials/);
    assert.equal(lockRead, false, "the wiring's checks run before the stack is touched");
    assertNothingChanged(world);
  });

  it("a read that keeps failing in the preflight rejects without writing", async () => {
    const world = new FakeWorld();
    world.alarmReadsFailUntil = EPOCH + minutes(10);
    const result = await start(world);
    assert.equal(result.exitCode, 2);
    assert.match(result.reason, /could not read the watched alarms .*ThrottlingException: Rate exceeded/);
    assertNothingChanged(world);
  });

  it("INSUFFICIENT_DATA before the candidate has traffic does not block the start", async () => {
    const world = new FakeWorld({
      config: testConfig({ rollout: { insufficientData: { policy: "ignore" } } }),
    });
    for (const name of world.watchedFor("green")) world.setAlarm(name, "INSUFFICIENT_DATA");
    const result = await start(world);
    assert.equal(result.exitCode, 0);
  });
});

describe("driver: INSUFFICIENT_DATA and evaluation errors are never healthy", () => {
  it("wait: tolerated until the deadline, then reverts without advancing", async () => {
    const world = new FakeWorld(); // policy wait, deadline 5m
    world.at(minutes(1), () => world.setAlarm("checkout-dev-green-errorRate", "INSUFFICIENT_DATA"));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /INSUFFICIENT_DATA for 300s, past the insufficient-data deadline of 300s/);
    const reverted = only(world, "reverted");
    assert.ok(
      reverted.elapsedSeconds >= 360 && reverted.elapsedSeconds <= 370,
      `reverted at ${reverted.elapsedSeconds}s`,
    );
    assert.equal(
      world.eventsOf("shifted").length,
      1,
      "the bake's end does not advance while an alarm is unknown",
    );
    const held = world.eventsOf("baking").filter((event) => event.remainingSeconds === 0);
    assert.ok(held.length >= 5, "held at the end of the bake until the deadline");
    assertRestored(world);
    assertEventsClose(world, result);
  });

  it("wait: an alarm that recovers before the deadline lets the rollout go on", async () => {
    const world = new FakeWorld();
    world.at(minutes(1), () => world.setAlarm("checkout-dev-green-errorRate", "INSUFFICIENT_DATA"));
    world.at(minutes(4), () => world.setAlarm("checkout-dev-green-errorRate", "OK"));
    const result = await start(world);
    assert.equal(result.exitCode, 0);
  });

  it("fail: reverts at the first poll that sees it", async () => {
    const world = new FakeWorld({
      config: testConfig({ rollout: { insufficientData: { policy: "fail" } } }),
    });
    world.at(minutes(7), () => world.setAlarm("checkout-dev-green-deploy", "INSUFFICIENT_DATA"));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /checkout-dev-green-deploy is INSUFFICIENT_DATA; the insufficient-data policy is "fail"/,
    );
    assert.ok(only(world, "reverted").elapsedSeconds - 420 <= 10);
    assertRestored(world);
  });

  it("ignore: INSUFFICIENT_DATA counts as OK and the rollout promotes", async () => {
    const world = new FakeWorld({
      config: testConfig({ rollout: { insufficientData: { policy: "ignore" } } }),
    });
    world.at(minutes(1), () => world.setAlarm("checkout-dev-green-errorRate", "INSUFFICIENT_DATA"));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    assert.equal(world.eventsOf("shifted").length, 4);
  });

  it("EVALUATION_ERROR is not healthy even under ignore: reverts at the deadline", async () => {
    const world = new FakeWorld({
      config: testConfig({ rollout: { insufficientData: { policy: "ignore", deadline: "2m" } } }),
    });
    world.at(minutes(6), () =>
      world.evaluationErrors.set("checkout-dev-green-latencyP95", "EVALUATION_ERROR"),
    );
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /checkout-dev-green-latencyP95 has been EvaluationState EVALUATION_ERROR for 120s/,
    );
    assert.equal(world.eventsOf("shifted").length, 2);
    assertRestored(world);
  });

  it("EVALUATION_ERROR blocks an operator's promote", async () => {
    const world = new FakeWorld();
    world.at(minutes(1), () => world.evaluationErrors.set("checkout-dev-green-deploy", "PARTIAL_DATA"));
    world.at(minutes(2), () =>
      world.control.post({ kind: "promote-full", by: "alice", at: EPOCH + minutes(2) }),
    );
    const result = await start(world);
    assert.equal(result.exitCode, 3);
    assert.ok(
      world
        .eventsOf("warning")
        .some((event) =>
          /promote-full requested by alice ignored: the alarms are not all OK/.test(event.message),
        ),
    );
    assert.equal(world.eventsOf("promoted").length, 0);
  });
});

describe("driver: unreadable and missing alarms", () => {
  it("a watched alarm that disappears during a bake reverts, naming it", async () => {
    const world = new FakeWorld();
    world.at(minutes(11), () => world.missingAlarms.add("checkout-dev-green-deploy"));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /checkout-dev-green-deploy not found/);
    assert.ok(
      world
        .eventsOf("alarm")
        .some((event) => event.state === "MISSING" && event.name === "checkout-dev-green-deploy"),
    );
    assertRestored(world);
  });

  it("a short throttling burst is absorbed by jittered retries: no failed poll, promotes", async () => {
    const world = new FakeWorld();
    world.at(minutes(3), () => (world.alarmReadFailures = 2));
    const result = await start(world);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(world.eventsOf("alarm-read-failed"), []);
    assert.ok(world.randomCalls >= 2, "retry delays draw on the injected random source");
  });

  it("a fault shorter than the limit of failed polls is tolerated and promotes", async () => {
    const world = new FakeWorld();
    world.at(minutes(3), () => (world.alarmReadsFailUntil = EPOCH + minutes(3) + seconds(25)));
    const result = await start(world);
    assert.equal(result.exitCode, 0);
    const failures = world.eventsOf("alarm-read-failed");
    assert.ok(failures.length >= 1 && failures.length < 4);
    assert.equal(failures[0].limit, 4);
    assert.match(failures[0].error, /ThrottlingException: Rate exceeded/);
  });

  it("after maxAlarmReadFailures consecutive failed polls, reverts with exit 3", async () => {
    const world = new FakeWorld();
    world.at(minutes(6), () => (world.alarmReadsFailUntil = EPOCH + minutes(60)));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /alarms unreadable: 4 consecutive polls/);
    assert.deepEqual(
      world.eventsOf("alarm-read-failed").map((event) => event.consecutive),
      [1, 2, 3, 4],
    );
    const reverted = only(world, "reverted");
    assert.ok(reverted.elapsedSeconds <= 360 + 4 * 10 + 10, `reverted at ${reverted.elapsedSeconds}s`);
    assertRestored(world);
    assertEventsClose(world, result);
  });

  it("an unreadable live split also reverts after the limit", async () => {
    const world = new FakeWorld();
    world.at(minutes(6), () => (world.routerReadsFailUntil = EPOCH + minutes(7)));
    const result = await start(world);
    assert.equal(result.exitCode, 3);
    assert.match(result.reason, /live split unreadable/);
    assertRestored(world);
  });
});

describe("driver: weight writes, read-backs and drift", () => {
  it("a failed weight write stays at the last verified split and reverts (exit 3)", async () => {
    const world = new FakeWorld();
    world.at(minutes(5) - seconds(1), () => (world.weightWritesFailUntil = EPOCH + minutes(5) + seconds(20)));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /shifting to 25% on green \(step 2 of 4\) failed: CommandError: update failed: ModifyListener: Rate exceeded/,
    );
    assert.deepEqual(
      world.eventsOf("shifted").map((event) => event.weights.green),
      [10],
    );
    assertRestored(world);
    assertEventsClose(world, result);
  });

  it("when the direct revert and the stack both fail for a while, retries both until one gets through", async () => {
    const world = new FakeWorld();
    world.at(minutes(7), () => {
      world.setAlarm("checkout-dev-green-errorRate", "ALARM");
      world.weightWritesFailUntil = EPOCH + minutes(9);
    });
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    const reverted = only(world, "reverted");
    assert.ok(reverted.elapsedSeconds >= 540, "only once the fault cleared");
    assert.ok(
      world
        .eventsOf("warning")
        .some((event) => /could not put traffic back on blue directly/.test(event.message)),
    );
    assertRestored(world);
  });

  it("when nothing can move traffic back before the operation timeout, ends failed (exit 1) and says so", async () => {
    const world = new FakeWorld({ config: testConfig({ rollout: { operationTimeout: "2m" } }) });
    world.at(minutes(7), () => {
      world.setAlarm("checkout-dev-green-errorRate", "ALARM");
      world.weightWritesFailUntil = EPOCH + minutes(600);
    });
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["failed", 1]);
    assert.match(result.reason, /could not revert: the direct write failed .* traffic may still reach green/);
    assert.equal(world.eventsOf("reverted").length, 0);
    assertEventsClose(world, result);
  });

  it("a read-back that differs after a write reverts and reports it", async () => {
    const world = new FakeWorld();
    world.at(minutes(10) - seconds(1), () => (world.readBackOverride = { blue: 75, green: 25 }));
    world.at(minutes(10) + seconds(1), () => (world.readBackOverride = undefined));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /read back blue 75 \/ green 25 instead of blue 50 \/ green 50; .*someone else wrote/,
    );
    assertRestored(world);
  });

  it("weights drifting during a bake (someone else wrote) revert and report", async () => {
    const world = new FakeWorld();
    world.at(minutes(12), () => (world.live = { blue: 20, green: 80 }));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /live split changed to blue 20 \/ green 80 while this rollout had set blue 50 \/ green 50: someone else wrote/,
    );
    assert.ok(only(world, "reverted").elapsedSeconds - 720 <= 10);
    assertRestored(world);
  });
});

describe("driver: signals and operator requests", () => {
  for (const signalName of ["SIGINT", "SIGTERM"]) {
    it(`${signalName} mid-bake reverts first, then ends aborted (exit 4)`, async () => {
      const world = new FakeWorld();
      const controller = new AbortController();
      const stopAt = minutes(8) + seconds(3);
      world.at(stopAt, () => {
        const reason = new Error(`stopped by ${signalName}`);
        reason.name = "AbortError";
        controller.abort(reason);
      });
      const result = await start(world, { signal: controller.signal });
      assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
      assert.match(result.reason, new RegExp(`interrupted \\(stopped by ${signalName}\\)`));
      const reverted = only(world, "reverted");
      assert.equal(
        reverted.elapsedSeconds,
        stopAt / 1000,
        "reverts at the moment of the signal, not the next poll",
      );
      assert.equal(world.routerWrites[0].aborted, false, "the revert runs on its own signal");
      assert.deepEqual(world.types().slice(-3), ["reverted", "restored", "completed"]);
      assertRestored(world);
      assertEventsClose(world, result);
    });
  }

  it("a signal before anything was written ends aborted (exit 4) without touching the stack", async () => {
    const world = new FakeWorld();
    const controller = new AbortController();
    controller.abort();
    const result = await start(world, { signal: controller.signal });
    assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
    assertNothingChanged(world);
    assertEventsClose(world, result);
  });

  it("a signal during the deploy still reverts and restores the stack", async () => {
    const world = new FakeWorld();
    const controller = new AbortController();
    const stack = {
      ...world.stack,
      update: async (options: Parameters<typeof world.stack.update>[0]) => {
        const answer = await world.stack.update(options);
        if (world.updates.length === 1) controller.abort();
        return answer;
      },
    };
    const result = await runRollout(world.deps({ stack }), {
      config: world.config,
      version: VERSION,
      resume: false,
      signal: controller.signal,
    });
    assert.equal(result.exitCode, 4);
    assert.equal(world.eventsOf("shifted").length, 0);
    assertRestored(world);
  });

  it("an operator abort via the control channel reverts with exit 4", async () => {
    const world = new FakeWorld();
    world.at(minutes(7), () => world.control.post({ kind: "abort", by: "alice", at: EPOCH + minutes(7) }));
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
    assert.equal(result.reason, "aborted by alice");
    assert.ok(only(world, "reverted").elapsedSeconds - 420 <= 10);
    assertRestored(world);
    assertEventsClose(world, result);
  });

  it("promote ends the current bake early while the alarms are OK", async () => {
    const world = new FakeWorld();
    world.at(minutes(1), () => world.control.post({ kind: "promote", by: "alice", at: EPOCH + minutes(1) }));
    const result = await start(world);
    assert.equal(result.exitCode, 0);
    const shifted = world.eventsOf("shifted");
    assert.deepEqual(
      shifted.map((event) => event.elapsedSeconds),
      [0, 60, 360, 660],
      "step 2 started at the promote; the others bake in full",
    );
    assert.match(world.updates[2].message, /alice \(promote\)/);
  });

  it("promote-full skips every remaining step while the alarms are OK", async () => {
    const world = new FakeWorld();
    world.at(minutes(6), () =>
      world.control.post({ kind: "promote-full", by: "bob", at: EPOCH + minutes(6) }),
    );
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    assert.deepEqual(
      world.eventsOf("shifted").map((event) => event.weights.green),
      [10, 25],
    );
    assert.ok(only(world, "promoted").elapsedSeconds <= 370);
    assert.deepEqual(world.live, { blue: 0, green: 100 });
    assert.equal(world.values.stable, "green");
  });

  it("promote while an alarm is unknown is ignored with a warning", async () => {
    const world = new FakeWorld();
    world.at(minutes(1), () => world.setAlarm("checkout-dev-green-errorRate", "INSUFFICIENT_DATA"));
    world.at(minutes(2), () => world.control.post({ kind: "promote", by: "alice", at: EPOCH + minutes(2) }));
    world.at(minutes(3), () => world.setAlarm("checkout-dev-green-errorRate", "OK"));
    const result = await start(world);
    assert.equal(result.exitCode, 0);
    assert.ok(
      world.eventsOf("warning").some((event) => /promote requested by alice ignored/.test(event.message)),
    );
    assert.deepEqual(
      world.eventsOf("shifted").map((event) => event.elapsedSeconds),
      [0, 300, 600, 900],
    );
  });

  it("a request left before the run started is discarded, not acted on", async () => {
    const world = new FakeWorld();
    world.control.post({ kind: "abort", by: "yesterday", at: EPOCH - minutes(600) });
    const result = await start(world);
    assert.equal(result.exitCode, 0);
    assert.ok(
      world
        .eventsOf("warning")
        .some((event) => /discarded a abort request from yesterday/.test(event.message)),
    );
  });

  it("an abort while waiting for readiness reverts before any weight moves", async () => {
    const world = new FakeWorld();
    world.ready = { ready: false, detail: "0 of 2 targets healthy" };
    world.at(minutes(2), () => world.control.post({ kind: "abort", by: "alice", at: EPOCH + minutes(2) }));
    const result = await start(world);
    assert.equal(result.exitCode, 4);
    assert.equal(world.eventsOf("shifted").length, 0);
    assertRestored(world);
  });
});

describe("driver: locks and failing updates", () => {
  it("a lock held by a live process during the restore: traffic reverted directly, lock not broken, reported", async () => {
    const world = new FakeWorld();
    world.at(minutes(6), () => {
      world.lock = { holder: "alice@laptop (pid 311)", alive: true };
      world.setAlarm("checkout-dev-green-errorRate", "ALARM");
    });
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /traffic is back on blue through the direct path, but stack dev is locked by alice@laptop \(pid 311\)/,
    );
    assert.deepEqual(world.live, STABLE_ONLY);
    assert.deepEqual(world.lock, { holder: "alice@laptop (pid 311)", alive: true }, "the lock is left alone");
    assert.equal(world.eventsOf("restored").length, 0);
    assert.ok(world.eventsOf("warning").some((event) => /locked by alice@laptop/.test(event.message)));
    const { revision, ...values } = world.values;
    assert.deepEqual(
      values,
      PRE_ROLLOUT,
      "the restored values are in the stack's config for the next update",
    );
    assert.ok(revision > 7);
    assertEventsClose(world, result);
  });

  it("up() throwing after the update was saved is reconciled from the outputs and the rollout continues", async () => {
    const world = new FakeWorld();
    world.upThrowsAfterSave = 1;
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    assert.ok(
      world.eventsOf("warning").some((event) => /reported an error after it was saved/.test(event.message)),
    );
    assert.equal(only(world, "deployed").version, VERSION);
  });

  it("up() throwing after saving a step is reconciled too", async () => {
    const world = new FakeWorld();
    world.at(minutes(5) - seconds(1), () => (world.upThrowsAfterSave = 1));
    const result = await start(world);
    assert.equal(result.exitCode, 0);
    assert.equal(world.eventsOf("shifted").length, 4);
  });

  it("up() failing before saving during the deploy rolls back with exit 3", async () => {
    const world = new FakeWorld();
    world.upFails = 1;
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /deploying 1.5.0 to green failed: CommandError: update failed/);
    assert.equal(world.eventsOf("deployed").length, 0);
    assert.equal(world.eventsOf("shifted").length, 0);
    assertRestored(world);
    assertEventsClose(world, result);
  });

  it("a candidate with no healthy targets gets no weight (exit 3)", async () => {
    const world = new FakeWorld();
    world.ready = { ready: false, detail: "0 of 2 targets healthy" };
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /green was not ready after 1800s \(0 of 2 targets healthy\); it got no traffic/,
    );
    assert.equal(world.eventsOf("shifted").length, 0);
    assert.ok(
      world.updates.every((update) => update.values.traffic.green === 0),
      "no update ever gave green weight",
    );
    assertRestored(world);
  });

  it("a failed pre-traffic check rolls back before any weight moves", async () => {
    const world = new FakeWorld();
    world.preTraffic = { ready: false, detail: "GET /health answered 503" };
    const result = await start(world);
    assert.equal(result.exitCode, 3);
    assert.deepEqual(only(world, "checked"), {
      type: "checked",
      colour: "green",
      ok: false,
      detail: "GET /health answered 503",
      elapsedSeconds: 0,
    });
    assert.equal(world.eventsOf("shifted").length, 0);
    assertRestored(world);
  });

  it("an unexpected error still reverts (best effort) and ends failed (exit 1)", async () => {
    const world = new FakeWorld();
    const router = {
      ...world.router,
      readiness: async () => undefined as unknown as Awaited<ReturnType<typeof world.router.readiness>>,
    };
    const result = await runRollout(world.deps({ router }), {
      config: world.config,
      version: VERSION,
      resume: false,
      signal: new AbortController().signal,
    });
    assert.deepEqual([result.outcome, result.exitCode], ["failed", 1]);
    assert.match(result.reason, /unexpected error: TypeError/);
    assert.equal(world.eventsOf("shifted").length, 0);
    assertRestored(world);
    assertEventsClose(world, result);
  });

  it("a router answer that is not a split counts as a failed read, never as verified", async () => {
    const world = new FakeWorld();
    const router = {
      ...world.router,
      read: async () => {
        const live = await world.router.read();
        return world.elapsed() >= minutes(7) && world.routerWrites.length === 0
          ? (undefined as unknown as typeof live)
          : live;
      },
    };
    const result = await runRollout(world.deps({ router }), {
      config: world.config,
      version: VERSION,
      resume: false,
      signal: new AbortController().signal,
    });
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /live split unreadable: 4 consecutive polls/);
    assert.ok(
      world
        .eventsOf("warning")
        .some((event) => /the router returned nothing, not a split/.test(event.message)),
    );
    assertRestored(world);
  });
});

describe("driver: crash recovery and concurrent rollouts", () => {
  /** Runs until the alarm source hangs at `ms` (the process dies mid-call), leaving the world as it was. */
  async function crashAt(world: FakeWorld, ms: number): Promise<void> {
    world.hangFrom = EPOCH + ms;
    void start(world);
    while (world.clock.now() < EPOCH + ms) await world.clock.sleep(0);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    world.hangFrom = Number.POSITIVE_INFINITY;
    world.recorded.length = 0;
  }

  it("--resume continues from the step the live split shows, from the world not memory", async () => {
    const world = new FakeWorld();
    await crashAt(world, minutes(7));
    assert.deepEqual(world.live, { blue: 75, green: 25 }, "the crash left 25% live");
    const updatesBefore = world.updates.length;
    const result = await start(world, { resume: true });
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    assert.equal(only(world, "started").resumed, true);
    assert.deepEqual(
      world.eventsOf("shifted").map((event) => [event.step, event.weights.green]),
      [
        [2, 25],
        [3, 50],
        [4, 100],
      ],
    );
    assert.equal(world.eventsOf("deployed").length, 0, "the deploy is not repeated");
    assert.deepEqual(world.updates[updatesBefore].targets, world.routingUrns);
  });

  it("--resume after a crash mid-shift (live one step ahead of the outputs) re-bakes the live step", async () => {
    const world = new FakeWorld();
    await crashAt(world, minutes(7));
    world.live = { blue: 50, green: 50 };
    const result = await start(world, { resume: true });
    assert.equal(result.exitCode, 0);
    assert.deepEqual(
      world.eventsOf("shifted").map((event) => event.weights.green),
      [50, 100],
    );
  });

  it("--resume with a split no step explains reverts (exit 3)", async () => {
    const world = new FakeWorld();
    await crashAt(world, minutes(7));
    world.live = { blue: 100, green: 0 };
    const result = await start(world, { resume: true });
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /cannot resume: the stack applied 25% to green but the live split is blue 100 \/ green 0/,
    );
    assert.equal(world.eventsOf("shifted").length, 0);
    assertRestored(world, { resumed: true });
  });

  it("--resume while an alarm fires reverts instead of leaving the candidate unwatched", async () => {
    const world = new FakeWorld();
    await crashAt(world, minutes(7));
    world.setAlarm("checkout-dev-green-errorRate", "ALARM");
    const result = await start(world, { resume: true });
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.equal(world.eventsOf("shifted").length, 0);
    assert.deepEqual(world.live, STABLE_ONLY);
  });

  it("--resume after a crash between the deploy and the first shift continues from readiness", async () => {
    const world = new FakeWorld();
    world.ready = { ready: false, detail: "0 of 2 targets healthy" };
    await crashAt(world, minutes(2));
    assert.deepEqual([world.deployed?.slots.green.version, world.live.green], [VERSION, 0]);
    world.ready = { ready: true, detail: "2 of 2 targets healthy" };
    const result = await start(world, { resume: true });
    assert.equal(result.exitCode, 0);
    assert.equal(world.eventsOf("deployed").length, 0);
    assert.equal(only(world, "ready").colour, "green");
  });

  it("without --resume a crashed rollout is rejected (exit 2) and nothing changes", async () => {
    const world = new FakeWorld();
    await crashAt(world, minutes(7));
    const writes = world.valueWrites.length;
    const updates = world.updates.length;
    const result = await start(world);
    assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
    assert.match(result.reason, /already in progress .*--resume/);
    assert.equal(world.valueWrites.length, writes);
    assert.equal(world.updates.length, updates);
    assert.deepEqual(world.live, { blue: 75, green: 25 });
  });

  it("a second rollout with a different version while one is in progress is rejected and never mixes candidates", async () => {
    const world = new FakeWorld();
    await crashAt(world, minutes(7));
    for (const resume of [false, true]) {
      const result = await start(world, { version: "1.6.0", resume });
      assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
      assert.match(result.reason, /rollout of 1.5.0 is in progress .*refusing to start 1.6.0/);
    }
    assert.equal(world.values.slots.green.version, VERSION);
    assert.equal(world.deployed?.slots.green.version, VERSION);
  });

  it("a rejected second run does not clear the first run's heartbeat", async () => {
    const world = new FakeWorld();
    await crashAt(world, minutes(7));
    await world.control.heartbeat(world.clock.now());
    await start(world, { version: "1.6.0" });
    assert.equal(await world.control.lastHeartbeat(), world.clock.now());
  });
});

describe("driver: abortRollout", () => {
  async function inProgress(): Promise<FakeWorld> {
    const world = new FakeWorld();
    world.hangFrom = EPOCH + minutes(7);
    void start(world);
    while (world.clock.now() < EPOCH + minutes(7)) await world.clock.sleep(0);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    world.hangFrom = Number.POSITIVE_INFINITY;
    world.recorded.length = 0;
    return world;
  }

  it("reverts directly, then restores the stack: exit 4", async () => {
    const world = await inProgress();
    const result = await abortRollout(world.deps(), {
      config: world.config,
      by: "alice",
      reason: "bad deploy",
    });
    assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
    assert.equal(result.reason, "aborted by alice: bad deploy");
    assert.deepEqual(world.live, STABLE_ONLY);
    assert.equal(world.values.stable, "blue");
    assert.deepEqual(world.values.traffic, STABLE_ONLY);
    assert.deepEqual(world.deployed?.traffic, STABLE_ONLY);
    assert.deepEqual(world.types(), ["reverted", "restored", "completed"]);
    assert.deepEqual(
      world.control.sent().filter((request) => request.kind === "abort"),
      [],
    );
  });

  it("a lock held by a live process: traffic back directly, lock kept, reported", async () => {
    const world = await inProgress();
    world.lock = { holder: "bob@ci (pid 77)", alive: true };
    const result = await abortRollout(world.deps(), { config: world.config, by: "alice" });
    assert.equal(result.exitCode, 4);
    assert.match(result.reason, /through the direct path, but stack dev is locked by bob@ci \(pid 77\)/);
    assert.deepEqual(world.live, STABLE_ONLY);
    assert.deepEqual(world.lock, { holder: "bob@ci (pid 77)", alive: true });
  });

  it("ends failed (exit 1) when traffic cannot be moved back", async () => {
    const world = await inProgress();
    world.weightWritesFailUntil = EPOCH + minutes(6000);
    const result = await abortRollout(world.deps(), { config: world.config, by: "alice" });
    assert.deepEqual([result.outcome, result.exitCode], ["failed", 1]);
    assert.match(result.reason, /could not revert/);
    assert.deepEqual(world.live, { blue: 75, green: 25 });
  });

  it("with nothing in progress: rejected (exit 2), nothing written", async () => {
    const world = new FakeWorld();
    const result = await abortRollout(world.deps(), { config: world.config, by: "alice" });
    assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
    assert.match(result.reason, /no rollout is in progress/);
    assertNothingChanged(world);
    assert.deepEqual(world.types(), ["completed"]);
  });
});

describe("driver: readStatus", () => {
  it("reports versions, configured and actual splits, drift, progress, watch and alarms", async () => {
    const world = new FakeWorld();
    world.deployed = {
      ...(world.deployed as NonNullable<typeof world.deployed>),
      traffic: { blue: 75, green: 25 },
    };
    world.live = { blue: 50, green: 50 };
    world.missingAlarms.add("checkout-dev-green-unhealthyHosts");
    world.evaluationErrors.set("checkout-dev-green-latencyP95", "EVALUATION_ERROR");
    await world.control.heartbeat(world.clock.now() - seconds(25));
    const status = await readStatus(world.deps(), world.config);
    assert.deepEqual(
      {
        stack: status.stack,
        platform: status.platform,
        stable: status.stable,
        candidate: status.candidate,
        versions: status.versions,
        configured: status.configured,
        actual: status.actual,
        drift: status.drift,
        inProgress: status.inProgress,
        watched: status.watched,
        revision: status.revision,
      },
      {
        stack: "dev",
        platform: "ecs",
        stable: "blue",
        candidate: "green",
        versions: { blue: "1.4.0", green: "1.3.0" },
        configured: { blue: 75, green: 25 },
        actual: { blue: 50, green: 50 },
        drift: true,
        inProgress: true,
        watched: true,
        revision: 7,
      },
    );
    assert.deepEqual(
      status.alarms.find((alarm) => alarm.name === "checkout-dev-green-unhealthyHosts")?.state,
      "MISSING",
    );
    assert.deepEqual(
      status.alarms.find((alarm) => alarm.name === "checkout-dev-green-latencyP95"),
      {
        name: "checkout-dev-green-latencyP95",
        state: "OK",
        evaluationState: "EVALUATION_ERROR",
      },
    );
    assert.equal(status.alarms.length, 8);
  });

  it("a quiet stack: no drift, nothing in progress, nobody watching", async () => {
    const world = new FakeWorld();
    await world.control.heartbeat(world.clock.now() - seconds(31));
    const status = await readStatus(world.deps(), world.config);
    assert.deepEqual([status.drift, status.inProgress, status.watched], [false, false, false]);
  });

  it("a stack never deployed is an error that says what to do", async () => {
    const world = new FakeWorld({ deployed: false });
    await assert.rejects(
      readStatus(world.deps(), world.config),
      /stack dev has no outputs: deploy it with `pulumi up` first/,
    );
  });
});
