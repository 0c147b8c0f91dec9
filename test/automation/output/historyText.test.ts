import assert from "node:assert/strict";
import type { AuditRecord } from "../../../automation/audit";
import { formatHistory, historyRow } from "../../../automation/output/historyText";

const base: AuditRecord = {
  at: "2026-11-30T09:12:04.120Z",
  stack: "prod",
  command: "rollout",
  who: "alice",
  versions: { from: "1.4.1", to: "1.5.0" },
  outcome: "promoted",
  exitCode: 0,
  elapsedSeconds: 1500,
  rehearsal: false,
};

describe("historyRow", () => {
  const cases: { name: string; record: AuditRecord; cells: string[] }[] = [
    {
      name: "a promoted rollout",
      record: { ...base, reason: "ticket 790" },
      cells: [
        "2026-11-30 09:12Z",
        "rollout",
        "1.4.1 -> 1.5.0",
        "promoted",
        "25m",
        "alice",
        "ticket 790",
        "-",
      ],
    },
    {
      name: "a rollback with its revert",
      record: { ...base, outcome: "rolled-back", secondsToRevert: 7.2, revertReason: "alarm x is in ALARM" },
      cells: [
        "2026-11-30 09:12Z",
        "rollout",
        "1.4.1 -> 1.5.0",
        "rolled-back",
        "25m",
        "alice",
        "-",
        "in 7s: alarm x is in ALARM",
      ],
    },
    {
      name: "an older record with a revert time and no reason",
      record: { ...base, outcome: "rolled-back", secondsToRevert: 30 },
      cells: ["2026-11-30 09:12Z", "rollout", "1.4.1 -> 1.5.0", "rolled-back", "25m", "alice", "-", "in 30s"],
    },
    {
      name: "a rehearsal, named once",
      record: { ...base, command: "rehearse", rehearsal: true },
      cells: ["2026-11-30 09:12Z", "rehearse", "1.4.1 -> 1.5.0", "promoted", "25m", "alice", "-", "-"],
    },
    {
      name: "a direct abort with no version known",
      record: { ...base, command: "abort", outcome: "aborted", versions: {}, elapsedSeconds: 42 },
      cells: ["2026-11-30 09:12Z", "abort", "? -> ?", "aborted", "42s", "alice", "-", "-"],
    },
    {
      name: "a long reason, cut to 60 characters",
      record: { ...base, reason: "r".repeat(61) },
      cells: [
        "2026-11-30 09:12Z",
        "rollout",
        "1.4.1 -> 1.5.0",
        "promoted",
        "25m",
        "alice",
        `${"r".repeat(59)}…`,
        "-",
      ],
    },
  ];
  for (const { name, record, cells } of cases) {
    it(name, () => assert.deepEqual(historyRow(record), cells));
  }
});

describe("formatHistory", () => {
  it("says when there are no runs", () => assert.equal(formatHistory([]), "no runs recorded\n"));
});
