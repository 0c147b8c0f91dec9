/**
 * Everything the CLI takes from its process, as one object: main.ts fills it from `process`, tests
 * fill it with buffers and a fake environment, so every command runs without a child process.
 */
import { EXIT_CODES } from "../events";
import type { TextWriter } from "../output/writer";

/**
 * The signals that cancel a rollout: SIGINT and SIGTERM (a cancelled pipeline job), and SIGHUP (a
 * closed terminal, a dropped SSH session), which would otherwise end the process with traffic
 * split and nobody watching.
 */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/**
 * What stops a run: a signal, or the process that started bluegreen going away (`npx`, a shell, a
 * CI step killed outright), which would otherwise leave this process running on, orphaned, to
 * promote after the pipeline has moved on.
 */
export type StopCause = StopSignal | "parent-exited";

/** The process as the commands see it. */
export interface CliIo {
  readonly stdout: TextWriter;
  readonly stderr: TextWriter;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project directory: where `stacks/` and `.bluegreen/` live. */
  readonly cwd: string;
  /** Whether stdout is a terminal (live progress line) or a log (one line per event). */
  readonly isTTY: boolean;
  /** Calls the listener on SIGINT/SIGTERM/SIGHUP, or when the parent process exits, until the returned function removes it. */
  onSignal(listener: (cause: StopCause) => void): () => void;
  /** Who runs the command, resolved on first use (it may run `git config`). */
  who(): string;
}

/** An error in the command line or its input: exit 2 with the message, nothing changed. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Exit codes of commands that are not rollouts: success, and input rejected before anything changed. */
export const EXIT_OK = 0;
/** Bad arguments or input, a failed preflight: nothing changed. Same as a rejected rollout. */
export const EXIT_USAGE = EXIT_CODES.rejected;
/** Something unexpected; same as a failed rollout. */
export const EXIT_UNEXPECTED = EXIT_CODES.failed;
/**
 * The stack's control channel could not be read or written (its table is missing, access is
 * denied, the record is malformed, AWS cannot be reached): the request was not delivered and
 * nothing changed. Its own code, so a pipeline tells "nobody heard me" from a rejected input.
 */
export const EXIT_CONTROL = 5;
