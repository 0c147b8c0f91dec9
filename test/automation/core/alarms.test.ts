import assert from "node:assert/strict";
import {
  evaluateAlarms,
  preflightAlarms,
  reportedState,
  uniqueNames,
  UnknownPolicy,
  watchedStates,
} from "../../../automation/core/alarms";
import type { AlarmReading } from "../../../automation/ports";

const WATCHED = ["svc-dev-green-deploy", "svc-dev-green-errorRate"];
const WAIT: UnknownPolicy = { policy: "wait", deadlineSeconds: 300 };
const FAIL: UnknownPolicy = { policy: "fail", deadlineSeconds: 300 };
const IGNORE: UnknownPolicy = { policy: "ignore", deadlineSeconds: 300 };

function reading(name: string, state: AlarmReading["state"], evaluationState?: string): AlarmReading {
  return {
    name,
    state,
    evaluationState,
    reason: state === "ALARM" ? "Threshold Crossed: 3 datapoints > 5" : undefined,
  };
}
const ok = (name: string) => reading(name, "OK");

describe("core/alarms evaluateAlarms", () => {
  const cases: {
    name: string;
    readings: AlarmReading[];
    policy: UnknownPolicy;
    since?: Record<string, number>;
    now?: number;
    verdict: "ok" | "unknown" | "revert";
    reason?: RegExp;
  }[] = [
    { name: "all OK is healthy", readings: WATCHED.map(ok), policy: WAIT, verdict: "ok" },
    {
      name: "ALARM reverts whatever the policy",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "ALARM")],
      policy: IGNORE,
      verdict: "revert",
      reason: /alarm svc-dev-green-errorRate is ALARM: Threshold Crossed/,
    },
    {
      name: "a watched alarm missing from the answer reverts",
      readings: [ok(WATCHED[0])],
      policy: IGNORE,
      verdict: "revert",
      reason: /svc-dev-green-errorRate not found/,
    },
    {
      name: "INSUFFICIENT_DATA under wait is tolerated before the deadline",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "INSUFFICIENT_DATA")],
      policy: WAIT,
      since: { [WATCHED[1]]: 0 },
      now: 299_000,
      verdict: "unknown",
      reason: /INSUFFICIENT_DATA \(tolerated for 1s more\)/,
    },
    {
      name: "INSUFFICIENT_DATA under wait reverts at the deadline",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "INSUFFICIENT_DATA")],
      policy: WAIT,
      since: { [WATCHED[1]]: 0 },
      now: 300_000,
      verdict: "revert",
      reason: /has been INSUFFICIENT_DATA for 300s, past the insufficient-data deadline of 300s/,
    },
    {
      name: "INSUFFICIENT_DATA under fail reverts at once",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "INSUFFICIENT_DATA")],
      policy: FAIL,
      verdict: "revert",
      reason: /policy is "fail"/,
    },
    {
      name: "INSUFFICIENT_DATA under ignore counts as OK",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "INSUFFICIENT_DATA")],
      policy: IGNORE,
      verdict: "ok",
    },
    {
      name: "an OK alarm with EVALUATION_ERROR is not healthy",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "OK", "EVALUATION_ERROR")],
      policy: WAIT,
      verdict: "unknown",
      reason: /EvaluationState EVALUATION_ERROR/,
    },
    {
      name: "an evaluation error under ignore still waits",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "OK", "PARTIAL_DATA")],
      policy: IGNORE,
      verdict: "unknown",
    },
    {
      name: "an evaluation error under ignore still reverts at the deadline",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "OK", "EVALUATION_FAILURE")],
      policy: IGNORE,
      since: { [WATCHED[1]]: 0 },
      now: 400_000,
      verdict: "revert",
      reason: /EVALUATION_FAILURE for 400s/,
    },
    {
      name: "an evaluation error under fail reverts at once",
      readings: [ok(WATCHED[0]), reading(WATCHED[1], "OK", "EVALUATION_ERROR")],
      policy: FAIL,
      verdict: "revert",
    },
    {
      name: "a duplicate reading counts the worse one",
      readings: [...WATCHED.map(ok), reading(WATCHED[0], "ALARM")],
      policy: WAIT,
      verdict: "revert",
    },
    {
      name: "unexpected extra readings are ignored",
      readings: [...WATCHED.map(ok), reading("someone-else", "ALARM")],
      policy: WAIT,
      verdict: "ok",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = evaluateAlarms(WATCHED, c.readings, c.policy, c.since ?? {}, c.now ?? 0);
      assert.equal(result.verdict.kind, c.verdict);
      if (c.reason) {
        assert.ok(result.verdict.kind !== "ok");
        assert.match(result.verdict.reason, c.reason);
      }
    });
  }

  it("starts the deadline when an alarm is first seen unknown and keeps it through a recovery", () => {
    const unknown = [ok(WATCHED[0]), reading(WATCHED[1], "INSUFFICIENT_DATA")];
    const first = evaluateAlarms(WATCHED, unknown, WAIT, {}, 10_000);
    assert.deepEqual(first.unknownSince, { [WATCHED[1]]: 10_000 });
    const recovered = evaluateAlarms(WATCHED, WATCHED.map(ok), WAIT, first.unknownSince, 100_000);
    assert.equal(recovered.verdict.kind, "ok");
    const again = evaluateAlarms(WATCHED, unknown, WAIT, recovered.unknownSince, 310_000);
    assert.equal(again.verdict.kind, "revert", "a flapping alarm does not restart its deadline");
  });

  it("reports each watched alarm's state, MISSING for names not returned", () => {
    const result = evaluateAlarms(WATCHED, [reading(WATCHED[0], "INSUFFICIENT_DATA")], WAIT, {}, 0);
    assert.deepEqual(result.states, { [WATCHED[0]]: "INSUFFICIENT_DATA", [WATCHED[1]]: "MISSING" });
  });
});

describe("core/alarms reportedState", () => {
  const cases: { name: string; reading: AlarmReading; reported: string }[] = [
    { name: "a plain OK", reading: reading("a", "OK"), reported: "OK" },
    {
      name: "a plain INSUFFICIENT_DATA",
      reading: reading("a", "INSUFFICIENT_DATA"),
      reported: "INSUFFICIENT_DATA",
    },
    {
      name: "OK beside EVALUATION_ERROR",
      reading: reading("a", "OK", "EVALUATION_ERROR"),
      reported: "EVALUATION_ERROR",
    },
    { name: "OK beside PARTIAL_DATA", reading: reading("a", "OK", "PARTIAL_DATA"), reported: "PARTIAL_DATA" },
    {
      name: "INSUFFICIENT_DATA in warm-up",
      reading: reading("a", "INSUFFICIENT_DATA", "IN_WARM_UP"),
      reported: "IN_WARM_UP",
    },
    {
      name: "an evaluation state newer than this code",
      reading: reading("a", "OK", "SOMETHING_NEW"),
      reported: "EVALUATION_ERROR",
    },
    {
      name: "ALARM, whatever the evaluation",
      reading: reading("a", "ALARM", "PARTIAL_DATA"),
      reported: "ALARM",
    },
  ];
  for (const { name, reading: input, reported } of cases) {
    it(`${name} is reported as ${reported}`, () => {
      assert.equal(reportedState(input), reported);
      assert.deepEqual(watchedStates(["a"], [input]), { a: reported });
    });
  }
});

describe("core/alarms preflight", () => {
  it("names the missing and the firing alarms; INSUFFICIENT_DATA does not block", () => {
    const result = preflightAlarms(
      [...WATCHED, "orders-placed"],
      [reading(WATCHED[0], "INSUFFICIENT_DATA"), reading(WATCHED[1], "ALARM")],
    );
    assert.deepEqual(result, { missing: ["orders-placed"], firing: [WATCHED[1]] });
  });
  it("is clean when every alarm is there and none fires", () => {
    assert.deepEqual(preflightAlarms(WATCHED, WATCHED.map(ok)), { missing: [], firing: [] });
  });
  it("watchedStates and uniqueNames", () => {
    assert.deepEqual(watchedStates(["a"], []), { a: "MISSING" });
    assert.deepEqual(uniqueNames(["a", "b", "a"]), ["a", "b"]);
  });
});
