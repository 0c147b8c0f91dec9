/**
 * One rule for every option that takes a value, in every command: it may be given once. commander
 * lets a repeated option silently keep the last value, so `--stack dev --stack prod` would act on
 * prod and record prod in the audit log while the first word the reader saw was dev.
 *
 * The guard wraps each option's own parser after the commands are registered, so a command or an
 * option added later is covered without doing anything. It also keeps the value commander echoes
 * in an "argument is invalid" error to a readable length.
 */
import { type Command, InvalidArgumentError, type Option } from "commander";
import { cutInput, quoteInput } from "../../components/domain";
import { EXIT_USAGE } from "./io";

/** The code of the error a repeated option raises. */
export const REPEATED_OPTION = "bluegreen.repeatedOption";
/**
 * The code of the error an invalid value raises. Not commander's own `commander.invalidArgument`:
 * commander would catch that one and print the message a second time, value uncut.
 */
export const INVALID_OPTION_VALUE = "bluegreen.invalidOptionValue";

/** Makes every value option of `program` and its commands refuse a second occurrence. */
export function guardOptionValues(program: Command): void {
  for (const option of program.options) {
    // Flags without a value (`--json`, `--resume`) mean the same however often they are given.
    if (option.isBoolean() || option.variadic) continue;
    guardOption(program, option);
  }
  for (const command of program.commands) guardOptionValues(command);
}

function guardOption(command: Command, option: Option): void {
  const parse = option.parseArg as ((value: string, previous: unknown) => unknown) | undefined;
  const key = option.attributeName();
  option.argParser((value: string, previous: unknown) => {
    // commander keeps the source of each value: "cli" means this option was already on the line.
    if (command.getOptionValueSource(key) === "cli") {
      command.error(
        `error: option '${option.flags}' was given twice (${shown(previous)}, then ${shown(display(parse, value, previous))}): give it once`,
        { exitCode: EXIT_USAGE, code: REPEATED_OPTION },
      );
    }
    if (!parse) return value;
    try {
      return parse(value, previous);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      command.error(
        `error: option '${option.flags}' argument '${cutInput(value)}' is invalid. ${error.message}`,
        {
          exitCode: EXIT_USAGE,
          code: INVALID_OPTION_VALUE,
        },
      );
    }
  });
}

/**
 * The second value as the option would keep it: `--reason` is redacted as it is parsed, and a
 * credential pasted into it must not reach the terminal through this message either.
 */
function display(
  parse: ((value: string, previous: unknown) => unknown) | undefined,
  value: string,
  previous: unknown,
): unknown {
  if (!parse) return value;
  try {
    return parse(value, previous);
  } catch {
    return value;
  }
}

function shown(value: unknown): string {
  return quoteInput(typeof value === "string" ? value : String(value));
}
