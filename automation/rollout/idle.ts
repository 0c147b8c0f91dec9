/**
 * The scale-down of the idle colour after its rollback window, for the guardian's schedule (or
 * any caller on a timer): read the control record and the live split, ask `decideIdle`, record
 * the scale-down, then scale. Pulumi leaves the idle colour's count alone, so nothing undoes it
 * until the next rollout or `bluegreen undo` scales the colour up again.
 */
import { decideIdle, type IdleHoldReason } from "../core/idle";
import type { CapacityScaler, Clock, ControlChannel, TrafficRouter } from "../ports";
import { describeError } from "./failures";
import type { Colour } from "../../components/domain";

/** What the scale-down reaches the world through. */
export interface IdleDeps {
  /** The stack's control channel: it must keep the record (`readRecord`, `changeIdle`). */
  readonly control: ControlChannel;
  readonly router: Pick<TrafficRouter, "read">;
  readonly scaler: CapacityScaler;
  readonly clock: Pick<Clock, "now">;
}

/** What one pass did. */
export type IdleOutcome =
  | { readonly kind: "scaled-down"; readonly colour: Colour; readonly from: number; readonly to: number }
  | { readonly kind: "nothing"; readonly reason: IdleHoldReason | "no-record"; readonly until?: number }
  | { readonly kind: "failed"; readonly reason: string };

/**
 * One pass of the scale-down: scales the colour the last promotion left idle down to
 * `idleCapacity` once its window has closed, when `decideIdle` allows it. The record is written
 * first, conditionally on what was decided from (a run claiming the stack in between makes the
 * write decide "nothing"), so the scale happens only under a record that says so; a failed scale
 * takes the mark back. A rollout that claims the stack after the mark and reads the colour before
 * the scale lands finds it not ready and stops before any traffic, never with traffic on it.
 */
export async function scaleDownIdle(deps: IdleDeps, idleCapacity: number): Promise<IdleOutcome> {
  const { control, router, scaler, clock } = deps;
  if (control.readRecord === undefined || control.changeIdle === undefined) {
    return { kind: "nothing", reason: "no-record" };
  }
  let decision: ReturnType<typeof decideIdle>;
  try {
    const live = await router.read();
    let decided: ReturnType<typeof decideIdle> | undefined;
    const wrote = await control.changeIdle((record) => {
      decided = decideIdle(record, live, clock.now(), idleCapacity);
      return decided.kind === "scale-down" ? (decided.patch.idle ?? undefined) : undefined;
    });
    decision = decided ?? { kind: "nothing", reason: "no-promotion" };
    if (decision.kind === "scale-down" && !wrote) return { kind: "nothing", reason: "no-promotion" };
  } catch (error) {
    return { kind: "failed", reason: `could not read or mark the idle colour: ${describeError(error)}` };
  }
  if (decision.kind === "nothing") {
    return decision.until === undefined
      ? { kind: "nothing", reason: decision.reason }
      : { kind: "nothing", reason: decision.reason, until: decision.until };
  }
  const { colour, from, to } = decision;
  try {
    await scaler.scale(colour, to);
  } catch (error) {
    await unmark(control, colour).catch(() => undefined);
    return {
      kind: "failed",
      reason: `scaling ${colour} from ${from} to ${to} failed: ${describeError(error)}`,
    };
  }
  return { kind: "scaled-down", colour, from, to };
}

/** Takes back the scale-down mark of `colour`, so the next pass tries again. */
async function unmark(control: ControlChannel, colour: Colour): Promise<void> {
  await control.changeIdle?.((record) => {
    const idle = record.idle;
    if (idle?.colour !== colour || idle.scaledDownAt === undefined) return undefined;
    const { scaledDownAt: _at, scaledTo: _to, ...rest } = idle;
    return rest;
  });
}
