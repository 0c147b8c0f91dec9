/**
 * The control record of a stack, and the pure rules for changing it: who runs a rollout of the
 * stack and how far it got, whether its driver still beats, the operator's pending request, and
 * (for later) the guardian's trip. Every store of the record reads it, asks a rule here what to
 * write, and writes only if nobody changed the record in between (the `version` counter), so the
 * rules decide the same way whichever store holds the record.
 */
import type { ControlRequest } from "../ports";
import { combineRequests, sameRequest } from "./control";
import { FieldReader } from "./fields";
import type { Colour, TrafficSplit } from "../../components/domain";
import { type ControlIdle, parseIdle } from "./idle";

export type { ControlIdle } from "./idle";

/** Where a run is in its plan. */
export interface RunPosition {
  /** The index of the step the run is at, from 0; `of` once every step is done. */
  readonly step: number;
  /** The number of steps in the plan. */
  readonly of: number;
}

/** The rollout a driver runs on the stack. */
export interface ControlRun {
  /** Unique per run: names the run in messages and keys its history item. */
  readonly runId: string;
  /** The version being rolled out. */
  readonly version: string;
  readonly candidate: Colour;
  readonly stable: Colour;
  readonly position: RunPosition;
  /** The split the run last set. */
  readonly weights: TrafficSplit;
  /** Who started it: a CI user, a git e-mail or the OS user. */
  readonly startedBy: string;
  /** The operator's reason, scrubbed of credentials before it is stored. */
  readonly reason?: string;
  /** Epoch milliseconds on the driver's clock. */
  readonly startedAt: number;
  /** When the current bake ends, in epoch milliseconds on the driver's clock; absent outside a bake. */
  readonly bakeEndsAt?: number;
  /** The watched alarms' states as the driver last read them, by name. */
  readonly alarms?: Readonly<Record<string, string>>;
  /** A rehearsal steered through the stack's real control channel (`rehearse --control stack`), not a rollout. */
  readonly rehearsal?: true;
  /** The pause the run holds its weight in, while it waits for approval. */
  readonly pause?: RunPause;
}

/** A run's pause: since when, who holds it, and what its timeout does. */
export interface RunPause {
  /** Epoch milliseconds on the driver's clock. */
  readonly since: number;
  /** "the plan" for a step's pause, else the operator who asked. */
  readonly by: string;
  /** When the timeout ends the pause, in epoch milliseconds; absent when it waits for an answer. */
  readonly timeoutAt?: number;
  /** What the timeout does: `abort` or `promote`. */
  readonly onTimeout?: string;
}

/** A revert done by the guardian rather than the driver; its rules are in `controlTrip.ts`. */
export interface ControlTrip {
  /** The run it reverted. */
  readonly runId: string;
  /** Why, scrubbed of credentials: the alarm that fired. */
  readonly reason: string;
  /** Epoch milliseconds when the guardian saw the alarm. */
  readonly triggeredAt: number;
  /** Epoch milliseconds when the revert was verified; absent while it is in progress. */
  readonly revertedAt?: number;
  /** The split the guardian wrote. */
  readonly weights: TrafficSplit;
  /**
   * Epoch milliseconds when a guardian last set out to carry the trip out. A trip without
   * `revertedAt` whose attempt is older than TRIP_LEASE_MS was left by a guardian that crashed,
   * and the next one finishes it. Absent on a trip recorded before the field existed.
   */
  readonly attemptedAt?: number;
}

/** The control record of one stack. */
export interface ControlRecord {
  /** Bumped by every write; a write names the version it read and fails if it changed. 0: never written. */
  readonly version: number;
  /** The run in progress; recorded together with `owner`. */
  readonly run?: ControlRun;
  /** The token of the driver process that owns `run`; nobody else may change or release the run. */
  readonly owner?: string;
  /** When a driver last said it watches the stack: epoch milliseconds on that driver's clock. */
  readonly heartbeatAt?: number;
  /** The operator's request waiting for the driver. */
  readonly request?: ControlRequest;
  readonly trip?: ControlTrip;
  /** The previous release's colour after the last promotion; absent before the first one. */
  readonly idle?: ControlIdle;
}

/** The record of a stack nobody has written to yet. */
export const EMPTY_CONTROL_RECORD: ControlRecord = { version: 0 };

/** The fields a write changes: a value sets the field, `null` removes it, absent leaves it. */
export type ControlPatch = {
  readonly [K in Exclude<keyof ControlRecord, "version">]?: NonNullable<ControlRecord[K]> | null;
};

/** The record after `patch` is written over `record`, with its version bumped. */
export function applyPatch(record: ControlRecord, patch: ControlPatch): ControlRecord {
  const next: Record<string, unknown> = { ...record, version: record.version + 1 };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as unknown as ControlRecord;
}

/**
 * A heartbeat older than this many poll intervals is stale. The driver beats at every poll. A
 * poll can start late by a read's retries, and a beat can fail (the channel is best effort) for a
 * few polls in a row; a driver that cannot reach AWS for `maxAlarmReadFailures` (4 by default)
 * polls reverts, beating as it goes. Six intervals cover all that with one to spare, so a driver
 * that still runs is never taken for dead.
 */
export const STALE_AFTER_POLLS = 6;

/**
 * The least time before a heartbeat is stale, whatever the poll interval: a short interval
 * (down to 1s) must not turn one slow call, or the clock skew between the driver's host and the
 * claimer's host (the age compares the two), into a takeover.
 */
export const MIN_STALE_AFTER_MS = 60_000;

/**
 * How old a heartbeat may get before another run may claim the stack: STALE_AFTER_POLLS poll
 * intervals, at least MIN_STALE_AFTER_MS. The driver beats through a Pulumi update too (a deploy
 * can take minutes: `rollout/beating.ts`), so a live driver's heartbeat is never older than one
 * poll interval and one write.
 */
export function heartbeatStaleAfterMs(pollIntervalSeconds: number): number {
  if (!(pollIntervalSeconds > 0)) {
    throw new Error(`heartbeatStaleAfterMs: the poll interval must be positive, got ${pollIntervalSeconds}`);
  }
  return Math.max(MIN_STALE_AFTER_MS, STALE_AFTER_POLLS * pollIntervalSeconds * 1000);
}

/**
 * Milliseconds since the record's heartbeat, or undefined without one. A heartbeat ahead of `now`
 * (the writer's clock runs ahead) counts as just now.
 */
export function heartbeatAgeMs(record: ControlRecord, now: number): number | undefined {
  return record.heartbeatAt === undefined ? undefined : Math.max(0, now - record.heartbeatAt);
}

/** Whether no driver can be assumed to watch the stack: no heartbeat, or one older than `staleAfterMs`. */
export function isHeartbeatStale(record: ControlRecord, now: number, staleAfterMs: number): boolean {
  const age = heartbeatAgeMs(record, now);
  return age === undefined || age > staleAfterMs;
}

/** The run that holds a stack, for the error its would-be claimer gets. */
export interface RunHolder {
  readonly run: ControlRun;
  /** Milliseconds since its heartbeat; undefined without one. */
  readonly heartbeatAgeMs?: number;
}

/** What a write on behalf of a run owner comes to. */
export type OwnerDecision =
  | { readonly kind: "write"; readonly patch: ControlPatch }
  | { readonly kind: "unchanged" }
  | { readonly kind: "busy"; readonly holder: RunHolder };

/** What a claim comes to; `replaced` is a stale run it took the stack from. */
export type ClaimDecision =
  | { readonly kind: "write"; readonly patch: ControlPatch; readonly replaced?: ControlRun }
  | { readonly kind: "busy"; readonly holder: RunHolder };

/** A claim of the stack for a run. */
export interface Claim {
  readonly run: ControlRun;
  /** The claiming driver's token. */
  readonly owner: string;
  /** Epoch milliseconds on the claimer's clock: the claim's first heartbeat. */
  readonly now: number;
  readonly staleAfterMs: number;
}

/**
 * Whether `claim` may take the stack: when no run is recorded, when the recorded run is the same
 * run of the same owner (a claim retried after its answer was lost, or the owner recording how far
 * its run got), or when the recorded run's heartbeat is stale. Otherwise the stack is busy, and
 * the holder is named.
 */
export function decideClaim(record: ControlRecord, claim: Claim): ClaimDecision {
  const patch: ControlPatch = { run: claim.run, owner: claim.owner, heartbeatAt: claim.now };
  const held = record.run;
  if (held === undefined) return { kind: "write", patch };
  if (record.owner === claim.owner && held.runId === claim.run.runId) return { kind: "write", patch };
  if (isHeartbeatStale(record, claim.now, claim.staleAfterMs))
    return { kind: "write", patch, replaced: held };
  return { kind: "busy", holder: holderOf(record, held, claim.now) };
}

/**
 * A heartbeat: written when no run is recorded (a driver that watches without claiming) or the
 * run is the beater's own. A run owned by someone else means this driver lost the stack.
 */
export function decideHeartbeat(record: ControlRecord, owner: string, at: number): OwnerDecision {
  if (record.run !== undefined && record.owner !== owner) {
    return { kind: "busy", holder: holderOf(record, record.run, at) };
  }
  return { kind: "write", patch: { heartbeatAt: at } };
}

/** Removes the heartbeat, unless it belongs to another owner's run. */
export function decideClearHeartbeat(record: ControlRecord, owner: string): OwnerDecision {
  if (record.run !== undefined && record.owner !== owner) return { kind: "unchanged" };
  return record.heartbeatAt === undefined
    ? { kind: "unchanged" }
    : { kind: "write", patch: { heartbeatAt: null } };
}

/** Releases the run and its heartbeat, only if the recorded run is `runId` of `owner`. */
export function decideRelease(record: ControlRecord, runId: string, owner: string): OwnerDecision {
  if (record.run?.runId !== runId || record.owner !== owner) return { kind: "unchanged" };
  return { kind: "write", patch: { run: null, owner: null, heartbeatAt: null } };
}

/**
 * Leaves `request` combined with the pending one by the one rule every channel follows
 * (`combineRequests`: nothing replaces a pending abort). Unchanged when the pending one stays.
 */
export function decideSend(record: ControlRecord, request: ControlRequest): OwnerDecision {
  const kept = combineRequests(record.request, request);
  if (record.request !== undefined && sameRequest(record.request, kept)) return { kind: "unchanged" };
  return { kind: "write", patch: { request: kept } };
}

/** The pending request and the write that clears it; undefined when none is pending. */
export function decideTake(
  record: ControlRecord,
): { request: ControlRequest; patch: ControlPatch } | undefined {
  return record.request === undefined ? undefined : { request: record.request, patch: { request: null } };
}

function holderOf(record: ControlRecord, run: ControlRun, now: number): RunHolder {
  const age = heartbeatAgeMs(record, now);
  return age === undefined ? { run } : { run, heartbeatAgeMs: age };
}

const COLOURS: readonly Colour[] = ["blue", "green"];
/** Every kind of operator request, in one list: the parsers of every channel check against it. */
export const REQUEST_KINDS: readonly ControlRequest["kind"][] = [
  "abort",
  "promote",
  "promote-full",
  "pause",
  "resume",
];
const EPOCH_MS = { min: 0 } as const;

/**
 * The control record in a stored item, checked field by field. Throws InvalidFieldError naming
 * the first field that is missing or wrong; fields it does not know (a later version's) are
 * ignored.
 */
export function parseControlRecord(item: unknown): ControlRecord {
  const fields = FieldReader.of(item, "");
  const version = fields.number("version", { integer: true, min: 1 });
  const runFields = fields.optionalMap("run");
  const run = runFields && parseRun(runFields);
  const owner = fields.optionalString("owner");
  if ((run === undefined) !== (owner === undefined)) {
    throw fields.invalid(run ? "owner" : "run", "must be recorded together with the run's owner token");
  }
  const heartbeatAt = fields.optionalNumber("heartbeatAt", EPOCH_MS);
  const requestFields = fields.optionalMap("request");
  const tripFields = fields.optionalMap("trip");
  const idleFields = fields.optionalMap("idle");
  return {
    version,
    ...(run ? { run, owner } : {}),
    ...(heartbeatAt !== undefined ? { heartbeatAt } : {}),
    ...(requestFields ? { request: parseRequest(requestFields) } : {}),
    ...(tripFields ? { trip: parseTrip(tripFields) } : {}),
    ...(idleFields ? { idle: parseIdle(idleFields) } : {}),
  };
}

function parseRun(fields: FieldReader): ControlRun {
  const candidate = fields.oneOf("candidate", COLOURS);
  const stable = fields.oneOf("stable", COLOURS);
  if (candidate === stable)
    throw fields.invalid("stable", `must differ from the candidate, both are ${stable}`);
  const position = fields.map("position");
  const of = position.number("of", { integer: true, min: 1 });
  const step = position.number("step", { integer: true, min: 0, max: of });
  const reason = fields.optionalString("reason");
  const bakeEndsAt = fields.optionalNumber("bakeEndsAt", EPOCH_MS);
  const alarmFields = fields.optionalMap("alarms");
  const alarms =
    alarmFields && Object.fromEntries(alarmFields.keys().map((name) => [name, alarmFields.string(name)]));
  const rehearsal = fields.has("rehearsal") && fields.boolean("rehearsal");
  const pauseFields = fields.optionalMap("pause");
  return {
    ...(bakeEndsAt !== undefined ? { bakeEndsAt } : {}),
    ...(alarms !== undefined ? { alarms } : {}),
    ...(rehearsal ? { rehearsal: true as const } : {}),
    ...(pauseFields ? { pause: parsePause(pauseFields) } : {}),
    runId: fields.string("runId"),
    version: fields.string("version"),
    candidate,
    stable,
    position: { step, of },
    weights: parseSplit(fields.map("weights")),
    startedBy: fields.string("startedBy"),
    ...(reason !== undefined ? { reason } : {}),
    startedAt: fields.number("startedAt", EPOCH_MS),
  };
}

function parsePause(fields: FieldReader): RunPause {
  const timeoutAt = fields.optionalNumber("timeoutAt", EPOCH_MS);
  const onTimeout = fields.optionalString("onTimeout");
  return {
    since: fields.number("since", EPOCH_MS),
    by: fields.string("by"),
    ...(timeoutAt !== undefined ? { timeoutAt } : {}),
    ...(onTimeout !== undefined ? { onTimeout } : {}),
  };
}

function parseRequest(fields: FieldReader): ControlRequest {
  return {
    kind: fields.oneOf("kind", REQUEST_KINDS),
    by: fields.string("by"),
    at: fields.number("at", EPOCH_MS),
  };
}

function parseTrip(fields: FieldReader): ControlTrip {
  const revertedAt = fields.optionalNumber("revertedAt", EPOCH_MS);
  const attemptedAt = fields.optionalNumber("attemptedAt", EPOCH_MS);
  return {
    ...(attemptedAt !== undefined ? { attemptedAt } : {}),
    runId: fields.string("runId"),
    reason: fields.string("reason"),
    triggeredAt: fields.number("triggeredAt", EPOCH_MS),
    ...(revertedAt !== undefined ? { revertedAt } : {}),
    weights: parseSplit(fields.map("weights")),
  };
}

function parseSplit(fields: FieldReader): TrafficSplit {
  const percent = { integer: true, min: 0, max: 100 } as const;
  const blue = fields.number("blue", percent);
  const green = fields.number("green", percent);
  if (blue + green !== 100) throw fields.invalid("green", `must make 100 with blue ${blue}, got ${green}`);
  return { blue, green };
}

/** The events that move a run's recorded progress, by the fields they carry. */
export type ProgressEvent =
  | { readonly type: "shifted"; readonly step: number; readonly of: number; readonly weights: TrafficSplit }
  | {
      readonly type: "baking";
      readonly remainingSeconds: number;
      readonly alarms: Readonly<Record<string, string>>;
    }
  | { readonly type: "promoted" }
  | {
      readonly type: "paused";
      readonly by: string;
      readonly timeoutSeconds?: number;
      readonly onTimeout?: string;
    }
  | { readonly type: string };

/**
 * The run after an event of it, at `now` on the driver's clock: a verified shift moves its
 * position and weights and ends any bake; a poll of a bake sets when the bake ends and the alarms'
 * states; a pause is recorded until the run resumes, shifts or is promoted; the promotion puts it
 * past its last step. Other events leave it as it is.
 */
export function runProgress(run: ControlRun, event: ProgressEvent, now: number): ControlRun {
  if (isEvent(event, "paused")) {
    const pause: RunPause = {
      since: now,
      by: event.by,
      ...(event.timeoutSeconds !== undefined
        ? { timeoutAt: Math.round(now + event.timeoutSeconds * 1000) }
        : {}),
      ...(event.onTimeout !== undefined ? { onTimeout: event.onTimeout } : {}),
    };
    return { ...run, pause };
  }
  if (event.type === "resumed") {
    const { pause: _ended, ...rest } = run;
    return rest;
  }
  if (isEvent(event, "shifted")) {
    const { bakeEndsAt: _ended, pause: _over, ...rest } = run;
    return { ...rest, position: { step: event.step - 1, of: event.of }, weights: event.weights };
  }
  if (isEvent(event, "baking")) {
    return {
      ...run,
      bakeEndsAt: Math.round(now + event.remainingSeconds * 1000),
      alarms: { ...event.alarms },
    };
  }
  if (event.type === "promoted") {
    const { bakeEndsAt: _ended, pause: _over, ...rest } = run;
    return { ...rest, position: { step: run.position.of, of: run.position.of } };
  }
  return run;
}

function isEvent<T extends ProgressEvent["type"]>(
  event: ProgressEvent,
  type: T,
): event is Extract<ProgressEvent, { type: T }> {
  return event.type === type;
}
