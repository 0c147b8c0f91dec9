/**
 * `bluegreen abort` when no driver takes the request: revert the rollout in progress now.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import { isInProgress } from "../core/position";
import { READ_RETRY } from "../core/retry";
import { revertSplit } from "../core/revert";
import { Emitter } from "./emitter";
import { describeError } from "./failures";
import { readSplit } from "./liveSplit";
import { ReleaseWriter } from "./release";
import { retrying } from "./retrying";
import { revertTraffic, stickinessSeconds } from "./revert";
import { result, type DriverDeps, type RolloutResult } from "./types";
import { type TrafficSplit, type StackOutputs, formatSplit, otherColour } from "../../components/domain";

/**
 * Reverts the rollout in progress now, for `bluegreen abort` when no driver takes the request:
 * traffic back to the stable colour through the direct path, then the stack restored to the
 * deployed values with the candidate at 0% (the candidate's slot keeps what is deployed: nothing
 * here remembers what it ran before). Outcome "aborted" (4), "rejected" (2) when no rollout is in
 * progress, "failed" (1) when traffic could not be moved back.
 */
export async function abortRollout(
  deps: DriverDeps,
  request: { config: BluegreenConfig; reason?: string; by: string },
): Promise<RolloutResult> {
  const why = `aborted by ${request.by}${request.reason ? `: ${request.reason}` : ""}`;
  return revertInProgress(deps, { config: request.config, why, outcome: "aborted" });
}

/** How a revert of the rollout in progress ends and why it runs. */
export interface InProgressRevert {
  readonly config: BluegreenConfig;
  /** The revert's reason, in its events and result. */
  readonly why: string;
  /** The outcome once traffic is back: an operator's abort, or a rollback. */
  readonly outcome: "aborted" | "rolled-back";
  /** What to end with when no rollout is in progress. @default rejected, naming what the stack serves */
  readonly idle?: (message: string) => RolloutResult;
  /**
   * Whether the revert ends the event stream with its `completed` event; false when another run
   * follows in the same stream (a rollout reconciling the guardian's trip first). @default true
   */
  readonly completes?: boolean;
  /** Where the events' elapsed seconds count from (epoch ms). @default now */
  readonly startedAt?: number;
}

/**
 * The revert of whatever rollout the deployed stack and the live split show in progress, by the
 * driver's own revert (`revertTraffic`): shared by `abort` without a driver and `reconcile` after
 * the guardian's trip.
 */
export async function revertInProgress(deps: DriverDeps, request: InProgressRevert): Promise<RolloutResult> {
  const emitter = new Emitter(deps.events, deps.clock, request.startedAt ?? deps.clock.now());
  const finish = (ending: RolloutResult): RolloutResult => {
    if (request.completes === false) return ending;
    emitter.emit({
      type: "completed",
      outcome: ending.outcome,
      exitCode: ending.exitCode,
      reason: ending.reason,
    });
    return ending;
  };
  const signal = new AbortController().signal;
  let outputs: StackOutputs | undefined;
  let live: TrafficSplit;
  try {
    outputs = await retrying(deps, READ_RETRY, signal, () => deps.stack.outputs(signal));
    if (!outputs) {
      return finish(
        result("rejected", `stack ${deps.stack.name} has never been deployed: there is nothing to abort`),
      );
    }
    live = await retrying(deps, READ_RETRY, signal, () => readSplit(deps.router, signal));
  } catch (error) {
    return finish(result("failed", `could not read where the rollout stands: ${describeError(error)}`));
  }
  const stable = outputs.stableColour;
  const candidate = otherColour(stable);
  const versions = {
    stable,
    candidate,
    fromVersion: outputs.slots[stable].version,
    toVersion: outputs.slots[candidate].version,
  };
  if (!isInProgress(outputs, live)) {
    const message = `no rollout is in progress on stack ${deps.stack.name}: ${stable} serves ${formatSplit(live)} as the stack applied`;
    return finish({ ...(request.idle?.(message) ?? result("rejected", message)), ...versions });
  }
  const { why } = request;
  const release = new ReleaseWriter(
    deps.stack,
    deps,
    emitter,
    Math.max(outputs.revision, request.config.revision),
  );
  const revert = await revertTraffic(deps, emitter, request.config, {
    stable,
    candidate,
    restore: { traffic: revertSplit(candidate), slots: outputs.slots, stable },
    release,
    reason: why,
    at: deps.clock.now(),
    stickinessSeconds: stickinessSeconds(outputs),
  });
  if (!revert.reverted) return finish({ ...result("failed", `${why}; ${revert.detail}`), ...versions });
  return finish({
    ...result(request.outcome, revert.detail ? `${why}; ${revert.detail}` : why),
    ...versions,
  });
}
