/**
 * The command line: the program and its commands, each registered from its own module under
 * commands/. Each action resolves to an exit code; nothing here touches `process` (main.ts does).
 */
import { Command } from "commander";
import { randomUUID } from "node:crypto";
import { type CommandContext, EXIT_CODE_HELP } from "./commandLine";
import { registerAbort } from "./commands/abort";
import { registerPause, registerResume } from "./commands/gate";
import { registerHistory } from "./commands/history";
import { registerGuardian } from "./commands/guardian";
import { registerPlan } from "./commands/plan";
import { registerPromote } from "./commands/promote";
import { registerReconcile } from "./commands/reconcile";
import { registerRehearse, rehearsalRunId } from "./commands/rehearse";
import { registerReport } from "./commands/report";
import { registerRollout } from "./commands/rollout";
import { registerStatus } from "./commands/status";
import { registerUndo } from "./commands/undo";
import { registerIdle } from "./commands/idle";
import { registerValidate } from "./commands/validate";
import { TOOL_VERSION, registerVersion } from "./commands/version";
import { Invocation } from "./invocation";
import type { CliIo } from "./io";
import { guardOptionValues } from "./optionGuard";
import type { CliServices } from "./services";

/** The commands in the order `--help` lists them. */
const COMMANDS: readonly ((program: Command, context: CommandContext) => void)[] = [
  registerRollout,
  registerStatus,
  registerAbort,
  registerUndo,
  registerIdle,
  registerPromote,
  registerPause,
  registerResume,
  registerPlan,
  registerValidate,
  registerRehearse,
  registerGuardian,
  registerReconcile,
  registerReport,
  registerHistory,
  registerVersion,
];

/**
 * The commands whose `--json` output is the driver's event stream, which always ends with a
 * `completed` event. `status`, `plan` and `validate` print one JSON document instead.
 */
export const EVENT_STREAM_COMMANDS: readonly string[] = ["rollout", "rehearse", "abort", "reconcile"];

/** Builds the program; `done` receives each action's exit code. */
export function buildProgram(
  io: CliIo,
  services: CliServices,
  done: (code: number) => void,
  invocation: Invocation = new Invocation(io, services.clock, randomUUID()),
): Command {
  const program = new Command("bluegreen")
    .description(
      "Blue/green releases with alarm-gated traffic steps on AWS, driven through the stack's Pulumi program.",
    )
    .version(TOOL_VERSION, "-V, --version", "print bluegreen's own version")
    // The program's options only before the command: `rollout --version <v>` is the release's
    // version, not a request for bluegreen's.
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError("(run the command with --help for its usage)")
    .allowExcessArguments(false)
    .addHelpText("after", EXIT_CODE_HELP);
  for (const register of COMMANDS) register(program, { io, services, invocation, done });
  guardOptionValues(program);
  return program;
}

/** The command `argv` names: the first word that is not an option (the program's take no values). */
export function commandName(argv: readonly string[]): string | undefined {
  return argv.find((word) => !word.startsWith("-"));
}

/**
 * The run id of one invocation. A rehearsal's is derived from its start on the services' clock,
 * as its retry jitter is seeded: the same rehearsal at the same (virtual) moment prints the same
 * stream. Any other command's is random.
 */
export function newRunId(command: string | undefined, services: Pick<CliServices, "clock">): string {
  return command === "rehearse" ? rehearsalRunId(services.clock.now()) : randomUUID();
}

/**
 * Whether `argv` asks for an event stream: `--json` given as a flag (not as the value of an
 * option such as `--reason`) to a command that streams events, or to a command the program does
 * not have (its error still ends the stream the caller asked for).
 */
export function requestsEventStream(program: Command, argv: readonly string[]): boolean {
  const name = commandName(argv);
  const command = program.commands.find((candidate) => candidate.name() === name);
  if (command === undefined) return argv.includes("--json");
  if (!EVENT_STREAM_COMMANDS.includes(command.name())) return false;
  const words = argv.slice(argv.indexOf(command.name()) + 1);
  for (let index = 0; index < words.length; index++) {
    const word = words[index];
    if (word === "--") return false;
    if (word === "--json") return true;
    const option = command.options.find((candidate) => candidate.long === word || candidate.short === word);
    // The next word is this option's value, whatever it looks like.
    if (option?.required) index += 1;
  }
  return false;
}
