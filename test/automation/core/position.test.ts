import assert from "node:assert/strict";
import {
  assessStart,
  derivePosition,
  DeployedState,
  isInProgress,
  stepForWeight,
} from "../../../automation/core/position";
import type { TrafficSplit } from "../../../components/domain";

const SOP = [
  { weight: 10, bakeSeconds: 300 },
  { weight: 25, bakeSeconds: 300 },
  { weight: 50, bakeSeconds: 300 },
  { weight: 100, bakeSeconds: 600 },
];

function deployed(greenWeight: number, greenVersion = "1.5.0"): DeployedState {
  return {
    stableColour: "blue",
    traffic: { blue: 100 - greenWeight, green: greenWeight },
    slots: { blue: { version: "1.4.0" }, green: { version: greenVersion } },
  };
}
const live = (green: number): TrafficSplit => ({ blue: 100 - green, green });

describe("core/position", () => {
  const stepCases: { weight: number; expected: number }[] = [
    { weight: 10, expected: 0 },
    { weight: 25, expected: 1 },
    { weight: 30, expected: 1 },
    { weight: 99, expected: 2 },
    { weight: 100, expected: 3 },
    { weight: 5, expected: 0 },
  ];
  for (const c of stepCases) {
    it(`stepForWeight(${c.weight}%) is step index ${c.expected}`, () => {
      assert.equal(stepForWeight(SOP, c.weight), c.expected);
    });
  }

  const positionCases: {
    name: string;
    deployed: DeployedState;
    live: TrafficSplit;
    expected: ReturnType<typeof derivePosition>["kind"];
    step?: number;
  }[] = [
    {
      name: "the live step when outputs agree",
      deployed: deployed(25),
      live: live(25),
      expected: "step",
      step: 1,
    },
    { name: "the final 100% step", deployed: deployed(100), live: live(100), expected: "step", step: 3 },
    {
      name: "a crash mid-shift: live one step ahead",
      deployed: deployed(25),
      live: live(50),
      expected: "step",
      step: 2,
    },
    { name: "a crash mid first shift", deployed: deployed(0), live: live(10), expected: "step", step: 0 },
    {
      name: "a weight off the plan: the step below",
      deployed: deployed(30),
      live: live(30),
      expected: "step",
      step: 1,
    },
    {
      name: "deployed but no traffic: readiness",
      deployed: deployed(0),
      live: live(0),
      expected: "readiness",
    },
    {
      name: "other version in the slot: deploy",
      deployed: deployed(0, "1.3.0"),
      live: live(0),
      expected: "deploy",
    },
    {
      name: "outputs at 25 but live at 0: a cut-short revert",
      deployed: deployed(25),
      live: live(0),
      expected: "inconsistent",
    },
    {
      name: "live two steps ahead of outputs",
      deployed: deployed(10),
      live: live(50),
      expected: "inconsistent",
    },
    { name: "live behind the outputs", deployed: deployed(50), live: live(25), expected: "inconsistent" },
  ];
  for (const c of positionCases) {
    it(`derivePosition: ${c.name}`, () => {
      const position = derivePosition(SOP, c.deployed, c.live, "1.5.0");
      assert.equal(position.kind, c.expected);
      if (c.step !== undefined) assert.deepEqual(position, { kind: "step", step: c.step });
      if (position.kind === "inconsistent") assert.match(position.reason, /%/);
    });
  }

  it("isInProgress: candidate weight in the outputs or live, or live differing from the outputs", () => {
    assert.equal(isInProgress(deployed(0), live(0)), false);
    assert.equal(isInProgress(deployed(10), live(10)), true);
    assert.equal(isInProgress(deployed(0), live(10)), true);
    assert.equal(isInProgress(deployed(10), live(0)), true);
  });
});

describe("core/position assessStart", () => {
  const cases: {
    name: string;
    deployed: DeployedState;
    live: TrafficSplit;
    version: string;
    resume: boolean;
    expected: ReturnType<typeof assessStart>;
  }[] = [
    {
      name: "a fresh rollout deploys",
      deployed: deployed(0, "1.3.0"),
      live: live(0),
      version: "1.5.0",
      resume: false,
      expected: { kind: "start", from: { kind: "deploy" }, resumed: false },
    },
    {
      name: "--resume with nothing in progress and the slot elsewhere starts fresh",
      deployed: deployed(0, "1.3.0"),
      live: live(0),
      version: "1.5.0",
      resume: true,
      expected: { kind: "start", from: { kind: "deploy" }, resumed: false },
    },
    {
      name: "--resume after a crash between deploy and the first shift continues from readiness",
      deployed: deployed(0),
      live: live(0),
      version: "1.5.0",
      resume: true,
      expected: { kind: "start", from: { kind: "readiness" }, resumed: true },
    },
    {
      name: "--resume mid-rollout continues from the live step",
      deployed: deployed(50),
      live: live(50),
      version: "1.5.0",
      resume: true,
      expected: { kind: "start", from: { kind: "step", step: 2 }, resumed: true },
    },
    {
      name: "--resume with a split no step explains reverts",
      deployed: deployed(25),
      live: live(0),
      version: "1.5.0",
      resume: true,
      expected: {
        kind: "revert",
        reason:
          "the stack applied 25% to green but the live split is blue 100 / green 0: a revert was cut short or someone moved traffic",
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(assessStart(SOP, c.deployed, c.live, c.version, c.resume), c.expected);
    });
  }

  const rejections: {
    name: string;
    deployed: DeployedState;
    live: TrafficSplit;
    version: string;
    resume: boolean;
    reason: RegExp;
  }[] = [
    {
      name: "the version already serving",
      deployed: deployed(0, "1.3.0"),
      live: live(0),
      version: "1.4.0",
      resume: false,
      reason: /version 1.4.0 already serves 100% on blue/,
    },
    {
      name: "a rollout in progress without --resume",
      deployed: deployed(25),
      live: live(25),
      version: "1.5.0",
      resume: false,
      reason: /already in progress .*--resume/,
    },
    {
      name: "a live split differing from the outputs without --resume",
      deployed: deployed(0),
      live: live(10),
      version: "1.5.0",
      resume: false,
      reason: /in progress/,
    },
    {
      name: "a different version while one is in progress (never mix candidates)",
      deployed: deployed(25),
      live: live(25),
      version: "1.6.0",
      resume: false,
      reason: /rollout of 1.5.0 is in progress .*refusing to start 1.6.0/,
    },
    {
      name: "a different version with --resume",
      deployed: deployed(25),
      live: live(25),
      version: "1.6.0",
      resume: true,
      reason: /mix two candidates/,
    },
  ];
  for (const c of rejections) {
    it(`rejects ${c.name}`, () => {
      const decision = assessStart(SOP, c.deployed, c.live, c.version, c.resume);
      assert.equal(decision.kind, "reject");
      assert.ok(decision.kind === "reject");
      assert.match(decision.reason, c.reason);
    });
  }
});
