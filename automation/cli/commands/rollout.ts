/**
 * `bluegreen rollout`: a real rollout of one stack, through the real ports. The driver runs its own
 * preflight checks as its first events; SIGINT/SIGTERM make it revert and exit 4.
 */
import type { Command } from "commander";
import {
  finishGuardianTrip,
  reconcileBeforeRollout,
  reconcileReason,
  runRollout,
  tripStoreOf,
} from "../../rollout";
import { CONTROL_TABLE_ACTIONS } from "../../../components/domain/controlTable";
import {
  type CommandContext,
  type CommandRuntime,
  EXIT_CODE_HELP,
  commitTimeOption,
  jsonOption,
  reasonOption,
  stackOption,
} from "../commandLine";
import { connectServices, runDriverCommand } from "../pipeline";
import { checkVersion } from "../stacks";

/** The options of `rollout`. */
export interface RolloutCommandOptions {
  readonly stack: string;
  readonly version: string;
  readonly reason?: string;
  /** When the released change was committed, UTC ISO 8601: the audit record's `commitAt`. */
  readonly commitTime?: string;
  readonly resume: boolean;
  readonly json: boolean;
}

/** Runs a rollout and returns its exit code. */
export async function rolloutCommand(
  runtime: CommandRuntime,
  options: RolloutCommandOptions,
): Promise<number> {
  const version = checkVersion(options.version);
  // Set when the guardian tripped this run: the audit record names it beside the operator's reason.
  let tripped: string | undefined;
  return runDriverCommand(runtime, {
    name: "rollout",
    stack: options.stack,
    version,
    get reason() {
      if (tripped === undefined) return options.reason;
      return options.reason ? `${options.reason}; ${tripped}` : tripped;
    },
    commitAt: options.commitTime,
    json: options.json,
    notify: true,
    // The driver's calls on the control table are proven before anything changes.
    connect: connectServices(runtime.io, runtime.services, CONTROL_TABLE_ACTIONS.driver),
    async drive(deps, run, signal) {
      const { stack } = run;
      const store = tripStoreOf(run.control());
      const unreconciled = store && (await reconcileBeforeRollout(deps, store, stack.config));
      if (unreconciled) return unreconciled;
      const ended = await runRollout(deps, {
        config: stack.config,
        version,
        reason: options.reason,
        resume: options.resume,
        signal,
        runId: runtime.invocation.runId,
        startedBy: runtime.io.who(),
      });
      const restored = ended.outcome === "rolled-back";
      const trip = store && (await finishGuardianTrip(store, runtime.invocation.runId, restored));
      if (trip) tripped = reconcileReason(trip);
      return ended;
    },
  });
}

/** Adds `rollout` to the program. */
export function registerRollout(program: Command, context: CommandContext): void {
  program
    .command("rollout")
    .summary("release a version: deploy it to the idle colour and step traffic to it")
    .description(
      "Deploys --version to the idle colour, checks it is healthy, then moves traffic to it step by step, " +
        "watching the alarms during each bake. Any alarm reverts traffic to the stable colour at once. " +
        "Ctrl-C (SIGINT) or SIGTERM reverts too, then exits 4.",
    )
    .addOption(stackOption())
    .requiredOption("--version <v>", "the version (image tag or artifact version) to release")
    .addOption(reasonOption())
    .addOption(commitTimeOption())
    .option(
      "--resume",
      "continue a rollout a crashed or cancelled run left in progress (same --version)",
      false,
    )
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `\nExamples:\n  bluegreen rollout --stack prod --version 1.4.2 --reason "checkout fix"\n  bluegreen rollout --stack prod --version 1.4.2 --commit-time "$(git log -1 --format=%cI)"\n  bluegreen rollout --stack prod --version 1.4.2 --resume\n${EXIT_CODE_HELP}`,
    )
    .action(
      async (options: {
        stack: string;
        version: string;
        reason?: string;
        commitTime?: string;
        resume: boolean;
        json?: boolean;
      }) => {
        context.done(
          await rolloutCommand(context, {
            stack: options.stack,
            version: options.version,
            reason: options.reason,
            commitTime: options.commitTime,
            resume: options.resume,
            json: options.json === true,
          }),
        );
      },
    );
}
