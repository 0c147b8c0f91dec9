import assert from "node:assert/strict";
import { decide, Decision, Observation, outcomeOf, RevertCause } from "../../../automation/core/decide";

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
