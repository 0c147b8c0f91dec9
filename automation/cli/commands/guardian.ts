/**
 * `bluegreen guardian --stack X --once`: the cloud guardian's run, from a shell. The same
 * `runGuardian` the guardian's function runs, on a target built from the stack's deployed outputs
 * and stack file (or read from `--target`, the JSON the function gets), woken by its schedule, or
 * by `--alarm <name>` as if that alarm had just entered ALARM. It only ever takes traffic away
 * from the candidate; restoring the stack's values is `bluegreen reconcile`'s.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Command, Option } from "commander";
import type { GuardianTrigger } from "../../core/guardian";
import type { GuardianResult } from "../../guardian/guardian";
import type { GuardianTarget } from "../../../components/domain";
import { guardianTargetSchema } from "../../../components/domain/guardian";
import { describeFsError } from "../inputFiles";
import { type CommandContext, type CommandRuntime, jsonOption, stackOption } from "../commandLine";
import { EXIT_CONTROL, EXIT_OK, EXIT_UNEXPECTED, UsageError } from "../io";
import { EXIT_CODES } from "../../events";
import { stackRegion } from "../region";
import { loadStack, printWarnings } from "../stacks";

/** The options of `guardian`. */
export interface GuardianCommandOptions {
  readonly stack: string;
  readonly once: boolean;
  readonly alarm?: string;
  readonly target?: string;
  readonly json: boolean;
}

/**
 * The exit code of a guardian run: 0 nothing to do (or another guardian is on it), 3 reverted
 * (like a rollback), 5 the control table could not be reached, 1 anything else (the live split
 * could not be read, or the revert could not be verified).
 */
export function guardianExitCode(result: GuardianResult): number {
  switch (result.outcome) {
    case "nothing":
    case "in-progress":
      return EXIT_OK;
    case "reverted":
      return EXIT_CODES["rolled-back"];
    case "error":
      return result.unreachable === "control" ? EXIT_CONTROL : EXIT_UNEXPECTED;
    case "failed":
      return EXIT_UNEXPECTED;
  }
}

/** Runs the guardian once for the stack; the exit code is `guardianExitCode`'s. */
export async function guardianCommand(
  { io, services, invocation }: CommandRuntime,
  options: GuardianCommandOptions,
): Promise<number> {
  if (!options.once) {
    throw new UsageError(
      "give --once: the guardian runs continuously in the stack's cloud function; from a shell it runs once",
    );
  }
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  if (stack.config.control.channel !== "dynamodb") {
    throw new UsageError(
      `stack ${stack.name} keeps its control record in files (bluegreen:control.channel file): the guardian needs the DynamoDB control table`,
    );
  }
  let target: GuardianTarget;
  if (options.target !== undefined) {
    target = readTarget(path.resolve(io.cwd, options.target), options.target);
  } else {
    const deps = await services.connect({
      stack,
      io,
      events: invocation.sink(false),
      control: services.control(stack, io),
    });
    const outputs = await deps.stack.outputs();
    if (outputs === undefined) {
      throw new UsageError(`stack ${stack.name} has no outputs: deploy it with \`pulumi up\` first`);
    }
    // Loaded here, as the driver's wiring is: only this command pays for the guardian's SDK clients.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { guardianTargetOf } = require("../../guardian/target") as typeof import("../../guardian/target");
    const topic =
      stack.config.notifications?.enabled === false ? undefined : stack.config.notifications?.snsTopicArn;
    target = guardianTargetOf({
      stack: stack.name,
      outputs,
      region: stackRegion({ stack, io }),
      driverTimeoutSeconds: stack.config.guardian.driverTimeout,
      ...(topic ? { notificationTopicArn: topic } : {}),
      idleCapacity: stack.config.idle.capacity,
    });
  }
  const now = services.clock.now();
  const trigger: GuardianTrigger =
    options.alarm === undefined
      ? { kind: "schedule", at: now }
      : { kind: "alarm", alarmName: options.alarm, state: "ALARM", at: now };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const guardian = require("../../guardian/guardian") as typeof import("../../guardian/guardian");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wiring = require("../../guardian/wiring") as typeof import("../../guardian/wiring");
  const result = await guardian.runGuardian(wiring.guardianDeps(target), trigger);
  if (options.json) io.stdout.write(`${guardian.guardianLogLine(result)}\n`);
  else io.stdout.write(`${describeResult(result)}\n`);
  return guardianExitCode(result);
}

/** The one line a person reads. */
function describeResult(result: GuardianResult): string {
  const split = result.weights
    ? `; traffic is now blue ${result.weights.blue} / green ${result.weights.green}`
    : "";
  switch (result.outcome) {
    case "reverted":
      return `guardian reverted stack ${result.stack} to ${result.stable}: ${result.detail}${split}; run \`bluegreen reconcile --stack ${result.stack}\` if no driver is running`;
    case "nothing":
      return `guardian: nothing to do on stack ${result.stack}: ${result.detail}`;
    case "in-progress":
      return `guardian: ${result.detail}`;
    case "failed":
    case "error":
      return `guardian could not finish on stack ${result.stack}: ${result.detail}`;
  }
}

function readTarget(file: string, shown: string): GuardianTarget {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--target ${shown}: cannot read it: ${describeFsError(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--target ${shown}: not JSON: ${(error as Error).message}`);
  }
  const parsed = guardianTargetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `--target ${shown}: not a guardian target: ${issue?.path.join(".") || "(top)"} ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** Adds `guardian` to the program. */
export function registerGuardian(program: Command, context: CommandContext): void {
  program
    .command("guardian")
    .summary("run the stack's guardian once: revert a firing candidate or a lost driver")
    .description(
      "Runs the guardian's check once, as its cloud function does: when the control record names a run whose " +
        "driver's heartbeat is older than the driver timeout (or, with --alarm, when that alarm judges the " +
        "candidate), puts traffic back on the stable colour through the router and records the trip. " +
        "Never moves traffic toward the candidate. Exit 0 nothing to do, 3 reverted, 5 control table " +
        "unreachable, 1 unexpected.",
    )
    .addOption(stackOption())
    .addOption(new Option("--once", "run one check and exit (required)"))
    .addOption(new Option("--alarm <name>", "act as if this alarm had just entered ALARM"))
    .addOption(
      new Option(
        "--target <file>",
        "the guardian's target as JSON (as its function gets it), instead of the stack's outputs",
      ),
    )
    .addOption(jsonOption())
    .action(
      async (options: { stack: string; once?: boolean; alarm?: string; target?: string; json?: boolean }) => {
        context.done(
          await guardianCommand(context, {
            stack: options.stack,
            once: options.once === true,
            ...(options.alarm !== undefined ? { alarm: options.alarm } : {}),
            ...(options.target !== undefined ? { target: options.target } : {}),
            json: options.json === true,
          }),
        );
      },
    );
}
