/**
 * The revert, performed: traffic back on the stable colour through the direct write first, read
 * back and verified; then the pre-rollout values into the stack with a full update, and a preview
 * to prove that config, state and cloud agree. `core/revert` decides every next step; this module
 * carries each one out and reports it. It runs on its own signal: a cancelled run must still revert.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import {
  nextRevertAction,
  recordRevert,
  startRevert,
  type RevertAction,
  type RevertStepResult,
} from "../core/revert";
import { markTransient, READ_RETRY, REVERT_RETRY } from "../core/retry";
import type { ReleaseValues } from "../ports";
import type { Emitter } from "./emitter";
import { describeError } from "./failures";
import { readSplit } from "./liveSplit";
import type { ReleaseWriter } from "./release";
import { retrying } from "./retrying";
import type { DriverDeps } from "./types";
import {
  type Colour,
  type TrafficSplit,
  formatSplit,
  sameSplit,
  type StackOutputs,
} from "../../components/domain";

/** What a revert should do. */
export interface RevertTask {
  readonly stable: Colour;
  readonly candidate: Colour;
  /** The release values to put back into the stack (the writer adds the revision). */
  readonly restore: Omit<ReleaseValues, "revision">;
  /** Writes them, with the run's revision counter. */
  readonly release: ReleaseWriter;
  readonly reason: string;
  /** When the trigger was seen (epoch ms): `secondsSinceTrigger` and the deadline count from here. */
  readonly at: number;
  readonly heartbeat?: () => Promise<void>;
  /** How long ALB stickiness pins clients to a target group, when it is on. */
  readonly stickinessSeconds?: number;
}

/** Whether traffic is back on the stable colour, and what went wrong on the way ("" when nothing). */
export interface RevertResult {
  readonly reverted: boolean;
  readonly detail: string;
}

/** How long ALB stickiness pins clients to a colour, when the routing has it on. */
export function stickinessSeconds(outputs: StackOutputs): number | undefined {
  return outputs.routing.kind === "alb" ? outputs.routing.stickinessSeconds : undefined;
}

type Deps = Pick<DriverDeps, "stack" | "router" | "clock" | "random">;

/**
 * Puts traffic back on the stable colour and restores the stack, in rounds until both are done or
 * `operationTimeout` has passed since the trigger.
 */
export async function revertTraffic(
  deps: Deps,
  emitter: Emitter,
  config: BluegreenConfig,
  task: RevertTask,
): Promise<RevertResult> {
  const signal = new AbortController().signal;
  let known = startRevert({
    stable: task.stable,
    candidate: task.candidate,
    now: deps.clock.now(),
    deadline: task.at + config.rollout.operationTimeout * 1000,
  });
  await task.heartbeat?.();
  for (;;) {
    const action = nextRevertAction(known, deps.random);
    if (action.kind === "done") return { reverted: action.reverted, detail: action.detail };
    const outcome = await perform(deps, emitter, task, action, signal);
    known = recordRevert(known, outcome, deps.clock.now());
    if (action.kind === "wait") await task.heartbeat?.();
  }
}

async function perform(
  deps: Deps,
  emitter: Emitter,
  task: RevertTask,
  action: Exclude<RevertAction, { kind: "done" }>,
  signal: AbortSignal,
): Promise<RevertStepResult> {
  switch (action.kind) {
    case "write-direct":
      try {
        markReverted(deps, emitter, task, await writeDirect(deps, action.target, signal));
        return { kind: "direct-verified" };
      } catch (error) {
        const detail = describeError(error);
        emitter.warn(
          `could not put traffic back on ${task.stable} directly: ${detail}; trying through the stack`,
        );
        return { kind: "direct-failed", detail };
      }
    case "restore-stack": {
      const restore = await restoreStack(deps, emitter, task, signal);
      if (restore.kind !== "restored") emitter.warn(restore.detail);
      return restore;
    }
    case "read-back":
      try {
        const live = await retrying(deps, READ_RETRY, signal, () => readSplit(deps.router, signal));
        const matches = sameSplit(live, action.target);
        if (matches) markReverted(deps, emitter, task, live);
        return { kind: "read-back", matches };
      } catch (error) {
        emitter.warn(`could not read the split back after restoring the stack: ${describeError(error)}`);
        return { kind: "read-back", matches: false };
      }
    case "wait":
      await deps.clock.sleep(action.ms, signal);
      return { kind: "waited" };
  }
}

/** Writes `target` through the router and reads it back; one attempt is both, retried as a whole. */
function writeDirect(deps: Deps, target: TrafficSplit, signal: AbortSignal): Promise<TrafficSplit> {
  return retrying(deps, REVERT_RETRY, signal, async () => {
    await deps.router.write(target, signal);
    const readBack = await readSplit(deps.router, signal);
    if (!sameSplit(readBack, target)) {
      // Someone else wrote in between: writing again is the answer.
      throw markTransient(
        new Error(`read back ${formatSplit(readBack)} after writing ${formatSplit(target)}`),
      );
    }
    return readBack;
  });
}

function markReverted(deps: Deps, emitter: Emitter, task: RevertTask, live: TrafficSplit): void {
  emitter.emit({
    type: "reverted",
    weights: live,
    reason: task.reason,
    secondsSinceTrigger: Math.max(0, (deps.clock.now() - task.at) / 1000),
  });
  if (task.stickinessSeconds) {
    emitter.warn(
      `clients pinned by ALB stickiness keep reaching ${task.candidate} for up to ${task.stickinessSeconds}s after the revert: keep its capacity until then`,
    );
  }
}

type RestoreResult = Extract<RevertStepResult, { kind: "restored" | "restore-blocked" | "restore-failed" }>;

/** Writes the pre-rollout values and runs a full update, unless someone holds the stack's lock. */
async function restoreStack(
  deps: Deps,
  emitter: Emitter,
  task: RevertTask,
  signal: AbortSignal,
): Promise<RestoreResult> {
  let revision: number;
  try {
    revision = await task.release.write(task.restore);
  } catch (error) {
    return {
      kind: "restore-failed",
      detail: `could not write the pre-rollout values into the stack: ${describeError(error)}`,
    };
  }
  const locked = await lockHolder(deps);
  if (locked) return { kind: "restore-blocked", detail: locked };
  const update = await task.release.update({
    message: `bluegreen: restore ${task.stable} after a revert - ${task.reason}`,
  });
  if (update.kind === "failed") {
    const lockedNow = await lockHolder(deps);
    if (lockedNow) return { kind: "restore-blocked", detail: lockedNow };
    return { kind: "restore-failed", detail: `the restoring update failed: ${describeError(update.error)}` };
  }
  if (update.kind === "saved-despite-error") {
    emitter.warn(
      `the restoring update reported an error after it was saved (${describeError(update.error)}); the outputs show the restored values`,
    );
  }
  const changed = update.kind === "applied" ? update.changed : 0;
  let drift: number;
  try {
    drift = await task.release.beating(() => deps.stack.previewChanges(signal));
  } catch (error) {
    drift = -1;
    emitter.warn(`could not preview the stack after restoring it (${describeError(error)}); drift unknown`);
  }
  emitter.emit({ type: "restored", revision, changed, drift });
  if (drift > 0) {
    emitter.warn(
      `a preview after the restore still finds ${drift} change${drift > 1 ? "s" : ""}: config, state and cloud disagree; run \`pulumi preview --diff\` to see them`,
    );
  }
  return { kind: "restored" };
}

/** Who holds the stack's lock, as a sentence, or undefined when nobody does. Never breaks it. */
async function lockHolder(deps: Deps): Promise<string | undefined> {
  let lock;
  try {
    lock = await deps.stack.lock();
  } catch {
    return undefined;
  }
  if (!lock) return undefined;
  return lock.alive
    ? `stack ${deps.stack.name} is locked by ${lock.holder}, a process that is still running: the lock was left alone and the stack was not updated; once it is released, run \`pulumi up\` on the stack to apply the restored values`
    : `stack ${deps.stack.name} holds a stale lock from ${lock.holder}, a process that no longer runs: the stack was not updated; once you are sure nothing else updates it, clear it with \`pulumi cancel --stack ${deps.stack.name}\` and run \`pulumi up\``;
}
