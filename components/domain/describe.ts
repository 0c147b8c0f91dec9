/**
 * How a rejected value appears in a message: exactly as it was written, so a reviewer can find it.
 */

/** Renders a value for an error message: strings quoted, structures as JSON, nothing as "nothing". */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
