/**
 * The deployment history over the local audit log (`.bluegreen/audit.ndjson`, or the file
 * BLUEGREEN_AUDIT_LOG names): what every rollout on this machine appended.
 */
import * as fs from "node:fs/promises";
import { type DeploymentRun, parseAuditLog } from "../report/auditLog";
import { type DeploymentHistory, HistoryUnavailableError } from "../report/history";

/** Reads the runs from one audit log file. */
export class AuditLogHistory implements DeploymentHistory {
  constructor(
    /** The audit log's absolute path. */
    private readonly file: string,
    /** How messages name the file: relative to the project when it is inside it. */
    private readonly displayName: string = file,
  ) {}

  /** The audit log's path. */
  get source(): string {
    return this.file;
  }

  /** Every record of the log; a line that is not a record fails the read, naming the line. */
  async runs(): Promise<DeploymentRun[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new HistoryUnavailableError(
        code === "ENOENT"
          ? `there is no audit log at ${this.displayName}: no rollout has been recorded here; run the report where the rollouts ran, or point BLUEGREEN_AUDIT_LOG at their audit log`
          : `the audit log ${this.displayName} cannot be read (${code ?? (error as Error).message})`,
      );
    }
    return parseAuditLog(text, this.displayName);
  }
}
