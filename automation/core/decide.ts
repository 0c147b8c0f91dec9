/**
 * The rollout's decision, pure: given the plan and one observation of the world, what to do next.
 * The loop gathers the observation (alarm readings, the live split, operator requests, the
 * signal), calls `decide`, and carries the decision out.
 */
import type { Outcome } from "../events";
import type { ControlRequestKind } from "../ports";
import type { AlarmVerdict } from "./alarms";
import { type Hold, PLAN_HOLD, formatWait, holdRemainingSeconds, operatorHold } from "./gate";
import type { Plan } from "./plan";
import { remainingBakeSeconds } from "./plan";
import { type TrafficSplit, formatSplit, sameSplit } from "../../components/domain";

/** Why a rollout is reverted. */
export type RevertCause =
  | "signal"
  | "abort"
  | "alarm"
  | "alarms-unreadable"
  | "split-unreadable"
  | "drift"
  | "deploy-failed"
  | "not-ready"
  | "check-failed"
  | "shift-failed"
  | "promote-failed"
  | "inconsistent"
  | "pause-timeout"
  | "unexpected";

/**
 * The outcome a revert for `cause` ends in: operator stops are "aborted" (a pause nobody approved
 * in time too: the stack file asked for that, and the change did not fail), errors "failed", the
 * rest "rolled-back".
 */
export function outcomeOf(cause: RevertCause): Extract<Outcome, "rolled-back" | "aborted" | "failed"> {
  if (cause === "signal" || cause === "abort" || cause === "pause-timeout") return "aborted";
  if (cause === "unexpected") return "failed";
  return "rolled-back";
}

/** Everything the loop saw at one poll of a bake. Instants are epoch milliseconds. */
export interface Observation {
  readonly now: number;
  /** The step being baked (index into the plan). */
  readonly step: number;
  /** When this step's split was verified live. */
  readonly stepStartedAt: number;
  /** The split this rollout set for the step. */
  readonly expected: TrafficSplit;
  /** The live split read at this poll, or undefined when it could not be read. */
  readonly live?: TrafficSplit;
  /** Consecutive polls whose live split could not be read, this one included. */
  readonly liveReadFailures: number;
  /** The alarms' verdict at this poll, or undefined when they could not be read. */
  readonly alarms?: AlarmVerdict;
  /** Consecutive polls whose alarms could not be read, this one included. */
  readonly alarmReadFailures: number;
  /** `bluegreen:rollout.maxAlarmReadFailures`: the limit for both kinds of failed reads. */
  readonly maxReadFailures: number;
  /** An operator's request taken at this poll. */
  readonly request?: { readonly kind: ControlRequestKind; readonly by: string };
  /** Whether the run was told to stop (SIGINT/SIGTERM). */
  readonly signalled: boolean;
  /** The hold in force for this step after its bake: the plan's pause or an operator's request. */
  readonly hold?: Hold;
  /** When the step's pause began, once its bake has ended and the rollout waits for an answer. */
  readonly pausedSince?: number;
}

/** A change to the step's hold that the loop keeps for the polls after this one. */
export type HoldChange =
  /** Hold after the bake (an operator's `pause`). */
  | { readonly kind: "hold"; readonly hold: Hold }
  /** Do not hold after the bake (a `resume` before the pause began). */
  | { readonly kind: "release"; readonly by: string };

/** What to do next. */
export type Decision =
  /** Move to `step` (index into the plan), whose weight is `weight`. `early` names who ended the bake before its end. */
  | { readonly kind: "shift"; readonly step: number; readonly weight: number; readonly early?: string }
  /** Keep baking. `ignored` explains an operator request that was not honoured; `change` is kept for later polls. */
  | {
      readonly kind: "bake";
      readonly step: number;
      readonly remainingSeconds: number;
      readonly ignored?: string;
      readonly change?: HoldChange;
    }
  /**
   * Hold the step's weight and wait for an answer, still watching. `since` is when the pause
   * began (this poll, when it begins now); `hold` is the hold in force from now on.
   */
  | {
      readonly kind: "wait";
      readonly step: number;
      readonly since: number;
      readonly hold: Hold;
      /** Seconds before the pause times out; undefined when it waits until someone answers. */
      readonly remainingSeconds?: number;
      readonly ignored?: string;
    }
  /** Put traffic back on the stable colour now. */
  | { readonly kind: "revert"; readonly cause: RevertCause; readonly reason: string }
  /** Every step baked clean: promote the candidate. `early` names who skipped the remaining steps. */
  | { readonly kind: "complete"; readonly early?: string };

/**
 * The decision at one poll. Stopping beats everything, reverting beats advancing, and advancing
 * needs both a clean alarm verdict and a verified live split at this very poll: a bake whose end
 * has come holds while anything is unknown, until the unknown resolves or its deadline reverts.
 */
export function decide(plan: Plan, observation: Observation): Decision {
  const { step, request } = observation;
  if (step < 0 || step >= plan.length) {
    throw new Error(`decide: step must be an index into the ${plan.length}-step plan, got ${step}`);
  }
  if (observation.signalled) {
    return { kind: "revert", cause: "signal", reason: "the run was interrupted (SIGINT/SIGTERM)" };
  }
  if (request?.kind === "abort") {
    return { kind: "revert", cause: "abort", reason: `aborted by ${request.by}` };
  }
  if (observation.alarms?.kind === "revert") {
    return { kind: "revert", cause: "alarm", reason: observation.alarms.reason };
  }
  if (observation.alarmReadFailures >= observation.maxReadFailures) {
    return {
      kind: "revert",
      cause: "alarms-unreadable",
      reason: `alarms unreadable: ${observation.alarmReadFailures} consecutive polls could not read the alarm states (limit ${observation.maxReadFailures})`,
    };
  }
  if (observation.liveReadFailures >= observation.maxReadFailures) {
    return {
      kind: "revert",
      cause: "split-unreadable",
      reason: `live split unreadable: ${observation.liveReadFailures} consecutive polls could not read it (limit ${observation.maxReadFailures})`,
    };
  }
  if (observation.live && !sameSplit(observation.live, observation.expected)) {
    return {
      kind: "revert",
      cause: "drift",
      reason: `the live split changed to ${formatSplit(observation.live)} while this rollout had set ${formatSplit(observation.expected)}: someone else wrote the routing`,
    };
  }

  const clean = observation.alarms?.kind === "ok" && observation.live !== undefined;
  const remainingSeconds = remainingBakeSeconds(
    observation.stepStartedAt,
    plan[step].bakeSeconds,
    observation.now,
  );
  const isLast = step === plan.length - 1;
  const advance = (early?: string): Decision =>
    isLast
      ? { kind: "complete", early }
      : { kind: "shift", step: step + 1, weight: plan[step + 1].weight, early };

  if (observation.pausedSince !== undefined && observation.hold !== undefined) {
    return decidePaused(observation, observation.hold, observation.pausedSince, clean, advance);
  }

  let ignored: string | undefined;
  let change: HoldChange | undefined;
  let hold = observation.hold;
  if (request?.kind === "promote-full") {
    // Skipping every remaining step is an operator's call, so it skips their pauses too.
    if (clean) return { kind: "complete", early: `${request.by} (promote-full)` };
    ignored = `${request.kind} requested by ${request.by} ignored: ${whyNotClean(observation)}`;
  } else if (request?.kind === "promote") {
    // Ending the bake early does not approve the step: a step that holds goes on to its pause.
    if (hold !== undefined) return pauseNow(observation, hold);
    if (clean) return advance(`${request.by} (promote)`);
    ignored = `${request.kind} requested by ${request.by} ignored: ${whyNotClean(observation)}`;
  } else if (request?.kind === "pause") {
    if (isLast) {
      ignored = `pause requested by ${request.by} ignored: step ${step + 1} is the last, and after it only the promotion follows`;
    } else {
      hold = operatorHold(request.by);
      change = { kind: "hold", hold };
    }
  } else if (request?.kind === "resume") {
    if (hold === undefined) {
      ignored = `resume requested by ${request.by} ignored: the rollout is not paused and step ${step + 1} does not pause`;
    } else {
      hold = undefined;
      change = { kind: "release", by: request.by };
    }
  }
  if (remainingSeconds <= 0 && hold !== undefined) return pauseNow(observation, hold, ignored);
  if (remainingSeconds <= 0 && clean)
    return advance(change?.kind === "release" ? `${change.by} (resume)` : undefined);
  return { kind: "bake", step, remainingSeconds, ignored, change };
}

/** The bake is over and the step holds: the pause begins at this poll. */
function pauseNow(observation: Observation, hold: Hold, ignored?: string): Decision {
  return {
    kind: "wait",
    step: observation.step,
    since: observation.now,
    hold,
    remainingSeconds: holdRemainingSeconds(hold, observation.now, observation.now),
    ignored,
  };
}

/**
 * A poll while the rollout waits for an answer. Going on needs a clean poll, as advancing always
 * does; an abort, an alarm or a stop were already decided before this.
 */
function decidePaused(
  observation: Observation,
  hold: Hold,
  since: number,
  clean: boolean,
  advance: (early?: string) => Decision,
): Decision {
  const { request, step, now } = observation;
  let ignored: string | undefined;
  if (request?.kind === "resume" || request?.kind === "promote" || request?.kind === "promote-full") {
    if (clean) {
      return request.kind === "promote-full"
        ? { kind: "complete", early: `${request.by} (promote-full)` }
        : advance(`${request.by} (${request.kind})`);
    }
    ignored = `${request.kind} requested by ${request.by} ignored: ${whyNotClean(observation)}`;
  } else if (request?.kind === "pause") {
    // An operator who asks to hold during a pause wants it not to time out under them.
    const held = operatorHold(request.by);
    return { kind: "wait", step, since, hold: held };
  }
  const remainingSeconds = holdRemainingSeconds(hold, since, now);
  if (remainingSeconds === 0) {
    const waited = `nobody approved step ${step + 1} within ${formatWait(hold.timeoutSeconds ?? 0)} of its pause${hold.by === PLAN_HOLD ? "" : ` (held by ${hold.by})`}`;
    if (hold.onTimeout === "abort") {
      return { kind: "revert", cause: "pause-timeout", reason: `${waited}; its onTimeout is abort` };
    }
    if (clean) return advance(`${waited}; its onTimeout is promote`);
  }
  return { kind: "wait", step, since, hold, remainingSeconds, ignored };
}

function whyNotClean(observation: Observation): string {
  if (observation.alarms === undefined) return "the alarms could not be read at this poll";
  if (observation.alarms.kind === "unknown")
    return `the alarms are not all OK (${observation.alarms.reason})`;
  return "the live split could not be read at this poll";
}
