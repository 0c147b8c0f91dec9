import * as fs from "node:fs";

/**
 * What the tests that spawn the CLI share: reading an NDJSON file a process is still writing, and
 * waiting for a condition with a deadline instead of a fixed sleep.
 */

/** The JSON objects of an NDJSON file, one per non-empty line; none while it does not exist. */
export function ndjsonLines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Resolves once `check` holds; rejects naming `what` after `limitMs`. */
export async function until(
  what: string,
  check: () => boolean,
  limitMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
