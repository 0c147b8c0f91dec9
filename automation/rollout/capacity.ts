/**
 * The candidate's capacity before it gets traffic. The program leaves the idle colour's count to
 * whoever scaled it, so the deploy of a candidate that was scaled down after the last rollback
 * window starts no tasks: it is scaled to the stable colour's live count here, and the driver
 * waits until that many are ready before the readiness wait and the pre-traffic check.
 */
import type { CapacityScaler, ColourCapacity } from "../ports";
import type { RunContext } from "./context";
import type { Emitter } from "./emitter";
import { describeError, RolloutStop } from "./failures";
import type { Colour } from "../../components/domain";

/** Scales the candidate up to the stable colour's desired count when it has fewer; a no-op without a scaler. */
export async function scaleUpCandidate(run: RunContext): Promise<void> {
  const scaler = run.deps.scaler;
  if (scaler === undefined) return;
  const { candidate, stable } = run.prepared;
  run.throwIfSignalled();
  let target: number;
  let current: ColourCapacity;
  try {
    target = (await run.read(() => scaler.capacity(stable, run.signal))).desired;
    current = await run.read(() => scaler.capacity(candidate, run.signal));
  } catch (error) {
    run.throwIfSignalled();
    // The readiness wait is the gate either way: a colour with nothing running never passes it.
    run.warn(
      `could not read the capacity of ${candidate} and ${stable} (${describeError(error)}); relying on the readiness wait`,
    );
    return;
  }
  if (current.desired >= target) return;
  await scaleUp(
    {
      emitter: run.emitter,
      signal: run.signal,
      pollSeconds: run.pollSeconds,
      timeoutSeconds: run.config.rollout.operationTimeout,
      now: () => run.now(),
      read: (operation) => run.read(operation),
      sleep: (ms) => run.sleep(ms),
      throwIfSignalled: () => run.throwIfSignalled(),
      heartbeat: () => run.operator.heartbeat(),
    },
    scaler,
    candidate,
    current.desired,
    target,
  );
  await unmarkScaledDown(run);
}

/**
 * After the scale-up the record must not say the candidate is scaled down: should the run revert,
 * the colour is idle again at full capacity, and the next scale-down pass (once the run has let
 * the stack go) must see it. Its window is over already, so that pass scales it down. Best effort:
 * a record left as it was only keeps the colour warm until the next promotion.
 */
async function unmarkScaledDown(run: RunContext): Promise<void> {
  const { candidate } = run.prepared;
  try {
    await run.deps.control.changeIdle?.((record) => {
      const idle = record.idle;
      if (idle?.colour !== candidate || idle.scaledDownAt === undefined) return undefined;
      const { scaledDownAt: _at, scaledTo: _to, ...rest } = idle;
      return { ...rest, windowEndsAt: Math.min(rest.windowEndsAt ?? run.now(), run.now()) };
    });
  } catch (error) {
    run.warn(`could not record that ${candidate} was scaled up (${describeError(error)})`);
  }
}

/** What a scale-up needs from the run (or the undo) it belongs to. */
export interface ScaleContext {
  readonly emitter: Pick<Emitter, "emit">;
  readonly signal: AbortSignal;
  readonly pollSeconds: number;
  /** How long the colour may take to be ready: `bluegreen:rollout.operationTimeout`. */
  readonly timeoutSeconds: number;
  now(): number;
  /** Runs a read under the read policy. */
  read<T>(operation: () => Promise<T>): Promise<T>;
  /** Sleeps; ends with the run's stop on its signal. */
  sleep(ms: number): Promise<void>;
  throwIfSignalled(): void;
  /** Tells the control record the driver still watches the stack. */
  heartbeat(): Promise<void>;
}

/**
 * Asks for `to` tasks or pods of `colour` and waits until that many are ready, within
 * the context's timeout; emits `scaling`, then `scaled` with the seconds it took.
 */
export async function scaleUp(
  run: ScaleContext,
  scaler: CapacityScaler,
  colour: Colour,
  from: number,
  to: number,
): Promise<void> {
  const started = run.now();
  run.emitter.emit({ type: "scaling", colour, from, to });
  try {
    await run.read(() => scaler.scale(colour, to, run.signal));
  } catch (error) {
    run.throwIfSignalled();
    throw new RolloutStop(
      "not-ready",
      `scaling ${colour} from ${from} to ${to} failed: ${describeError(error)}; it got no traffic`,
      run.now(),
    );
  }
  const timeoutSeconds = run.timeoutSeconds;
  const deadline = started + timeoutSeconds * 1000;
  for (;;) {
    run.throwIfSignalled();
    await run.heartbeat();
    let ready = 0;
    try {
      ready = (await run.read(() => scaler.capacity(colour, run.signal))).ready;
    } catch {
      run.throwIfSignalled();
    }
    const now = run.now();
    if (ready >= to) {
      run.emitter.emit({ type: "scaled", colour, from, to, seconds: Math.round((now - started) / 1000) });
      return;
    }
    if (now >= deadline) {
      throw new RolloutStop(
        "not-ready",
        `${colour} had ${ready} of ${to} ready ${timeoutSeconds}s after it was scaled up from ${from}; it got no traffic`,
        now,
      );
    }
    await run.sleep(Math.min(run.pollSeconds * 1000, deadline - now));
  }
}
