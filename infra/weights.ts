/**
 * Weight math, kept pure: traffic is an integer percent per colour everywhere inside the project
 * and is converted only at the edges (ALB target-group weights, Lambda alias fractions).
 */
import { Colour, TrafficSplit, otherColour } from "./config/schema";

/** ALB forward-action weights per target group; each must be 0-999. */
export function albTargetGroupWeights(traffic: TrafficSplit): Record<Colour, number> {
  assertSplit(traffic);
  // The percent is already a valid weight (0-100 within 0-999), and keeping it equal to the
  // percent makes the live listener readable as the config is.
  return { blue: traffic.blue, green: traffic.green };
}

/** Converts ALB weights read back from a listener into percent, whatever scale wrote them. */
export function percentFromAlbWeights(weights: Record<Colour, number>): TrafficSplit {
  const total = weights.blue + weights.green;
  if (total <= 0)
    throw new Error(
      `a forward action with weights blue ${weights.blue}, green ${weights.green} sends traffic nowhere`,
    );
  const blue = Math.round((weights.blue * 100) / total);
  return { blue, green: 100 - blue };
}

/** The routing of a Lambda alias: the primary version and at most one additional weighted version. */
export interface AliasRouting {
  readonly functionVersion: string;
  /** Version -> fraction 0.0-1.0 of invocations; empty when the other colour gets nothing. */
  readonly additionalVersionWeights: Readonly<Record<string, number>>;
}

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
    if (!/^\d+$/.test(versions[colour])) {
      throw new Error(
        `the ${colour} version must be a published version number, got ${JSON.stringify(versions[colour])} (never $LATEST)`,
      );
    }
  }
  const fraction = traffic[candidate] / 100;
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
  const result: Record<Colour, number> = { blue: 0, green: 0 };
  const colourOf = (version: string): Colour | undefined =>
    versions.blue === version ? "blue" : versions.green === version ? "green" : undefined;
  const primary = colourOf(routing.functionVersion);
  if (!primary)
    throw new Error(
      `the alias's primary version ${routing.functionVersion} is neither colour's (blue ${versions.blue}, green ${versions.green})`,
    );
  let additionalPercent = 0;
  for (const [version, weight] of extra) {
    const colour = colourOf(version);
    if (!colour || colour === primary)
      throw new Error(`the alias's additional version ${version} is not the other colour's`);
    additionalPercent = Math.round(weight * 100);
    result[colour] = additionalPercent;
  }
  result[primary] = 100 - additionalPercent;
  return result;
}

function assertSplit(traffic: TrafficSplit): void {
  for (const colour of ["blue", "green"] as const) {
    const value = traffic[colour];
    if (!Number.isInteger(value) || value < 0 || value > 100) {
      throw new Error(`traffic.${colour} must be a whole percent 0-100, got ${value}`);
    }
  }
  if (traffic.blue + traffic.green !== 100) {
    throw new Error(`traffic must sum to 100, got blue ${traffic.blue} + green ${traffic.green}`);
  }
}
