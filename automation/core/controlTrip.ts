/**
 * The guardian's trip in the control record, and its pure rules: when a guardian may record a
 * trip (once per run, a half-done one taken over after its lease), when it is done, and when a
 * reconciled trip is forgotten. Every store of the record (the DynamoDB table, the rehearsal's
 * memory) applies them the same way.
 */
import type { ControlPatch, ControlRecord, ControlTrip, OwnerDecision } from "./controlRecord";
import type { TrafficSplit } from "../../components/domain";

/**
 * How long a guardian may take to carry a trip out (write the split, read it back, record it)
 * before another guardian takes it for abandoned: well beyond a revert's few direct calls, and
 * beyond the guardian function's timeout, so a guardian still working is never doubled.
 */
export const TRIP_LEASE_MS = 120_000;

/** What recording a trip comes to. */
export type TripDecision =
  /** Write the trip: a new one, or (`resumed`) one a crashed guardian left half done. */
  | {
      readonly kind: "write";
      readonly patch: ControlPatch;
      readonly trip: ControlTrip;
      readonly resumed?: true;
    }
  /** The run was already reverted by a guardian: nothing more to do. */
  | { readonly kind: "reverted"; readonly trip: ControlTrip }
  /** Another guardian is carrying the trip out now. */
  | { readonly kind: "in-progress"; readonly trip: ControlTrip }
  /** The run the trip is about is no longer recorded: its driver ended or another run took over. */
  | { readonly kind: "run-changed" };

/**
 * Whether a guardian may trip run `trip.runId` at `now`: only while that run is still the recorded
 * one, and only once. A trip of the same run already recorded wins: done when reverted, left alone
 * while its guardian's lease runs, and taken over (its reason and trigger kept) once the lease is
 * over without a revert.
 */
export function decideTrip(record: ControlRecord, trip: ControlTrip, now: number): TripDecision {
  if (record.run?.runId !== trip.runId) return { kind: "run-changed" };
  const held = record.trip;
  if (held?.runId === trip.runId) {
    if (held.revertedAt !== undefined) return { kind: "reverted", trip: held };
    if (now - (held.attemptedAt ?? held.triggeredAt) <= TRIP_LEASE_MS)
      return { kind: "in-progress", trip: held };
    const resumed: ControlTrip = { ...held, attemptedAt: now };
    return { kind: "write", patch: { trip: resumed }, trip: resumed, resumed: true };
  }
  const taken: ControlTrip = { ...trip, attemptedAt: now };
  return { kind: "write", patch: { trip: taken }, trip: taken };
}

/**
 * Records that the trip of run `runId` is done: traffic read back as `weights` at `revertedAt`.
 * Unchanged when the record holds no open trip of that run.
 */
export function decideCompleteTrip(
  record: ControlRecord,
  runId: string,
  revertedAt: number,
  weights: TrafficSplit,
): OwnerDecision {
  const held = record.trip;
  if (held?.runId !== runId || held.revertedAt !== undefined) return { kind: "unchanged" };
  return { kind: "write", patch: { trip: { ...held, revertedAt, weights } } };
}

/**
 * Hands back the open trip of run `runId` by a guardian that could not verify its revert: its
 * attempt is dated to the epoch, so the next guardian run (a retried invocation, the next
 * schedule) takes it over at once instead of waiting out the lease. Unchanged when the record
 * holds no open trip of that run.
 */
export function decideAbandonTrip(record: ControlRecord, runId: string): OwnerDecision {
  const held = record.trip;
  if (held?.runId !== runId || held.revertedAt !== undefined) return { kind: "unchanged" };
  return { kind: "write", patch: { trip: { ...held, attemptedAt: 0 } } };
}

/**
 * Forgets a reconciled trip and the run it reverted, with that run's owner and heartbeat: once the
 * stack holds the stable values again, the run is over. A run other than the trip's is left alone.
 */
export function decideReconcile(record: ControlRecord, runId: string): OwnerDecision {
  if (record.trip?.runId !== runId) return { kind: "unchanged" };
  const patch: ControlPatch =
    record.run?.runId === runId ? { trip: null, run: null, owner: null, heartbeatAt: null } : { trip: null };
  return { kind: "write", patch };
}
