/**
 * How operator requests to a watching driver combine, whatever channel carries them.
 */
import type { ControlRequest } from "../ports";

/**
 * The request left pending when `incoming` arrives while `pending` waits. A later request
 * replaces an earlier one, except that nothing replaces a pending abort: an operator who asked
 * for a revert must get it even if someone asks to promote before the driver's next poll.
 */
export function combineRequests(
  pending: ControlRequest | undefined,
  incoming: ControlRequest,
): ControlRequest {
  return pending?.kind === "abort" && incoming.kind !== "abort" ? pending : incoming;
}

/** Whether two requests are the same one (the same kind, sent at the same moment by the same person). */
export function sameRequest(a: ControlRequest | undefined, b: ControlRequest): boolean {
  return a !== undefined && a.kind === b.kind && a.at === b.at && a.by === b.by;
}
