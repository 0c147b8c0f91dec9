/**
 * The event streams the report tests read: output of the real CLI, `bluegreen rehearse --json`,
 * committed under fixtures/ (fixtures/README.md has the commands). Raw events are parsed here
 * with JSON.parse alone, so expectations never come from the code under test.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The committed streams. */
export const FIXTURES = {
  promoted: "promoted-dev.ndjson",
  rolledBackAlarm: "rolled-back-alarm-dev.ndjson",
  rolledBackUnreadable: "rolled-back-unreadable-orders-dev.ndjson",
  rejected: "rejected-dev.ndjson",
} as const;

/** A raw event: whatever the line held. */
export type RawEvent = Record<string, unknown> & { type: string; elapsedSeconds: number };

/** A stream's text. */
export function fixtureText(name: keyof typeof FIXTURES): string {
  return fs.readFileSync(path.join(__dirname, "fixtures", FIXTURES[name]), "utf8");
}

/** A stream's events, parsed with JSON.parse alone. */
export function rawEvents(name: keyof typeof FIXTURES): RawEvent[] {
  return fixtureText(name)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RawEvent);
}

/** Events of one type. */
export function rawOfType(events: RawEvent[], type: string): RawEvent[] {
  return events.filter((event) => event.type === type);
}

/** A stream's text with an ISO `time` and a `runId` on every event, starting at `start`. */
export function withTimes(name: keyof typeof FIXTURES, start: string, runId = "run-1"): string {
  const origin = Date.parse(start);
  return rawEvents(name)
    .map((event) =>
      JSON.stringify({ ...event, time: new Date(origin + event.elapsedSeconds * 1000).toISOString(), runId }),
    )
    .join("\n");
}
