/**
 * Approval gates, pure: what a step's pause (or an operator's `pause` request) makes of a poll.
 * A hold keeps the step's weight after its bake, with the alarms still watched, until an operator
 * resumes, promotes or aborts, or until the pause's timeout does what the pause says.
 */
import type { PlanPause } from "../../components/domain";

/** Who set a hold from the plan itself, as messages name it. */
export const PLAN_HOLD = "the plan";

/** A hold in force for the step being baked: the plan's pause, or an operator's `pause` request. */
export interface Hold extends PlanPause {
  /** Who holds the rollout: PLAN_HOLD, or the operator who asked. */
  readonly by: string;
}

/** The hold a step starts with: its pause in the plan, if it has one. */
export function planHold(pause: PlanPause | undefined): Hold | undefined {
  return pause === undefined ? undefined : { ...pause, by: PLAN_HOLD };
}

/** An operator's hold: until someone answers, whatever the step's own pause said about a timeout. */
export function operatorHold(by: string): Hold {
  return { by, onTimeout: "abort" };
}

/** Seconds left before a pause that began at `since` times out; undefined when it waits for an answer. */
export function holdRemainingSeconds(hold: Hold, since: number, now: number): number | undefined {
  if (hold.timeoutSeconds === undefined) return undefined;
  return Math.max(0, hold.timeoutSeconds - (now - since) / 1000);
}

/** When the next poll of a pause must come at the latest: its timeout, or never. */
export function holdDeadline(hold: Hold | undefined, since: number | undefined): number | undefined {
  if (hold?.timeoutSeconds === undefined || since === undefined) return undefined;
  return since + hold.timeoutSeconds * 1000;
}

/** A pause's timeout as messages say it: `2h`, `1h30m`, `90s`. */
export function formatWait(seconds: number): string {
  const whole = Math.round(seconds);
  const parts: [number, string][] = [
    [Math.floor(whole / 3600), "h"],
    [Math.floor((whole % 3600) / 60), "m"],
    [whole % 60, "s"],
  ];
  const text = parts
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join("");
  return text === "" ? "0s" : text;
}
