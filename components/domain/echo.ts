/**
 * How a message echoes what the user typed or wrote: enough to recognise the value, never a wall
 * of text. A pasted file or a runaway shell expansion in a flag, a scenario or a stack file must
 * not bury the message that explains it. The config schema, the domain's own rules and the CLI
 * all cut values with this one rule.
 */

/** The most characters of a user's value a message repeats. */
export const ECHO_LIMIT = 60;

/** The value cut to `limit` characters, with `…` and the full length when it was longer. */
export function cutInput(value: string, limit = ECHO_LIMIT): string {
  const characters = [...value];
  if (characters.length <= limit) return value;
  return `${characters.slice(0, limit).join("")}… (${characters.length} characters)`;
}

/** The value as a JSON string, cut like `cutInput` (the length note outside the quotes). */
export function quoteInput(value: string, limit = ECHO_LIMIT): string {
  const characters = [...value];
  if (characters.length <= limit) return JSON.stringify(value);
  return `${JSON.stringify(`${characters.slice(0, limit).join("")}…`)} (${characters.length} characters)`;
}

/** Any parsed value as JSON (a string quoted), cut to a readable length; `nothing` for undefined. */
export function describeInput(value: unknown, limit = ECHO_LIMIT): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return quoteInput(value, limit);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return cutInput(text, limit);
}
