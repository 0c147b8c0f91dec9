/**
 * Writing the audit line from a command: the log path comes from the environment, and a log that
 * cannot be written is reported without changing the rollout's exit code (the rollout already
 * happened; failing the job now would hide its real outcome).
 */
import { type AuditRecord, appendAuditRecord, auditLogPath } from "../audit";
import type { CliIo } from "./io";

/** Appends the record to BLUEGREEN_AUDIT_LOG or `.bluegreen/audit.ndjson`; warns on stderr when it cannot. */
export async function recordAudit(io: CliIo, record: AuditRecord): Promise<void> {
  const file = auditLogPath(io.cwd, io.env.BLUEGREEN_AUDIT_LOG);
  try {
    await appendAuditRecord(file, record);
  } catch (error) {
    io.stderr.write(
      `warning: could not append the audit record to ${file}: ${(error as Error).message}; set BLUEGREEN_AUDIT_LOG to a writable file\n`,
    );
  }
}
