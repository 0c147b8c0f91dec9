/**
 * The colours a service runs in, the traffic split between them and the plan that steps it: a
 * whole percent per colour, summing to 100, is the one unit of traffic inside the project. It has
 * one validator ({@link splitProblem}) and is converted only at the edges, each converter with its
 * way back: ALB target-group weights, Lambda alias routing and HTTPRoute backend weights. A plan
 * is data (Argo Rollouts' `setWeight` + `pause` steps): the candidate's percent and how long to
 * watch it there.
 */
import { z } from "zod";
import { describeInput } from "./echo";

/**
 * Renders a value for an error message: strings quoted, structures as JSON, nothing as "nothing",
 * cut by the echo rule (`describeInput`) so a 10 kB value cannot bury the message about it.
 */
export function describe(value: unknown): string {
  return describeInput(value);
}

/** The two colours a service runs in. */
export const COLOURS = ["blue", "green"] as const;

/** A colour: `blue` or `green`. */
export type Colour = (typeof COLOURS)[number];

/** The other colour. */
export function otherColour(colour: Colour): Colour {
  return colour === "blue" ? "green" : "blue";
}

/** Whether a value is a colour; components check plain args with it. */
export function isColour(value: unknown): value is Colour {
  return value === "blue" || value === "green";
}

/** A colour as written in a stack file or read from stack outputs. */
export const colourSchema = z.enum(COLOURS, {
  error: (issue) => `expected "blue" or "green", got ${describe(issue.input)}`,
});

/** The smallest and largest percent a colour can get. */
export const PERCENT_RANGE = { min: 0, max: 100 } as const;

/** What the two colours' percents add up to. */
export const SPLIT_TOTAL = 100;

/** Whether a value is a whole percent from 0 to 100. */
export function isWholePercent(value: unknown): value is number {
  return (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= PERCENT_RANGE.min &&
    value <= PERCENT_RANGE.max
  );
}

/**
 * Why a value is not a traffic split, or undefined when it is one. The one statement of the rule:
 * the schema below, the converters and the components all decide with it.
 */
export function splitProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `traffic must be { blue, green } in whole percent, got ${describe(value)}`;
  }
  const split = value as Record<string, unknown>;
  for (const colour of COLOURS) {
    if (!isWholePercent(split[colour])) {
      return `traffic.${colour} must be a whole percent from 0 to 100, got ${describe(split[colour])}`;
    }
  }
  const { blue, green } = split as Record<Colour, number>;
  if (blue + green !== SPLIT_TOTAL) {
    return `traffic must sum to ${SPLIT_TOTAL}, got blue ${blue} + green ${green}`;
  }
  return undefined;
}

/** Throws an Error naming what is wrong unless `value` is a traffic split. */
export function assertSplit(value: unknown): asserts value is TrafficSplit {
  const problem = splitProblem(value);
  if (problem !== undefined) throw new Error(problem);
}

/** Whether `value` is a split: a whole percent 0-100 per colour, summing to 100. */
export function isSplit(value: unknown): value is TrafficSplit {
  return splitProblem(value) === undefined;
}

function percentMessage(issue: { input?: unknown }): string {
  const input = issue.input;
  return typeof input === "string" && /^\s*\d+(\.\d+)?\s*%\s*$/.test(input)
    ? `expected a whole-number percent, got ${describe(input)}: write ${input.replace(/[\s%]/g, "")} without the % sign`
    : `expected a whole-number percent from 0 to 100, got ${describe(input)}`;
}

/** One colour's percent, as a stack file or the stack outputs carry it. */
export const percentSchema = z
  .int({ error: percentMessage })
  .min(PERCENT_RANGE.min, { error: percentMessage })
  .max(PERCENT_RANGE.max, { error: percentMessage });

/**
 * The sum rule of a split as a zod check, for any object schema of two percents: each colour's
 * problem is reported at its own key first, then {@link splitProblem} judges the whole.
 */
export function splitSumCheck(ctx: z.core.ParsePayload<{ blue: number; green: number }>): void {
  if (splitProblem(ctx.value) === undefined) return;
  const { blue, green } = ctx.value;
  ctx.issues.push({
    code: "custom",
    input: ctx.value,
    message: `blue ${blue} + green ${green} = ${blue + green}; the two must sum to ${SPLIT_TOTAL}, for example { blue: 90, green: 10 }`,
    // Like a refinement: the checks of an object around the split still run.
    continue: true,
  });
}

/** A traffic split as a stack file or the stack outputs carry it. */
export const trafficSplitSchema = z
  .strictObject({ blue: percentSchema, green: percentSchema })
  .check(splitSumCheck);

/** Percent of traffic per colour. */
export type TrafficSplit = z.output<typeof trafficSplitSchema>;

/** The split that sends `weight` percent to the candidate and the rest to the other colour. */
export function splitFor(candidate: Colour, weight: number): TrafficSplit {
  const rest = SPLIT_TOTAL - weight;
  return candidate === "blue" ? { blue: weight, green: rest } : { blue: rest, green: weight };
}

/** Whether two splits send the same percent to each colour. */
export function sameSplit(a: TrafficSplit, b: TrafficSplit): boolean {
  return a.blue === b.blue && a.green === b.green;
}

/** A split for messages: `blue 90 / green 10`. */
export function formatSplit(split: TrafficSplit): string {
  return `blue ${split.blue} / green ${split.green}`;
}

/** ALB forward-action weights per target group; each must be 0-999. */
export function albTargetGroupWeights(traffic: TrafficSplit): Record<Colour, number> {
  assertSplit(traffic);
  // The percent is already a valid weight (0-100 within 0-999), and keeping it equal to the
  // percent makes the live listener readable as the config is.
  return { blue: traffic.blue, green: traffic.green };
}

/** Converts ALB weights read back from a listener into percent, whatever scale wrote them. */
export function percentFromAlbWeights(weights: Record<Colour, number>): TrafficSplit {
  return percentFromProportions(weights, "a forward action");
}

/**
 * HTTPRoute backend weights per colour. The Gateway API takes any integers from 0 to 1,000,000 and
 * splits by their proportion; keeping them equal to the percent makes the live route read like the
 * config.
 */
export function httpRouteBackendWeights(traffic: TrafficSplit): Record<Colour, number> {
  assertSplit(traffic);
  return { blue: traffic.blue, green: traffic.green };
}

/** Converts HTTPRoute backend weights read back from a route into percent, whatever scale wrote them. */
export function percentFromHttpRouteWeights(weights: Record<Colour, number>): TrafficSplit {
  return percentFromProportions(weights, "an HTTPRoute rule");
}

function percentFromProportions(weights: Record<Colour, number>, what: string): TrafficSplit {
  const total = weights.blue + weights.green;
  if (total <= 0)
    throw new Error(
      `${what} with weights blue ${weights.blue}, green ${weights.green} sends traffic nowhere`,
    );
  const blue = Math.round((weights.blue * SPLIT_TOTAL) / total);
  return { blue, green: SPLIT_TOTAL - blue };
}

/** The routing of a Lambda alias: the primary version and at most one additional weighted version. */
export interface AliasRouting {
  readonly functionVersion: string;
  /** Version -> fraction 0.0-1.0 of invocations; empty when the other colour gets nothing. */
  readonly additionalVersionWeights: Readonly<Record<string, number>>;
}

/** A published Lambda version number; `$LATEST` and aliases cannot carry weighted routing. */
const PUBLISHED_VERSION = /^\d+$/;

/**
 * The alias keeps the stable colour's version as its primary and carries the other colour as the
 * one additional version, so a revert is "drop the additional weight" whatever the split.
 */
export function lambdaAliasRouting(
  traffic: TrafficSplit,
  stable: Colour,
  versions: Record<Colour, string>,
): AliasRouting {
  assertSplit(traffic);
  const candidate = otherColour(stable);
  if (versions[stable] === versions[candidate]) {
    throw new Error(`blue and green must be different published versions, both are ${versions[stable]}`);
  }
  for (const colour of [stable, candidate]) {
    if (!PUBLISHED_VERSION.test(versions[colour])) {
      throw new Error(
        `the ${colour} version must be a published version number, got ${describe(versions[colour])} (never $LATEST)`,
      );
    }
  }
  const fraction = traffic[candidate] / SPLIT_TOTAL;
  return {
    functionVersion: versions[stable],
    additionalVersionWeights: fraction > 0 ? { [versions[candidate]]: fraction } : {},
  };
}

/** Reads a live alias back into percent per colour. */
export function percentFromAliasRouting(
  routing: AliasRouting,
  versions: Record<Colour, string>,
): TrafficSplit {
  const extra = Object.entries(routing.additionalVersionWeights);
  if (extra.length > 1)
    throw new Error(`the alias routes to ${extra.length} additional versions; bluegreen manages exactly one`);
  const colourOf = (version: string): Colour | undefined =>
    COLOURS.find((colour) => versions[colour] === version);
  const primary = colourOf(routing.functionVersion);
  if (!primary)
    throw new Error(
      `the alias's primary version ${routing.functionVersion} is neither colour's (blue ${versions.blue}, green ${versions.green})`,
    );
  const result: Record<Colour, number> = { blue: 0, green: 0 };
  let additionalPercent = 0;
  for (const [version, weight] of extra) {
    const colour = colourOf(version);
    if (!colour || colour === primary)
      throw new Error(`the alias's additional version ${version} is not the other colour's`);
    additionalPercent = Math.round(weight * SPLIT_TOTAL);
    result[colour] = additionalPercent;
  }
  result[primary] = SPLIT_TOTAL - additionalPercent;
  return result;
}

/** What a paused rollout does when nobody answers in time: revert, or go on as if approved. */
export type PauseTimeoutAction = "abort" | "promote";

/** The actions a pause can take at its timeout. */
export const PAUSE_TIMEOUT_ACTIONS: readonly PauseTimeoutAction[] = ["abort", "promote"];

/**
 * An approval gate after a step's bake: the rollout holds the step's weight, still watching the
 * alarms, until an operator resumes, promotes or aborts it, or until `timeoutSeconds` pass.
 */
export interface PlanPause {
  /** Seconds to wait for an answer; undefined waits until one comes. */
  readonly timeoutSeconds?: number;
  /** What happens at the timeout. */
  readonly onTimeout: PauseTimeoutAction;
}

/**
 * One step of a resolved plan: the new colour's percent, how long to watch it, in seconds, and
 * the pause for approval after the bake, when the step has one.
 */
export interface PlanStep {
  readonly weight: number;
  readonly bakeSeconds: number;
  readonly pause?: PlanPause;
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
  /**
   * Slower and more careful, for production: a 5% canary, a person's approval before the last step
   * (abort when nobody answers within 2 hours, so an unattended run ends rather than holding half
   * the traffic on the candidate) and 15 minutes of stable metrics at the end.
   */
  careful: [
    { weight: 5, bakeSeconds: 600 },
    { weight: 10, bakeSeconds: 600 },
    { weight: 25, bakeSeconds: 600 },
    { weight: 50, bakeSeconds: 600, pause: { timeoutSeconds: 7_200, onTimeout: "abort" } },
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
  return ROLLOUT_PRESETS[name].map((step: PlanStep) =>
    step.pause === undefined
      ? { weight: step.weight, bakeSeconds: step.bakeSeconds }
      : { weight: step.weight, bakeSeconds: step.bakeSeconds, pause: { ...step.pause } },
  );
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

/**
 * What is wrong with a plan's pauses: a pause on the 100% step has nothing to gate, because the
 * candidate already serves everything and only the promotion follows.
 */
export function pauseProblems(
  steps: readonly { readonly weight: number; readonly pause?: unknown }[],
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  steps.forEach((step, index) => {
    if (step.pause !== undefined && step.pause !== false && step.weight === SPLIT_TOTAL) {
      problems.push({
        step: index,
        message: `a pause on the 100% step has nothing left to approve: the candidate already serves everything. ${
          index === 0
            ? "Add a smaller step before it and pause there"
            : `Put the pause on the step before it (step ${index}), so the rollout waits before going to 100%`
        }`,
      });
    }
  });
  return problems;
}
