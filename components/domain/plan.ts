/**
 * A rollout plan as data (Argo Rollouts' `setWeight` + `pause` steps): the candidate's percent and
 * how long to watch it at that percent.
 */
import { SPLIT_TOTAL } from "./split";

/** One step of a resolved plan: the new colour's percent and how long to watch it, in seconds. */
export interface PlanStep {
  readonly weight: number;
  readonly bakeSeconds: number;
}

/** Named plans, bakes in seconds. `sop` is the deployment SOP's own. */
export const ROLLOUT_PRESETS = {
  /** The deployment SOP: 10% for 5m, 25% for 5m, 50% for 5m, 100% for 10m. */
  sop: [
    { weight: 10, bakeSeconds: 300 },
    { weight: 25, bakeSeconds: 300 },
    { weight: 50, bakeSeconds: 300 },
    { weight: 100, bakeSeconds: 600 },
  ],
  /** Slower and more careful, for production: a 5% canary and 15 minutes of stable metrics at the end. */
  careful: [
    { weight: 5, bakeSeconds: 600 },
    { weight: 10, bakeSeconds: 600 },
    { weight: 25, bakeSeconds: 600 },
    { weight: 50, bakeSeconds: 600 },
    { weight: 100, bakeSeconds: 900 },
  ],
  /** For development stacks: each bake still covers a 2-minute alarm plus metric lag. */
  quick: [
    { weight: 25, bakeSeconds: 180 },
    { weight: 100, bakeSeconds: 180 },
  ],
} as const satisfies Record<string, readonly PlanStep[]>;

/** The name of a preset plan. */
export type RolloutPreset = keyof typeof ROLLOUT_PRESETS;

/** Every preset name, `sop` first. */
export const ROLLOUT_PRESET_NAMES = Object.keys(ROLLOUT_PRESETS) as [RolloutPreset, ...RolloutPreset[]];

/** The preset a stack follows when it names neither a preset nor steps. */
export const DEFAULT_ROLLOUT_PRESET: RolloutPreset = "sop";

/** The steps of a named plan, with bakes in seconds. */
export function presetPlan(name: RolloutPreset): PlanStep[] {
  return ROLLOUT_PRESETS[name].map((step) => ({ weight: step.weight, bakeSeconds: step.bakeSeconds }));
}

/** A problem with a plan; `step` is the 0-based index of the step at fault, when one is. */
export interface PlanProblem {
  readonly step?: number;
  readonly message: string;
}

/** What is wrong with a plan's weights: empty, not strictly increasing, or not ending at 100. */
export function planProblems(weights: readonly number[]): PlanProblem[] {
  if (weights.length === 0) {
    return [{ message: "the plan is empty: give at least one step ending at weight 100" }];
  }
  const problems: PlanProblem[] = [];
  weights.forEach((weight, index) => {
    if (index > 0 && weight <= weights[index - 1]) {
      problems.push({
        step: index,
        message: `weights must strictly increase: step ${index + 1} has ${weight} after ${weights[index - 1]}`,
      });
    }
  });
  const last = weights[weights.length - 1];
  if (last !== SPLIT_TOTAL) {
    problems.push({
      step: weights.length - 1,
      message: `the last step must send 100% to the new colour, got ${last}`,
    });
  }
  return problems;
}
