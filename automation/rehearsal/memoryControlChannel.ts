/**
 * An in-memory control channel: how scenario operator events reach a rehearsed rollout, and the
 * channel every test uses, with the same take-and-clear semantics and the same rule for combining
 * requests (`combineRequests`) as the file-based channel.
 */
import { combineRequests } from "../core/control";
import {
  type ControlIdle,
  type ControlPatch,
  type ControlRecord,
  type ControlRun,
  type ControlTrip,
  applyPatch,
  decideClaim,
  decideRelease,
  heartbeatStaleAfterMs,
} from "../core/controlRecord";
import {
  type TripDecision,
  decideAbandonTrip,
  decideCompleteTrip,
  decideReconcile,
  decideTrip,
} from "../core/controlTrip";
import type { TrafficSplit } from "../../components/domain";
import type { ControlChannel, ControlRequest } from "../ports";

/** The owner token of every run claimed through a memory channel: one process holds it. */
const OWNER = "memory";

/** A control channel held in memory. */
export class MemoryControlChannel implements ControlChannel {
  private waiting: ControlRequest | undefined;
  private heartbeatAt: number | undefined;
  private run: ControlRun | undefined;
  private trip: ControlTrip | undefined;
  private idle: ControlIdle | undefined;
  private version = 0;
  private readonly history: ControlRequest[] = [];

  /** @param staleAfterMs how old a run's heartbeat must be before another claim takes the stack. */
  constructor(private readonly staleAfterMs = heartbeatStaleAfterMs(10)) {}

  /** The run recorded now, if any: what `bluegreen status` would show. */
  recordedRun(): ControlRun | undefined {
    return this.run;
  }

  /** Writes the idle field as `decide` asks from the record now. Whether it wrote. */
  async changeIdle(decide: (record: ControlRecord) => ControlIdle | null | undefined): Promise<boolean> {
    const idle = decide(await this.readRecord());
    if (idle === undefined) return false;
    this.idle = idle ?? undefined;
    this.version += 1;
    return true;
  }

  /** Claims the stack by the same rule as every channel (`decideClaim`); throws when another run holds it. */
  async claimRun(run: ControlRun, now: number): Promise<{ readonly replaced?: ControlRun }> {
    const record = {
      version: 1,
      ...(this.run ? { run: this.run, owner: OWNER } : {}),
      ...(this.heartbeatAt !== undefined ? { heartbeatAt: this.heartbeatAt } : {}),
    };
    const decision = decideClaim(record, { run, owner: OWNER, now, staleAfterMs: this.staleAfterMs });
    if (decision.kind === "busy") {
      throw new Error(
        `the stack is held by run ${decision.holder.run.runId} (version ${decision.holder.run.version}, started by ${decision.holder.run.startedBy})`,
      );
    }
    this.run = run;
    this.heartbeatAt = now;
    return decision.replaced ? { replaced: decision.replaced } : {};
  }

  /** Records how far the run got, with a heartbeat. */
  async recordRun(run: ControlRun, now: number): Promise<void> {
    await this.claimRun(run, now);
  }

  /** Clears the run and its heartbeat when it is `runId`. */
  async releaseRun(runId: string): Promise<boolean> {
    if (!this.run) return false;
    const decision = decideRelease({ version: 1, run: this.run, owner: OWNER }, runId, OWNER);
    if (decision.kind !== "write") return false;
    this.run = undefined;
    this.heartbeatAt = undefined;
    return true;
  }

  /** Returns and clears the pending request, if any. */
  async take(): Promise<ControlRequest | undefined> {
    const request = this.waiting;
    this.waiting = undefined;
    return request;
  }

  /** The pending request, left in place: how a sender sees whether the driver took it. */
  async pending(): Promise<ControlRequest | undefined> {
    return this.waiting;
  }

  /** Whether a request waits to be taken, synchronously (for the world, inside a clock callback). */
  hasPending(): boolean {
    return this.waiting !== undefined;
  }

  /** Leaves a request for the watching driver. */
  async send(request: ControlRequest): Promise<void> {
    this.post(request);
  }

  /**
   * Leaves a request synchronously (scenario events fire inside a clock callback), combined with
   * any pending one as every channel does (`combineRequests`: a pending abort is never replaced).
   */
  post(request: ControlRequest): void {
    this.history.push(request);
    this.waiting = combineRequests(this.waiting, request);
  }

  /** Records that a driver is watching the stack now. */
  async heartbeat(at: number): Promise<void> {
    this.heartbeatAt = at;
  }

  /** When a driver last said it was watching, or undefined. */
  async lastHeartbeat(): Promise<number | undefined> {
    return this.heartbeatAt;
  }

  /** Removes the heartbeat when the driver stops watching. */
  async clearHeartbeat(): Promise<void> {
    this.heartbeatAt = undefined;
  }

  /** The control record as a table would hold it: the run, heartbeat, pending request, trip and idle colour. */
  async readRecord(): Promise<ControlRecord> {
    return {
      version: this.version,
      ...(this.run ? { run: this.run, owner: OWNER } : {}),
      ...(this.heartbeatAt !== undefined ? { heartbeatAt: this.heartbeatAt } : {}),
      ...(this.waiting ? { request: this.waiting } : {}),
      ...(this.trip ? { trip: this.trip } : {}),
      ...(this.idle ? { idle: this.idle } : {}),
    };
  }

  /** Records the guardian's trip by the table's rule (`decideTrip`). */
  async recordTrip(trip: ControlTrip, now: number): Promise<TripDecision> {
    const decision = decideTrip(await this.readRecord(), trip, now);
    if (decision.kind === "write") await this.apply(decision.patch);
    return decision;
  }

  /** Records that the trip of `runId` is done. */
  async completeTrip(runId: string, revertedAt: number, weights: TrafficSplit): Promise<boolean> {
    const decision = decideCompleteTrip(await this.readRecord(), runId, revertedAt, weights);
    if (decision.kind === "write") await this.apply(decision.patch);
    return decision.kind === "write";
  }

  /** Hands back the open trip of `runId` after a revert that could not be verified. */
  async abandonTrip(runId: string): Promise<boolean> {
    const decision = decideAbandonTrip(await this.readRecord(), runId);
    if (decision.kind === "write") await this.apply(decision.patch);
    return decision.kind === "write";
  }

  /** Forgets the reconciled trip of `runId`, and that run. */
  async reconcileTrip(runId: string): Promise<boolean> {
    const decision = decideReconcile(await this.readRecord(), runId);
    if (decision.kind === "write") await this.apply(decision.patch);
    return decision.kind === "write";
  }

  /** The guardian's trip of `runId`, when one is recorded. */
  async readTrip(runId: string): Promise<ControlTrip | undefined> {
    return this.trip?.runId === runId ? this.trip : undefined;
  }

  private async apply(patch: ControlPatch): Promise<void> {
    const next = applyPatch(await this.readRecord(), patch);
    this.version = next.version;
    this.run = next.run;
    this.heartbeatAt = next.heartbeatAt;
    this.trip = next.trip;
  }

  /** Every request sent so far, taken or not, in order. */
  sent(): readonly ControlRequest[] {
    return [...this.history];
  }
}
