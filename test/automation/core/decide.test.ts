import assert from "node:assert/strict";
import { decide, Decision, Observation, outcomeOf, RevertCause } from "../../../automation/core/decide";
import { formatWait, holdDeadline, holdRemainingSeconds, type Hold } from "../../../automation/core/gate";

const SOP = [
  { weight: 10, bakeSeconds: 300 },
  { weight: 25, bakeSeconds: 300 },
  { weight: 50, bakeSeconds: 300 },
  { weight: 100, bakeSeconds: 600 },
];
const AT_25 = { blue: 75, green: 25 };

function observe(overrides: Partial<Observation> = {}): Observation {
  return {
    now: 60_000,
    step: 1,
    stepStartedAt: 0,
    expected: AT_25,
    live: AT_25,
    liveReadFailures: 0,
    alarms: { kind: "ok" },
    alarmReadFailures: 0,
    maxReadFailures: 4,
    signalled: false,
    ...overrides,
  };
}

describe("core/decide", () => {
  const cases: {
    name: string;
    observation: Observation;
    expected: Partial<Decision> & { kind: Decision["kind"] };
  }[] = [
    {
      name: "keeps baking while the bake runs and all is well",
      observation: observe(),
      expected: { kind: "bake", step: 1, remainingSeconds: 240 },
    },
    {
      name: "shifts to the next step when the bake has passed",
      observation: observe({ now: 300_000 }),
      expected: { kind: "shift", step: 2, weight: 50 },
    },
    {
      name: "completes after the final 100% bake",
      observation: observe({
        step: 3,
        now: 600_000,
        expected: { blue: 0, green: 100 },
        live: { blue: 0, green: 100 },
      }),
      expected: { kind: "complete" },
    },
    {
      name: "reverts on ALARM during the final 100% bake",
      observation: observe({
        step: 3,
        now: 599_000,
        expected: { blue: 0, green: 100 },
        live: { blue: 0, green: 100 },
        alarms: { kind: "revert", names: ["a"], reason: "alarm a is ALARM" },
      }),
      expected: { kind: "revert", cause: "alarm", reason: "alarm a is ALARM" },
    },
    {
      name: "reverts on ALARM even when the bake has passed",
      observation: observe({
        now: 400_000,
        alarms: { kind: "revert", names: ["a"], reason: "alarm a is ALARM" },
      }),
      expected: { kind: "revert", cause: "alarm" },
    },
    {
      name: "holds at the end of the bake while an alarm is unknown",
      observation: observe({
        now: 300_000,
        alarms: { kind: "unknown", names: ["a"], reason: "a is INSUFFICIENT_DATA" },
      }),
      expected: { kind: "bake", remainingSeconds: 0 },
    },
    {
      name: "holds at the end of the bake when this poll could not read the alarms",
      observation: observe({ now: 300_000, alarms: undefined, alarmReadFailures: 1 }),
      expected: { kind: "bake", remainingSeconds: 0 },
    },
    {
      name: "holds at the end of the bake when this poll could not read the live split",
      observation: observe({ now: 300_000, live: undefined, liveReadFailures: 1 }),
      expected: { kind: "bake" },
    },
    {
      name: "reverts after the limit of consecutive failed alarm reads",
      observation: observe({ alarms: undefined, alarmReadFailures: 4 }),
      expected: { kind: "revert", cause: "alarms-unreadable" },
    },
    {
      name: "tolerates failed alarm reads below the limit",
      observation: observe({ alarms: undefined, alarmReadFailures: 3 }),
      expected: { kind: "bake" },
    },
    {
      name: "reverts after the limit of consecutive failed split reads",
      observation: observe({ live: undefined, liveReadFailures: 4 }),
      expected: { kind: "revert", cause: "split-unreadable" },
    },
    {
      name: "reverts when someone else changed the live split",
      observation: observe({ live: { blue: 50, green: 50 } }),
      expected: { kind: "revert", cause: "drift" },
    },
    {
      name: "a signal reverts before anything else",
      observation: observe({ signalled: true, request: { kind: "promote-full", by: "ops" } }),
      expected: { kind: "revert", cause: "signal" },
    },
    {
      name: "an operator abort reverts even while alarms are OK",
      observation: observe({ request: { kind: "abort", by: "alice" } }),
      expected: { kind: "revert", cause: "abort", reason: "aborted by alice" },
    },
    {
      name: "promote ends the bake early while alarms are OK",
      observation: observe({ request: { kind: "promote", by: "alice" } }),
      expected: { kind: "shift", step: 2, weight: 50, early: "alice (promote)" },
    },
    {
      name: "promote at the last step completes",
      observation: observe({
        step: 3,
        expected: { blue: 0, green: 100 },
        live: { blue: 0, green: 100 },
        request: { kind: "promote", by: "alice" },
      }),
      expected: { kind: "complete", early: "alice (promote)" },
    },
    {
      name: "promote-full skips every remaining step while alarms are OK",
      observation: observe({
        step: 0,
        now: 1_000,
        expected: { blue: 90, green: 10 },
        live: { blue: 90, green: 10 },
        request: { kind: "promote-full", by: "bob" },
      }),
      expected: { kind: "complete", early: "bob (promote-full)" },
    },
    {
      name: "promote is ignored while an alarm is unknown",
      observation: observe({
        alarms: { kind: "unknown", names: ["a"], reason: "a is INSUFFICIENT_DATA" },
        request: { kind: "promote", by: "alice" },
      }),
      expected: {
        kind: "bake",
        ignored: "promote requested by alice ignored: the alarms are not all OK (a is INSUFFICIENT_DATA)",
      },
    },
    {
      name: "promote-full is ignored when the alarms could not be read",
      observation: observe({
        alarms: undefined,
        alarmReadFailures: 1,
        request: { kind: "promote-full", by: "alice" },
      }),
      expected: {
        kind: "bake",
        ignored: "promote-full requested by alice ignored: the alarms could not be read at this poll",
      },
    },
    {
      name: "promote is ignored (and the rollout reverts) while an alarm fires",
      observation: observe({
        alarms: { kind: "revert", names: ["a"], reason: "alarm a is ALARM" },
        request: { kind: "promote-full", by: "alice" },
      }),
      expected: { kind: "revert", cause: "alarm" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = decide(SOP, c.observation);
      for (const [key, value] of Object.entries(c.expected)) {
        assert.deepEqual(
          (decision as Record<string, unknown>)[key],
          value,
          `${key} of ${JSON.stringify(decision)}`,
        );
      }
    });
  }

  it("rejects a step outside the plan, naming it", () => {
    assert.throws(() => decide(SOP, observe({ step: 4 })), /index into the 4-step plan, got 4/);
  });

  it("walks a whole clean plan to completion, one decision per bake end", () => {
    const weights: number[] = [];
    let step = 0;
    let start = 0;
    for (let guard = 0; guard < 10; guard++) {
      const expected = { blue: 100 - SOP[step].weight, green: SOP[step].weight };
      const now = start + SOP[step].bakeSeconds * 1000;
      const decision = decide(SOP, observe({ step, stepStartedAt: start, now, expected, live: expected }));
      if (decision.kind === "complete") break;
      assert.equal(decision.kind, "shift");
      if (decision.kind !== "shift") return;
      weights.push(decision.weight);
      step = decision.step;
      start = now;
    }
    assert.deepEqual(weights, [25, 50, 100]);
    assert.equal(step, 3);
  });

  const outcomes: { cause: RevertCause; outcome: string }[] = [
    { cause: "signal", outcome: "aborted" },
    { cause: "pause-timeout", outcome: "aborted" },
    { cause: "abort", outcome: "aborted" },
    { cause: "alarm", outcome: "rolled-back" },
    { cause: "alarms-unreadable", outcome: "rolled-back" },
    { cause: "drift", outcome: "rolled-back" },
    { cause: "deploy-failed", outcome: "rolled-back" },
    { cause: "unexpected", outcome: "failed" },
  ];
  for (const c of outcomes) {
    it(`a revert for ${c.cause} ends ${c.outcome}`, () => {
      assert.equal(outcomeOf(c.cause), c.outcome);
    });
  }
});

describe("core/decide: approval pauses", () => {
  const PLAN_PAUSE: Hold = { by: "the plan", timeoutSeconds: 7_200, onTimeout: "abort" };
  const UNTIMED: Hold = { by: "the plan", onTimeout: "abort" };
  const PROMOTING: Hold = { by: "the plan", timeoutSeconds: 3_600, onTimeout: "promote" };
  const ALICE: Hold = { by: "alice", onTimeout: "abort" };
  // Step 2 (50%) of the SOP, baked from 0 to 300s; a pause that began at its end.
  const AT_50 = { blue: 50, green: 50 };
  const paused = (overrides: Partial<Observation>): Observation =>
    observe({ step: 2, expected: AT_50, live: AT_50, pausedSince: 300_000, ...overrides });

  const cases: {
    name: string;
    observation: Observation;
    expected: Partial<Decision> & { kind: Decision["kind"] };
  }[] = [
    {
      name: "a step that holds bakes as usual before its pause",
      observation: observe({ hold: PLAN_PAUSE }),
      expected: { kind: "bake", remainingSeconds: 240 },
    },
    {
      name: "the pause begins when the bake ends, with its timeout counting from then",
      observation: observe({ now: 300_000, hold: PLAN_PAUSE }),
      expected: { kind: "wait", step: 1, since: 300_000, hold: PLAN_PAUSE, remainingSeconds: 7_200 },
    },
    {
      name: "a pause with no timeout waits with no countdown",
      observation: observe({ now: 300_000, hold: UNTIMED }),
      expected: { kind: "wait", since: 300_000, remainingSeconds: undefined },
    },
    {
      name: "waiting: holds the weight while nobody answers",
      observation: paused({ now: 900_000, hold: PLAN_PAUSE }),
      expected: { kind: "wait", step: 2, since: 300_000, remainingSeconds: 6_600 },
    },
    {
      name: "waiting: an alarm reverts at once",
      observation: paused({
        now: 900_000,
        hold: PLAN_PAUSE,
        alarms: { kind: "revert", names: ["a"], reason: "alarm a is ALARM" },
      }),
      expected: { kind: "revert", cause: "alarm" },
    },
    {
      name: "waiting: unreadable alarms revert at their limit",
      observation: paused({ now: 900_000, hold: UNTIMED, alarms: undefined, alarmReadFailures: 4 }),
      expected: { kind: "revert", cause: "alarms-unreadable" },
    },
    {
      name: "waiting: a drifted split reverts",
      observation: paused({ now: 900_000, hold: UNTIMED, live: { blue: 90, green: 10 } }),
      expected: { kind: "revert", cause: "drift" },
    },
    {
      name: "waiting: an abort reverts",
      observation: paused({ hold: UNTIMED, request: { kind: "abort", by: "bob" } }),
      expected: { kind: "revert", cause: "abort", reason: "aborted by bob" },
    },
    {
      name: "waiting: a signal reverts",
      observation: paused({ hold: UNTIMED, signalled: true }),
      expected: { kind: "revert", cause: "signal" },
    },
    {
      name: "waiting: resume goes on with the plan",
      observation: paused({ now: 900_000, hold: PLAN_PAUSE, request: { kind: "resume", by: "alice" } }),
      expected: { kind: "shift", step: 3, weight: 100, early: "alice (resume)" },
    },
    {
      name: "waiting: promote goes on with the plan, as it ends a bake",
      observation: paused({ now: 900_000, hold: PLAN_PAUSE, request: { kind: "promote", by: "alice" } }),
      expected: { kind: "shift", step: 3, early: "alice (promote)" },
    },
    {
      name: "waiting: promote-full skips to 100% and the promotion",
      observation: paused({
        step: 1,
        expected: AT_25,
        live: AT_25,
        hold: UNTIMED,
        request: { kind: "promote-full", by: "alice" },
      }),
      expected: { kind: "complete", early: "alice (promote-full)" },
    },
    {
      name: "waiting: resume is ignored while an alarm is unknown",
      observation: paused({
        hold: UNTIMED,
        alarms: { kind: "unknown", names: ["a"], reason: "a is INSUFFICIENT_DATA" },
        request: { kind: "resume", by: "alice" },
      }),
      expected: {
        kind: "wait",
        ignored: "resume requested by alice ignored: the alarms are not all OK (a is INSUFFICIENT_DATA)",
      },
    },
    {
      name: "waiting: a pause request takes the timeout away",
      observation: paused({ now: 900_000, hold: PLAN_PAUSE, request: { kind: "pause", by: "alice" } }),
      expected: { kind: "wait", since: 300_000, hold: ALICE },
    },
    {
      name: "at the timeout, onTimeout abort reverts and ends aborted",
      observation: paused({ now: 300_000 + 7_200_000, hold: PLAN_PAUSE }),
      expected: {
        kind: "revert",
        cause: "pause-timeout",
        reason: "nobody approved step 3 within 2h of its pause; its onTimeout is abort",
      },
    },
    {
      name: "at the timeout, onTimeout promote goes on with the plan",
      observation: paused({ now: 300_000 + 3_600_000, hold: PROMOTING }),
      expected: {
        kind: "shift",
        step: 3,
        early: "nobody approved step 3 within 1h of its pause; its onTimeout is promote",
      },
    },
    {
      name: "at the timeout, onTimeout promote still waits while an alarm is unknown",
      observation: paused({
        now: 300_000 + 3_600_000,
        hold: PROMOTING,
        alarms: { kind: "unknown", names: ["a"], reason: "a is INSUFFICIENT_DATA" },
      }),
      expected: { kind: "wait", remainingSeconds: 0 },
    },
    {
      name: "an operator's hold names them when it times out",
      observation: paused({ now: 400_000, hold: { by: "alice", timeoutSeconds: 60, onTimeout: "abort" } }),
      expected: {
        kind: "revert",
        reason: "nobody approved step 3 within 1m of its pause (held by alice); its onTimeout is abort",
      },
    },
    {
      name: "baking: a pause request holds the step after its bake",
      observation: observe({ request: { kind: "pause", by: "alice" } }),
      expected: { kind: "bake", remainingSeconds: 240, change: { kind: "hold", hold: ALICE } },
    },
    {
      name: "baking: a pause request at the bake's end pauses at once",
      observation: observe({ now: 300_000, request: { kind: "pause", by: "alice" } }),
      expected: { kind: "wait", since: 300_000, hold: ALICE },
    },
    {
      name: "baking: a pause request on the last step is ignored, only the promotion follows",
      observation: observe({
        step: 3,
        expected: { blue: 0, green: 100 },
        live: { blue: 0, green: 100 },
        request: { kind: "pause", by: "alice" },
      }),
      expected: {
        kind: "bake",
        change: undefined,
        ignored:
          "pause requested by alice ignored: step 4 is the last, and after it only the promotion follows",
      },
    },
    {
      name: "baking: resume before the pause approves it in advance",
      observation: observe({ hold: PLAN_PAUSE, request: { kind: "resume", by: "alice" } }),
      expected: { kind: "bake", change: { kind: "release", by: "alice" } },
    },
    {
      name: "baking: resume at the bake's end goes on at once",
      observation: observe({ now: 300_000, hold: PLAN_PAUSE, request: { kind: "resume", by: "alice" } }),
      expected: { kind: "shift", step: 2, early: "alice (resume)" },
    },
    {
      name: "baking: resume with nothing to release is ignored",
      observation: observe({ request: { kind: "resume", by: "alice" } }),
      expected: {
        kind: "bake",
        ignored: "resume requested by alice ignored: the rollout is not paused and step 2 does not pause",
      },
    },
    {
      name: "baking: promote ends the bake of a step that holds by going to its pause, not past it",
      observation: observe({ hold: PLAN_PAUSE, request: { kind: "promote", by: "alice" } }),
      expected: { kind: "wait", since: 60_000, hold: PLAN_PAUSE },
    },
    {
      name: "baking: promote-full skips the remaining steps and their pauses",
      observation: observe({ hold: PLAN_PAUSE, request: { kind: "promote-full", by: "alice" } }),
      expected: { kind: "complete", early: "alice (promote-full)" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = decide(SOP, c.observation);
      for (const [key, value] of Object.entries(c.expected)) {
        assert.deepEqual(
          (decision as Record<string, unknown>)[key],
          value,
          `${key} of ${JSON.stringify(decision)}`,
        );
      }
    });
  }

  const remaining: { hold: Hold; since: number; now: number; expected: number | undefined }[] = [
    { hold: PLAN_PAUSE, since: 0, now: 0, expected: 7_200 },
    { hold: PLAN_PAUSE, since: 0, now: 7_000_000, expected: 200 },
    { hold: PLAN_PAUSE, since: 0, now: 9_000_000, expected: 0 },
    { hold: UNTIMED, since: 0, now: 9_000_000, expected: undefined },
  ];
  for (const c of remaining) {
    it(`a ${c.hold.timeoutSeconds ?? "untimed"}s pause at ${c.now}ms has ${c.expected}s left`, () => {
      assert.equal(holdRemainingSeconds(c.hold, c.since, c.now), c.expected);
    });
  }

  const deadlines: { hold?: Hold; since?: number; expected: number | undefined }[] = [
    { hold: PLAN_PAUSE, since: 1_000, expected: 7_201_000 },
    { hold: PLAN_PAUSE, since: undefined, expected: undefined },
    { hold: UNTIMED, since: 1_000, expected: undefined },
    { hold: undefined, since: 1_000, expected: undefined },
  ];
  for (const c of deadlines) {
    it(`the poll deadline of ${JSON.stringify(c)}`, () => {
      assert.equal(holdDeadline(c.hold, c.since), c.expected);
    });
  }

  const waits: [number, string][] = [
    [0, "0s"],
    [45, "45s"],
    [60, "1m"],
    [5_400, "1h30m"],
    [7_200, "2h"],
    [3_661, "1h1m1s"],
  ];
  for (const [seconds, text] of waits) {
    it(`a wait of ${seconds}s reads ${text}`, () => assert.equal(formatWait(seconds), text));
  }
});
