/**
 * Traffic splits as the decision core sees them: integer percent per colour. Kept free of any
 * import with side effects so the core stays pure.
 */
import type { Colour, TrafficSplit } from "../../infra/config/schema";

/** The other colour. The core keeps its own copy so it imports only types from the config module. */
export function other(colour: Colour): Colour {
  return colour === "blue" ? "green" : "blue";
}

/** The split that sends `weight` percent to the candidate and the rest to the other colour. */
export function splitFor(candidate: Colour, weight: number): TrafficSplit {
  const rest = 100 - weight;
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

/** Whether `value` is a split: a whole percent 0-100 per colour, summing to 100. */
export function isSplit(value: unknown): value is TrafficSplit {
  if (typeof value !== "object" || value === null) return false;
  const { blue, green } = value as Record<string, unknown>;
  const percent = (n: unknown): n is number =>
    typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 100;
  return percent(blue) && percent(green) && blue + green === 100;
}
