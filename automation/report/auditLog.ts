/**
 * Reading the audit log (`.bluegreen/audit.ndjson`) back into records for the DORA metrics. The
 * log is appended to by every run, by hand-edited merges and by older versions, so each line is
 * checked and a bad one is named by its line number.
 */
import { z } from "zod";
import type { AuditRecord } from "../audit";

/**
 * A run as the metrics read it: the audit record itself. Records written before `runId`,
 * `secondsToRevert` and `commitAt` existed lack them; the metrics say so where they need them.
 */
export type DeploymentRun = AuditRecord;

/** An audit log that cannot be read: the message names the line. */
export class AuditLogError extends Error {
  override readonly name = "AuditLogError";
  constructor(
    message: string,
    /** 1-based line number. */
    readonly line: number,
  ) {
    super(message);
  }
}

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), {
  message: "expected an ISO 8601 time such as 2025-11-30T21:00:00Z",
});

const recordSchema = z.looseObject({
  at: isoTime,
  stack: z.string(),
  command: z.string(),
  who: z.string(),
  versions: z.looseObject({ from: z.string().optional(), to: z.string().optional() }),
  reason: z.string().optional(),
  outcome: z.enum(["promoted", "rolled-back", "aborted", "failed", "rejected", "scaled-down"]),
  exitCode: z.number().int(),
  elapsedSeconds: z.number().finite().min(0),
  rehearsal: z.boolean(),
  runId: z.string().min(1).optional(),
  secondsToRevert: z.number().finite().min(0).optional(),
  commitAt: isoTime.optional(),
});

/**
 * Parses the audit log: one JSON record per line, blank lines skipped.
 *
 * @throws AuditLogError naming the first bad line.
 */
export function parseAuditLog(text: string, fileName = "audit log"): DeploymentRun[] {
  const runs: DeploymentRun[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const row = raw.trim();
    if (row === "") return;
    const line = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new AuditLogError(`${fileName} line ${line}: not valid JSON (${detail})`, line);
    }
    const parsed = recordSchema.safeParse(value);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((issue) => `${issue.path.map(String).join(".") || "record"}: ${issue.message}`)
        .join("; ");
      throw new AuditLogError(`${fileName} line ${line}: ${problems}`, line);
    }
    const { versions, ...rest } = parsed.data;
    runs.push({ ...rest, versions: { from: versions.from, to: versions.to } });
  });
  return runs;
}
