/**
 * What the commands' registrations share: the context an action runs in, the options several
 * commands take (spelt and explained once, so `--stack` means the same everywhere), and the
 * exit-code help.
 */
import { Option } from "commander";
import { redactReason } from "../audit";
import type { CliIo } from "./io";
import type { CliServices } from "./services";

/** What a command's action runs with. */
export interface CommandContext {
  readonly io: CliIo;
  readonly services: CliServices;
  /** Receives the action's exit code. */
  readonly done: (code: number) => void;
}

/** The exit codes, as the help of the program and of the commands that run the driver lists them. */
export const EXIT_CODE_HELP = `
Exit codes:
  0  promoted (or the command succeeded)
  1  unexpected error, after a best-effort revert
  2  rejected before anything changed: bad arguments, an invalid stack file, a failed preflight
  3  rolled back: an alarm fired or a check failed, traffic is back on the stable colour
  4  aborted: an operator or a signal stopped the rollout, traffic is back on the stable colour`;

/** `--stack <env>`, required. */
export function stackOption(): Option {
  return new Option("--stack <env>", "the stack to act on: stacks/Pulumi.<env>.yaml").makeOptionMandatory();
}

/**
 * `--reason <text>`, redacted as it is read: the reason reaches the driver's events and the audit
 * log, and a credential pasted into it must reach neither.
 */
export function reasonOption(): Option {
  return new Option("--reason <text>", "why, for the audit log").argParser(redactReason);
}

/** `--json`. */
export function jsonOption(): Option {
  return new Option("--json", "print one JSON object per line instead of text");
}
