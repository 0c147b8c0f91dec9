import assert from "node:assert/strict";
import {
  nextRevertAction,
  recordRevert,
  type RevertAction,
  type RevertKnowledge,
  type RevertStepResult,
  startRevert,
} from "../../../automation/core/revert";

const T0 = 1_000_000;
const DEADLINE = T0 + 1_800_000;
const BACK = { blue: 100, green: 0 };
const LOCK = "stack dev is locked by alice@laptop (pid 311), a process that is still running";
const MANUAL = "traffic may still reach green: set it to blue 100 / green 0 by hand";

function known(overrides: Partial<RevertKnowledge> = {}): RevertKnowledge {
  return {
    ...startRevert({ stable: "blue", candidate: "green", now: T0, deadline: DEADLINE }),
    ...overrides,
  };
}

describe("core/revert: the next action", () => {
  const cases: { label: string; known: RevertKnowledge; draw?: number; expected: RevertAction }[] = [
    {
      label: "a fresh revert writes the stable split directly first",
      known: known(),
      expected: { kind: "write-direct", target: BACK },
    },
    {
      label: "traffic back directly: the stack is restored next",
      known: known({ phase: "direct", reverted: true }),
      expected: { kind: "restore-stack" },
    },
    {
      label: "the direct write failed: the stack is the other way back",
      known: known({ phase: "direct", directFailure: "ThrottlingException: Rate exceeded" }),
      expected: { kind: "restore-stack" },
    },
    {
      label: "a later round with traffic already back skips the direct write and tidies the stack",
      known: known({ round: 2, reverted: true, stack: { kind: "failed", detail: "x" }, tidyAttempts: 1 }),
      expected: { kind: "restore-stack" },
    },
    {
      label: "the stack restored before traffic was verified back: read the split",
      known: known({ phase: "restore", stack: { kind: "restored" } }),
      expected: { kind: "read-back", target: BACK },
    },
    {
      label: "traffic back and the stack restored: done, nothing to report",
      known: known({ phase: "restore", reverted: true, stack: { kind: "restored" }, tidyAttempts: 1 }),
      expected: { kind: "done", reverted: true, detail: "" },
    },
    {
      label: "traffic back and the stack locked: done, the lock is reported and never retried",
      known: known({ phase: "restore", reverted: true, stack: { kind: "blocked", detail: LOCK } }),
      expected: {
        kind: "done",
        reverted: true,
        detail: `traffic is back on blue through the direct path, but ${LOCK}`,
      },
    },
    {
      label: "traffic back and the restore failed three times: done, saying how to finish",
      known: known({
        phase: "restore",
        reverted: true,
        stack: { kind: "failed", detail: "the restoring update failed: boom" },
        tidyAttempts: 3,
      }),
      expected: {
        kind: "done",
        reverted: true,
        detail:
          "traffic is back on blue, but the stack could not be restored (the restoring update failed: boom): run `pulumi up` on the stack to apply the restored values",
      },
    },
    {
      label: "traffic back, the restore failed once: wait for another round",
      known: known({
        phase: "restore",
        reverted: true,
        stack: { kind: "failed", detail: "boom" },
        tidyAttempts: 1,
      }),
      draw: 0.5,
      expected: { kind: "wait", ms: 2_500 },
    },
    {
      label: "nothing got through yet, before the deadline: wait at least a second",
      known: known({ phase: "read-back", directFailure: "x", stack: { kind: "restored" } }),
      draw: 0,
      expected: { kind: "wait", ms: 1_000 },
    },
    {
      label: "the pause grows with the rounds",
      known: known({
        round: 3,
        phase: "restore",
        directFailure: "x",
        stack: { kind: "failed", detail: "y" },
      }),
      draw: 0.5,
      expected: { kind: "wait", ms: 10_000 },
    },
    {
      label: "the pause stops growing at its cap",
      known: known({
        round: 20,
        phase: "restore",
        directFailure: "x",
        stack: { kind: "failed", detail: "y" },
      }),
      draw: 0.999,
      expected: { kind: "wait", ms: 29_970 },
    },
    {
      label: "the stack locked and traffic not back yet: keep trying the direct path",
      known: known({ phase: "direct", directFailure: "x", stack: { kind: "blocked", detail: LOCK } }),
      draw: 0.5,
      expected: { kind: "wait", ms: 2_500 },
    },
    {
      label: "past the deadline with a locked stack: failed, saying both reasons",
      known: known({
        phase: "direct",
        now: DEADLINE,
        directFailure: "InternalFailure: boom",
        stack: { kind: "blocked", detail: LOCK },
      }),
      expected: {
        kind: "done",
        reverted: false,
        detail: `could not revert: the direct write failed (InternalFailure: boom) and so did the stack (${LOCK}); ${MANUAL}`,
      },
    },
    {
      label: "past the deadline with a failing stack",
      known: known({
        phase: "restore",
        now: DEADLINE + 1,
        directFailure: "x",
        stack: { kind: "failed", detail: "the restoring update failed: y" },
      }),
      expected: {
        kind: "done",
        reverted: false,
        detail: `could not revert: the direct write failed (x) and so did the stack (the restoring update failed: y); ${MANUAL}`,
      },
    },
    {
      label: "past the deadline after a restore whose split never read back",
      known: known({ phase: "read-back", now: DEADLINE, directFailure: "x", stack: { kind: "restored" } }),
      expected: {
        kind: "done",
        reverted: false,
        detail: `could not revert: the direct write failed (x) and so did the stack (not attempted); ${MANUAL}`,
      },
    },
    {
      label: "past the deadline with traffic back but the stack untidied: done as reverted",
      known: known({
        phase: "restore",
        now: DEADLINE,
        reverted: true,
        stack: { kind: "failed", detail: "z" },
        tidyAttempts: 1,
      }),
      expected: {
        kind: "done",
        reverted: true,
        detail:
          "traffic is back on blue, but the stack could not be restored (z): run `pulumi up` on the stack to apply the restored values",
      },
    },
  ];
  for (const c of cases) {
    it(c.label, () => {
      let draws = 0;
      const action = nextRevertAction(c.known, () => {
        draws += 1;
        return c.draw ?? 0.5;
      });
      assert.deepEqual(action, c.expected);
      assert.equal(draws, action.kind === "wait" ? 1 : 0, "jitter is drawn for a pause and only then");
    });
  }
});

describe("core/revert: recording what happened", () => {
  const cases: {
    label: string;
    before: RevertKnowledge;
    result: RevertStepResult;
    expected: Partial<RevertKnowledge>;
  }[] = [
    {
      label: "a verified direct write: traffic is back",
      before: known(),
      result: { kind: "direct-verified" },
      expected: { phase: "direct", reverted: true },
    },
    {
      label: "a failed direct write keeps its reason",
      before: known(),
      result: { kind: "direct-failed", detail: "ThrottlingException: Rate exceeded" },
      expected: { phase: "direct", reverted: false, directFailure: "ThrottlingException: Rate exceeded" },
    },
    {
      label: "a restore before traffic is back is not a tidy-up: it does not count",
      before: known({ phase: "direct", directFailure: "x" }),
      result: { kind: "restore-failed", detail: "y" },
      expected: { phase: "restore", stack: { kind: "failed", detail: "y" }, tidyAttempts: 0 },
    },
    {
      label: "a restore once traffic is back counts towards the tidy-up limit",
      before: known({ phase: "direct", reverted: true, tidyAttempts: 1 }),
      result: { kind: "restored" },
      expected: { phase: "restore", stack: { kind: "restored" }, tidyAttempts: 2 },
    },
    {
      label: "a lock blocks the stack",
      before: known({ phase: "direct", reverted: true }),
      result: { kind: "restore-blocked", detail: LOCK },
      expected: { phase: "restore", stack: { kind: "blocked", detail: LOCK }, tidyAttempts: 1 },
    },
    {
      label: "a read-back that shows the stable split: traffic is back",
      before: known({ phase: "restore", stack: { kind: "restored" } }),
      result: { kind: "read-back", matches: true },
      expected: { phase: "read-back", reverted: true },
    },
    {
      label: "a read-back that does not: still not back",
      before: known({ phase: "restore", stack: { kind: "restored" } }),
      result: { kind: "read-back", matches: false },
      expected: { phase: "read-back", reverted: false },
    },
    {
      label: "a pause starts the next round",
      before: known({ round: 2, phase: "restore" }),
      result: { kind: "waited" },
      expected: { phase: "start", round: 3 },
    },
  ];
  for (const c of cases) {
    it(c.label, () => {
      const after = recordRevert(c.before, c.result, T0 + 5_000);
      assert.deepEqual(after, { ...c.before, ...c.expected, now: T0 + 5_000 });
    });
  }
});

describe("core/revert: a whole revert, step by step", () => {
  /** Plays the decision against scripted results, as the loop does, and returns the actions taken. */
  function play(results: RevertStepResult[]): RevertAction[] {
    let state = known();
    const actions: RevertAction[] = [];
    for (let now = T0; ; now += 1_000) {
      const action = nextRevertAction(state, () => 0.5);
      actions.push(action);
      if (action.kind === "done") return actions;
      const result = action.kind === "wait" ? ({ kind: "waited" } as const) : results.shift();
      assert.ok(result, `no scripted result for ${action.kind}`);
      state = recordRevert(state, result, now);
    }
  }

  it("the direct path and the stack both fail, then the stack gets traffic back: read back, done", () => {
    const kinds = play([
      { kind: "direct-failed", detail: "x" },
      { kind: "restore-failed", detail: "y" },
      { kind: "direct-failed", detail: "x" },
      { kind: "restored" },
      { kind: "read-back", matches: true },
    ]).map((action) => action.kind);
    assert.deepEqual(kinds, [
      "write-direct",
      "restore-stack",
      "wait",
      "write-direct",
      "restore-stack",
      "read-back",
      "done",
    ]);
  });

  it("traffic back at once, the restore fails every time: three tidy-ups, then done as reverted", () => {
    const kinds = play([
      { kind: "direct-verified" },
      { kind: "restore-failed", detail: "y" },
      { kind: "restore-failed", detail: "y" },
      { kind: "restore-failed", detail: "y" },
    ]).map((action) => action.kind);
    assert.deepEqual(kinds, [
      "write-direct",
      "restore-stack",
      "wait",
      "restore-stack",
      "wait",
      "restore-stack",
      "done",
    ]);
  });
});
