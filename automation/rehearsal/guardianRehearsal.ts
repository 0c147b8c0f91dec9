/**
 * A rehearsal whose scenario kills the driver: the stack's guardian watches it on the virtual
 * clock, and once it has put traffic back on the stable colour the stack is reconciled, as
 * `bluegreen reconcile` would, so the rehearsal ends rolled back and says when the guardian
 * reverted. Without a kill the driver runs as always, with the guardian beside it.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import { formatDuration } from "../../infra/config/duration";
import { guardianTargetOf } from "../guardian/target";
import { type DriverDeps, type RolloutResult, reconcileTrip } from "../rollout";
import { Emitter } from "../rollout/emitter";
import { result } from "../rollout/types";
import { SimulatedGuardian } from "./simulatedGuardian";
import type { SimulatedWorld } from "./simulatedWorld";
import type { VirtualClock } from "./virtualClock";
import { GUARDIAN_SCHEDULE_SECONDS } from "../../components/domain/guardian";

/** What the rehearsal with a guardian runs on. */
export interface GuardedRehearsal {
  readonly world: SimulatedWorld;
  readonly clock: VirtualClock;
  /** The driver's ports over the world, alive: the reconcile after the trip uses them. */
  readonly deps: DriverDeps;
  readonly config: BluegreenConfig;
  readonly stackName: string;
  /** Runs the driver on the ports it is given. */
  readonly drive: (deps: DriverDeps) => Promise<RolloutResult>;
}

/** Runs the rehearsed driver with the guardian watching; see the module's comment. */
export async function rehearseWithGuardian(run: GuardedRehearsal): Promise<RolloutResult> {
  const { world, clock, deps, config } = run;
  const startedAt = clock.now();
  const timeout = config.guardian.driverTimeout;
  const target = guardianTargetOf({
    stack: run.stackName,
    outputs: world.deployedOutputs(),
    region: "rehearsal",
    driverTimeoutSeconds: timeout,
  });
  const guardian = new SimulatedGuardian({
    target,
    record: world.control,
    router: world.router,
    clock,
    startMs: startedAt,
  });
  world.onAlarm((names, state, atMs) => guardian.alarmChanged(names, state, atMs));
  const emitter = new Emitter(deps.events, deps.clock, startedAt);
  const rollout = run.drive(world.driverKill.wrap(deps));
  const first = await Promise.race([
    rollout.then((ended) => ({ ended })),
    world.driverKill.whenKilled.then((killedAt) => ({ killedAt })),
  ]);
  if ("ended" in first) {
    guardian.stop();
    return first.ended;
  }
  const { killedAt } = first;
  emitter.warn(
    `the driver was killed ${formatDuration(Math.round((killedAt - startedAt) / 1000))} into the rollout: no revert and no completed event from it; the guardian watches the stack`,
  );
  // Nothing else moves the virtual clock now: walk it second by second until the guardian acts.
  const limit = killedAt + (timeout + 2 * GUARDIAN_SCHEDULE_SECONDS) * 1000;
  while (guardian.revert === undefined && clock.now() < limit) {
    await clock.sleep(1_000);
    await guardian.settled();
  }
  guardian.stop();
  await guardian.settled();
  const done = (ending: RolloutResult): RolloutResult => {
    emitter.emit({
      type: "completed",
      outcome: ending.outcome,
      exitCode: ending.exitCode,
      reason: ending.reason,
    });
    return ending;
  };
  const reverted = guardian.revert;
  if (reverted === undefined) {
    return done(
      result(
        "failed",
        `the driver was killed and the guardian did not revert within ${formatDuration(timeout + 2 * GUARDIAN_SCHEDULE_SECONDS)}`,
      ),
    );
  }
  emitter.warn(
    `the guardian reverted traffic to ${reverted.result.stable} at ${formatDuration(Math.round((reverted.at - startedAt) / 1000))} (${formatDuration(Math.round((reverted.at - killedAt) / 1000))} after the driver was killed): ${reverted.result.detail}`,
  );
  const trip = (await world.control.readRecord()).trip;
  if (trip === undefined) return done(result("failed", "the guardian reverted but recorded no trip"));
  const reconciled = await reconcileTrip(deps, { config, trip, startedAt });
  if (reconciled.outcome === "rolled-back") await world.control.reconcileTrip(trip.runId);
  return reconciled;
}
