import assert from "node:assert/strict";
import {
  applyPatch,
  type ClaimDecision,
  type ControlRecord,
  type ControlRun,
  decideClaim,
  decideClearHeartbeat,
  decideHeartbeat,
  decideRelease,
  decideSend,
  decideTake,
  EMPTY_CONTROL_RECORD,
  heartbeatAgeMs,
  heartbeatStaleAfterMs,
  isHeartbeatStale,
  type OwnerDecision,
  parseControlRecord,
  type ProgressEvent,
  runProgress,
} from "../../../automation/core/controlRecord";
import { InvalidFieldError } from "../../../automation/core/fields";
import type { ControlRequest } from "../../../automation/ports";

const T = 1_700_000_000_000;
const STALE = 60_000;

const run = (runId: string, overrides: Partial<ControlRun> = {}): ControlRun => ({
  runId,
  version: "2.0.0",
  candidate: "green",
  stable: "blue",
  position: { step: 1, of: 4 },
  weights: { blue: 75, green: 25 },
  startedBy: "alice",
  startedAt: T - 600_000,
  ...overrides,
});

/** A record whose run `runId` is owned by `owner` and last beat `ageMs` before T. */
const held = (runId: string, owner: string, ageMs: number | undefined): ControlRecord => ({
  version: 3,
  run: run(runId),
  owner,
  ...(ageMs === undefined ? {} : { heartbeatAt: T - ageMs }),
});

const request = (kind: ControlRequest["kind"], by: string, at: number): ControlRequest => ({ kind, by, at });

describe("how old a heartbeat may get", () => {
  const cases: { poll: number; staleAfterMs: number }[] = [
    { poll: 1, staleAfterMs: 60_000 },
    { poll: 10, staleAfterMs: 60_000 },
    { poll: 11, staleAfterMs: 66_000 },
    { poll: 30, staleAfterMs: 180_000 },
    { poll: 300, staleAfterMs: 1_800_000 },
  ];
  for (const { poll, staleAfterMs } of cases) {
    it(`${poll}s polls: stale after ${staleAfterMs / 1000}s`, () =>
      assert.equal(heartbeatStaleAfterMs(poll), staleAfterMs));
  }

  it("refuses a poll interval that is not positive", () =>
    assert.throws(() => heartbeatStaleAfterMs(0), /must be positive, got 0/));
});

describe("whether a heartbeat is stale", () => {
  const cases: { name: string; heartbeatAt?: number; stale: boolean; ageMs?: number }[] = [
    { name: "no heartbeat: nobody watches", stale: true },
    { name: "a beat just now", heartbeatAt: T, stale: false, ageMs: 0 },
    { name: "exactly at the limit", heartbeatAt: T - STALE, stale: false, ageMs: STALE },
    { name: "one millisecond past it", heartbeatAt: T - STALE - 1, stale: true, ageMs: STALE + 1 },
    { name: "a beat ahead of this clock counts as now", heartbeatAt: T + 5_000, stale: false, ageMs: 0 },
  ];
  for (const { name, heartbeatAt, stale, ageMs } of cases) {
    it(name, () => {
      const record: ControlRecord = heartbeatAt === undefined ? { version: 1 } : { version: 1, heartbeatAt };
      assert.equal(isHeartbeatStale(record, T, STALE), stale);
      assert.equal(heartbeatAgeMs(record, T), ageMs);
    });
  }
});

describe("claiming a stack for a run", () => {
  const cases: {
    name: string;
    record: ControlRecord;
    claimant: { runId: string; owner: string };
    expected: string;
  }[] = [
    {
      name: "no run recorded: claimed",
      record: EMPTY_CONTROL_RECORD,
      claimant: { runId: "r2", owner: "b" },
      expected: "write",
    },
    {
      name: "a fresh run of another owner: busy",
      record: held("r1", "a", 10_000),
      claimant: { runId: "r2", owner: "b" },
      expected: "busy r1 10000",
    },
    {
      name: "a stale run of another owner: taken over",
      record: held("r1", "a", STALE + 1),
      claimant: { runId: "r2", owner: "b" },
      expected: "write replacing r1",
    },
    {
      name: "a run without a heartbeat: taken over",
      record: held("r1", "a", undefined),
      claimant: { runId: "r2", owner: "b" },
      expected: "write replacing r1",
    },
    {
      name: "the same run of the same owner: claimed again (a retry, or progress)",
      record: held("r1", "a", 10_000),
      claimant: { runId: "r1", owner: "a" },
      expected: "write",
    },
    {
      name: "another run of the same owner: busy",
      record: held("r1", "a", 10_000),
      claimant: { runId: "r2", owner: "a" },
      expected: "busy r1 10000",
    },
    {
      name: "the same run id from another owner: busy",
      record: held("r1", "a", 10_000),
      claimant: { runId: "r1", owner: "b" },
      expected: "busy r1 10000",
    },
  ];
  const describeDecision = (decision: ClaimDecision): string =>
    decision.kind === "busy"
      ? `busy ${decision.holder.run.runId} ${decision.holder.heartbeatAgeMs}`
      : decision.replaced
        ? `write replacing ${decision.replaced.runId}`
        : "write";
  for (const { name, record, claimant, expected } of cases) {
    it(name, () => {
      const claim = { run: run(claimant.runId), owner: claimant.owner, now: T, staleAfterMs: STALE };
      const decision = decideClaim(record, claim);
      assert.equal(describeDecision(decision), expected);
      if (decision.kind === "write") {
        assert.deepEqual(decision.patch, { run: claim.run, owner: claimant.owner, heartbeatAt: T });
      }
    });
  }
});

describe("the owner rules", () => {
  const summary = (decision: OwnerDecision): unknown =>
    decision.kind === "busy"
      ? `busy ${decision.holder.run.runId}`
      : decision.kind === "write"
        ? decision.patch
        : "unchanged";
  const cases: { name: string; decide(): OwnerDecision; expected: unknown }[] = [
    {
      name: "heartbeat, no run: written",
      decide: () => decideHeartbeat(EMPTY_CONTROL_RECORD, "a", T),
      expected: { heartbeatAt: T },
    },
    {
      name: "heartbeat of the owner: written",
      decide: () => decideHeartbeat(held("r1", "a", 9), "a", T),
      expected: { heartbeatAt: T },
    },
    {
      name: "heartbeat of another: busy",
      decide: () => decideHeartbeat(held("r1", "a", 9), "b", T),
      expected: "busy r1",
    },
    {
      name: "clear, no run: removed",
      decide: () => decideClearHeartbeat({ version: 1, heartbeatAt: T }, "a"),
      expected: { heartbeatAt: null },
    },
    {
      name: "clear, nothing to clear",
      decide: () => decideClearHeartbeat(EMPTY_CONTROL_RECORD, "a"),
      expected: "unchanged",
    },
    {
      name: "clear of the owner: removed",
      decide: () => decideClearHeartbeat(held("r1", "a", 9), "a"),
      expected: { heartbeatAt: null },
    },
    {
      name: "clear of another: left alone",
      decide: () => decideClearHeartbeat(held("r1", "a", 9), "b"),
      expected: "unchanged",
    },
    {
      name: "release by the owner: run, owner and heartbeat removed",
      decide: () => decideRelease(held("r1", "a", 9), "r1", "a"),
      expected: { run: null, owner: null, heartbeatAt: null },
    },
    {
      name: "release by another owner: nothing",
      decide: () => decideRelease(held("r1", "a", 9), "r1", "b"),
      expected: "unchanged",
    },
    {
      name: "release of another run: nothing",
      decide: () => decideRelease(held("r1", "a", 9), "r2", "a"),
      expected: "unchanged",
    },
    {
      name: "release, no run: nothing",
      decide: () => decideRelease(EMPTY_CONTROL_RECORD, "r1", "a"),
      expected: "unchanged",
    },
  ];
  for (const { name, decide, expected } of cases)
    it(name, () => assert.deepEqual(summary(decide()), expected));
});

describe("operator requests on the record", () => {
  const cases: {
    name: string;
    pending?: ControlRequest;
    incoming: ControlRequest;
    written?: ControlRequest;
  }[] = [
    {
      name: "nothing pending: written",
      incoming: request("promote", "bob", 2),
      written: request("promote", "bob", 2),
    },
    {
      name: "a promote after an abort: the abort stays, nothing written",
      pending: request("abort", "alice", 1),
      incoming: request("promote-full", "bob", 2),
    },
    {
      name: "an abort after a promote: written",
      pending: request("promote", "bob", 1),
      incoming: request("abort", "alice", 2),
      written: request("abort", "alice", 2),
    },
    {
      name: "the same request again: nothing written",
      pending: request("abort", "alice", 1),
      incoming: request("abort", "alice", 1),
    },
  ];
  for (const { name, pending, incoming, written } of cases) {
    it(name, () => {
      const record: ControlRecord = pending ? { version: 2, request: pending } : EMPTY_CONTROL_RECORD;
      const decision = decideSend(record, incoming);
      assert.deepEqual(
        decision,
        written ? { kind: "write", patch: { request: written } } : { kind: "unchanged" },
      );
    });
  }

  it("takes the pending request by removing it, and has nothing to take from an empty record", () => {
    assert.deepEqual(decideTake({ version: 2, request: request("abort", "alice", 1) }), {
      request: request("abort", "alice", 1),
      patch: { request: null },
    });
    assert.equal(decideTake(EMPTY_CONTROL_RECORD), undefined);
  });
});

describe("applying a patch", () => {
  it("sets and removes fields, leaves the rest, and bumps the version", () => {
    const before: ControlRecord = { ...held("r1", "a", 9), request: request("promote", "bob", 1) };
    const after = applyPatch(before, { run: null, owner: null, heartbeatAt: null });
    assert.deepEqual(after, { version: 4, request: request("promote", "bob", 1) });
    assert.deepEqual(applyPatch(EMPTY_CONTROL_RECORD, { heartbeatAt: T }), { version: 1, heartbeatAt: T });
  });
});

describe("reading a stored control record", () => {
  const stored = {
    pk: "control",
    sk: "control",
    version: 7,
    run: run("r1", {
      reason: "ticket 42",
      rehearsal: true,
      pause: { since: T - 60_000, by: "the plan", timeoutAt: T + 60_000, onTimeout: "abort" },
    }),
    owner: "a",
    heartbeatAt: T,
    request: request("abort", "alice", T - 1),
    trip: {
      runId: "r1",
      reason: "5xx alarm",
      triggeredAt: T - 5,
      revertedAt: T - 1,
      weights: { blue: 100, green: 0 },
    },
    addedByALaterVersion: { paused: true },
  };

  it("keeps every known field and drops the keys and unknown fields", () => {
    const { pk: _pk, sk: _sk, addedByALaterVersion: _later, ...known } = stored;
    assert.deepEqual(parseControlRecord(stored), known);
  });

  it("reads a record with nothing but its version", () =>
    assert.deepEqual(parseControlRecord({ pk: "control", sk: "control", version: 1 }), { version: 1 }));

  for (const kind of ["pause", "resume"] as const) {
    it(`reads a pending ${kind} request`, () =>
      assert.deepEqual(parseControlRecord({ ...stored, request: { kind, by: "bob", at: T } }).request, {
        kind,
        by: "bob",
        at: T,
      }));
  }

  const broken: { name: string; item: unknown; field: string; problem: RegExp }[] = [
    { name: "not a map", item: "control", field: "the record", problem: /must be a map, got "control"/ },
    { name: "no version", item: { ...stored, version: undefined }, field: "version", problem: /is missing/ },
    {
      name: "a version as text",
      item: { ...stored, version: "7" },
      field: "version",
      problem: /whole number of at least 1, got "7"/,
    },
    {
      name: "a run without an owner",
      item: { ...stored, owner: undefined },
      field: "owner",
      problem: /together/,
    },
    {
      name: "an owner without a run",
      item: { ...stored, run: undefined },
      field: "run",
      problem: /together/,
    },
    {
      name: "a weight written as a string",
      item: { ...stored, run: { ...stored.run, weights: { blue: "90%", green: 10 } } },
      field: "run.weights.blue",
      problem: /whole number from 0 to 100, got "90%"/,
    },
    {
      name: "weights that do not make 100",
      item: { ...stored, run: { ...stored.run, weights: { blue: 80, green: 10 } } },
      field: "run.weights.green",
      problem: /make 100/,
    },
    {
      name: "a colour that is not one",
      item: { ...stored, run: { ...stored.run, candidate: "red" } },
      field: "run.candidate",
      problem: /one of blue, green, got "red"/,
    },
    {
      name: "candidate and stable the same colour",
      item: { ...stored, run: { ...stored.run, stable: "green" } },
      field: "run.stable",
      problem: /differ/,
    },
    {
      name: "a step past the plan",
      item: { ...stored, run: { ...stored.run, position: { step: 5, of: 4 } } },
      field: "run.position.step",
      problem: /from 0 to 4, got 5/,
    },
    {
      name: "an unknown request kind",
      item: { ...stored, request: { kind: "approve", by: "bob", at: T } },
      field: "request.kind",
      problem: /one of abort, promote, promote-full, pause, resume, got "approve"/,
    },
    {
      name: "a request time as text",
      item: { ...stored, request: { kind: "abort", by: "bob", at: "now" } },
      field: "request.at",
      problem: /got "now"/,
    },
    {
      name: "a heartbeat as text",
      item: { ...stored, heartbeatAt: "1700000000000" },
      field: "heartbeatAt",
      problem: /number/,
    },
    {
      name: "a trip without a reason",
      item: { ...stored, trip: { ...stored.trip, reason: undefined } },
      field: "trip.reason",
      problem: /is missing/,
    },
    {
      name: "a rehearsal mark that is not a boolean",
      item: { ...stored, run: { ...stored.run, rehearsal: "yes" } },
      field: "run.rehearsal",
      problem: /must be true or false/,
    },
    {
      name: "a pause without who holds it",
      item: { ...stored, run: { ...stored.run, pause: { since: T } } },
      field: "run.pause.by",
      problem: /is missing/,
    },
    {
      name: "a run that is not a map",
      item: { ...stored, run: ["r1"] },
      field: "run",
      problem: /must be a map/,
    },
  ];
  for (const { name, item, field, problem } of broken) {
    it(`names the field: ${name}`, () =>
      assert.throws(
        () => parseControlRecord(item),
        (error: unknown) =>
          error instanceof InvalidFieldError && error.field === field && problem.test(error.problem),
      ));
  }
});

describe("a run's progress from its events", () => {
  const base = run("r1", { bakeEndsAt: T + 30_000 });
  const cases: { name: string; from?: ControlRun; event: ProgressEvent; expected: Partial<ControlRun> }[] = [
    {
      name: "a pause with a timeout records since when, who and when it times out",
      event: { type: "paused", by: "the plan", timeoutSeconds: 7200, onTimeout: "abort" },
      expected: { pause: { since: T, by: "the plan", timeoutAt: T + 7_200_000, onTimeout: "abort" } },
    },
    {
      name: "an operator's pause waits for an answer",
      event: { type: "paused", by: "alice" },
      expected: { pause: { since: T, by: "alice" } },
    },
    {
      name: "resuming ends the pause",
      from: { ...base, pause: { since: T - 1, by: "alice" } },
      event: { type: "resumed" },
      expected: { pause: undefined },
    },
    {
      name: "a shift ends the pause and the bake, and moves the position",
      from: { ...base, pause: { since: T - 1, by: "alice" } },
      event: { type: "shifted", step: 3, of: 4, weights: { blue: 50, green: 50 } },
      expected: {
        pause: undefined,
        bakeEndsAt: undefined,
        position: { step: 2, of: 4 },
        weights: { blue: 50, green: 50 },
      },
    },
    {
      name: "the promotion ends the pause and puts the run past its last step",
      from: { ...base, pause: { since: T - 1, by: "alice" } },
      event: { type: "promoted" },
      expected: { pause: undefined, bakeEndsAt: undefined, position: { step: 4, of: 4 } },
    },
  ];
  for (const { name, from, event, expected } of cases) {
    it(name, () => {
      const after = runProgress(from ?? base, event, T);
      for (const [field, value] of Object.entries(expected)) {
        assert.deepEqual(after[field as keyof ControlRun], value, field);
      }
      if ("pause" in expected && expected.pause === undefined) assert.ok(!("pause" in after));
    });
  }
});
