/**
 * The rollout's decision, pure: given the plan and one observation of the world, what to do next.
 * The loop gathers the observation (alarm readings, the live split, operator requests, the
 * signal), calls `decide`, and carries the decision out.
 */
import type { Outcome } from "../events";
import type { AlarmVerdict } from "./alarms";
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
  | "unexpected";

/** The outcome a revert for `cause` ends in: operator stops are "aborted", errors "failed", the rest "rolled-back". */
export function outcomeOf(cause: RevertCause): Extract<Outcome, "rolled-back" | "aborted" | "failed"> {
  if (cause === "signal" || cause === "abort") return "aborted";
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
  readonly request?: { readonly kind: "abort" | "promote" | "promote-full"; readonly by: string };
  /** Whether the run was told to stop (SIGINT/SIGTERM). */
  readonly signalled: boolean;
}

/** What to do next. */
export type Decision =
  /** Move to `step` (index into the plan), whose weight is `weight`. `early` names who ended the bake before its end. */
  | { readonly kind: "shift"; readonly step: number; readonly weight: number; readonly early?: string }
  /** Keep baking. `ignored` explains an operator request that was not honoured. */
  | {
      readonly kind: "bake";
      readonly step: number;
      readonly remainingSeconds: number;
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

  let ignored: string | undefined;
  if (request?.kind === "promote" || request?.kind === "promote-full") {
    if (clean) {
      return request.kind === "promote-full"
        ? { kind: "complete", early: `${request.by} (promote-full)` }
        : advance(`${request.by} (promote)`);
    }
    ignored = `${request.kind} requested by ${request.by} ignored: ${whyNotClean(observation)}`;
  }
  if (remainingSeconds <= 0 && clean) return advance();
  return { kind: "bake", step, remainingSeconds, ignored };
}

function whyNotClean(observation: Observation): string {
  if (observation.alarms === undefined) return "the alarms could not be read at this poll";
  if (observation.alarms.kind === "unknown")
    return `the alarms are not all OK (${observation.alarms.reason})`;
  return "the live split could not be read at this poll";
}
