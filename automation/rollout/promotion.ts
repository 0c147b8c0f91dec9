/**
 * What a promotion leaves behind for the idle colour: the previous release's colour, its version
 * and full count, and when its rollback window closes, in the control record. The scale-down
 * after the window and `bluegreen undo` read it there.
 */
import { idleAfterPromotion } from "../core/idle";
import type { RunContext } from "./context";
import { describeError } from "./failures";
import { stickinessSeconds } from "./revert";

/**
 * Records the colour the promotion left idle. Best effort: the rollout has already succeeded, so
 * a channel that cannot write only costs the scale-down (the colour stays warm) and says so.
 */
export async function recordPromotion(run: RunContext): Promise<void> {
  const channel = run.deps.control;
  if (channel.changeIdle === undefined) return;
  const { stable, outputs } = run.prepared;
  const idle = idleAfterPromotion({
    previous: stable,
    version: outputs.slots[stable].version,
    at: run.now(),
    rollbackWindowSeconds: run.config.idle.rollbackWindow,
    capacity: await fullCount(run),
    stickinessSeconds: stickinessSeconds(outputs),
  });
  try {
    await channel.changeIdle(() => idle);
  } catch (error) {
    run.warn(
      `could not record ${stable} as the idle colour in the control record (${describeError(error)}); it keeps its capacity until the next promotion records it`,
    );
  }
}

/** The previous colour's live count, else the configured one; 0 on Lambda, which has no count. */
async function fullCount(run: RunContext): Promise<number> {
  const configured = run.config.ecs?.desiredCount ?? run.config.kubernetes?.replicas ?? 0;
  const scaler = run.deps.scaler;
  if (scaler === undefined) return configured;
  try {
    return (await scaler.capacity(run.prepared.stable)).desired;
  } catch {
    return configured;
  }
}
