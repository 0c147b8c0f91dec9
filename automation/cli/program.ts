/**
 * The command line: the program and its commands, each registered from its own module under
 * commands/. Each action resolves to an exit code; nothing here touches `process` (main.ts does).
 */
import { Command } from "commander";
import { type CommandContext, EXIT_CODE_HELP } from "./commandLine";
import { registerAbort } from "./commands/abort";
import { registerPlan } from "./commands/plan";
import { registerPromote } from "./commands/promote";
import { registerRehearse } from "./commands/rehearse";
import { registerRollout } from "./commands/rollout";
import { registerStatus } from "./commands/status";
import { registerValidate } from "./commands/validate";
import type { CliIo } from "./io";
import { guardOptionValues } from "./optionGuard";
import type { CliServices } from "./services";

/** The commands in the order `--help` lists them. */
const COMMANDS: readonly ((program: Command, context: CommandContext) => void)[] = [
  registerRollout,
  registerStatus,
  registerAbort,
  registerPromote,
  registerPlan,
  registerValidate,
  registerRehearse,
];

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
  for (const register of COMMANDS) register(program, { io, services, done });
  guardOptionValues(program);
  return program;
}
