/**
 * `bluegreen report`: what a pipeline shows after its rollouts. `--events` renders one run's
 * NDJSON events (`rollout --json > events.ndjson`) as the run report, Markdown for
 * `$GITHUB_STEP_SUMMARY` or the traffic chart as SVG; `--stack` computes the stack's DORA metrics
 * from the deployment history, each beside the SOP's target. It reads; it changes nothing.
 */
import { type Command, Option } from "commander";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  AuditLogError,
  DORA_FORMATS,
  type DoraFormat,
  EventStreamError,
  HistoryUnavailableError,
  NoTrafficChartError,
  REPORT_FORMATS,
  type ReportFormat,
  computeDora,
  parseSince,
  renderDora,
  renderRunReport,
} from "../../report";
import type { CommandContext, CommandRuntime } from "../commandLine";
import { EXIT_OK, UsageError } from "../io";
import { type LoadedStack, loadStack, resolveStackName } from "../stacks";
import { StoreHistory } from "../../adapters/storeHistory";
import type { DeploymentRun } from "../../report/auditLog";
import type { DeploymentHistory } from "../../report/history";
import { controlLocation, onControl } from "../controlAccess";

/** The window `--stack` reports on when `--since` is not given. */
export const DEFAULT_SINCE = "30d";

/** The options of `report`. */
export interface ReportCommandOptions {
  /** The NDJSON events of one run: the run report. */
  readonly events?: string;
  /** The stack whose DORA metrics to compute. */
  readonly stack?: string;
  /** The DORA window's start: a span back from now (`30d`) or a date. */
  readonly since?: string;
  readonly format?: ReportFormat | DoraFormat;
  /** Count rehearsals in the DORA metrics too, to try the report out. */
  readonly includeRehearsals: boolean;
}

/** Writes the run report or the DORA metrics to stdout; exit 0, or 2 on bad input (a UsageError). */
export async function reportCommand(
  { io, services }: CommandRuntime,
  options: ReportCommandOptions,
): Promise<number> {
  if ((options.events === undefined) === (options.stack === undefined)) {
    throw new UsageError(
      `${options.events === undefined ? "neither --events nor --stack given" : "both --events and --stack given"}: pass --events <file> for the report of one run, or --stack <env> for the DORA metrics of the stack's rollouts`,
    );
  }
  if (options.events !== undefined) {
    for (const [given, flag] of [
      [options.since !== undefined, "--since"],
      [options.includeRehearsals, "--include-rehearsals"],
    ] as const) {
      if (given) throw new UsageError(`${flag} goes with --stack (the DORA metrics), not --events`);
    }
    const format = formatFor(options.format, REPORT_FORMATS, "markdown", "--events");
    const text = readEvents(io.cwd, options.events);
    try {
      io.stdout.write(renderRunReport(text, { format, fileName: options.events }));
    } catch (error) {
      if (error instanceof EventStreamError || error instanceof NoTrafficChartError) {
        throw new UsageError(`--events ${error.message}`);
      }
      throw error;
    }
    return EXIT_OK;
  }

  const stack = resolveStackName(io.cwd, options.stack as string);
  const format = formatFor(options.format, DORA_FORMATS, "table", "--stack");
  const now = services.clock.now();
  let since: number;
  try {
    since = parseSince(options.since ?? DEFAULT_SINCE, now);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { history, read, source } = historyOf({ io, services }, loadStack(io.cwd, stack));
  let runs;
  try {
    runs = await read();
  } catch (error) {
    if (error instanceof AuditLogError) {
      throw new UsageError(`${error.message}; fix or remove that line of ${history.source}`);
    }
    if (error instanceof HistoryUnavailableError) throw new UsageError(error.message);
    throw error;
  }
  const report = computeDora(runs, {
    now,
    since,
    stacks: [stack],
    includeRehearsals: options.includeRehearsals,
  });
  io.stdout.write(renderDora({ ...report, source }, format));
  return EXIT_OK;
}

/**
 * Where the stack's runs are read from: the release history in its control table when it keeps
 * one (a failure to read it is exit 5, naming the table), else the local audit log.
 */
function historyOf(
  { io, services }: Pick<CommandRuntime, "io" | "services">,
  stack: LoadedStack,
): { history: DeploymentHistory; read(): Promise<DeploymentRun[]>; source: string } {
  const store = services.historyStore?.(stack, io);
  if (store === undefined) {
    const history = services.history(io);
    return { history, read: () => history.runs(), source: `the local audit log ${history.source}` };
  }
  const history = new StoreHistory(store, `the release history in the ${controlLocation(stack, io)}`);
  return {
    history,
    read: () => onControl(stack, io, "read the release history", () => history.runs()),
    source: history.source,
  };
}

/** `--format` for the chosen input: the default when absent, refused when it belongs to the other. */
function formatFor<T extends string>(
  given: string | undefined,
  formats: readonly T[],
  fallback: T,
  input: "--events" | "--stack",
): T {
  if (given === undefined) return fallback;
  if ((formats as readonly string[]).includes(given)) return given as T;
  throw new UsageError(
    `--format ${given} does not go with ${input}: with ${input} it is one of ${formats.join(", ")}`,
  );
}

function readEvents(cwd: string, file: string): string {
  try {
    return fs.readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(
      `--events ${JSON.stringify(file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass the file \`bluegreen rollout --json\` wrote`,
    );
  }
}

/** Adds `report` to the program. */
export function registerReport(program: Command, context: CommandContext): void {
  program
    .command("report")
    .summary("the run report of a rollout's events, or the DORA metrics of a stack")
    .description(
      "With --events, renders the NDJSON events of one run (`bluegreen rollout --json > events.ndjson`) as " +
        "Markdown for a job summary (the outcome, the steps, the revert, a traffic chart), or the chart alone as " +
        "SVG. With --stack, computes deployment frequency, lead time for changes, change failure rate and mean " +
        "time to recovery from the stack's release history (its control table, or the local audit log for a " +
        "stack on the file control channel), each beside the SOP's target, and names the source. Changes nothing.",
    )
    .option("--events <file>", "the NDJSON events of one run: print its run report")
    .option("--stack <env>", "the stack whose DORA metrics to print")
    .option(
      "--since <span>",
      `the DORA window: 30d, 2w, 12h or a date such as 2025-11-01 (default ${DEFAULT_SINCE})`,
    )
    .addOption(
      new Option(
        "--format <format>",
        "markdown (default) or svg with --events; table (default), markdown or json with --stack",
      ).choices([...REPORT_FORMATS, ...DORA_FORMATS.filter((format) => format !== "markdown")]),
    )
    .option("--include-rehearsals", "count rehearsals in the DORA metrics too, to try the report out", false)
    .addHelpText(
      "after",
      `\nExamples:\n  bluegreen report --events events.ndjson >> "$GITHUB_STEP_SUMMARY"\n  bluegreen report --events events.ndjson --format svg > rollout.svg\n  bluegreen report --stack prod --since 90d --format markdown`,
    )
    .action(
      async (options: {
        events?: string;
        stack?: string;
        since?: string;
        format?: ReportFormat | DoraFormat;
        includeRehearsals: boolean;
      }) => {
        context.done(await reportCommand(context, options));
      },
    );
}
