import assert from "node:assert/strict";
import { type GuardianInput, type GuardianTrigger, decideGuardian } from "../../../automation/core/guardian";
import { type ControlRecord, type ControlRun } from "../../../automation/core/controlRecord";
import { alarmColour } from "../../../automation/core/alarms";
import { revertSplit } from "../../../automation/core/revert";

const NOW = 1_800_000_000_000;
const ALARMS = {
  blue: { composite: "svc-dev-blue", members: ["svc-dev-blue-5xx", "svc-dev-blue-latency"] },
  green: { composite: "svc-dev-green", members: ["svc-dev-green-5xx"] },
};
const RUN: ControlRun = {
  runId: "run-1",
  version: "2.0.0",
  candidate: "green",
  stable: "blue",
  position: { step: 2, of: 5 },
  weights: { blue: 50, green: 50 },
  startedBy: "ci",
  startedAt: NOW - 600_000,
};
const SPLIT = { blue: 50, green: 50 };
const BACK = { blue: 100, green: 0 };

function record(overrides: Partial<ControlRecord> = {}): ControlRecord {
  return { version: 3, run: RUN, owner: "driver-a", heartbeatAt: NOW - 5_000, ...overrides };
}

function alarm(alarmName: string, state = "ALARM"): GuardianTrigger {
  return { kind: "alarm", alarmName, state, at: NOW };
}

const SCHEDULE: GuardianTrigger = { kind: "schedule", at: NOW };

function input(overrides: Partial<GuardianInput>): GuardianInput {
  return {
    trigger: SCHEDULE,
    record: record(),
    live: SPLIT,
    alarms: ALARMS,
    driverTimeoutSeconds: 300,
    now: NOW,
    ...overrides,
  };
}

describe("core/guardian: the decision", () => {
  const cases: {
    label: string;
    input: GuardianInput;
    expected:
      | { kind: "revert"; cause: string; reason: RegExp; resumed?: true }
      | { kind: "nothing"; why: string; detail: RegExp };
  }[] = [
    {
      label: "the candidate's composite entering ALARM while it has traffic reverts",
      input: input({ trigger: alarm("svc-dev-green") }),
      expected: {
        kind: "revert",
        cause: "alarm",
        reason: /alarm svc-dev-green of green entered ALARM at blue 50 \/ green 50/,
      },
    },
    {
      label: "a member of the candidate's composite counts as the candidate's",
      input: input({ trigger: alarm("svc-dev-green-5xx"), live: { blue: 90, green: 10 } }),
      expected: { kind: "revert", cause: "alarm", reason: /svc-dev-green-5xx of green/ },
    },
    {
      label: "an alarm fires even while the driver beats: the guardian does not wait for it",
      input: input({ trigger: alarm("svc-dev-green"), record: record({ heartbeatAt: NOW }) }),
      expected: { kind: "revert", cause: "alarm", reason: /svc-dev-green/ },
    },
    {
      label: "the stable colour's alarm does nothing",
      input: input({ trigger: alarm("svc-dev-blue-latency") }),
      expected: {
        kind: "nothing",
        why: "stable-alarm",
        detail: /judges blue, the stable colour of run run-1/,
      },
    },
    {
      label: "an alarm leaving ALARM does nothing",
      input: input({ trigger: alarm("svc-dev-green", "OK") }),
      expected: { kind: "nothing", why: "not-alarm", detail: /went to OK/ },
    },
    {
      label: "INSUFFICIENT_DATA is not a cause",
      input: input({ trigger: alarm("svc-dev-green", "INSUFFICIENT_DATA") }),
      expected: { kind: "nothing", why: "not-alarm", detail: /INSUFFICIENT_DATA/ },
    },
    {
      label: "an alarm of neither colour does nothing",
      input: input({ trigger: alarm("someone-elses-alarm") }),
      expected: { kind: "nothing", why: "unknown-alarm", detail: /judges neither colour/ },
    },
    {
      label: "the candidate at 0% has nothing to take away",
      input: input({ trigger: alarm("svc-dev-green"), live: BACK }),
      expected: { kind: "nothing", why: "candidate-at-zero", detail: /green gets no traffic/ },
    },
    {
      label: "the stable colour comes from the run, not the weights: blue is the candidate here",
      input: input({
        trigger: alarm("svc-dev-blue"),
        record: record({ run: { ...RUN, candidate: "blue", stable: "green" } }),
        live: { blue: 90, green: 10 },
      }),
      expected: { kind: "revert", cause: "alarm", reason: /svc-dev-blue of blue/ },
    },
    {
      label: "an alarm with no run recorded: the stable colour cannot be told",
      input: input({ trigger: alarm("svc-dev-green"), record: { version: 2 }, live: BACK }),
      expected: { kind: "nothing", why: "no-run", detail: /stable colour cannot be told/ },
    },
    {
      label: "a split with no run recorded is a human's: reported, left alone",
      input: input({ record: { version: 2 } }),
      expected: { kind: "nothing", why: "unowned-split", detail: /split it by hand/ },
    },
    {
      label: "an alarm on a split with no run recorded is left alone too",
      input: input({ trigger: alarm("svc-dev-green"), record: { version: 0 } }),
      expected: { kind: "nothing", why: "unowned-split", detail: /no run is recorded/ },
    },
    {
      label: "schedule: nothing recorded, nothing split",
      input: input({ record: { version: 0 }, live: BACK }),
      expected: { kind: "nothing", why: "no-run", detail: /no run is recorded/ },
    },
    {
      label: "schedule: a fresh heartbeat means the driver watches",
      input: input({}),
      expected: { kind: "nothing", why: "driver-alive", detail: /beat 5s ago \(lost after 300s\)/ },
    },
    {
      label: "schedule: a heartbeat exactly at the timeout is still alive",
      input: input({ record: record({ heartbeatAt: NOW - 300_000 }) }),
      expected: { kind: "nothing", why: "driver-alive", detail: /beat 300s ago/ },
    },
    {
      label: "schedule: a heartbeat past the timeout means the driver is lost",
      input: input({ record: record({ heartbeatAt: NOW - 300_001 }) }),
      expected: {
        kind: "revert",
        cause: "driver-lost",
        reason: /driver of run run-1 is lost: last heartbeat 300s ago/,
      },
    },
    {
      label: "schedule: a run recorded with no heartbeat is lost",
      input: input({ record: record({ heartbeatAt: undefined }) }),
      expected: { kind: "revert", cause: "driver-lost", reason: /recorded with no heartbeat/ },
    },
    {
      label:
        "schedule: a lost run that recorded a split reverts even with the candidate at 0% live, so the stack gets reconciled",
      input: input({ record: record({ heartbeatAt: NOW - 900_000 }), live: BACK }),
      expected: { kind: "revert", cause: "driver-lost", reason: /traffic was blue 100 \/ green 0/ },
    },
    {
      label:
        "schedule: a silent driver with no traffic on the candidate, live or recorded, may be deploying: nothing",
      input: input({
        record: record({
          heartbeatAt: NOW - 900_000,
          run: { ...RUN, position: { step: 0, of: 5 }, weights: BACK },
        }),
        live: BACK,
      }),
      expected: {
        kind: "nothing",
        why: "candidate-at-zero",
        detail: /has not beaten for 900s, but green gets no traffic, live or recorded/,
      },
    },
    {
      label: "schedule: a silent driver whose candidate has live traffic is lost, whatever it recorded",
      input: input({
        record: record({
          heartbeatAt: NOW - 900_000,
          run: { ...RUN, position: { step: 0, of: 5 }, weights: BACK },
        }),
        live: { blue: 90, green: 10 },
      }),
      expected: { kind: "revert", cause: "driver-lost", reason: /is lost/ },
    },
    {
      label: "schedule: a promoted run is left alone: its candidate is the stack's colour",
      input: input({
        record: record({ heartbeatAt: NOW - 900_000, run: { ...RUN, position: { step: 5, of: 5 } } }),
        live: { blue: 0, green: 100 },
      }),
      expected: { kind: "nothing", why: "run-promoted", detail: /was promoted/ },
    },
    {
      label: "a run already reverted by a guardian is not reverted twice",
      input: input({
        trigger: alarm("svc-dev-green"),
        record: record({
          trip: { runId: "run-1", reason: "alarm", triggeredAt: NOW - 1, revertedAt: NOW, weights: BACK },
        }),
      }),
      expected: { kind: "nothing", why: "already-tripped", detail: /already reverted/ },
    },
    {
      label: "a trip left half done is taken up again, with its own reason",
      input: input({
        record: record({
          trip: {
            runId: "run-1",
            reason: "alarm svc-dev-green of green",
            triggeredAt: NOW - 1,
            weights: BACK,
          },
        }),
      }),
      expected: {
        kind: "revert",
        cause: "driver-lost",
        reason: /^alarm svc-dev-green of green$/,
        resumed: true,
      },
    },
    {
      label: "a trip of an earlier run does not stop a revert of this one",
      input: input({
        trigger: alarm("svc-dev-green"),
        record: record({
          trip: { runId: "run-0", reason: "old", triggeredAt: NOW - 9, revertedAt: NOW - 8, weights: BACK },
        }),
      }),
      expected: { kind: "revert", cause: "alarm", reason: /svc-dev-green/ },
    },
  ];
  for (const { label, input: given, expected } of cases) {
    it(label, () => {
      const decision = decideGuardian(given);
      assert.equal(decision.kind, expected.kind, JSON.stringify(decision));
      if (decision.kind === "revert" && expected.kind === "revert") {
        assert.equal(decision.cause, expected.cause);
        assert.match(decision.reason, expected.reason);
        assert.equal(decision.resumed, expected.resumed);
        assert.deepEqual(decision.target, revertSplit(decision.candidate));
        assert.equal(decision.stable, given.record.run?.stable);
        assert.equal(decision.target[decision.candidate], 0, "never toward the candidate");
      } else if (decision.kind === "nothing" && expected.kind === "nothing") {
        assert.equal(decision.why, expected.why);
        assert.match(decision.detail, expected.detail);
      }
    });
  }
});

describe("core/alarms: the colour an alarm judges", () => {
  const cases: { name: string; colour: "blue" | "green" | undefined }[] = [
    { name: "svc-dev-blue", colour: "blue" },
    { name: "svc-dev-blue-latency", colour: "blue" },
    { name: "svc-dev-green-5xx", colour: "green" },
    { name: "svc-dev", colour: undefined },
  ];
  for (const { name, colour } of cases) {
    it(`${name} -> ${colour ?? "neither"}`, () => assert.equal(alarmColour(ALARMS, name), colour));
  }
});
