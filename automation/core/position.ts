/**
 * Where a rollout stands, derived from what the world shows (the deployed outputs and the live
 * split), never from a previous run's memory: a crashed run is simply started again with --resume.
 */
import type { Plan } from "./plan";
import {
  type TrafficSplit,
  type StackOutputs,
  formatSplit,
  otherColour,
  sameSplit,
} from "../../components/domain";

/** The parts of the deployed outputs the position depends on. */
export type DeployedState = Pick<StackOutputs, "stableColour" | "traffic" | "slots">;

/** Where to pick a rollout up. */
export type Position =
  /** The candidate's slot does not hold the version yet: deploy it. */
  | { readonly kind: "deploy" }
  /** The version is deployed to the candidate, which has no traffic: check readiness, then step. */
  | { readonly kind: "readiness" }
  /** Traffic is on the candidate: re-shift to this step (index into the plan) and bake it from its start. */
  | { readonly kind: "step"; readonly step: number }
  /** Outputs and live split disagree in a way no step explains: the only safe move is back. */
  | { readonly kind: "inconsistent"; readonly reason: string };

/**
 * Whether a rollout is under way: the candidate has weight in the deployed outputs or live, or the
 * live split is not what the last update applied.
 */
export function isInProgress(
  deployed: Pick<DeployedState, "stableColour" | "traffic">,
  live: TrafficSplit,
): boolean {
  const candidate = otherColour(deployed.stableColour);
  return deployed.traffic[candidate] > 0 || live[candidate] > 0 || !sameSplit(live, deployed.traffic);
}

/**
 * The plan step the live candidate weight stands for: the step with that weight, or else the last
 * step below it, so a resumed run never sends more than was live. A weight below the first step
 * maps to the first step, the least exposure the plan knows.
 */
export function stepForWeight(plan: Plan, weight: number): number {
  const exact = plan.findIndex((step) => step.weight === weight);
  if (exact >= 0) return exact;
  let below = -1;
  plan.forEach((step, index) => {
    if (step.weight < weight) below = index;
  });
  return Math.max(below, 0);
}

/**
 * Where a rollout of `version` stands. A crash mid-shift leaves the live split one step ahead of
 * the outputs (the router changed, the update's outputs were not saved yet); that is the only
 * disagreement a step explains.
 */
export function derivePosition(
  plan: Plan,
  deployed: DeployedState,
  live: TrafficSplit,
  version: string,
): Position {
  const candidate = otherColour(deployed.stableColour);
  const liveWeight = live[candidate];
  const deployedWeight = deployed.traffic[candidate];
  if (liveWeight + live[deployed.stableColour] !== 100) {
    return { kind: "inconsistent", reason: `the live split ${formatSplit(live)} does not sum to 100` };
  }
  if (liveWeight === 0) {
    if (deployedWeight > 0) {
      return {
        kind: "inconsistent",
        reason: `the stack applied ${deployedWeight}% to ${candidate} but the live split is ${formatSplit(live)}: a revert was cut short or someone moved traffic`,
      };
    }
    return deployed.slots[candidate].version === version ? { kind: "readiness" } : { kind: "deploy" };
  }
  const step = stepForWeight(plan, liveWeight);
  const exact = plan[step].weight === liveWeight;
  const previousWeight = step > 0 ? plan[step - 1].weight : 0;
  if (deployedWeight === liveWeight || (exact && deployedWeight === previousWeight)) {
    return { kind: "step", step };
  }
  return {
    kind: "inconsistent",
    reason: `the stack applied ${deployedWeight}% to ${candidate} but ${liveWeight}% is live; no step of the plan (${plan
      .map((entry) => `${entry.weight}%`)
      .join(", ")}) explains that`,
  };
}

/** What a new run should do, decided before anything is written. */
export type StartDecision =
  | {
      readonly kind: "start";
      readonly from: Exclude<Position, { kind: "inconsistent" }>;
      readonly resumed: boolean;
    }
  | { readonly kind: "reject"; readonly check: string; readonly reason: string }
  | { readonly kind: "revert"; readonly reason: string };

/**
 * Whether a run of `version` may start, given what is deployed and live. Never mixes two
 * candidates; without `resume`, never touches a rollout already under way.
 */
export function assessStart(
  plan: Plan,
  deployed: DeployedState,
  live: TrafficSplit,
  version: string,
  resume: boolean,
): StartDecision {
  const stable = deployed.stableColour;
  const candidate = otherColour(stable);
  const candidateVersion = deployed.slots[candidate].version;
  if (!isInProgress(deployed, live)) {
    if (deployed.slots[stable].version === version) {
      return {
        kind: "reject",
        check: "version",
        reason: `version ${version} already serves 100% on ${stable}; nothing to roll out`,
      };
    }
    if (resume && candidateVersion === version) {
      return { kind: "start", from: { kind: "readiness" }, resumed: true };
    }
    return { kind: "start", from: { kind: "deploy" }, resumed: false };
  }
  const where = `${candidate} runs ${candidateVersion} with ${live[candidate]}% live (the stack applied ${deployed.traffic[candidate]}%)`;
  if (candidateVersion !== version) {
    return {
      kind: "reject",
      check: "in-progress",
      reason: `a rollout of ${candidateVersion} is in progress (${where}); refusing to start ${version}, which would mix two candidates: finish it, or revert it with \`bluegreen abort\` first`,
    };
  }
  if (!resume) {
    return {
      kind: "reject",
      check: "in-progress",
      reason: `a rollout of ${version} is already in progress (${where}): continue it with --resume, or revert it with \`bluegreen abort\``,
    };
  }
  const position = derivePosition(plan, deployed, live, version);
  if (position.kind === "inconsistent") return { kind: "revert", reason: position.reason };
  return { kind: "start", from: position, resumed: true };
}
