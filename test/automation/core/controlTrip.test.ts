import assert from "node:assert/strict";
import {
  type ControlRecord,
  type ControlRun,
  type ControlTrip,
  parseControlRecord,
} from "../../../automation/core/controlRecord";
import {
  TRIP_LEASE_MS,
  decideAbandonTrip,
  decideCompleteTrip,
  decideReconcile,
  decideTrip,
} from "../../../automation/core/controlTrip";

const NOW = 1_800_000_000_000;
const RUN: ControlRun = {
  runId: "run-1",
  version: "2.0.0",
  candidate: "green",
  stable: "blue",
  position: { step: 1, of: 4 },
  weights: { blue: 90, green: 10 },
  startedBy: "ci",
  startedAt: NOW - 60_000,
};
const BACK = { blue: 100, green: 0 };
const TRIP: ControlTrip = {
  runId: "run-1",
  reason: "alarm green fired",
  triggeredAt: NOW - 1_000,
  weights: BACK,
};
const RECORD: ControlRecord = { version: 4, run: RUN, owner: "driver", heartbeatAt: NOW - 2_000 };

describe("core/controlRecord: the guardian's trip", () => {
  const cases: { label: string; record: ControlRecord; expected: string; trip?: ControlTrip }[] = [
    {
      label: "a first trip of the recorded run is written",
      record: RECORD,
      expected: "write",
      trip: { ...TRIP, attemptedAt: NOW },
    },
    { label: "no run recorded: the run ended meanwhile", record: { version: 5 }, expected: "run-changed" },
    {
      label: "another run recorded: it took over meanwhile",
      record: { ...RECORD, run: { ...RUN, runId: "run-2" } },
      expected: "run-changed",
    },
    {
      label: "a reverted trip of the run: done already",
      record: { ...RECORD, trip: { ...TRIP, revertedAt: NOW - 500 } },
      expected: "reverted",
    },
    {
      label: "an open trip within its lease: another guardian is on it",
      record: { ...RECORD, trip: { ...TRIP, attemptedAt: NOW - TRIP_LEASE_MS } },
      expected: "in-progress",
    },
    {
      label: "an open trip past its lease: a crashed guardian's, taken over with its reason",
      record: { ...RECORD, trip: { ...TRIP, reason: "first reason", attemptedAt: NOW - TRIP_LEASE_MS - 1 } },
      expected: "write",
      trip: { ...TRIP, reason: "first reason", attemptedAt: NOW },
    },
    {
      label: "an open trip without an attempt time counts from its trigger",
      record: { ...RECORD, trip: { ...TRIP, triggeredAt: NOW - TRIP_LEASE_MS - 1 } },
      expected: "write",
      trip: { ...TRIP, triggeredAt: NOW - TRIP_LEASE_MS - 1, attemptedAt: NOW },
    },
    {
      label: "a trip of an earlier run is replaced",
      record: { ...RECORD, trip: { ...TRIP, runId: "run-0", revertedAt: NOW - 9 } },
      expected: "write",
      trip: { ...TRIP, attemptedAt: NOW },
    },
  ];
  for (const { label, record, expected, trip } of cases) {
    it(label, () => {
      const decision = decideTrip(record, TRIP, NOW);
      assert.equal(decision.kind, expected);
      if (decision.kind === "write") {
        assert.deepEqual(decision.trip, trip);
        assert.deepEqual(decision.patch, { trip });
        assert.equal(decision.resumed, record.trip?.runId === "run-1" ? true : undefined);
      }
    });
  }

  it("completes only an open trip of the run", () => {
    const open = { ...RECORD, trip: TRIP };
    assert.deepEqual(decideCompleteTrip(open, "run-1", NOW, BACK), {
      kind: "write",
      patch: { trip: { ...TRIP, revertedAt: NOW, weights: BACK } },
    });
    assert.deepEqual(decideCompleteTrip(open, "run-2", NOW, BACK), { kind: "unchanged" });
    assert.deepEqual(
      decideCompleteTrip({ ...RECORD, trip: { ...TRIP, revertedAt: 1 } }, "run-1", NOW, BACK),
      {
        kind: "unchanged",
      },
    );
  });

  it("hands back only an open trip of the run, dated so the next guardian takes it over", () => {
    const open = { ...RECORD, trip: { ...TRIP, attemptedAt: NOW } };
    assert.deepEqual(decideAbandonTrip(open, "run-1"), {
      kind: "write",
      patch: { trip: { ...TRIP, attemptedAt: 0 } },
    });
    assert.deepEqual(decideAbandonTrip(open, "run-2"), { kind: "unchanged" });
    assert.deepEqual(decideAbandonTrip({ ...RECORD, trip: { ...TRIP, revertedAt: NOW } }, "run-1"), {
      kind: "unchanged",
    });
    const handedBack = { ...RECORD, trip: { ...TRIP, attemptedAt: 0 } };
    assert.equal(decideTrip(handedBack, TRIP, NOW).kind, "write");
  });

  it("reconciling forgets the trip and its run, and leaves another run alone", () => {
    assert.deepEqual(decideReconcile({ ...RECORD, trip: TRIP }, "run-1"), {
      kind: "write",
      patch: { trip: null, run: null, owner: null, heartbeatAt: null },
    });
    assert.deepEqual(decideReconcile({ ...RECORD, run: { ...RUN, runId: "run-2" }, trip: TRIP }, "run-1"), {
      kind: "write",
      patch: { trip: null },
    });
    assert.deepEqual(decideReconcile(RECORD, "run-1"), { kind: "unchanged" });
  });

  it("reads a trip's attempt time back", () => {
    const stored = { ...RECORD, trip: { ...TRIP, attemptedAt: NOW } };
    assert.deepEqual(parseControlRecord(stored).trip, stored.trip);
  });
});
