/**
 * The control record as status shows it: the view computed from a record (table-driven), its
 * text, and the lines `status --watch` prints for each change.
 */
import assert from "node:assert/strict";
import type { ControlRecord, ControlRun } from "../../../automation/core/controlRecord";
import { formatControlView, watchLines } from "../../../automation/output/controlText";
import { type ControlView, controlView } from "../../../automation/rollout/runStatus";
import { testConfig } from "../support";

const T = Date.UTC(2026, 11, 1, 1, 0, 0);
const SOURCE = "control table bluegreen-checkout-dev (eu-west-1)";
const config = testConfig();

const run = (overrides: Partial<ControlRun> = {}): ControlRun => ({
  runId: "run-42",
  version: "2.0.0",
  candidate: "green",
  stable: "blue",
  position: { step: 1, of: 4 },
  weights: { blue: 75, green: 25 },
  startedBy: "alice@example.com",
  reason: "ticket 42",
  startedAt: T - 600_000,
  ...overrides,
});

const record = (overrides: Partial<ControlRecord> = {}): ControlRecord => ({
  version: 9,
  run: run(),
  owner: "driver-1",
  heartbeatAt: T - 4_000,
  ...overrides,
});

const view = (from: ControlRecord, now = T): ControlView =>
  controlView(from, { source: SOURCE, now, config });

describe("the control record's view", () => {
  const cases: { name: string; record: ControlRecord; now?: number; check: (view: ControlView) => void }[] = [
    {
      name: "a run in its second step: step, planned weight, weights and plan",
      record: record(),
      check: (v) => {
        assert.equal(v.run?.step, 2);
        assert.equal(v.run?.of, 4);
        assert.equal(v.run?.stepWeight, 25);
        assert.deepEqual(v.run?.weights, { blue: 75, green: 25 });
        assert.deepEqual(v.run?.plan, [10, 25, 50, 100]);
        assert.equal(v.run?.startedAt, new Date(T - 600_000).toISOString());
        assert.equal(v.run?.rehearsal, false);
      },
    },
    {
      name: "the time left in the bake, from bakeEndsAt, and never below 0",
      record: record({ run: run({ bakeEndsAt: T + 90_500 }) }),
      check: (v) => assert.equal(v.run?.bakeRemainingSeconds, 91),
    },
    {
      name: "a bake already due shows 0 left",
      record: record({ run: run({ bakeEndsAt: T - 5_000 }) }),
      check: (v) => assert.equal(v.run?.bakeRemainingSeconds, 0),
    },
    {
      name: "a fresh heartbeat: watched, not stale",
      record: record({ heartbeatAt: T - 4_000 }),
      check: (v) =>
        assert.deepEqual(v.heartbeat, {
          at: new Date(T - 4_000).toISOString(),
          ageSeconds: 4,
          watched: true,
          stale: false,
        }),
    },
    {
      name: "a heartbeat older than three polls: late, not yet stale",
      record: record({ heartbeatAt: T - 45_000 }),
      check: (v) => assert.deepEqual([v.heartbeat?.watched, v.heartbeat?.stale], [false, false]),
    },
    {
      name: "a heartbeat older than the takeover threshold: stale",
      record: record({ heartbeatAt: T - 61_000 }),
      check: (v) => assert.deepEqual([v.heartbeat?.watched, v.heartbeat?.stale], [false, true]),
    },
    {
      name: "a heartbeat ahead of the reader's clock counts as just now",
      record: record({ heartbeatAt: T + 30_000 }),
      check: (v) => assert.equal(v.heartbeat?.ageSeconds, 0),
    },
    {
      name: "a pause, a pending request, a rehearsal and a trip",
      record: record({
        run: run({
          rehearsal: true,
          pause: { since: T - 60_000, by: "the plan", timeoutAt: T + 3_600_000, onTimeout: "abort" },
        }),
        request: { kind: "resume", by: "bob", at: T - 1_000 },
        trip: {
          runId: "run-41",
          reason: "5xx alarm",
          triggeredAt: T - 9_000,
          weights: { blue: 100, green: 0 },
        },
      }),
      check: (v) => {
        assert.equal(v.run?.rehearsal, true);
        assert.deepEqual(v.run?.paused, {
          since: new Date(T - 60_000).toISOString(),
          by: "the plan",
          timeoutAt: new Date(T + 3_600_000).toISOString(),
          onTimeout: "abort",
        });
        assert.deepEqual(v.request, { kind: "resume", by: "bob", at: new Date(T - 1_000).toISOString() });
        assert.equal(v.trip?.runId, "run-41");
        assert.equal(v.trip?.revertedAt, undefined);
      },
    },
    {
      name: "a promoted run is at its last step",
      record: record({ run: run({ position: { step: 4, of: 4 }, weights: { blue: 0, green: 100 } }) }),
      check: (v) => {
        assert.equal(v.run?.step, 4);
        assert.equal(v.run?.stepWeight, undefined);
      },
    },
    {
      name: "an empty record: no run, no heartbeat, no request",
      record: { version: 0 },
      check: (v) =>
        assert.deepEqual(v, { source: SOURCE, run: null, heartbeat: null, request: null, trip: null }),
    },
  ];
  for (const { name, record: from, now, check } of cases) it(name, () => check(view(from, now)));

  it("leaves the step's planned weight out when the stack file's plan differs from the run's", () => {
    const v = view(record({ run: run({ position: { step: 1, of: 3 } }) }));
    assert.equal(v.run?.stepWeight, undefined);
    assert.equal(v.run?.plan, undefined);
  });
});

describe("the control record as text", () => {
  const cases: { name: string; record: ControlRecord; says: RegExp[] }[] = [
    {
      name: "a run: who, what, the step, the bake, the alarms and the heartbeat",
      record: record({ run: run({ bakeEndsAt: T + 150_000, alarms: { "checkout-dev-green-5xx": "OK" } }) }),
      says: [
        /^control table bluegreen-checkout-dev \(eu-west-1\):$/m,
        /^ {2}run run-42: 2\.0\.0 on green, blue stable$/m,
        /^ {2}started by alice@example\.com at 2026-12-01T00:50:00\.000Z: ticket 42$/m,
        /^ {2}step 2 of 4 \(25%\): blue 75%, green 25%$/m,
        /^ {2}bake: 2m30s left/m,
        /^ {4}OK {17}checkout-dev-green-5xx$/m,
        /^ {2}heartbeat 4s ago: a driver is watching$/m,
      ],
    },
    {
      name: "a paused rehearsal with a pending request",
      record: record({
        run: run({ rehearsal: true, pause: { since: T, by: "bob" } }),
        request: { kind: "resume", by: "carol", at: T },
      }),
      says: [
        /^ {2}rehearsal run-42: .*\(a drill: nothing real changes\)$/m,
        /^ {2}paused by bob since .*; no timeout: it waits for `bluegreen resume`$/m,
        /^ {2}pending request: resume from carol at .*, not taken by the driver yet$/m,
      ],
    },
    {
      name: "a stale heartbeat and no run",
      record: { version: 3, heartbeatAt: T - 120_000 },
      says: [
        /^ {2}no run recorded$/m,
        /^ {2}heartbeat 2m ago: stale: no driver is watching and another run may take the stack over$/m,
      ],
    },
    {
      name: "a guardian's trip",
      record: record({
        trip: {
          runId: "run-42",
          reason: "checkout-dev-green-5xx is ALARM",
          triggeredAt: T - 9_000,
          revertedAt: T - 8_000,
          weights: { blue: 100, green: 0 },
        },
      }),
      says: [
        /^ {2}guardian: reverted run run-42 at .* \(blue 100%, green 0%\): checkout-dev-green-5xx is ALARM$/m,
      ],
    },
  ];
  for (const { name, record: from, says } of cases) {
    it(name, () => {
      const text = formatControlView(view(from));
      for (const pattern of says) assert.match(text, pattern);
    });
  }
});

describe("status --watch lines", () => {
  const AT = "2026-12-01T01:00:00.000Z";
  const cases: { name: string; before?: ControlRecord; after: ControlRecord; lines: string[] }[] = [
    {
      name: "the first read says where things stand",
      after: record(),
      lines: [
        `${AT}  run run-42: 2.0.0 on green (started by alice@example.com); step 2 of 4 (25%): blue 75%, green 25%`,
      ],
    },
    {
      name: "the first read of an empty record",
      after: { version: 0 },
      lines: [`${AT}  no run recorded in the ${SOURCE}`],
    },
    {
      name: "nothing changed but time",
      before: record(),
      after: record({ heartbeatAt: T - 1_000, run: run({ bakeEndsAt: T + 1 }) }),
      lines: [],
    },
    {
      name: "a new step",
      before: record(),
      after: record({ run: run({ position: { step: 2, of: 4 }, weights: { blue: 50, green: 50 } }) }),
      lines: [`${AT}  step 3 of 4 (50%): blue 50%, green 50%`],
    },
    {
      name: "a request left, then taken",
      before: record(),
      after: record({ request: { kind: "pause", by: "bob", at: T } }),
      lines: [`${AT}  pending request: pause from bob`],
    },
    {
      name: "the request taken",
      before: record({ request: { kind: "pause", by: "bob", at: T } }),
      after: record(),
      lines: [`${AT}  the pause request was taken`],
    },
    {
      name: "a pause, then the heartbeat turning late",
      before: record(),
      after: record({ run: run({ pause: { since: T, by: "bob" } }), heartbeatAt: T - 50_000 }),
      lines: [
        `${AT}  paused by bob since ${new Date(T).toISOString()}; no timeout: it waits for \`bluegreen resume\``,
        `${AT}  heartbeat 50s ago: late: \`bluegreen abort\` would revert directly`,
      ],
    },
    {
      name: "resumed",
      before: record({ run: run({ pause: { since: T, by: "bob" } }) }),
      after: record(),
      lines: [`${AT}  resumed`],
    },
    {
      name: "the end of the run",
      before: record(),
      after: { version: 10 },
      lines: [
        `${AT}  run run-42 ended: the record is released`,
        `${AT}  heartbeat: none: no driver is watching the stack`,
      ],
    },
  ];
  for (const { name, before, after, lines } of cases) {
    it(name, () => assert.deepEqual(watchLines(before && view(before), view(after), AT), lines));
  }
});
