/**
 * The scale-down of the idle colour after its rollback window, for the guardian's schedule (or
 * any caller on a timer): read the control record and the live split, ask `decideIdle`, record
 * the scale-down, then scale. Pulumi leaves the idle colour's count alone, so nothing undoes it
 * until the next rollout or `bluegreen undo` scales the colour up again.
 */
import type { HistoryStore } from "../adapters/control/dynamoHistoryStore";
import { type ControlIdle, decideIdle, type IdleHoldReason } from "../core/idle";
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
  /** Where the scale-down is recorded besides the control record: the stack's release history. */
  readonly history?: IdleHistory;
}

/** The release history a scale-down is recorded in, and what its record names. */
export interface IdleHistory {
  readonly store: Pick<HistoryStore, "append">;
  readonly stack: string;
  readonly service?: string;
  readonly region?: string;
  /** Who scaled it: the guardian, or the user running `bluegreen idle`. */
  readonly who: string;
}

/** What one pass did. */
export type IdleOutcome =
  | {
      readonly kind: "scaled-down";
      readonly colour: Colour;
      readonly from: number;
      readonly to: number;
      /** False when the history record could not be written (the scale-down stands). */
      readonly recorded?: boolean;
    }
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
  let marked: ControlIdle | undefined;
  try {
    const live = await router.read();
    let decided: ReturnType<typeof decideIdle> | undefined;
    const wrote = await control.changeIdle((record) => {
      decided = decideIdle(record, live, clock.now(), idleCapacity);
      marked = decided.kind === "scale-down" ? (decided.patch.idle ?? undefined) : undefined;
      return marked;
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
  if (deps.history === undefined || marked === undefined) return { kind: "scaled-down", colour, from, to };
  const recorded = await recordScaleDown(deps.history, marked, from, to, clock.now());
  return { kind: "scaled-down", colour, from, to, recorded };
}

/**
 * Appends the scale-down to the release history. Keyed by the promotion it follows, so a pass
 * retried after a lost answer stores nothing new. A failure is reported, never undone: the colour
 * is scaled and the control record says so.
 */
async function recordScaleDown(
  history: IdleHistory,
  idle: ControlIdle,
  from: number,
  to: number,
  now: number,
): Promise<boolean> {
  const at = new Date(now).toISOString();
  try {
    await history.store.append({
      at,
      endedAt: at,
      stack: history.stack,
      ...(history.service === undefined ? {} : { service: history.service }),
      ...(history.region === undefined ? {} : { region: history.region }),
      command: "idle",
      who: history.who,
      versions: { from: idle.version },
      reason: `the rollback window of ${idle.colour} closed: scaled from ${from} to ${to}`,
      outcome: "scaled-down",
      exitCode: 0,
      elapsedSeconds: 0,
      rehearsal: false,
      runId: `scale-down-${idle.colour}-${idle.promotedAt}`,
    });
    return true;
  } catch {
    return false;
  }
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
