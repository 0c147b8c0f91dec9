/**
 * The traffic split: a whole percent per colour, summing to 100. This is the one unit of traffic
 * inside the project; `weights.ts` converts it at the edges (ALB weights, Lambda fractions,
 * HTTPRoute backend weights).
 */
import { z } from "zod";
import { COLOURS, Colour } from "./colour";
import { describe } from "./describe";

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
