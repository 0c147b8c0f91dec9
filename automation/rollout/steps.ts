/**
 * The traffic steps: shift to each step's weight through the stack (the routing resources only)
 * and verify it live, bake it while the pure core decides at every poll, then promote the
 * candidate with a full update. A decision to revert, or any failure, throws a `RolloutStop`.
 */
import { decide, type Decision } from "../core/decide";
import { holdDeadline, planHold } from "../core/gate";
import { nextPollAt } from "../core/plan";
import { READ_RETRY } from "../core/retry";
import type { RunContext } from "./context";
import { describeError, RolloutStop } from "./failures";
import { readSplit } from "./liveSplit";
import type { PollObserver } from "./observer";
import { retrying } from "./retrying";
import { type TrafficSplit, formatSplit, sameSplit, splitFor } from "../../components/domain";

/**
 * Shifts and bakes each step from `first` on, asking the core at every poll. Returns who ended
 * the plan early, if someone did; throws a RolloutStop to revert.
 */
export async function runSteps(
  run: RunContext,
  observer: PollObserver,
  first: number,
): Promise<string | undefined> {
  let step = first;
  let early: string | undefined;
  for (;;) {
    await shift(run, step, early);
    const decision = await watchStep(run, observer, step);
    if (decision.kind === "complete") {
      if (decision.early) run.warn(`${decision.early} skipped the remaining bake; promoting now`);
      return decision.early;
    }
    if (decision.early) {
      run.warn(`${decision.early} ended the bake of step ${step + 1} early; shifting to ${decision.weight}%`);
    }
    step = decision.step;
    early = decision.early;
  }
}

/**
 * Bakes one step, and holds it while it is paused, until the core decides to move on; throws a
 * RolloutStop when it decides to revert. The step's hold (its pause, or an operator's) lives here
 * between polls: the core decides from it, and says when it changes.
 */
async function watchStep(
  run: RunContext,
  observer: PollObserver,
  step: number,
): Promise<Extract<Decision, { kind: "shift" | "complete" }>> {
  const { plan } = run;
  const stepStartedAt = run.now();
  const expected = splitFor(run.prepared.candidate, plan[step].weight);
  observer.startStep();
  let hold = planHold(plan[step].pause);
  let pausedSince: number | undefined;
  let pollAt = stepStartedAt;
  for (;;) {
    await run.sleepUntil(pollAt);
    const observed = await observer.observe(step, stepStartedAt, expected);
    const decision = decide(plan, { ...observed, hold, pausedSince });
    if (decision.kind === "revert") throw new RolloutStop(decision.cause, decision.reason, observed.now);
    if (decision.kind === "shift" || decision.kind === "complete") {
      if (pausedSince !== undefined) {
        run.emitter.emit({ type: "resumed", step: step + 1, of: plan.length, by: decision.early ?? "" });
      }
      return decision;
    }
    if (decision.kind === "bake") {
      run.emitter.emit({
        type: "baking",
        step: step + 1,
        of: plan.length,
        weight: plan[step].weight,
        remainingSeconds: Math.ceil(decision.remainingSeconds),
        alarms: observer.alarmStates(),
      });
      if (decision.change?.kind === "hold") {
        hold = decision.change.hold;
        run.warn(
          `${hold.by} asked to pause: after its bake, step ${step + 1} holds ${plan[step].weight}% until resumed`,
        );
      } else if (decision.change?.kind === "release") {
        hold = undefined;
        run.warn(
          `${decision.change.by} resumed step ${step + 1} before its pause: it goes on when its bake ends`,
        );
      }
    } else {
      if (pausedSince === undefined || decision.hold !== hold) {
        run.emitter.emit({
          type: "paused",
          stack: run.deps.stack.name,
          step: step + 1,
          of: plan.length,
          weight: plan[step].weight,
          by: decision.hold.by,
          ...(decision.remainingSeconds === undefined
            ? {}
            : { timeoutSeconds: Math.ceil(decision.remainingSeconds), onTimeout: decision.hold.onTimeout }),
        });
      }
      hold = decision.hold;
      pausedSince = decision.since;
    }
    if (decision.ignored) run.warn(decision.ignored);
    pollAt = nextPollAt(stepStartedAt, plan[step].bakeSeconds, run.pollSeconds, run.now());
    const deadline = holdDeadline(hold, pausedSince);
    if (deadline !== undefined && deadline > run.now()) pollAt = Math.min(pollAt, deadline);
  }
}

/** Sets the step's split through the stack (routing resources only), then reads it back. */
async function shift(run: RunContext, step: number, early?: string): Promise<void> {
  const { candidate, stable, outputs } = run.prepared;
  const { plan } = run;
  const weight = plan[step].weight;
  const target = splitFor(candidate, weight);
  const what = `shifting to ${weight}% on ${candidate} (step ${step + 1} of ${plan.length})`;
  run.throwIfSignalled();
  try {
    await run.release.write({ traffic: target, slots: run.rolloutSlots(), stable });
  } catch (error) {
    throw new RolloutStop(
      "shift-failed",
      `${what}: could not write the stack's release values: ${describeError(error)}`,
      run.now(),
    );
  }
  const update = await run.release.update({
    targets: outputs.routingUrns,
    message: run.updateMessage(
      `step ${step + 1}/${plan.length}: ${weight}% to ${candidate}${early ? ` (${early})` : ""}`,
    ),
  });
  if (update.kind === "failed") {
    throw new RolloutStop("shift-failed", `${what} failed: ${describeError(update.error)}`, run.now());
  }
  if (update.kind === "saved-despite-error") {
    run.warn(
      `the update for step ${step + 1} reported an error after it was saved (${describeError(update.error)}); the outputs show the new split`,
    );
  }
  let live: TrafficSplit;
  try {
    live = await run.read(() => readSplit(run.deps.router, run.signal));
  } catch (error) {
    run.throwIfSignalled();
    throw new RolloutStop(
      "shift-failed",
      `${what}: could not read the split back to verify it: ${describeError(error)}`,
      run.now(),
    );
  }
  if (!sameSplit(live, target)) {
    throw new RolloutStop(
      "shift-failed",
      `${what}: read back ${formatSplit(live)} instead of ${formatSplit(target)}; the write did not apply or someone else wrote the routing`,
      run.now(),
    );
  }
  const changed = update.kind === "applied" ? update.changed : 0;
  run.emitter.emit({ type: "shifted", step: step + 1, of: plan.length, weights: live, changed });
}

/**
 * Makes the candidate the stable colour with a full update: the program derives more from the
 * stable colour than the split (the test listener's target, the code behind Lambda's $LATEST),
 * so a later plain `pulumi up` finds nothing to change.
 */
export async function promote(run: RunContext, early: string | undefined): Promise<void> {
  const { candidate } = run.prepared;
  const version = run.request.version;
  const target = splitFor(candidate, 100);
  run.throwIfSignalled();
  try {
    await run.release.write({ traffic: target, slots: run.rolloutSlots(), stable: candidate });
  } catch (error) {
    throw new RolloutStop(
      "promote-failed",
      `promoting ${candidate}: could not write the stack's release values: ${describeError(error)}`,
      run.now(),
    );
  }
  const update = await run.release.update({
    message: run.updateMessage(`promote ${version} on ${candidate}${early ? ` (${early})` : ""}`),
  });
  if (update.kind === "failed") {
    throw new RolloutStop(
      "promote-failed",
      `promoting ${candidate} failed: ${describeError(update.error)}`,
      run.now(),
    );
  }
  if (update.kind === "saved-despite-error") {
    run.warn(
      `the promoting update reported an error after it was saved (${describeError(update.error)}); the outputs show ${candidate} as stable`,
    );
  }
  let live: TrafficSplit;
  try {
    // Not on the run's signal: a promotion that was applied is verified even when the run is cancelled.
    live = await retrying(run.deps, READ_RETRY, undefined, () => readSplit(run.deps.router));
  } catch (error) {
    throw new RolloutStop(
      "promote-failed",
      `could not verify the promoted split: ${describeError(error)}`,
      run.now(),
    );
  }
  if (!sameSplit(live, target)) {
    throw new RolloutStop(
      "promote-failed",
      `after promoting, read back ${formatSplit(live)} instead of ${formatSplit(target)}`,
      run.now(),
    );
  }
  run.emitter.emit({ type: "promoted", stable: candidate, version });
}
