/**
 * The rollout plan as data: steps of (weight to the candidate, bake), and the arithmetic the loop
 * needs on it. Time is plain numbers (seconds in the plan, epoch milliseconds for instants).
 */
import type { PlanStep } from "../../infra/config/validate";

/** A resolved plan: weights strictly increasing, the last one 100 (the config schema enforces it). */
export type Plan = readonly PlanStep[];

/** Seconds a rollout takes when every bake runs to its end and nothing waits. */
export function planDuration(plan: Plan): number {
  return plan.reduce((total, step) => total + step.bakeSeconds, 0);
}

/**
 * When the loop polls next: the first instant after `now` on the step's grid (its start plus whole
 * poll intervals), or the bake's end when that comes first. Polling on a fixed grid keeps the
 * cadence even when a poll's reads were slow or retried; landing exactly on the bake's end makes
 * the last look at the alarms the moment the step would advance.
 */
export function nextPollAt(
  stepStartedAt: number,
  bakeSeconds: number,
  pollSeconds: number,
  now: number,
): number {
  const pollMs = pollSeconds * 1000;
  const bakeEnd = stepStartedAt + bakeSeconds * 1000;
  const intervals = Math.floor((now - stepStartedAt) / pollMs) + 1;
  const onGrid = stepStartedAt + Math.max(1, intervals) * pollMs;
  return bakeEnd > now && bakeEnd < onGrid ? bakeEnd : onGrid;
}

/** Seconds of a step's bake still to run at `now`; 0 once it has passed. */
export function remainingBakeSeconds(stepStartedAt: number, bakeSeconds: number, now: number): number {
  return Math.max(0, bakeSeconds - (now - stepStartedAt) / 1000);
}
