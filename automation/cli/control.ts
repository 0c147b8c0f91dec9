/**
 * `bluegreen abort` and `bluegreen promote`: requests to the driver that watches a rollout, over the
 * control channel. Whether a driver watches is read from its heartbeat; a request it does not take
 * within two poll intervals is withdrawn, so it cannot surprise a later run.
 */
import { formatDuration } from "../../infra/config/duration";
import type { BluegreenConfig } from "../../infra/config/validate";
import { sameRequest } from "../core/control";
import type { ControlRecord } from "../core/controlRecord";
import { WATCHED_WITHIN_POLLS } from "../rollout";
import type { Clock, ControlChannel, ControlRequest } from "../ports";

/** How many poll intervals a sender waits for the driver to take its request. */
export const TAKE_WITHIN_POLLS = 2;
/** How often a sender looks whether its request was taken. */
const CHECK_EVERY_MS = 1_000;

/** A control channel whose pending request can be looked at without taking it. */
export interface InspectableControlChannel extends ControlChannel {
  pending(): Promise<ControlRequest | undefined>;
  /**
   * The whole control record (run, heartbeat, request, trip), on a channel that records runs:
   * what `status` shows from any machine. Absent on the file channel.
   */
  readRecord?(): Promise<ControlRecord>;
}

/** Whether a driver watches the stack, and how long ago it last said so. */
export interface WatchState {
  readonly watched: boolean;
  /** Milliseconds since the last heartbeat, when there was one. */
  readonly ageMs?: number;
}

/** Reads the heartbeat: watched when it is within WATCHED_WITHIN_POLLS poll intervals. */
export async function watchState(
  control: ControlChannel,
  clock: Clock,
  config: BluegreenConfig,
): Promise<WatchState> {
  const last = await control.lastHeartbeat();
  if (last === undefined) return { watched: false };
  const ageMs = Math.max(0, clock.now() - last);
  return { watched: ageMs <= WATCHED_WITHIN_POLLS * config.rollout.pollInterval * 1000, ageMs };
}

/**
 * What became of a request handed to the watching driver: taken; withdrawn after it was not
 * taken in time; or superseded, never left, because an abort was already pending.
 */
export type Delivery = "taken" | "withdrawn" | "superseded";

/**
 * Sends the request and waits up to TAKE_WITHIN_POLLS poll intervals for the driver to take it.
 * When it was not taken, takes it back: if that finds nothing, the driver took it at the last
 * moment, which counts as taken; if it finds another operator's request, that one is put back.
 */
export async function deliver(
  control: InspectableControlChannel,
  clock: Clock,
  config: BluegreenConfig,
  request: ControlRequest,
  signal?: AbortSignal,
): Promise<Delivery> {
  await control.send(request);
  const left = await control.pending();
  if (left?.kind === "abort" && !sameRequest(left, request)) return "superseded";
  const deadline = clock.now() + TAKE_WITHIN_POLLS * config.rollout.pollInterval * 1000;
  while (clock.now() < deadline) {
    await clock.sleep(Math.min(CHECK_EVERY_MS, deadline - clock.now()), signal);
    const pending = await control.pending();
    // Gone: the driver took it. Replaced by an abort: the abort is what the driver will act on.
    if (!sameRequest(pending, request)) return pending?.kind === "abort" ? "superseded" : "taken";
  }
  const withdrawn = await control.take();
  if (withdrawn === undefined) return "taken";
  if (!sameRequest(withdrawn, request)) {
    await control.send(withdrawn);
    return "taken";
  }
  return "withdrawn";
}

/** "12s ago", or "never" when there is no heartbeat. */
export function describeHeartbeat(state: WatchState): string {
  return state.ageMs === undefined
    ? "no heartbeat"
    : `last heartbeat ${formatDuration(state.ageMs / 1000)} ago`;
}
