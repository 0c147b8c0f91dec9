/**
 * The deployment history over a stack's release history store (its DynamoDB control table): what
 * every runner of the stack recorded, wherever it ran, rather than what this machine's audit log
 * happens to hold.
 */
import type { HistoryStore } from "./control/dynamoHistoryStore";
import type { DeploymentRun } from "../report/auditLog";
import type { DeploymentHistory } from "../report/history";

/** Reads the runs of one stack from its history store. */
export class StoreHistory implements DeploymentHistory {
  constructor(
    private readonly store: HistoryStore,
    /** How messages and the report name the store: `the release history in the control table …`. */
    readonly source: string,
  ) {}

  /** Every run the store holds, oldest first, each with the run id of its item. */
  async runs(): Promise<DeploymentRun[]> {
    const entries = await this.store.list();
    return entries
      .map(({ runId, record }) => (record.runId === undefined ? { ...record, runId } : record))
      .reverse();
  }
}
