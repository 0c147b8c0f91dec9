/**
 * The undo part of `npm run bench`: how long `bluegreen undo` takes to put traffic back, in
 * virtual time, inside the rollback window (a weight change) and after it (a scale-up first).
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import type { RolloutEvent } from "../events";
import { SimulatedWorld, VirtualClock } from "../rehearsal";
import { runRollout, scaleDownIdle, undoPromotion } from "../rollout";

/**
 * Virtual seconds from the undo's start to traffic verified back. (The stack update after it takes
 * no virtual time in the simulated world, so its end is not measured here.)
 */
async function undoSeconds(config: BluegreenConfig, stack: string, afterWindow: boolean): Promise<number> {
  const clock = new VirtualClock(0);
  const world = new SimulatedWorld({ config, stackName: stack, clock });
  const rollout = await runRollout(world.driverDeps({ emit: () => undefined }), {
    config,
    version: "9.9.9",
    resume: false,
    signal: world.signal,
  });
  if (rollout.outcome !== "promoted") throw new Error(`the rollout before the undo ended ${rollout.outcome}`);
  const capacity = world.capacity;
  if (afterWindow) {
    if (capacity === undefined || config.idle.rollbackWindow === undefined) {
      throw new Error(`stack ${stack} has no rollback window to wait out`);
    }
    await clock.sleep(config.idle.rollbackWindow * 1000);
    const down = await scaleDownIdle(
      { control: world.control, router: world.router, scaler: capacity.port, clock },
      config.idle.capacity,
    );
    if (down.kind !== "scaled-down")
      throw new Error(`the idle colour was not scaled down: ${JSON.stringify(down)}`);
  }
  const started = clock.now();
  const events: RolloutEvent[] = [];
  const undone = await undoPromotion(world.driverDeps({ emit: (event) => events.push(event) }), {
    config,
    by: "bench",
  });
  const reverted = events.find((event) => event.type === "reverted");
  if (undone.outcome !== "rolled-back" || !reverted) throw new Error(`the undo ended ${undone.outcome}`);
  return (Date.parse(reverted.time) - started) / 1000;
}

/** The bench's table of undo times for `stack`. */
export async function undoTable(config: BluegreenConfig, stack: string): Promise<string[]> {
  const lines = [
    `| bluegreen undo (${stack}, virtual time) | traffic verified back on the previous colour |`,
    "| --- | --- |",
  ];
  for (const [label, afterWindow] of [
    ["inside the rollback window", false],
    ["after it (scaled down, scale-up first)", true],
  ] as const) {
    const seconds = await undoSeconds(config, stack, afterWindow);
    lines.push(`| ${label} | ${seconds.toFixed(0)}s |`);
  }
  return lines;
}
