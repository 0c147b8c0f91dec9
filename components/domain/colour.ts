/**
 * The two colours a service runs in. Everything that names a colour (config, stack outputs,
 * components, the driver) uses this one type.
 */
import { z } from "zod";
import { describe } from "./describe";

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
