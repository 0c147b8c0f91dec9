/**
 * The rollout driver: the loop around the pure core, in rooms. It reaches the world only through
 * the ports, asks the core what to do at every poll and at every step of a revert, carries it out
 * and reports every step as an event. It never touches `process` and never logs; the CLI maps the
 * result to an exit code.
 */
export { abortRollout } from "./abort";
export {
  finishGuardianTrip,
  reconcileBeforeRollout,
  reconcileReason,
  reconcileTrip,
  type TripStore,
  tripStoreOf,
} from "./reconcile";
export { runRollout } from "./run";
export { readStatus, type StatusReport, WATCHED_WITHIN_POLLS } from "./status";
export { type DriverDeps, type PreflightCheck, type RolloutRequest, type RolloutResult } from "./types";
export { undoPromotion, type UndoRequest } from "./undo";
export { scaleDownIdle, type IdleDeps, type IdleOutcome } from "./idle";
