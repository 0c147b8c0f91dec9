/**
 * The idle colour: the one that serves no traffic and that no revert goes back to. Its capacity
 * belongs to whoever scales it (the scale-down after the rollback window, the scale-up before a
 * rollout or an undo), not to `pulumi up`, so the program leaves its count alone.
 */
import { COLOURS, type Colour, type TrafficSplit } from "./traffic";

/**
 * The colour at weight 0 that is not `stable`, or undefined when both colours matter: while
 * traffic is split, or when the colour at 0 is the one a revert returns to (a run whose candidate
 * took everything before its promotion).
 */
export function idleColour(traffic: TrafficSplit, stable: Colour): Colour | undefined {
  return COLOURS.find((colour) => traffic[colour] === 0 && colour !== stable);
}
