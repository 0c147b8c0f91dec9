/**
 * Where the DORA metrics read past runs from. Today that is the project's local audit log; a
 * history shared by every runner (an object store, a table) comes later and only has to answer
 * this port.
 */
import type { DeploymentRun } from "./auditLog";

/** The recorded runs of every stack. */
export interface DeploymentHistory {
  /** Where the history lives, for messages: a file path, a URL. */
  readonly source: string;
  /**
   * Every recorded run, oldest first.
   *
   * @throws HistoryUnavailableError when there is no history to read.
   * @throws AuditLogError when a record is malformed, naming its line.
   */
  runs(): Promise<DeploymentRun[]>;
}

/** There is no history to read, or it cannot be read: the message says where and what to do. */
export class HistoryUnavailableError extends Error {
  override readonly name = "HistoryUnavailableError";
}
