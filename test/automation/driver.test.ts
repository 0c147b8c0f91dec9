import { heartbeatStaleAfterMs } from "../../automation/core/controlRecord";
import assert from "node:assert/strict";
import { abortRollout, readStatus, RolloutResult, runRollout } from "../../automation/rollout";
import type { RolloutEvent } from "../../automation/events";
import type { ReleaseValues, StackPort, TrafficRouter } from "../../automation/ports";
import { DriverHarness, EPOCH, minutes, seconds, testConfig } from "./support";

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
/** The candidate's (green's) alarms in stack dev, as the program names them. */
const GREEN = {
  composite: "checkout-dev-green",
  errorRate: "checkout-dev-green-error-rate",
  latencyP95: "checkout-dev-green-latency-p95",
  unhealthyHosts: "checkout-dev-green-unhealthy-hosts",
};

/** Runs a rollout; the world's signal is the run's SIGINT/SIGTERM (a `signal` event aborts it). */
function start(h: DriverHarness, options: { version?: string; resume?: boolean } = {}) {
  return runRollout(h.deps(), {
    config: h.config,
    version: options.version ?? VERSION,
    reason: "release 1.5.0",
    resume: options.resume ?? false,
    signal: h.world.signal,
  });
}

/** Events end with `completed` carrying the result, and nothing moves traffic forward after a revert. */
function assertEventsClose(h: DriverHarness, result: RolloutResult): void {
  const last = h.recorded[h.recorded.length - 1];
  assert.deepEqual(
    { type: last.type, outcome: last.type === "completed" ? last.outcome : undefined },
    { type: "completed", outcome: result.outcome },
  );
  assert.equal(last.type === "completed" && last.exitCode, result.exitCode);
  const types = h.types();
  const reverted = types.indexOf("reverted");
  if (reverted >= 0) {
    const after = types.slice(reverted);
    assert.ok(
      !after.includes("shifted") && !after.includes("promoted"),
      `re-advanced after the revert: ${after.join(", ")}`,
    );
  }
  for (const event of h.recorded) {
    assert.equal(typeof event.elapsedSeconds, "number");
  }
}

/** Traffic on blue, the stack's values and outputs back to the pre-rollout ones with a newer revision. */
function assertRestored(h: DriverHarness, options: { resumed?: boolean } = {}): void {
  const { world } = h;
  const revisionAbove = 7;
  assert.deepEqual(world.liveSplit(), STABLE_ONLY, "live split");
  const { revision, ...values } = world.stackValues();
  // A resumed run never saw the idle colour's previous version; the slot keeps what is deployed, at 0%.
  const expected = options.resumed
    ? { ...PRE_ROLLOUT, slots: { ...PRE_ROLLOUT.slots, green: { version: VERSION } } }
    : PRE_ROLLOUT;
  assert.deepEqual(values, expected, "stack values");
  assert.ok(revision > revisionAbove, `revision ${revision} must be above ${revisionAbove}`);
  const writes = world.valueWrites();
  assert.ok(
    writes.every((write, index) => index === 0 || write.values.revision > writes[index - 1].values.revision),
    "every write raises the revision",
  );
  assert.equal(world.deployedOutputs().stableColour, "blue");
  assert.deepEqual(world.deployedOutputs().traffic, STABLE_ONLY);
}

/** No value written, no update, no direct write; the live split as it was (none for a stack never deployed). */
function assertNothingChanged(h: DriverHarness, options: { deployed?: boolean } = {}): void {
  const { world } = h;
  assert.deepEqual(world.valueWrites(), [], "no writeValues");
  assert.deepEqual(world.updates(), [], "no update");
  assert.deepEqual(world.routerWrites(), [], "no router write");
  if (options.deployed === false) {
    assert.throws(() => world.liveSplit(), /never been deployed/);
  } else {
    assert.deepEqual(world.liveSplit(), STABLE_ONLY);
  }
}

function only<T extends RolloutEvent["type"]>(h: DriverHarness, type: T): Extract<RolloutEvent, { type: T }> {
  const found = h.eventsOf(type);
  assert.equal(found.length, 1, `exactly one ${type} event, got ${found.length}`);
  return found[0];
}

describe("driver: the happy path", () => {
  it("promotes in 25 virtual minutes with exit 0, verified shifts 10/25/50/100 and completed last", async () => {
    const h = new DriverHarness();
    const startedAt = Date.now();
    const result = await start(h);
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
    const shifted = h.eventsOf("shifted");
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
    assert.deepEqual(only(h, "promoted"), {
      type: "promoted",
      stable: "green",
      version: VERSION,
      elapsedSeconds: 1500,
      // The driver's clock, virtual here: 25 minutes after the world's epoch.
      time: new Date(EPOCH + minutes(25)).toISOString(),
    });
    assert.equal(h.recorded[0].type, "preflight");
    assert.deepEqual(
      h.types().filter((type) => !["preflight", "baking", "alarm"].includes(type)),
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
    assertEventsClose(h, result);

    assert.deepEqual(h.world.liveSplit(), { blue: 0, green: 100 });
    assert.deepEqual(h.world.stackValues().slots, {
      blue: { version: "1.4.0" },
      green: { version: VERSION },
    });
    assert.equal(h.world.stackValues().stable, "green");
    assert.equal(h.world.deployedOutputs().stableColour, "green");
    assert.deepEqual(h.world.routerWrites(), [], "steps go through the stack, never the direct path");
  });

  it("updates only the routing URNs for each step, and the full stack to deploy and promote", async () => {
    const h = new DriverHarness();
    await start(h);
    const routingUrns = h.world.deployedOutputs().routingUrns;
    const updates = h.world.updates();
    assert.deepEqual(
      updates.map((update) => update.targets),
      [undefined, routingUrns, routingUrns, routingUrns, routingUrns, undefined],
    );
    assert.match(updates[0].message, /deploy 1.5.0 to green - release 1.5.0/);
    assert.deepEqual(updates[0].values.traffic, STABLE_ONLY, "the deploy gives the candidate no weight");
    assert.equal(updates[0].values.stable, "blue", "the stable colour is written explicitly");
  });

  it("writes every set of values with revision max(deployed, config) + 1, rising on each write", async () => {
    const h = new DriverHarness({ config: testConfig({ revision: 3 }), deployed: { revision: 12 } });
    await start(h);
    assert.deepEqual(
      h.world.valueWrites().map((write) => write.values.revision),
      [13, 14, 15, 16, 17, 18],
    );
  });

  it("beats a heartbeat while it watches and clears it at the end", async () => {
    const h = new DriverHarness();
    const beats: number[] = [];
    const control = h.world.control;
    const deps = h.deps({
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
      config: h.config,
      version: VERSION,
      resume: false,
      signal: new AbortController().signal,
    });
    assert.ok(beats.length >= 150, `a beat at every poll, got ${beats.length}`);
    const gaps = beats.slice(1).map((at, index) => at - beats[index]);
    assert.ok(Math.max(...gaps) <= POLL_MS, "never more than one poll interval without a beat");
    assert.equal(await control.lastHeartbeat(), undefined);
  });

  it("keeps the run's heartbeat fresh through a 10-minute update", async () => {
    // The deploy and the promotion take 10 minutes each, with no poll in them: without a beat
    // beside the update, the record's heartbeat would be 10 minutes old at its end.
    const h = new DriverHarness({ updateDurations: { fullMs: minutes(10), targetedMs: seconds(30) } });
    const control = h.world.control;
    const beats: number[] = [];
    const deps = h.deps({
      control: Object.assign(Object.create(control) as typeof control, {
        recordRun: async (run: Parameters<typeof control.recordRun>[0], at: number) => {
          beats.push(at);
          await control.recordRun(run, at);
        },
      }),
    });
    const ages: number[] = [];
    for (let minute = 1; minute <= 9; minute++) {
      h.at(minutes(minute) + seconds(5), () => ages.push(h.clock.now() - (beats.at(-1) ?? 0)));
    }
    const result = await runRollout(deps, {
      config: h.config,
      version: VERSION,
      resume: false,
      signal: new AbortController().signal,
      runId: "run-slow-update",
    });
    assert.equal(result.outcome, "promoted");
    const deployed = h.eventsOf("deployed")[0];
    assert.ok(deployed.elapsedSeconds >= 600, `the deploy took ${deployed.elapsedSeconds}s`);
    assert.equal(ages.length, 9, "the record was looked at every minute of the deploy");
    for (const age of ages) assert.ok(age <= POLL_MS, `a heartbeat ${age}ms old during the update`);
    const gaps = beats.slice(1).map((at, index) => at - beats[index]);
    assert.ok(
      Math.max(...gaps) <= POLL_MS,
      `at most one poll interval between beats, got ${Math.max(...gaps)}ms`,
    );
    const promoted = h.eventsOf("promoted")[0];
    assert.equal(
      promoted.elapsedSeconds - h.eventsOf("shifted").at(-1)!.elapsedSeconds,
      h.config.rollout.plan.at(-1)!.bakeSeconds + 600,
      "the beats never stretched the updates' time",
    );
  });

  it("reports baking with the remaining time and the alarm states", async () => {
    const h = new DriverHarness();
    await start(h);
    const first = h.eventsOf("baking")[0];
    assert.equal(first.step, 1);
    assert.equal(first.weight, 10);
    assert.equal(first.remainingSeconds, 300);
    assert.deepEqual(Object.values(first.alarms), ["OK", "OK", "OK", "OK"]);
    assert.deepEqual(Object.keys(first.alarms), h.watchedFor("green"));
    assert.deepEqual(Object.keys(first.alarms), Object.values(GREEN));
  });

  it("runs a Lambda stack's plan the same way, watching the Lambda alarms", async () => {
    const config = testConfig({
      service: { name: "orders", platform: "lambda" },
      network: undefined,
      ecs: undefined,
      lambda: { code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/{version}.zip" } },
      slots: { blue: { version: "1.4.0" }, green: { version: "1.3.0" } },
    });
    const h = new DriverHarness({ config });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(Object.keys(h.eventsOf("baking")[0].alarms), [
      "orders-dev-green",
      "orders-dev-green-error-rate",
      "orders-dev-green-throttles",
      "orders-dev-green-duration-p95",
    ]);
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
      const h = new DriverHarness();
      h.world.inject({ at: moment.at, alarm: GREEN.errorRate, state: "ALARM", reason: "5XX rate 12% > 5%" });
      const result = await start(h);

      assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
      assert.match(result.reason, /checkout-dev-green-error-rate is ALARM: 5XX rate 12% > 5%/);
      const shifted = h.eventsOf("shifted");
      assert.equal(shifted.length, moment.step, "stopped at the step the alarm fired in");
      assert.equal(h.eventsOf("promoted").length, 0);

      const reverted = only(h, "reverted");
      assert.deepEqual(reverted.weights, STABLE_ONLY);
      const alarmSeconds = moment.at / 1000;
      assert.ok(reverted.elapsedSeconds >= alarmSeconds, "not before the alarm");
      assert.ok(
        reverted.elapsedSeconds - alarmSeconds <= POLL_MS / 1000,
        `reverted ${reverted.elapsedSeconds - alarmSeconds}s after the alarm, more than one poll interval`,
      );
      assert.ok(reverted.secondsSinceTrigger <= POLL_MS / 1000);
      const alarm = h
        .eventsOf("alarm")
        .find((event) => event.name === GREEN.errorRate && event.state === "ALARM");
      assert.deepEqual(alarm && { name: alarm.name, previous: alarm.previous }, {
        name: GREEN.errorRate,
        previous: "OK",
      });
      const updates = h.world.updates();
      const revertWrite = h.world.routerWrites()[0];
      assert.deepEqual(revertWrite.split, STABLE_ONLY, "the direct path goes first");
      assert.ok(
        updates[updates.length - 1].at >= revertWrite.at,
        "the stack is restored after the direct write",
      );
      assert.equal(updates[updates.length - 1].targets, undefined, "the restore is a full update");

      const restored = only(h, "restored");
      assert.equal(restored.revision, h.world.stackValues().revision);
      assert.equal(restored.drift, 0);
      assertRestored(h);
      assertEventsClose(h, result);

      const writesAfter = h.world.valueWrites().length;
      await h.clock.sleep(minutes(30));
      assert.equal(h.world.valueWrites().length, writesAfter, "nothing is written once the run has ended");
    });
  }

  it("warns that clients pinned by stickiness keep reaching the candidate", async () => {
    const h = new DriverHarness({
      config: testConfig({ alb: { stickiness: { enabled: true, duration: 3600 } } }),
    });
    h.world.inject({ at: minutes(1), alarm: GREEN.composite, state: "ALARM" });
    await start(h);
    assert.ok(
      h
        .eventsOf("warning")
        .some((event) => /pinned by ALB stickiness keep reaching green for up to 3600s/.test(event.message)),
    );
  });

  it("emits a warning when the preview after the restore still finds drift", async () => {
    const h = new DriverHarness();
    h.world.faults.driftOutOfBand(2);
    h.world.inject({ at: minutes(1), alarm: GREEN.composite, state: "ALARM" });
    const result = await start(h);
    assert.equal(result.exitCode, 3);
    assert.equal(only(h, "restored").drift, 2);
    assert.ok(h.eventsOf("warning").some((event) => /still finds 2 changes/.test(event.message)));
  });
});

describe("driver: preflight rejects with exit 2 and changes nothing", () => {
  const cases: {
    name: string;
    deployed?: false;
    arrange: (h: DriverHarness) => void;
    check: string;
    reason: RegExp;
  }[] = [
    {
      name: "an alarm already firing before the start (its composite follows it)",
      arrange: (h) => h.world.inject({ alarm: GREEN.latencyP95, state: "ALARM" }),
      check: "alarms",
      reason: /alarms checkout-dev-green, checkout-dev-green-latency-p95 are in ALARM: refusing to start/,
    },
    {
      name: "a configured alarm that does not exist, named",
      arrange: (h) => h.world.inject({ fault: "alarm-missing", alarm: GREEN.unhealthyHosts }),
      check: "alarms",
      reason: /checkout-dev-green-unhealthy-hosts not found/,
    },
    {
      name: "a stack locked by a live process, naming the holder",
      arrange: (h) =>
        h.world.inject({ fault: "stack-locked", alive: true, holder: "ci-runner-7 (pid 4242)" }),
      check: "lock",
      reason: /locked by ci-runner-7 \(pid 4242\), a process that is still running/,
    },
    {
      name: "a stale lock, saying how to clear it explicitly",
      arrange: (h) => h.world.inject({ fault: "stack-locked", alive: false, holder: "laptop (pid 99)" }),
      check: "lock",
      reason: /stale lock from laptop \(pid 99\).*pulumi cancel --stack dev/,
    },
    {
      name: "a stack never deployed",
      deployed: false,
      arrange: () => undefined,
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
      const h = new DriverHarness({ deployed: c.deployed });
      c.arrange(h);
      const result = await start(h, { version: c.check === "version" ? "1.4.0" : VERSION });
      assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
      assert.match(result.reason, c.reason);
      const failed = h.eventsOf("preflight").filter((event) => !event.ok);
      assert.deepEqual(
        failed.map((event) => event.check),
        [c.check],
      );
      assert.match(failed[0].detail, c.reason);
      assert.ok(!h.types().includes("started"));
      assertNothingChanged(h, { deployed: c.deployed });
      assertEventsClose(h, result);
    });
  }

  it("a failing extra preflight check runs first and names itself", async () => {
    const h = new DriverHarness();
    let lockRead = false;
    const stack: StackPort = { ...h.world.stack, lock: async () => ((lockRead = true), undefined) };
    const result = await runRollout(
      h.deps({
        stack,
        preflightChecks: [
          { name: "pulumi-cli", run: async () => ({ ok: true, detail: "pulumi v3.200.0" }) },
          {
            name: "aws-credentials",
            run: async () => ({ ok: false, detail: "no credentials: set AWS_PROFILE" }),
          },
        ],
      }),
      { config: h.config, version: VERSION, resume: false, signal: new AbortController().signal },
    );
    assert.equal(result.exitCode, 2);
    assert.match(result.reason, /aws-credentials: no credentials/);
    assert.equal(lockRead, false, "the wiring's checks run before the stack is touched");
    assertNothingChanged(h);
  });

  it("a read that keeps failing in the preflight rejects without writing", async () => {
    const h = new DriverHarness();
    h.world.inject({ fault: "alarms-unreadable", for: minutes(10) });
    const result = await start(h);
    assert.equal(result.exitCode, 2);
    assert.match(result.reason, /could not read the watched alarms .*ThrottlingException: Rate exceeded/);
    assertNothingChanged(h);
  });

  it("INSUFFICIENT_DATA before the candidate has traffic does not block the start", async () => {
    const h = new DriverHarness({
      config: testConfig({ rollout: { insufficientData: { policy: "ignore" } } }),
    });
    h.world.inject({ alarm: "*", state: "INSUFFICIENT_DATA" });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
  });
});

describe("driver: INSUFFICIENT_DATA and evaluation errors are never healthy", () => {
  it("wait: tolerated until the deadline, then reverts without advancing", async () => {
    const h = new DriverHarness(); // policy wait, deadline 5m
    h.world.inject({ at: minutes(1), alarm: GREEN.errorRate, state: "INSUFFICIENT_DATA" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /INSUFFICIENT_DATA for 300s, past the insufficient-data deadline of 300s/);
    const reverted = only(h, "reverted");
    assert.ok(
      reverted.elapsedSeconds >= 360 && reverted.elapsedSeconds <= 370,
      `reverted at ${reverted.elapsedSeconds}s`,
    );
    assert.equal(
      h.eventsOf("shifted").length,
      1,
      "the bake's end does not advance while an alarm is unknown",
    );
    const held = h.eventsOf("baking").filter((event) => event.remainingSeconds === 0);
    assert.ok(held.length >= 5, "held at the end of the bake until the deadline");
    assertRestored(h);
    assertEventsClose(h, result);
  });

  it("wait: an alarm that recovers before the deadline lets the rollout go on", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(1), alarm: GREEN.errorRate, state: "INSUFFICIENT_DATA" });
    h.world.inject({ at: minutes(4), alarm: GREEN.errorRate, state: "OK" });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
  });

  it("fail: reverts at the first poll that sees it", async () => {
    const h = new DriverHarness({
      config: testConfig({ rollout: { insufficientData: { policy: "fail" } } }),
    });
    h.world.inject({ at: minutes(7), alarm: GREEN.composite, state: "INSUFFICIENT_DATA" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /checkout-dev-green is INSUFFICIENT_DATA; the insufficient-data policy is "fail"/,
    );
    assert.ok(only(h, "reverted").elapsedSeconds - 420 <= 10);
    assertRestored(h);
  });

  it("ignore: INSUFFICIENT_DATA counts as OK and the rollout promotes", async () => {
    const h = new DriverHarness({
      config: testConfig({ rollout: { insufficientData: { policy: "ignore" } } }),
    });
    h.world.inject({ at: minutes(1), alarm: GREEN.errorRate, state: "INSUFFICIENT_DATA" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    assert.equal(h.eventsOf("shifted").length, 4);
  });

  it("EVALUATION_ERROR is not healthy even under ignore: reverts at the deadline", async () => {
    const h = new DriverHarness({
      config: testConfig({ rollout: { insufficientData: { policy: "ignore", deadline: "2m" } } }),
    });
    h.world.inject({ at: minutes(6), fault: "evaluation-error", alarm: GREEN.latencyP95 });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /checkout-dev-green-latency-p95 has been EvaluationState EVALUATION_ERROR for 120s/,
    );
    assert.equal(h.eventsOf("shifted").length, 2);
    assertRestored(h);
  });

  it("EVALUATION_ERROR blocks an operator's promote", async () => {
    const h = new DriverHarness();
    h.world.inject({
      at: minutes(1),
      fault: "evaluation-error",
      alarm: GREEN.composite,
      evaluationState: "PARTIAL_DATA",
    });
    h.world.inject({ at: minutes(2), operator: "promote-full", by: "alice" });
    const result = await start(h);
    assert.equal(result.exitCode, 3);
    assert.ok(
      h
        .eventsOf("warning")
        .some((event) =>
          /promote-full requested by alice ignored: the alarms are not all OK/.test(event.message),
        ),
    );
    assert.equal(h.eventsOf("promoted").length, 0);
  });
});

describe("driver: unreadable and missing alarms", () => {
  it("a watched alarm that disappears during a bake reverts, naming it", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(11), fault: "alarm-missing", alarm: GREEN.composite });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /checkout-dev-green not found/);
    assert.ok(
      h.eventsOf("alarm").some((event) => event.state === "MISSING" && event.name === GREEN.composite),
    );
    assertRestored(h);
  });

  it("a short throttling burst is absorbed by jittered retries: no failed poll, promotes", async () => {
    const h = new DriverHarness();
    h.at(minutes(3), () => h.world.faults.throttleAlarmReads(2));
    const result = await start(h);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(h.eventsOf("alarm-read-failed"), []);
    assert.ok(h.randomCalls >= 2, "retry delays draw on the injected random source");
  });

  it("a fault shorter than the limit of failed polls is tolerated and promotes", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(3), fault: "alarms-unreadable", for: seconds(25) });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
    const failures = h.eventsOf("alarm-read-failed");
    assert.ok(failures.length >= 1 && failures.length < 4);
    assert.equal(failures[0].limit, 4);
    assert.match(failures[0].error, /ThrottlingException: Rate exceeded/);
  });

  it("after maxAlarmReadFailures consecutive failed polls, reverts with exit 3", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(6), fault: "alarms-unreadable", for: minutes(54) });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /alarms unreadable: 4 consecutive polls/);
    assert.deepEqual(
      h.eventsOf("alarm-read-failed").map((event) => event.consecutive),
      [1, 2, 3, 4],
    );
    const reverted = only(h, "reverted");
    assert.ok(reverted.elapsedSeconds <= 360 + 4 * 10 + 10, `reverted at ${reverted.elapsedSeconds}s`);
    assertRestored(h);
    assertEventsClose(h, result);
  });

  it("an unreadable live split also reverts after the limit", async () => {
    const h = new DriverHarness();
    h.world.faults.throttleWeightReads({ at: minutes(6), for: minutes(1) });
    const result = await start(h);
    assert.equal(result.exitCode, 3);
    assert.match(result.reason, /live split unreadable/);
    assertRestored(h);
  });
});

describe("driver: weight writes, read-backs and drift", () => {
  it("a failed weight write stays at the last verified split and reverts (exit 3)", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(5) - seconds(1), fault: "weight-write-fails", for: seconds(21) });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /shifting to 25% on green \(step 2 of 4\) failed: CommandError: [\s\S]*updating urn:pulumi:dev::bluegreen::\S+::checkout-listener: InternalFailure/,
    );
    assert.deepEqual(
      h.eventsOf("shifted").map((event) => event.weights.green),
      [10],
    );
    assertRestored(h);
    assertEventsClose(h, result);
  });

  it("when the direct revert and the stack both fail for a while, retries both until one gets through", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(7), alarm: GREEN.errorRate, state: "ALARM" });
    h.world.inject({ at: minutes(7), fault: "weight-write-fails", for: minutes(2) });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    const reverted = only(h, "reverted");
    assert.ok(reverted.elapsedSeconds >= 540, "only once the fault cleared");
    assert.ok(
      h
        .eventsOf("warning")
        .some((event) => /could not put traffic back on blue directly/.test(event.message)),
    );
    assertRestored(h);
  });

  it("when nothing can move traffic back before the operation timeout, ends failed (exit 1) and says so", async () => {
    const h = new DriverHarness({ config: testConfig({ rollout: { operationTimeout: "2m" } }) });
    h.world.inject({ at: minutes(7), alarm: GREEN.errorRate, state: "ALARM" });
    h.world.inject({ at: minutes(7), fault: "weight-write-fails", for: minutes(600) });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["failed", 1]);
    assert.match(
      result.reason,
      /could not revert: the direct write failed .* traffic may still reach green/s,
    );
    assert.equal(h.eventsOf("reverted").length, 0);
    assertEventsClose(h, result);
  });

  it("a read-back that differs after a write reverts and reports it", async () => {
    const h = new DriverHarness();
    h.at(minutes(10) - seconds(1), () => h.world.faults.raceNextWrite({ blue: 75, green: 25 }));
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /read back blue 75 \/ green 25 instead of blue 50 \/ green 50; .*someone else wrote/,
    );
    assertRestored(h);
  });

  it("weights drifting during a bake (someone else wrote) revert and report", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(12), fault: "weights-drift", weights: { blue: 20, green: 80 } });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /live split changed to blue 20 \/ green 80 while this rollout had set blue 50 \/ green 50: someone else wrote/,
    );
    assert.ok(only(h, "reverted").elapsedSeconds - 720 <= 10);
    assertRestored(h);
  });
});

describe("driver: signals and operator requests", () => {
  for (const signalName of ["SIGINT", "SIGTERM"] as const) {
    it(`${signalName} mid-bake reverts first, then ends aborted (exit 4)`, async () => {
      const h = new DriverHarness();
      const stopAt = minutes(8) + seconds(3);
      h.world.inject({ at: stopAt, signal: signalName });
      const result = await start(h);
      assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
      assert.match(result.reason, new RegExp(`interrupted \\(received ${signalName}\\)`));
      const reverted = only(h, "reverted");
      assert.equal(
        reverted.elapsedSeconds,
        stopAt / 1000,
        "reverts at the moment of the signal, not the next poll",
      );
      assert.deepEqual(
        h.world.routerWrites()[0],
        { split: STABLE_ONLY, at: EPOCH + stopAt },
        "the revert runs on its own signal: its write is not refused as aborted",
      );
      assert.deepEqual(h.types().slice(-3), ["reverted", "restored", "completed"]);
      assertRestored(h);
      assertEventsClose(h, result);
    });
  }

  it("a signal before anything was written ends aborted (exit 4) without touching the stack", async () => {
    const h = new DriverHarness();
    h.world.inject({ signal: "SIGTERM" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
    assertNothingChanged(h);
    assertEventsClose(h, result);
  });

  it("a signal during the deploy still reverts and restores the stack", async () => {
    const h = new DriverHarness();
    const stack: StackPort = {
      ...h.world.stack,
      update: async (options) => {
        const answer = await h.world.stack.update(options);
        if (h.world.updates().length === 1) h.world.inject({ signal: "SIGTERM" });
        return answer;
      },
    };
    const result = await runRollout(h.deps({ stack }), {
      config: h.config,
      version: VERSION,
      resume: false,
      signal: h.world.signal,
    });
    assert.equal(result.exitCode, 4);
    assert.equal(h.eventsOf("shifted").length, 0);
    assertRestored(h);
  });

  it("an operator abort via the control channel reverts with exit 4", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(7), operator: "abort", by: "alice" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
    assert.equal(result.reason, "aborted by alice");
    assert.ok(only(h, "reverted").elapsedSeconds - 420 <= 10);
    assertRestored(h);
    assertEventsClose(h, result);
  });

  it("promote ends the current bake early while the alarms are OK", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(1), operator: "promote", by: "alice" });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
    const shifted = h.eventsOf("shifted");
    assert.deepEqual(
      shifted.map((event) => event.elapsedSeconds),
      [0, 60, 360, 660],
      "step 2 started at the promote; the others bake in full",
    );
    assert.match(h.world.updates()[2].message, /alice \(promote\)/);
  });

  it("promote-full skips every remaining step while the alarms are OK", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(6), operator: "promote-full", by: "bob" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    assert.deepEqual(
      h.eventsOf("shifted").map((event) => event.weights.green),
      [10, 25],
    );
    assert.ok(only(h, "promoted").elapsedSeconds <= 370);
    assert.deepEqual(h.world.liveSplit(), { blue: 0, green: 100 });
    assert.equal(h.world.stackValues().stable, "green");
  });

  it("promote while an alarm is unknown is ignored with a warning", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(1), alarm: GREEN.errorRate, state: "INSUFFICIENT_DATA" });
    h.world.inject({ at: minutes(2), operator: "promote", by: "alice" });
    h.world.inject({ at: minutes(3), alarm: GREEN.errorRate, state: "OK" });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
    assert.ok(
      h.eventsOf("warning").some((event) => /promote requested by alice ignored/.test(event.message)),
    );
    assert.deepEqual(
      h.eventsOf("shifted").map((event) => event.elapsedSeconds),
      [0, 300, 600, 900],
    );
  });

  it("a request left before the run started is discarded, not acted on", async () => {
    const h = new DriverHarness();
    await h.world.control.send({ kind: "abort", by: "yesterday", at: EPOCH - minutes(600) });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
    assert.ok(
      h.eventsOf("warning").some((event) => /discarded a abort request from yesterday/.test(event.message)),
    );
  });

  it("an abort while waiting for readiness reverts before any weight moves", async () => {
    const h = new DriverHarness();
    h.world.inject({ fault: "candidate-unhealthy" });
    h.world.inject({ at: minutes(2), operator: "abort", by: "alice" });
    const result = await start(h);
    assert.equal(result.exitCode, 4);
    assert.equal(h.eventsOf("shifted").length, 0);
    assertRestored(h);
  });
});

describe("driver: locks and failing updates", () => {
  it("a lock held by a live process during the restore: traffic reverted directly, lock not broken, reported", async () => {
    const h = new DriverHarness();
    const lock = { holder: "alice@laptop (pid 311)", alive: true };
    h.world.inject({ at: minutes(6), fault: "stack-locked", ...lock });
    h.world.inject({ at: minutes(6), alarm: GREEN.errorRate, state: "ALARM" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /traffic is back on blue through the direct path, but stack dev is locked by alice@laptop \(pid 311\)/,
    );
    assert.deepEqual(h.world.liveSplit(), STABLE_ONLY);
    assert.deepEqual(await h.world.stack.lock(), lock, "the lock is left alone");
    assert.equal(h.eventsOf("restored").length, 0);
    assert.ok(h.eventsOf("warning").some((event) => /locked by alice@laptop/.test(event.message)));
    const { revision, ...values } = h.world.stackValues();
    assert.deepEqual(
      values,
      PRE_ROLLOUT,
      "the restored values are in the stack's config for the next update",
    );
    assert.ok(revision > 7);
    assertEventsClose(h, result);
  });

  it("up() throwing after the update was saved is reconciled from the outputs and the rollout continues", async () => {
    const h = new DriverHarness();
    h.world.inject({ fault: "up-throws-after-save" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    assert.ok(
      h.eventsOf("warning").some((event) => /reported an error after it was saved/.test(event.message)),
    );
    assert.equal(only(h, "deployed").version, VERSION);
  });

  it("up() throwing after saving a step is reconciled too", async () => {
    const h = new DriverHarness();
    h.world.inject({ at: minutes(5) - seconds(1), fault: "up-throws-after-save" });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
    assert.equal(h.eventsOf("shifted").length, 4);
    assert.ok(h.world.updates()[2].error, "the step's update was the one that threw after saving");
  });

  it("up() failing before saving during the deploy rolls back with exit 3", async () => {
    const h = new DriverHarness();
    h.world.inject({ fault: "up-fails" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /deploying 1.5.0 to green failed: CommandError: code: 255\nstderr: error: update failed/,
    );
    assert.equal(h.eventsOf("deployed").length, 0);
    assert.equal(h.eventsOf("shifted").length, 0);
    assertRestored(h);
    assertEventsClose(h, result);
  });

  it("a candidate with no healthy targets gets no weight (exit 3)", async () => {
    const h = new DriverHarness();
    h.world.inject({ fault: "candidate-unhealthy" });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /green was not ready after 1800s \(0 of 2 targets healthy in checkout-green-[0-9a-f]{7} \(Target\.FailedHealthChecks\)\); it got no traffic/,
    );
    assert.equal(h.eventsOf("shifted").length, 0);
    assert.ok(
      h.world.updates().every((update) => update.values.traffic.green === 0),
      "no update ever gave green weight",
    );
    assertRestored(h);
  });

  it("a failed pre-traffic check rolls back before any weight moves", async () => {
    const h = new DriverHarness();
    h.world.inject({ fault: "pre-traffic-check-fails" });
    const routing = h.world.deployedOutputs().routing;
    const endpoint = routing.kind === "alb" ? routing.testEndpoint : assert.fail("ECS routes through an ALB");
    const result = await start(h);
    assert.equal(result.exitCode, 3);
    assert.deepEqual(only(h, "checked"), {
      type: "checked",
      colour: "green",
      ok: false,
      detail: `GET ${endpoint}/health -> 503 (expected 200)`,
      elapsedSeconds: 0,
      time: new Date(EPOCH).toISOString(),
    });
    assert.equal(h.eventsOf("shifted").length, 0);
    assertRestored(h);
  });

  it("an unexpected error still reverts (best effort) and ends failed (exit 1)", async () => {
    const h = new DriverHarness();
    const router: TrafficRouter = {
      ...h.world.router,
      readiness: async () => undefined as unknown as Awaited<ReturnType<TrafficRouter["readiness"]>>,
    };
    const result = await runRollout(h.deps({ router }), {
      config: h.config,
      version: VERSION,
      resume: false,
      signal: new AbortController().signal,
    });
    assert.deepEqual([result.outcome, result.exitCode], ["failed", 1]);
    assert.match(result.reason, /unexpected error: TypeError/);
    assert.equal(h.eventsOf("shifted").length, 0);
    assertRestored(h);
    assertEventsClose(h, result);
  });

  it("a router answer that is not a split counts as a failed read, never as verified", async () => {
    const h = new DriverHarness();
    const router: TrafficRouter = {
      ...h.world.router,
      read: async (signal) => {
        const live = await h.world.router.read(signal);
        return h.elapsed() >= minutes(7) && h.world.routerWrites().length === 0
          ? (undefined as unknown as typeof live)
          : live;
      },
    };
    const result = await runRollout(h.deps({ router }), {
      config: h.config,
      version: VERSION,
      resume: false,
      signal: new AbortController().signal,
    });
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(result.reason, /live split unreadable: 4 consecutive polls/);
    assert.ok(
      h.eventsOf("warning").some((event) => /the router returned nothing, not a split/.test(event.message)),
    );
    assertRestored(h);
  });
});

/**
 * Starts a rollout and lets it run until `ms`, where the process running it is killed mid-call
 * (its alarm reads and readiness checks never answer); then the world answers again for the next
 * run, and the events are cleared so they are the next run's alone.
 */
async function crashAt(h: DriverHarness, ms: number): Promise<void> {
  h.world.faults.hang(ms);
  void start(h);
  while (h.clock.now() < EPOCH + ms) await h.clock.sleep(0);
  for (let i = 0; i < 20; i++) await Promise.resolve();
  h.world.faults.endHang();
  // A killed driver's claim on the stack stands until its heartbeat is stale: the next run can
  // take the stack only then (the refusal before it is its own test).
  await h.clock.sleep(heartbeatStaleAfterMs(h.config.rollout.pollInterval) + 1);
  h.recorded.length = 0;
}

describe("driver: crash recovery and concurrent rollouts", () => {
  it("a second driver on a stack whose run still beats is refused (exit 2), naming that run", async () => {
    const h = new DriverHarness();
    h.world.faults.hang(minutes(7));
    void start(h);
    while (h.clock.now() < EPOCH + minutes(7)) await h.clock.sleep(0);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    h.world.faults.endHang();
    h.recorded.length = 0;
    const writes = h.world.valueWrites().length;
    const result = await start(h, { resume: true });
    assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
    assert.match(
      result.reason,
      /preflight control: could not claim the stack for this run: the stack is held by run /,
    );
    assert.equal(h.world.valueWrites().length, writes, "nothing was written");
    assert.equal(h.eventsOf("started").length, 0);
  });

  it("--resume continues from the step the live split shows, from the world not memory", async () => {
    const h = new DriverHarness();
    await crashAt(h, minutes(7));
    assert.deepEqual(h.world.liveSplit(), { blue: 75, green: 25 }, "the crash left 25% live");
    const updatesBefore = h.world.updates().length;
    const result = await start(h, { resume: true });
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    assert.equal(only(h, "started").resumed, true);
    assert.deepEqual(
      h.eventsOf("shifted").map((event) => [event.step, event.weights.green]),
      [
        [2, 25],
        [3, 50],
        [4, 100],
      ],
    );
    assert.equal(h.eventsOf("deployed").length, 0, "the deploy is not repeated");
    assert.deepEqual(h.world.updates()[updatesBefore].targets, h.world.deployedOutputs().routingUrns);
  });

  it("--resume after a crash mid-shift (live one step ahead of the outputs) re-bakes the live step", async () => {
    const h = new DriverHarness();
    await crashAt(h, minutes(7));
    h.world.inject({ fault: "weights-drift", weights: { blue: 50, green: 50 } });
    const result = await start(h, { resume: true });
    assert.equal(result.exitCode, 0);
    assert.deepEqual(
      h.eventsOf("shifted").map((event) => event.weights.green),
      [50, 100],
    );
  });

  it("--resume with a split no step explains reverts (exit 3)", async () => {
    const h = new DriverHarness();
    await crashAt(h, minutes(7));
    h.world.inject({ fault: "weights-drift", weights: { blue: 100, green: 0 } });
    const result = await start(h, { resume: true });
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /cannot resume: the stack applied 25% to green but the live split is blue 100 \/ green 0/,
    );
    assert.equal(h.eventsOf("shifted").length, 0);
    assertRestored(h, { resumed: true });
  });

  it("--resume while an alarm fires reverts instead of leaving the candidate unwatched", async () => {
    const h = new DriverHarness();
    await crashAt(h, minutes(7));
    h.world.inject({ alarm: GREEN.errorRate, state: "ALARM" });
    const result = await start(h, { resume: true });
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.equal(h.eventsOf("shifted").length, 0);
    assert.deepEqual(h.world.liveSplit(), STABLE_ONLY);
  });

  it("--resume after a crash between the deploy and the first shift continues from readiness", async () => {
    const h = new DriverHarness();
    h.world.inject({ fault: "candidate-unhealthy", for: minutes(2) });
    await crashAt(h, minutes(2));
    assert.deepEqual(
      [h.world.deployedOutputs().slots.green.version, h.world.liveSplit().green],
      [VERSION, 0],
    );
    const result = await start(h, { resume: true });
    assert.equal(result.exitCode, 0);
    assert.equal(h.eventsOf("deployed").length, 0);
    assert.equal(only(h, "ready").colour, "green");
  });

  it("without --resume a crashed rollout is rejected (exit 2) and nothing changes", async () => {
    const h = new DriverHarness();
    await crashAt(h, minutes(7));
    const writes = h.world.valueWrites().length;
    const updates = h.world.updates().length;
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
    assert.match(result.reason, /already in progress .*--resume/);
    assert.equal(h.world.valueWrites().length, writes);
    assert.equal(h.world.updates().length, updates);
    assert.deepEqual(h.world.liveSplit(), { blue: 75, green: 25 });
  });

  it("a second rollout with a different version while one is in progress is rejected and never mixes candidates", async () => {
    const h = new DriverHarness();
    await crashAt(h, minutes(7));
    for (const resume of [false, true]) {
      const result = await start(h, { version: "1.6.0", resume });
      assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
      assert.match(result.reason, /rollout of 1.5.0 is in progress .*refusing to start 1.6.0/);
    }
    assert.equal(h.world.stackValues().slots.green.version, VERSION);
    assert.equal(h.world.deployedOutputs().slots.green.version, VERSION);
  });

  it("a rejected second run does not clear the first run's heartbeat", async () => {
    const h = new DriverHarness();
    await crashAt(h, minutes(7));
    await h.world.control.heartbeat(h.clock.now());
    await start(h, { version: "1.6.0" });
    assert.equal(await h.world.control.lastHeartbeat(), h.clock.now());
  });
});

describe("driver: abortRollout", () => {
  /** A rollout left at 25% by a run killed at 7m, nobody watching. */
  async function inProgress(): Promise<DriverHarness> {
    const h = new DriverHarness();
    await crashAt(h, minutes(7));
    return h;
  }

  it("reverts directly, then restores the stack: exit 4", async () => {
    const h = await inProgress();
    const result = await abortRollout(h.deps(), {
      config: h.config,
      by: "alice",
      reason: "bad deploy",
    });
    assert.deepEqual([result.outcome, result.exitCode], ["aborted", 4]);
    assert.equal(result.reason, "aborted by alice: bad deploy");
    assert.deepEqual(h.world.liveSplit(), STABLE_ONLY);
    assert.equal(h.world.stackValues().stable, "blue");
    assert.deepEqual(h.world.stackValues().traffic, STABLE_ONLY);
    assert.deepEqual(h.world.deployedOutputs().traffic, STABLE_ONLY);
    assert.deepEqual(h.types(), ["reverted", "restored", "completed"]);
    assert.deepEqual(
      h.world.control.sent().filter((request) => request.kind === "abort"),
      [],
    );
  });

  it("a lock held by a live process: traffic back directly, lock kept, reported", async () => {
    const h = await inProgress();
    const lock = { holder: "bob@ci (pid 77)", alive: true };
    h.world.inject({ fault: "stack-locked", ...lock });
    const result = await abortRollout(h.deps(), { config: h.config, by: "alice" });
    assert.equal(result.exitCode, 4);
    assert.match(result.reason, /through the direct path, but stack dev is locked by bob@ci \(pid 77\)/);
    assert.deepEqual(h.world.liveSplit(), STABLE_ONLY);
    assert.deepEqual(await h.world.stack.lock(), lock);
  });

  it("ends failed (exit 1) when traffic cannot be moved back", async () => {
    const h = await inProgress();
    h.world.inject({ fault: "weight-write-fails" });
    const result = await abortRollout(h.deps(), { config: h.config, by: "alice" });
    assert.deepEqual([result.outcome, result.exitCode], ["failed", 1]);
    assert.match(result.reason, /could not revert/);
    assert.deepEqual(h.world.liveSplit(), { blue: 75, green: 25 });
  });

  it("with nothing in progress: rejected (exit 2), nothing written", async () => {
    const h = new DriverHarness();
    const result = await abortRollout(h.deps(), { config: h.config, by: "alice" });
    assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
    assert.match(result.reason, /no rollout is in progress/);
    assertNothingChanged(h);
    assert.deepEqual(h.types(), ["completed"]);
  });
});

describe("driver: readStatus", () => {
  it("reports versions, configured and actual splits, drift, progress, watch and alarms", async () => {
    const h = new DriverHarness({
      deployed: { traffic: { blue: 75, green: 25 } },
      live: { blue: 50, green: 50 },
    });
    h.world.inject({ fault: "alarm-missing", alarm: GREEN.unhealthyHosts });
    h.world.inject({ fault: "evaluation-error", alarm: GREEN.latencyP95 });
    await h.world.control.heartbeat(h.clock.now() - seconds(25));
    const status = await readStatus(h.deps(), h.config);
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
    assert.deepEqual(status.alarms.find((alarm) => alarm.name === GREEN.unhealthyHosts)?.state, "MISSING");
    assert.deepEqual(
      status.alarms.find((alarm) => alarm.name === GREEN.latencyP95),
      {
        name: GREEN.latencyP95,
        state: "OK",
        evaluationState: "EVALUATION_ERROR",
      },
    );
    assert.equal(status.alarms.length, 8);
  });

  it("a quiet stack: no drift, nothing in progress, nobody watching", async () => {
    const h = new DriverHarness();
    await h.world.control.heartbeat(h.clock.now() - seconds(31));
    const status = await readStatus(h.deps(), h.config);
    assert.deepEqual([status.drift, status.inProgress, status.watched], [false, false, false]);
  });

  it("a stack never deployed is an error that says what to do", async () => {
    const h = new DriverHarness({ deployed: false });
    await assert.rejects(
      readStatus(h.deps(), h.config),
      /stack dev has no outputs: deploy it with `pulumi up` first/,
    );
  });
});
