/**
 * The command line: commands, options and help texts, parsed with commander. Each action resolves
 * to an exit code; nothing here touches `process` (main.ts does).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { platformProfile } from "../../infra/config/schema";
import { redactReason } from "../audit";
import { describePlan } from "../core/plan";
import { formatPlan } from "../output/planText";
import { abortCommand, promoteCommand } from "./controlCommands";
import { type CliIo, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, UsageError } from "./io";
import { rehearseCommand } from "./rehearseCommand";
import { rolloutCommand } from "./rolloutCommand";
import type { CliServices } from "./services";
import { StackConfigError, formatProblem, loadStack, printWarnings } from "./stacks";
import { statusCommand } from "./statusCommand";
import { runValidate } from "./validate";

const EXIT_CODE_HELP = `
Exit codes:
  0  promoted (or the command succeeded)
  1  unexpected error, after a best-effort revert
  2  rejected before anything changed: bad arguments, an invalid stack file, a failed preflight
  3  rolled back: an alarm fired or a check failed, traffic is back on the stable colour
  4  aborted: an operator or a signal stopped the rollout, traffic is back on the stable colour`;

/** Builds the program; `done` receives each action's exit code. */
export function buildProgram(io: CliIo, services: CliServices, done: (code: number) => void): Command {
  const program = new Command("bluegreen")
    .description(
      "Blue/green releases with alarm-gated traffic steps on AWS, driven through the stack's Pulumi program.",
    )
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError("(run the command with --help for its usage)")
    .allowExcessArguments(false)
    .addHelpText("after", EXIT_CODE_HELP);

  const stackOption = () =>
    new Option("--stack <env>", "the stack to act on: stacks/Pulumi.<env>.yaml").makeOptionMandatory();
  // Redacted as it is read: the reason reaches the driver's events and the audit log, and a
  // credential pasted into it must reach neither.
  const reasonOption = () => new Option("--reason <text>", "why, for the audit log").argParser(redactReason);
  const jsonOption = () => new Option("--json", "print one JSON object per line instead of text");

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
    .option(
      "--resume",
      "continue a rollout a crashed or cancelled run left in progress (same --version)",
      false,
    )
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `\nExamples:\n  bluegreen rollout --stack prod --version 1.4.2 --reason "checkout fix"\n  bluegreen rollout --stack prod --version 1.4.2 --resume\n${EXIT_CODE_HELP}`,
    )
    .action(
      async (options: {
        stack: string;
        version: string;
        reason?: string;
        resume: boolean;
        json?: boolean;
      }) => {
        done(
          await rolloutCommand(io, services, {
            stack: options.stack,
            version: options.version,
            reason: options.reason,
            resume: options.resume,
            json: options.json === true,
          }),
        );
      },
    );

  program
    .command("status")
    .summary("show what the stack serves now")
    .description(
      "Reads the deployed stack and the live router: each colour's version, configured and live weights " +
        "(drift is called out), the watched alarms' states, and whether a rollout is in progress and watched.",
    )
    .addOption(stackOption())
    .addOption(jsonOption())
    .action(async (options: { stack: string; json?: boolean }) => {
      done(await statusCommand(io, services, { stack: options.stack, json: options.json === true }));
    });

  program
    .command("abort")
    .summary("revert a rollout in progress to the stable colour")
    .description(
      "When a driver is watching the rollout, asks it to revert. When none is (a crashed or cancelled run), " +
        "reverts traffic directly and restores the stack's pre-rollout values. Exits 4 once aborted, 2 when " +
        "nothing is in progress.",
    )
    .addOption(stackOption())
    .addOption(reasonOption())
    .addOption(jsonOption())
    .action(async (options: { stack: string; reason?: string; json?: boolean }) => {
      done(
        await abortCommand(io, services, {
          stack: options.stack,
          reason: options.reason,
          json: options.json === true,
        }),
      );
    });

  program
    .command("promote")
    .summary("end the current bake early (or, with --full, skip every remaining step)")
    .description(
      "Asks the driver watching the rollout to move on. It does so only while the alarms are OK. " +
        "With no driver watching, it refuses (exit 2): resume the rollout with `rollout --resume` first.",
    )
    .addOption(stackOption())
    .option("--full", "skip all remaining steps and promote to 100% now", false)
    .action(async (options: { stack: string; full: boolean }) => {
      done(await promoteCommand(io, services, { stack: options.stack, full: options.full }));
    });

  program
    .command("plan")
    .summary("show what a rollout of the stack would do; changes nothing")
    .description(
      "Prints the steps (weight and bake), the watched alarms, the poll interval, the insufficient-data " +
        "policy and the total bake time, from the stack file alone.",
    )
    .addOption(stackOption())
    .addOption(jsonOption())
    .action((options: { stack: string; json?: boolean }) => {
      const stack = loadStack(io.cwd, options.stack);
      printWarnings(io, stack);
      const { config } = stack;
      const platform = platformProfile(config.service.platform, config.kubernetes?.routing.mode);
      const plan = describePlan(stack.name, config, platform.alarms);
      io.stdout.write(options.json ? `${JSON.stringify(plan)}\n` : formatPlan(plan));
      done(EXIT_OK);
    });

  program
    .command("validate")
    .summary("check stack files against the config schema")
    .description(
      "Validates the given stack files, or every stacks/Pulumi.*.yaml. Prints each problem as " +
        "`<file>: <key path>: <message>`; exits 2 on any error, 0 otherwise (warnings do not fail).",
    )
    .argument("[files...]", "stack files to check (default: every stacks/Pulumi.*.yaml)")
    .addOption(jsonOption())
    .action((files: string[], options: { json?: boolean }) => {
      done(runValidate(io, files, { json: options.json === true }));
    });

  program
    .command("rehearse")
    .summary("run the rollout against a simulated world, in virtual time")
    .description(
      "Runs the same driver code against a simulated stack, router and alarms built from the stack file, on a " +
        "virtual clock: no Pulumi, no AWS, and a 25-minute plan finishes in seconds. A scenario file (JSON or YAML) " +
        "injects alarms, faults and operator actions at given times. Exit codes are those of a real run.",
    )
    .addOption(stackOption())
    .requiredOption("--version <v>", "the version to rehearse releasing")
    .option("--scenario <file>", "events to inject, e.g. an alarm at 12m (JSON or YAML)")
    .addOption(reasonOption())
    .addOption(jsonOption())
    .addOption(
      new Option(
        "--speed <n>",
        "virtual seconds per real second, to watch it unfold (default: as fast as possible)",
      ).argParser(parseSpeed),
    )
    .addHelpText(
      "after",
      `\nScenario example (scenario.yaml):\n  events:\n    - { at: "12m", alarm: errorRate, state: ALARM }\n${EXIT_CODE_HELP}`,
    )
    .action(
      async (options: {
        stack: string;
        version: string;
        scenario?: string;
        reason?: string;
        json?: boolean;
        speed?: number;
      }) => {
        done(
          await rehearseCommand(io, services, {
            stack: options.stack,
            version: options.version,
            scenario: options.scenario,
            reason: options.reason,
            json: options.json === true,
            speed: options.speed,
          }),
        );
      },
    );

  return program;
}

/** Maps what a command threw to a message and an exit code. */
export function reportError(io: CliIo, error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (and the help hint) through configureOutput.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof StackConfigError) {
    for (const problem of error.problems) io.stderr.write(`${formatProblem(error.file, problem)}\n`);
    for (const problem of error.warnings)
      io.stderr.write(`${formatProblem(error.file, problem, "warning")}\n`);
    io.stderr.write(`error: ${error.message}; fix it and run \`bluegreen validate ${error.file}\`\n`);
    return EXIT_USAGE;
  }
  const detail =
    error instanceof Error
      ? io.env.BLUEGREEN_DEBUG
        ? (error.stack ?? error.message)
        : error.message
      : String(error);
  io.stderr.write(`unexpected error: ${detail}\n`);
  return EXIT_UNEXPECTED;
}

function parseSpeed(value: string): number {
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new InvalidArgumentError(
      "expected a positive number of virtual seconds per real second, such as 60",
    );
  }
  return speed;
}
