/**
 * `bluegreen history`: the stack's runs, newest first, from its release history. A stack whose
 * control channel is its DynamoDB table keeps the history there, shared by every runner, so any
 * machine with credentials and the stack files can list it (no Pulumi CLI or backend needed); a
 * stack on the file channel has only the local audit log, and the command says so.
 */
import { InvalidArgumentError, type Command, Option } from "commander";
import type { HistoryEntry, HistoryStore } from "../../adapters/control/dynamoHistoryStore";
import type { AuditRecord } from "../../audit";
import { formatHistory } from "../../output/historyText";
import { AuditLogError, HistoryUnavailableError, parseSince } from "../../report";
import { type CommandContext, type CommandRuntime, jsonOption, stackOption } from "../commandLine";
import { controlLocation, onControl } from "../controlAccess";
import { type CliIo, EXIT_OK, UsageError } from "../io";
import type { CliServices } from "../services";
import { type LoadedStack, loadStack, printWarnings } from "../stacks";

/** The options of `history`. */
export interface HistoryCommandOptions {
  readonly stack: string;
  /** Only runs that started since then: a span back from now (`30d`) or a date. */
  readonly since?: string;
  /** At most this many runs, the newest. */
  readonly limit?: number;
  /** One JSON record per line instead of text. */
  readonly json: boolean;
}

/**
 * Prints the stack's runs. Exit 0; 2 on bad input (a flag, an invalid stack file, an unreadable
 * local audit log); 5 when the control table cannot be read (missing, access denied, a malformed
 * item), naming the table.
 */
export async function historyCommand(
  { io, services }: CommandRuntime,
  options: HistoryCommandOptions,
): Promise<number> {
  let since: number | undefined;
  if (options.since !== undefined) {
    try {
      since = parseSince(options.since, services.clock.now());
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const query = { since, limit: options.limit };
  const store = services.historyStore?.(stack, io);
  const records = store
    ? await fromTable(store, stack, io, query)
    : await fromAuditLog(services, stack, io, query);
  io.stdout.write(
    options.json ? records.map((record) => `${JSON.stringify(record)}\n`).join("") : formatHistory(records),
  );
  return EXIT_OK;
}

interface Query {
  readonly since?: number;
  readonly limit?: number;
}

/** The runs in the stack's control table, paged by the store; any failure is exit 5 naming the table. */
async function fromTable(
  store: HistoryStore,
  stack: LoadedStack,
  io: CliIo,
  query: Query,
): Promise<AuditRecord[]> {
  io.stderr.write(
    `release history of stack ${stack.name} in the ${controlLocation(stack, io)}, newest first\n`,
  );
  const entries = await onControl(stack, io, "read the release history", () => store.list(query));
  return entries.map(withRunId);
}

/** The record with the item's run id, which records from before run ids were kept lack. */
function withRunId({ runId, record }: HistoryEntry): AuditRecord {
  return record.runId === undefined ? { ...record, runId } : record;
}

/** The stack's runs in the local audit log, filtered and ordered as the table's query would. */
async function fromAuditLog(
  services: CliServices,
  stack: LoadedStack,
  io: CliIo,
  query: Query,
): Promise<AuditRecord[]> {
  const history = services.history(io);
  io.stderr.write(
    `stack ${stack.name} uses the file control channel (bluegreen:control.channel: file), which keeps no shared history: reading the local audit log ${history.source}, newest first\n`,
  );
  let runs: AuditRecord[];
  try {
    runs = await history.runs();
  } catch (error) {
    if (error instanceof AuditLogError) {
      throw new UsageError(`${error.message}; fix or remove that line of ${history.source}`);
    }
    if (error instanceof HistoryUnavailableError) throw new UsageError(error.message);
    throw error;
  }
  const since = query.since;
  const matching = runs
    .filter((run) => run.stack === stack.name && (since === undefined || Date.parse(run.at) >= since))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return query.limit === undefined ? matching : matching.slice(0, query.limit);
}

/** `--limit`: a whole number from 1. */
export function parseLimit(text: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError("expected a whole number of runs from 1, such as 20");
  }
  return value;
}

/** Adds `history` to the program. */
export function registerHistory(program: Command, context: CommandContext): void {
  program
    .command("history")
    .summary("list the stack's runs, newest first, from its release history")
    .description(
      "Lists the stack's rollouts and direct aborts from the release history in its DynamoDB control table: " +
        "when, the versions, the outcome, how long, who, why, and the revert's reason and time to revert. Needs " +
        "AWS credentials and the stack files, not the Pulumi CLI. A stack on the file control channel has no shared " +
        "history: its local audit log is read instead. Exits 5 when the table cannot be read (missing, access denied, " +
        "a malformed item). Changes nothing.",
    )
    .addOption(stackOption())
    .option("--since <span>", "only runs that started since: 30m, 12h, 30d, 2w or a date such as 2025-11-01")
    .addOption(new Option("--limit <n>", "at most this many runs, the newest").argParser(parseLimit))
    .addOption(jsonOption())
    .addHelpText(
      "after",
      "\nExamples:\n  bluegreen history --stack prod --since 30d\n  bluegreen history --stack prod --limit 20 --json | jq -r .outcome",
    )
    .action(async (options: { stack: string; since?: string; limit?: number; json?: boolean }) => {
      context.done(
        await historyCommand(context, {
          stack: options.stack,
          since: options.since,
          limit: options.limit,
          json: options.json === true,
        }),
      );
    });
}
