import assert from "node:assert/strict";
import type { TrafficSplit } from "../../../components/domain";
import {
  ControlIdle,
  ControlRecord,
  ControlRun,
  applyPatch,
  parseControlRecord,
} from "../../../automation/core/controlRecord";
import { InvalidFieldError } from "../../../automation/core/fields";
import {
  IdleDecision,
  UndoObservation,
  decideIdle,
  decideUndo,
  idleAfterPromotion,
} from "../../../automation/core/idle";

const T = 1_700_000_000_000;
const HOUR = 3_600_000;
const ALL_GREEN: TrafficSplit = { blue: 0, green: 100 };

const idle: ControlIdle = {
  colour: "blue",
  version: "1.4.2",
  promotedAt: T,
  windowEndsAt: T + HOUR,
  capacity: 2,
};
const run: ControlRun = {
  runId: "r2",
  version: "1.6.0",
  candidate: "blue",
  stable: "green",
  position: { step: 0, of: 4 },
  weights: ALL_GREEN,
  startedBy: "alice",
  startedAt: T + 2 * HOUR,
};
const promoted: ControlRecord = { version: 4, idle };

describe("decideIdle", () => {
  const after = T + HOUR + 1;
  const cases: {
    name: string;
    record: ControlRecord;
    split?: TrafficSplit;
    now?: number;
    capacity?: number;
    expect: IdleDecision["kind"] | string;
  }[] = [
    { name: "scales down once the window has closed", record: promoted, expect: "scale-down" },
    { name: "scales down to a warm minimum", record: promoted, capacity: 1, expect: "scale-down" },
    { name: "nothing recorded", record: { version: 3 }, expect: "no-promotion" },
    { name: "a run is in progress", record: { ...promoted, run, owner: "o" }, expect: "run-in-progress" },
    {
      name: "the guardian is reverting",
      record: { ...promoted, trip: { runId: "r2", reason: "5xx", triggeredAt: T, weights: ALL_GREEN } },
      expect: "trip-in-progress",
    },
    {
      name: "a finished guardian revert does not hold it",
      record: {
        ...promoted,
        trip: { runId: "r2", reason: "5xx", triggeredAt: T, revertedAt: T + 1, weights: ALL_GREEN },
      },
      expect: "scale-down",
    },
    { name: "traffic is split", record: promoted, split: { blue: 10, green: 90 }, expect: "split" },
    {
      name: "the recorded colour serves everything (undone)",
      record: promoted,
      split: { blue: 100, green: 0 },
      expect: "serving",
    },
    { name: "the window is open", record: promoted, now: T + HOUR - 1, expect: "window-open" },
    { name: "at the promotion", record: promoted, now: T, expect: "window-open" },
    {
      name: "kept warm",
      record: { ...promoted, idle: { ...idle, windowEndsAt: undefined } },
      expect: "kept-warm",
    },
    {
      name: "already scaled down",
      record: { ...promoted, idle: { ...idle, scaledDownAt: T + HOUR, scaledTo: 0 } },
      expect: "scaled-down",
    },
    {
      name: "idle capacity not below the full count",
      record: promoted,
      capacity: 2,
      expect: "nothing-to-save",
    },
  ];
  for (const { name, record, split, now, capacity, expect } of cases) {
    it(`${name}: ${expect}`, () => {
      const decision = decideIdle(
        JSON.parse(JSON.stringify(record)) as ControlRecord,
        split ?? ALL_GREEN,
        now ?? after,
        capacity ?? 0,
      );
      assert.equal(decision.kind === "nothing" ? decision.reason : decision.kind, expect);
    });
  }

  it("names the colour, the counts, and records when it scaled", () => {
    const decision = decideIdle(promoted, ALL_GREEN, after, 0);
    assert.equal(decision.kind, "scale-down");
    if (decision.kind !== "scale-down") return;
    assert.deepEqual([decision.colour, decision.from, decision.to], ["blue", 2, 0]);
    assert.deepEqual(applyPatch(promoted, decision.patch).idle, {
      ...idle,
      scaledDownAt: after,
      scaledTo: 0,
    });
  });

  it("says when an open window closes", () => {
    assert.deepEqual(decideIdle(promoted, ALL_GREEN, T, 0), {
      kind: "nothing",
      reason: "window-open",
      until: T + HOUR,
    });
  });
});

describe("idleAfterPromotion", () => {
  it("records the previous colour with its window", () =>
    assert.deepEqual(
      idleAfterPromotion({
        previous: "blue",
        version: "1.4.2",
        at: T,
        rollbackWindowSeconds: 3600,
        capacity: 2,
      }),
      idle,
    ));

  it("never closes the window before ALB stickiness lets go of the previous colour", () =>
    assert.equal(
      idleAfterPromotion({
        previous: "blue",
        version: "1.4.2",
        at: T,
        rollbackWindowSeconds: 60,
        capacity: 2,
        stickinessSeconds: 86_400,
      }).windowEndsAt,
      T + 86_400_000,
    ));

  it("records no window when kept warm", () =>
    assert.equal(
      idleAfterPromotion({
        previous: "blue",
        version: "1.4.2",
        at: T,
        rollbackWindowSeconds: undefined,
        capacity: 2,
      }).windowEndsAt,
      undefined,
    ));
});

describe("the control record's idle field", () => {
  it("reads back what a promotion and a scale-down wrote", () => {
    const stored = { version: 5, idle: { ...idle, scaledDownAt: T + HOUR, scaledTo: 0 } };
    assert.deepEqual(parseControlRecord(stored), stored);
  });

  const broken: { name: string; idle: unknown; field: string }[] = [
    { name: "a colour that is none", idle: { ...idle, colour: "red" }, field: "idle.colour" },
    { name: "no version", idle: { ...idle, version: undefined }, field: "idle.version" },
    { name: "a negative capacity", idle: { ...idle, capacity: -1 }, field: "idle.capacity" },
    { name: "scaledDownAt without scaledTo", idle: { ...idle, scaledDownAt: T }, field: "idle.scaledTo" },
    { name: "scaledTo without scaledDownAt", idle: { ...idle, scaledTo: 0 }, field: "idle.scaledDownAt" },
  ];
  for (const { name, idle: value, field } of broken) {
    it(`names the field: ${name}`, () =>
      assert.throws(
        () => parseControlRecord({ version: 2, idle: value }),
        (error: unknown) => error instanceof InvalidFieldError && error.field === field,
      ));
  }
});

describe("decideUndo", () => {
  const seen: UndoObservation = {
    stable: "green",
    slots: { blue: { version: "1.4.2" }, green: { version: "1.6.0" } },
    live: ALL_GREEN,
  };
  const cases: {
    name: string;
    record: ControlRecord;
    seen?: Partial<UndoObservation>;
    expect: RegExp | "undo";
  }[] = [
    { name: "the last promotion", record: promoted, expect: "undo" },
    {
      name: "after the scale-down it still undoes (the driver scales up first)",
      record: { ...promoted, idle: { ...idle, scaledDownAt: T + HOUR, scaledTo: 0 } },
      expect: "undo",
    },
    { name: "nothing recorded", record: { version: 1 }, expect: /no promotion is recorded/ },
    {
      name: "a run in progress",
      record: { ...promoted, run, owner: "o" },
      expect: /run r2 \(1\.6\.0 to blue, started by alice\) is in progress: abort it instead/,
    },
    {
      name: "already undone",
      record: promoted,
      seen: { live: { blue: 100, green: 0 } },
      expect: /green does not serve all traffic/,
    },
    {
      name: "split",
      record: promoted,
      seen: { live: { blue: 10, green: 90 } },
      expect: /does not serve all/,
    },
    {
      name: "stack stable differs",
      record: promoted,
      seen: { stable: "blue" },
      expect: /has blue as stable/,
    },
    {
      name: "a deploy replaced the idle slot",
      record: promoted,
      seen: { slots: { blue: { version: "1.7.0" }, green: { version: "1.6.0" } } },
      expect: /blue runs 1\.7\.0 in the deployed stack, not 1\.4\.2/,
    },
  ];
  for (const { name, record, seen: changed, expect } of cases) {
    it(`${name}: ${expect === "undo" ? "undo" : "refuse"}`, () => {
      const decision = decideUndo(record, { ...seen, ...changed });
      if (expect === "undo") {
        assert.equal(decision.kind, "undo");
        if (decision.kind === "undo") {
          assert.deepEqual(
            [decision.colour, decision.version, decision.from, decision.fromVersion, decision.capacity],
            ["blue", "1.4.2", "green", "1.6.0", 2],
          );
        }
      } else {
        assert.equal(decision.kind, "refuse");
        if (decision.kind === "refuse") assert.match(decision.reason, expect);
      }
    });
  }
});
