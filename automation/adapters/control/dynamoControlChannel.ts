/**
 * The control channel over a DynamoDB table, so `bluegreen abort` reaches the driver from any
 * machine with credentials for the stack's account, with no shared folder. It also records which
 * run owns the stack, so two drivers can never roll out one stack at once.
 *
 * The whole channel is one item (`CONTROL_ITEM_KEY`) holding the control record. Every change
 * reads it, asks a rule of `core/controlRecord` what to write, and writes only the fields that
 * change, on condition that the record's `version` is still the one read. When another writer got
 * there first, the record is read again and the rule decides afresh: a pending abort stays
 * pending, a claim meets the run that won. Fields a later version of bluegreen adds to the item
 * are never touched.
 */
import { randomUUID } from "node:crypto";
import type { UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { redactReason } from "../../audit";
import { CONTROL_ITEM_KEY } from "../../../components/domain/controlTable";
import {
  applyPatch,
  type ControlIdle,
  type ControlPatch,
  type ControlRecord,
  type ControlRun,
  type ControlTrip,
  decideClaim,
  decideClearHeartbeat,
  decideHeartbeat,
  decideRelease,
  decideSend,
  decideTake,
  EMPTY_CONTROL_RECORD,
  heartbeatStaleAfterMs,
  type OwnerDecision,
  parseControlRecord,
  REQUEST_KINDS,
} from "../../core/controlRecord";
import {
  type TripDecision,
  decideAbandonTrip,
  decideCompleteTrip,
  decideReconcile,
  decideTrip,
} from "../../core/controlTrip";
import { InvalidFieldError } from "../../core/fields";
import type { ControlChannel, ControlRequest } from "../../ports";
import type { TrafficSplit } from "../../../components/domain";
import {
  ControlWriteConflictError,
  isConditionFailed,
  MalformedControlItemError,
  StackBusyError,
} from "./dynamoErrors";
import { describeKey, DynamoTable, type DynamoTableOptions } from "./dynamoTable";

/**
 * Attempts at one change before giving up. Each lost attempt means another writer's change got
 * through, so only a crowd of writers on one stack exhausts them.
 */
export const MAX_WRITE_ATTEMPTS = 8;

/** The poll interval a channel assumes when told no stale-after: the schema's default. */
const DEFAULT_POLL_INTERVAL_SECONDS = 10;

/** Options of the DynamoDB control channel. */
export interface DynamoControlChannelOptions extends DynamoTableOptions {
  /**
   * This process's owner token: the run it claims is its own and nobody else's. Not a secret, just
   * unique per driver process.
   * @default a random UUID
   */
  readonly owner?: string;
  /**
   * How old another run's heartbeat must be before `claimRun` may take the stack from it.
   * @default heartbeatStaleAfterMs(10), for the default 10s poll interval
   */
  readonly staleAfterMs?: number;
}

/** A claim that got the stack. */
export interface ClaimResult {
  /** The control record as written. */
  readonly record: ControlRecord;
  /** The stale run the stack was taken from, for the warning the caller owes the operator. */
  readonly replaced?: ControlRun;
}

/** What one change of the record decided: the fields to write (none: nothing to write) and the answer. */
interface Change<R> {
  readonly patch?: ControlPatch;
  readonly result: R;
}

/** A ControlChannel, and the stack's run ownership, kept in the stack's DynamoDB control table. */
export class DynamoControlChannel implements ControlChannel {
  /** The table's name. */
  readonly table: string;
  /** The token of the runs this channel claims. */
  readonly owner: string;
  /** How old a heartbeat must be before its run can be taken over. */
  readonly staleAfterMs: number;
  private readonly store: DynamoTable;

  constructor(options: DynamoControlChannelOptions) {
    this.store = new DynamoTable(options);
    this.table = options.table;
    this.owner = options.owner ?? randomUUID();
    this.staleAfterMs = options.staleAfterMs ?? heartbeatStaleAfterMs(DEFAULT_POLL_INTERVAL_SECONDS);
  }

  /** The control record now; the empty record (version 0) when nothing was ever written. */
  async readRecord(): Promise<ControlRecord> {
    const item = await this.store.get(CONTROL_ITEM_KEY);
    if (item === undefined) return EMPTY_CONTROL_RECORD;
    try {
      return parseControlRecord(item);
    } catch (error) {
      if (!(error instanceof InvalidFieldError)) throw error;
      throw new MalformedControlItemError(
        this.table,
        describeKey(CONTROL_ITEM_KEY),
        error.field,
        error.problem,
        "fix the field, or delete the item to reset the stack's control record (it forgets the run it names)",
      );
    }
  }

  /** The pending request without taking it, so a sender can see whether the driver took it yet. */
  async pending(): Promise<ControlRequest | undefined> {
    return (await this.readRecord()).request;
  }

  /** Returns and clears the pending request: of two takers at once, exactly one gets it. */
  async take(): Promise<ControlRequest | undefined> {
    return this.change((record) => {
      const taken = decideTake(record);
      return taken ? { patch: taken.patch, result: taken.request } : { result: undefined };
    });
  }

  /** Leaves a request, combined with any pending one (`combineRequests`: a pending abort is never replaced). */
  async send(request: ControlRequest): Promise<void> {
    const incoming = checkedRequest(request);
    await this.change((record) => this.written(decideSend(record, incoming)));
  }

  /** Records that a driver watches the stack at `at`; throws StackBusyError when another run owns it. */
  async heartbeat(at: number): Promise<void> {
    await this.change((record) => this.written(decideHeartbeat(record, this.owner, Math.round(at))));
  }

  /** When a driver last beat, or undefined. */
  async lastHeartbeat(): Promise<number | undefined> {
    return (await this.readRecord()).heartbeatAt;
  }

  /** Removes the heartbeat; another owner's is left alone. */
  async clearHeartbeat(): Promise<void> {
    await this.change((record) => this.written(decideClearHeartbeat(record, this.owner)));
  }

  /**
   * Claims the stack for `run` at `now` (its first heartbeat): when no run is recorded, or the
   * recorded one's heartbeat is older than `staleAfterMs`. Claiming again with the same run id
   * records how far the run got. Throws StackBusyError, naming the holder, when another run holds
   * the stack. The reason is scrubbed of credentials before it is stored.
   */
  async claimRun(run: ControlRun, now: number): Promise<ClaimResult> {
    const reason = run.reason === undefined ? "" : redactReason(run.reason);
    const { reason: _dropped, ...rest } = run;
    const stored: ControlRun = reason === "" ? rest : { ...rest, reason };
    return this.change((record) => {
      const decision = decideClaim(record, {
        run: stored,
        owner: this.owner,
        now: Math.round(now),
        staleAfterMs: this.staleAfterMs,
      });
      if (decision.kind === "busy") throw new StackBusyError(this.table, decision.holder, this.staleAfterMs);
      const written = applyPatch(record, decision.patch);
      return {
        patch: decision.patch,
        result: decision.replaced ? { record: written, replaced: decision.replaced } : { record: written },
      };
    });
  }

  /**
   * Records how far this channel's run got, with a heartbeat at `now`: a claim of the same run by
   * the same owner, so it writes only while the run is still this channel's.
   */
  async recordRun(run: ControlRun, now: number): Promise<void> {
    await this.claimRun(run, now);
  }

  /** Clears run `runId` and its heartbeat if this channel still owns it. Whether it did. */
  async releaseRun(runId: string): Promise<boolean> {
    return this.change((record) => {
      const decision = decideRelease(record, runId, this.owner);
      return decision.kind === "write" ? { patch: decision.patch, result: true } : { result: false };
    });
  }

  /**
   * Records the guardian's trip of run `trip.runId` at `now`, by `decideTrip`: of two guardians at
   * once exactly one gets `write`; the other sees the trip in progress. The reason is scrubbed of
   * credentials before it is stored.
   */
  async recordTrip(trip: ControlTrip, now: number): Promise<TripDecision> {
    const stored: ControlTrip = { ...trip, reason: redactReason(trip.reason) };
    return this.change<TripDecision>((record) => {
      const decision = decideTrip(record, stored, Math.round(now));
      return decision.kind === "write" ? { patch: decision.patch, result: decision } : { result: decision };
    });
  }

  /** Records that the trip of run `runId` is done, with the split read back. Whether it wrote. */
  async completeTrip(runId: string, revertedAt: number, weights: TrafficSplit): Promise<boolean> {
    return this.change((record) => {
      const decision = decideCompleteTrip(record, runId, Math.round(revertedAt), weights);
      return decision.kind === "write" ? { patch: decision.patch, result: true } : { result: false };
    });
  }

  /** Hands back the open trip of run `runId` after a revert that could not be verified. Whether it wrote. */
  async abandonTrip(runId: string): Promise<boolean> {
    return this.change((record) => {
      const decision = decideAbandonTrip(record, runId);
      return decision.kind === "write" ? { patch: decision.patch, result: true } : { result: false };
    });
  }

  /** The guardian's trip of run `runId`, when one is recorded. */
  async readTrip(runId: string): Promise<ControlTrip | undefined> {
    const trip = (await this.readRecord()).trip;
    return trip?.runId === runId ? trip : undefined;
  }

  /** Forgets the reconciled trip of run `runId`, and that run when it is still recorded. Whether it wrote. */
  async reconcileTrip(runId: string): Promise<boolean> {
    return this.change((record) => {
      const decision = decideReconcile(record, runId);
      return decision.kind === "write" ? { patch: decision.patch, result: true } : { result: false };
    });
  }

  /** Writes the idle field as `decide` asks, conditionally on the record it read. Whether it wrote. */
  async changeIdle(decide: (record: ControlRecord) => ControlIdle | null | undefined): Promise<boolean> {
    return this.change((record) => {
      const idle = decide(record);
      return idle === undefined ? { result: false } : { patch: { idle }, result: true };
    });
  }

  /** The change an owner decision asks for; a busy stack throws StackBusyError. */
  private written(decision: OwnerDecision): Change<void> {
    if (decision.kind === "busy") throw new StackBusyError(this.table, decision.holder, this.staleAfterMs);
    return decision.kind === "write" ? { patch: decision.patch, result: undefined } : { result: undefined };
  }

  /** Reads, decides and writes on condition, again from a fresh read when another writer got in first. */
  private async change<R>(decide: (record: ControlRecord) => Change<R>): Promise<R> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const record = await this.readRecord();
      const { patch, result } = decide(record);
      if (patch === undefined) return result;
      this.checkWritable(applyPatch(record, patch));
      try {
        await this.store.update(conditionalUpdate(record.version, patch));
        return result;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    }
    throw new ControlWriteConflictError(this.table, MAX_WRITE_ATTEMPTS);
  }

  /** A record every reader could read back: a bad run (weights, colours) would lock every command out. */
  private checkWritable(record: ControlRecord): void {
    try {
      parseControlRecord(record);
    } catch (error) {
      if (!(error instanceof InvalidFieldError)) throw error;
      throw new Error(`control table ${this.table}: not written, ${error.field} ${error.problem}`);
    }
  }
}

/**
 * The UpdateItem that writes `patch` and bumps the version, on condition that the version is still
 * `expected` (or, for a record never written, that the item does not exist yet).
 */
function conditionalUpdate(expected: number, patch: ControlPatch): Omit<UpdateCommandInput, "TableName"> {
  const names: Record<string, string> = { "#version": "version" };
  const values: Record<string, unknown> = { ":next": expected + 1 };
  const sets = ["#version = :next"];
  const removes: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    if (value === null) {
      removes.push(`#${field}`);
    } else {
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  let condition = "attribute_not_exists(#pk)";
  if (expected === 0) {
    names["#pk"] = "pk";
  } else {
    condition = "#version = :expected";
    values[":expected"] = expected;
  }
  return {
    Key: { ...CONTROL_ITEM_KEY },
    UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The request's own fields, checked: an unknown kind would stop every driver that reads it. */
function checkedRequest(request: ControlRequest): ControlRequest {
  if (!REQUEST_KINDS.includes(request.kind)) {
    throw new Error(
      `control request kind ${JSON.stringify(request.kind)} is not one of ${REQUEST_KINDS.join(", ")}`,
    );
  }
  if (typeof request.by !== "string" || request.by === "") {
    throw new Error("a control request names who sent it: `by` is empty");
  }
  if (!Number.isFinite(request.at) || request.at < 0) {
    throw new Error(`a control request's time must be epoch milliseconds, got ${request.at}`);
  }
  return { kind: request.kind, by: request.by, at: request.at };
}
