/**
 * What the commands' registrations share: the context an action runs in, the options several
 * commands take (spelt and explained once, so `--stack` means the same everywhere), and the
 * exit-code help.
 */
import { InvalidArgumentError, Option } from "commander";
import { redactReason } from "../audit";
import type { Invocation } from "./invocation";
import type { CliIo } from "./io";
import type { CliServices } from "./services";

/** What a command runs with. */
export interface CommandRuntime {
  readonly io: CliIo;
  readonly services: CliServices;
  /** This run of the CLI: its run id and the end of its `--json` stream. */
  readonly invocation: Invocation;
}

/** What a command's action runs with. */
export interface CommandContext extends CommandRuntime {
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
  4  aborted: an operator or a signal stopped the rollout, traffic is back on the stable colour
  5  the stack's control channel cannot be used (table missing, access denied, record malformed): nothing changed`;

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

/**
 * `--commit-time <iso>`: when the released change was committed, for the lead time of the DORA
 * metrics (`git log -1 --format=%cI`). Stored in UTC.
 */
export function commitTimeOption(): Option {
  return new Option(
    "--commit-time <iso>",
    "when the released change was committed, ISO 8601 with a zone (git log -1 --format=%cI), for lead time",
  ).argParser(parseCommitTime);
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

/**
 * Reads an ISO 8601 time with a zone into UTC ISO form. A time without a zone is refused: the
 * runner's zone is not the committer's. So is a date that does not exist (`2025-02-30`), which
 * `Date.parse` would quietly move into March.
 */
export function parseCommitTime(text: string): string {
  const match = ISO_TIME.exec(text.trim());
  const fail = (): never => {
    throw new InvalidArgumentError(
      "expected an ISO 8601 time with a zone, such as 2025-11-30T21:00:00Z or 2025-11-30T22:00:00+01:00 (git log -1 --format=%cI)",
    );
  };
  if (!match) return fail();
  const [year, month, day, hour, minute, second = "0", offsetHours = "0", offsetMinutes = "0"] =
    match.slice(1);
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const inRange =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 14 &&
    Number(offsetMinutes) <= 59;
  const at = Date.parse(text.trim());
  if (!inRange || Number.isNaN(at)) return fail();
  return new Date(at).toISOString();
}
