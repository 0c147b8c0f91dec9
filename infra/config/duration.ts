/**
 * Durations in stack config are written the way people say them: "90s", "5m", "1h30m".
 * They are converted to whole seconds once, at the config boundary.
 */

const DURATION_PARTS = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * The text of a duration, as the JSON Schema states it for editors: at least one of hours, minutes
 * and seconds, in that order, with the surrounding whitespace `parseDuration` ignores.
 */
export const DURATION_PATTERN = /^\s*(?=\d)(\d+h)?(\d+m)?(\d+s)?\s*$/;

/** Parses "1h30m", "5m", "90s" into whole seconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PARTS.exec(text.trim());
  if (!match || text.trim() === "") {
    return undefined;
  }
  const [, hours, minutes, seconds] = match;
  if (hours === undefined && minutes === undefined && seconds === undefined) {
    return undefined;
  }
  return Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}

/** Formats seconds back into the shortest "1h2m3s" form, for messages and plans. */
export function formatDuration(totalSeconds: number): string {
  const whole = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  const parts = [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds ? `${seconds}s` : ""];
  const text = parts.join("");
  return text === "" ? "0s" : text;
}
