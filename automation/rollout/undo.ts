/**
 * `bluegreen undo`: all traffic back on the colour the last promotion left idle, with the version
 * it ran. Inside the rollback window the colour still has its capacity and the undo is a weight
 * change through the router, verified by reading it back, then the stack's values and an update
 * so config, state and cloud agree, as a revert does. After the window the colour is scaled up
 * first and must be ready before it gets any traffic.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import type { ControlRecord } from "../core/controlRecord";
import { decideUndo, idleAfterPromotion } from "../core/idle";
import { READ_RETRY } from "../core/retry";
import type { CapacityScaler, ColourCapacity, Readiness } from "../ports";
import { scaleUp } from "./capacity";
import { Emitter } from "./emitter";
import { describeError, RolloutStop } from "./failures";
import { readSplit } from "./liveSplit";
import { ReleaseWriter } from "./release";
import { retrying } from "./retrying";
import { revertTraffic, stickinessSeconds } from "./revert";
import { result, type DriverDeps, type RolloutResult } from "./types";
import { type Colour, type StackOutputs, type TrafficSplit, splitFor } from "../../components/domain";

/** One `bluegreen undo`. */
export interface UndoRequest {
  readonly config: BluegreenConfig;
  readonly reason?: string;
  /** Who asked, for messages and the audit record. */
  readonly by: string;
}

/**
 * Undoes the last promotion. Outcome "rolled-back" (3) when traffic is verified back on the
 * previous colour, "rejected" (2) when there is nothing to undo or the colour cannot take traffic
 * (nothing changed), "failed" (1) when traffic could not be moved or the record not read.
 */
export async function undoPromotion(deps: DriverDeps, request: UndoRequest): Promise<RolloutResult> {
  const emitter = new Emitter(deps.events, deps.clock, deps.clock.now());
  const finish = (ending: RolloutResult): RolloutResult => {
    emitter.emit({
      type: "completed",
      outcome: ending.outcome,
      exitCode: ending.exitCode,
      reason: ending.reason,
    });
    return ending;
  };
  const signal = new AbortController().signal;
  const read = <T>(operation: () => Promise<T>) => retrying(deps, READ_RETRY, signal, operation);
  const channel = deps.control;
  if (channel.readRecord === undefined) {
    return finish(
      result(
        "rejected",
        "the control channel keeps no record of promotions (bluegreen:control.channel is file): undo needs the DynamoDB channel",
      ),
    );
  }
  let record: ControlRecord;
  let outputs: StackOutputs | undefined;
  let live: TrafficSplit;
  try {
    record = await channel.readRecord();
    outputs = await read(() => deps.stack.outputs(signal));
    if (!outputs) return finish(result("rejected", `stack ${deps.stack.name} has never been deployed`));
    live = await read(() => readSplit(deps.router, signal));
  } catch (error) {
    return finish(result("failed", `could not read the last promotion: ${describeError(error)}`));
  }
  const decision = decideUndo(record, { stable: outputs.stableColour, slots: outputs.slots, live });
  if (decision.kind === "refuse") return finish(result("rejected", decision.reason));
  const { colour, version, from, fromVersion } = decision;
  const names = { stable: colour, candidate: from, fromVersion, toVersion: version };
  emitter.emit({ type: "undoing", stack: deps.stack.name, colour, version, from, fromVersion });

  try {
    if (deps.scaler)
      await scaleIfNeeded(deps, deps.scaler, emitter, request.config, colour, from, decision.capacity);
    const readiness = await read(() => deps.router.readiness(colour, signal));
    if (!readiness.ready) throw notReady(colour, readiness, deps.clock.now());
    emitter.emit({ type: "ready", colour, detail: readiness.detail });
  } catch (error) {
    const reason = error instanceof RolloutStop ? error.reason : describeError(error);
    return finish({ ...result("rejected", `${reason}; traffic was not moved`), ...names });
  }

  const why = `undo of ${fromVersion} by ${request.by}${request.reason ? `: ${request.reason}` : ""}`;
  const release = new ReleaseWriter(
    deps.stack,
    deps,
    emitter,
    Math.max(outputs.revision, request.config.revision),
  );
  const revert = await revertTraffic(deps, emitter, request.config, {
    stable: colour,
    candidate: from,
    restore: { traffic: splitFor(from, 0), slots: outputs.slots, stable: colour },
    release,
    reason: why,
    at: deps.clock.now(),
    stickinessSeconds: stickinessSeconds(outputs),
  });
  if (!revert.reverted) return finish({ ...result("failed", `${why}; ${revert.detail}`), ...names });
  await recordUndo(deps, emitter, request.config, from, fromVersion, stickinessSeconds(outputs));
  const done = `${why}: ${version} serves 100% on ${colour} again`;
  return finish({ ...result("rolled-back", revert.detail ? `${done}; ${revert.detail}` : done), ...names });
}

/** Scales `colour` up to the serving colour's live count when it has fewer. */
async function scaleIfNeeded(
  deps: DriverDeps,
  scaler: CapacityScaler,
  emitter: Emitter,
  config: BluegreenConfig,
  colour: Colour,
  serving: Colour,
  recorded: number,
): Promise<void> {
  const signal = new AbortController().signal;
  const read = <T>(operation: () => Promise<T>) => retrying(deps, READ_RETRY, signal, operation);
  let target: number;
  let current: ColourCapacity;
  try {
    target = Math.max((await read(() => scaler.capacity(serving, signal))).desired, recorded, 1);
    current = await read(() => scaler.capacity(colour, signal));
  } catch (error) {
    // The readiness check after this is the gate: a colour with nothing running fails it.
    emitter.warn(
      `could not read the capacity of ${colour} and ${serving} (${describeError(error)}); relying on the readiness check`,
    );
    return;
  }
  if (current.desired >= target) return;
  await scaleUp(
    {
      emitter,
      signal,
      pollSeconds: config.rollout.pollInterval,
      timeoutSeconds: config.rollout.operationTimeout,
      now: () => deps.clock.now(),
      read,
      sleep: (ms) => deps.clock.sleep(ms, signal),
      throwIfSignalled: () => undefined,
      heartbeat: async () => undefined,
    },
    scaler,
    colour,
    current.desired,
    target,
  );
}

function notReady(colour: Colour, readiness: Readiness, now: number): RolloutStop {
  return new RolloutStop("not-ready", `${colour} cannot take traffic (${readiness.detail})`, now);
}

/**
 * The colour the undo left idle is the one it took traffic from: recorded as a promotion would,
 * so its own window and scale-down follow, and a second undo brings it back. Best effort.
 */
async function recordUndo(
  deps: DriverDeps,
  emitter: Emitter,
  config: BluegreenConfig,
  from: Colour,
  fromVersion: string,
  stickiness: number | undefined,
): Promise<void> {
  if (deps.control.changeIdle === undefined) return;
  const configured = config.ecs?.desiredCount ?? config.kubernetes?.replicas ?? 0;
  let capacity = configured;
  try {
    if (deps.scaler) capacity = (await deps.scaler.capacity(from)).desired;
  } catch {
    capacity = configured;
  }
  const idle = idleAfterPromotion({
    previous: from,
    version: fromVersion,
    at: deps.clock.now(),
    rollbackWindowSeconds: config.idle.rollbackWindow,
    capacity,
    stickinessSeconds: stickiness,
  });
  try {
    await deps.control.changeIdle(() => idle);
  } catch (error) {
    emitter.warn(
      `could not record ${from} as the idle colour in the control record (${describeError(error)}); it keeps its capacity until the next promotion records it`,
    );
  }
}
