/**
 * A value an adapter needs that may change while it lives (a deploy publishes a new Lambda version
 * for the candidate): given as is, or as a function that reads it fresh on every call.
 */

/** The value, or a function that returns its current form. */
export type Resolvable<T> = T | ((signal?: AbortSignal) => Promise<T>);

/** The current value of a `Resolvable`. */
export async function resolveValue<T extends object>(
  source: Resolvable<T>,
  signal?: AbortSignal,
): Promise<T> {
  return typeof source === "function" ? source(signal) : source;
}
