/**
 * Writing the audit line from a command: the log path comes from the environment, and a log that
 * cannot be written is reported without changing the rollout's exit code (the rollout already
 * happened; failing the job now would hide its real outcome). A stack whose control channel is its
 * DynamoDB table gets the record there too, as its shared release history, under the same rule
 * and within a bounded time.
 */
import type { HistoryStore } from "../adapters/control/dynamoHistoryStore";
import { type AuditRecord, appendAuditRecord, auditLogPath } from "../audit";
import type { CliIo } from "./io";

/**
 * How long the history write may take before the command gives up on it: the run is over, and a
 * table that does not answer must not hold the pipeline. One PutItem (and, on a lost answer, one
 * GetItem) answers in milliseconds when the table is there.
 */
export const HISTORY_WRITE_TIMEOUT_MS = 10_000;

/** The stack's shared history, and how to say what could not be written there. */
export interface SharedHistory {
  readonly store: HistoryStore;
  /** Where it is, for the warning: `control table bluegreen-checkout-prod (eu-west-1)`. */
  readonly location: string;
  /** Reports a failed write: on stderr and as a `warning` event. */
  warn(message: string): void;
  /** @default HISTORY_WRITE_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/**
 * Appends the record to BLUEGREEN_AUDIT_LOG or `.bluegreen/audit.ndjson`, and to the shared
 * history when there is one; warns when either cannot be written.
 */
export async function recordAudit(io: CliIo, record: AuditRecord, shared?: SharedHistory): Promise<void> {
  const file = auditLogPath(io.cwd, io.env.BLUEGREEN_AUDIT_LOG);
  try {
    await appendAuditRecord(file, record);
  } catch (error) {
    io.stderr.write(
      `warning: could not append the audit record to ${file}: ${(error as Error).message}; set BLUEGREEN_AUDIT_LOG to a writable file\n`,
    );
  }
  if (shared) await appendShared(record, shared);
}

/** One try at the shared history, abandoned at the timeout; a failure is only a warning. */
async function appendShared(record: AuditRecord, shared: SharedHistory): Promise<void> {
  const timeoutMs = shared.timeoutMs ?? HISTORY_WRITE_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The race holds the bound even for a store that does not heed the signal.
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs / 1000}s`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    await Promise.race([shared.store.append(record, record.runId, controller.signal), timedOut]);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    shared.warn(
      `could not write the run's record to the release history in the ${shared.location}: ${detail}; the local audit log has it, and the outcome stands`,
    );
  } finally {
    clearTimeout(timer);
  }
}
