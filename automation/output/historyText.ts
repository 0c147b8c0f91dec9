/**
 * The text of `bluegreen history`: one aligned line per run, newest first, so a person scanning a
 * terminal sees when, what, how it ended, how long it took, who and why at a glance. Free text (the
 * reason, the revert's reason) is cut so one run stays one line.
 */
import type { AuditRecord } from "../audit";
import { formatDuration } from "../../infra/config/duration";

/** The longest reason a line shows; the whole one is in `--json`. */
export const HISTORY_REASON_WIDTH = 60;

const HEADERS = ["started", "command", "version", "outcome", "duration", "who", "reason", "revert"] as const;

/** The runs as a header and one aligned line each, ending with a newline; a note when there are none. */
export function formatHistory(records: readonly AuditRecord[]): string {
  if (records.length === 0) return "no runs recorded\n";
  const rows = [[...HEADERS], ...records.map(historyRow)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell + " ".repeat(widths[column] - [...cell].length))
      .join("  ")
      .trimEnd(),
  );
  return `${lines.join("\n")}\n`;
}

/** One run's cells, in the order of the header. */
export function historyRow(record: AuditRecord): string[] {
  const { from, to } = record.versions;
  return [
    // Minutes in UTC: the sort key is the start, and seconds add width without telling runs apart.
    `${record.at.slice(0, 16).replace("T", " ")}Z`,
    record.rehearsal && record.command !== "rehearse" ? `${record.command} (rehearsal)` : record.command,
    `${from ?? "?"} -> ${to ?? "?"}`,
    record.outcome,
    formatDuration(record.elapsedSeconds),
    record.who,
    cut(record.reason ?? "-"),
    revert(record),
  ];
}

/** "7s: alarm x is ALARM" for a run that reverted, "-" otherwise. */
function revert(record: AuditRecord): string {
  if (record.secondsToRevert === undefined && record.revertReason === undefined) return "-";
  const seconds = record.secondsToRevert === undefined ? "?" : formatDuration(record.secondsToRevert);
  return cut(`in ${seconds}${record.revertReason === undefined ? "" : `: ${record.revertReason}`}`);
}

function cut(text: string): string {
  const characters = [...text];
  return characters.length <= HISTORY_REASON_WIDTH
    ? text
    : `${characters.slice(0, HISTORY_REASON_WIDTH - 1).join("")}…`;
}
