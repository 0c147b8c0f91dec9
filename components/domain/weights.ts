/**
 * The split at the edges: each routing service takes its own form of weights, and each converter
 * here has its way back, so the driver can read the live weights as the config writes them.
 */
import { COLOURS, Colour, otherColour } from "./colour";
import { SPLIT_TOTAL, TrafficSplit, assertSplit } from "./split";

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
        `the ${colour} version must be a published version number, got ${JSON.stringify(versions[colour])} (never $LATEST)`,
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
