/**
 * Reconciling after the guardian's trip, when no driver finishes it: the guardian put traffic
 * back on the stable colour directly, so the stack's values still say the rollout's split. This
 * restores them by the driver's own revert (direct write, full update, no-drift preview) and
 * then forgets the trip and its run in the control record.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import type { ControlRecord, ControlTrip } from "../core/controlRecord";
import type { ControlChannel } from "../ports";
import { revertInProgress } from "./abort";
import { Emitter } from "./emitter";
import { result, type DriverDeps, type RolloutResult } from "./types";

/** The control record as reconciling uses it. */
export interface TripStore {
  readRecord(): Promise<ControlRecord>;
  /** Forgets the trip of `runId` and that run; whether it wrote. */
  reconcileTrip(runId: string): Promise<boolean>;
}

/** The channel's trip store, when it keeps the control record (the DynamoDB channel); else undefined. */
export function tripStoreOf(control: ControlChannel): TripStore | undefined {
  const store = control as Partial<TripStore> & ControlChannel;
  return typeof store.readRecord === "function" && typeof store.reconcileTrip === "function"
    ? (store as TripStore)
    : undefined;
}

/** Why the stack is being reconciled, naming the guardian: the revert's reason and the audit record's. */
export function reconcileReason(trip: ControlTrip): string {
  return `the guardian reverted run ${trip.runId}: ${trip.reason}`;
}

/**
 * Restores the stack after the guardian's trip: outcome "rolled-back" (3) once the stack holds the
 * stable values (at once when it already did), "failed" (1) when traffic could not be verified
 * back on the stable colour.
 */
export async function reconcileTrip(
  deps: DriverDeps,
  request: { config: BluegreenConfig; trip: ControlTrip; completes?: boolean; startedAt?: number },
): Promise<RolloutResult> {
  const why = reconcileReason(request.trip);
  return revertInProgress(deps, {
    config: request.config,
    why,
    outcome: "rolled-back",
    ...(request.completes === false ? { completes: false } : {}),
    ...(request.startedAt !== undefined ? { startedAt: request.startedAt } : {}),
    idle: (message) =>
      result("rolled-back", `${why}; the stack already holds the stable values (${message})`),
  });
}

/**
 * Before a rollout starts anything new: reconciles a trip the guardian left in the record (its
 * run's driver is gone, or the claim would refuse the stack anyway), saying so in a warning.
 * Returns the failed reconcile's result, which the rollout ends with; undefined when the stack is
 * clear to start. A record that cannot be read is left to the rollout's claim to report.
 */
export async function reconcileBeforeRollout(
  deps: DriverDeps,
  store: TripStore,
  config: BluegreenConfig,
): Promise<RolloutResult | undefined> {
  let trip: ControlTrip | undefined;
  try {
    trip = (await store.readRecord()).trip;
  } catch {
    return undefined;
  }
  if (trip === undefined) return undefined;
  const emitter = new Emitter(deps.events, deps.clock, deps.clock.now());
  emitter.warn(
    `the guardian reverted run ${trip.runId} (${trip.reason}) and nothing reconciled the stack since: reconciling before the rollout`,
  );
  const ended = await reconcileTrip(deps, { config, trip, completes: false });
  if (ended.outcome !== "rolled-back") {
    emitter.emit({
      type: "completed",
      outcome: ended.outcome,
      exitCode: ended.exitCode,
      reason: ended.reason,
    });
    return ended;
  }
  await store.reconcileTrip(trip.runId);
  return undefined;
}

/**
 * After a run ended: the guardian's trip of run `runId`, or undefined when the guardian did not
 * trip it. When the run's own revert restored the stack (`restored`), the trip is forgotten; else
 * it stays for `reconcile` or the next rollout. Best effort: a record that cannot be read or
 * written leaves the trip where it is.
 */
export async function finishGuardianTrip(
  store: TripStore,
  runId: string,
  restored: boolean,
): Promise<ControlTrip | undefined> {
  try {
    const trip = (await store.readRecord()).trip;
    if (trip?.runId !== runId) return undefined;
    if (restored) await store.reconcileTrip(runId);
    return trip;
  } catch {
    return undefined;
  }
}
