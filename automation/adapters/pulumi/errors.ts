/**
 * Typed errors of the Automation API adapter, and the mapping from the SDK's `CommandError`s.
 *
 * The SDK classifies a failed CLI command by its stderr: `ConcurrentUpdateError` (a 409 from
 * Pulumi Cloud, or "the stack is currently locked by" from a self-managed backend) and
 * `StackNotFoundError` ("no stack named ... found") are reliable. Any other `CommandError` of an
 * update says only that the CLI exited non-zero: the update may have saved, partly applied or
 * not started, so it becomes `StateUnknownError` and the caller reconciles.
 */
import type { StackLock } from "../../ports";

/** One holder of a self-managed backend's lock, as the CLI lists it. */
export interface LockHolder {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /** When the lock was taken, as the CLI prints it (RFC 3339). */
  readonly since: string;
}

/** Decides whether a holder's process still runs; unknown means alive. */
export type HolderLiveness = (holder: LockHolder) => boolean;

/** The stack is locked by another update. */
export class StackLockedError extends Error {
  override readonly name = "StackLockedError";
  /** Who holds the lock and whether that process still runs. */
  readonly lock: StackLock;
  /** The holders the CLI named (empty for Pulumi Cloud, which names none). */
  readonly holders: readonly LockHolder[];

  constructor(stackName: string, lock: StackLock, holders: readonly LockHolder[], options?: ErrorOptions) {
    super(
      lock.alive
        ? `stack ${stackName} is locked by ${lock.holder}: wait for that update to finish; never cancel a live update`
        : `stack ${stackName} is locked by ${lock.holder}, which no longer runs: the lock is stale; ` +
            `after checking that no update is running, clear it with \`pulumi cancel --stack ${stackName}\``,
      options,
    );
    this.lock = lock;
    this.holders = holders;
  }
}

/** The stack does not exist in the current backend. */
export class StackMissingError extends Error {
  override readonly name = "StackMissingError";
  readonly stackName: string;

  constructor(stackName: string, projectDir: string, options?: ErrorOptions) {
    super(
      `stack ${stackName} does not exist in the current backend: create it with ` +
        `\`pulumi stack init ${stackName}\` in ${projectDir} (or log in to the backend that holds it with \`pulumi login\`)`,
      options,
    );
    this.stackName = stackName;
  }
}

/**
 * An update failed in a way that says nothing about what it changed. The caller must reconcile
 * from the stack's history and outputs (see `AutomationStack.reconcileAfterFailedUpdate`).
 */
export class StateUnknownError extends Error {
  override readonly name = "StateUnknownError";
  /** Whether the update was cancelled through its signal (one graceful SIGINT to the CLI). */
  readonly cancelled: boolean;

  constructor(stackName: string, detail: string, cancelled: boolean, options?: ErrorOptions) {
    super(
      `state unknown: the update of stack ${stackName} ${cancelled ? "was cancelled" : "failed"} (${detail}); ` +
        "reconcile from the stack's history and outputs",
      options,
    );
    this.cancelled = cancelled;
  }
}

/** A Pulumi command that changes nothing (config, outputs, preview) failed. */
export class PulumiOperationError extends Error {
  override readonly name = "PulumiOperationError";
  readonly operation: string;

  constructor(operation: string, detail: string, options?: ErrorOptions) {
    super(`${operation} failed: ${detail}`, options);
    this.operation = operation;
  }
}

/** An operation was cancelled before it started; nothing ran. */
export class OperationNotStartedError extends Error {
  override readonly name = "AbortError";

  constructor(operation: string) {
    super(`${operation} was cancelled before it started; nothing was changed`);
  }
}

/** Whether `error` is a `CommandError` (by name: the class may come from another copy of the SDK). */
export function isCommandError(error: Error): boolean {
  return ["CommandError", "ConcurrentUpdateError", "StackNotFoundError", "StackAlreadyExistsError"].includes(
    error.name,
  );
}

const HOLDER_PATTERN = /created by (.+?)@([^\s@]+) \(pid (\d+)\) at (\S+)/g;

/** The holders a self-managed backend lists in its "currently locked by" message. */
export function parseLockHolders(message: string): LockHolder[] {
  return [...message.matchAll(HOLDER_PATTERN)].map((match) => ({
    user: match[1].trim(),
    host: match[2],
    pid: Number(match[3]),
    since: match[4],
  }));
}

/** Renders holders for a message: `ci@runner-7 (pid 4242) since 2025-01-01T10:00:00Z`. */
export function describeHolders(holders: readonly LockHolder[]): string {
  return holders.map((h) => `${h.user}@${h.host} (pid ${h.pid}) since ${h.since}`).join(", ");
}

/** Builds the lock a `ConcurrentUpdateError` describes; an unnamed holder is alive (fail safe). */
export function lockFromMessage(message: string, isAlive: HolderLiveness): StackLock {
  const holders = parseLockHolders(message);
  if (holders.length === 0) {
    return { holder: "another update (the backend does not name its process)", alive: true };
  }
  return { holder: describeHolders(holders), alive: holders.some(isAlive) };
}

/**
 * The CLI's first `error:` line, or the last non-empty stderr line: enough to say what failed
 * without copying the whole output (which is long, and which the caller may print).
 */
export function commandErrorSummary(error: Error): string {
  // The SDK renders "code: N\n stdout: ...\n stderr: ...\n err?: ..."; each part may span lines.
  const lines = error.message.split("\n").map((line) => line.trim());
  const exit = /^code: (-?\d+)/.exec(lines[0] ?? "");
  const text = lines.map((line) => line.replace(/^(stdout|stderr):\s*/, ""));
  const errorLine = text.find((line) => /^error:/i.test(line));
  if (errorLine) return errorLine;
  const stderrStart = lines.findIndex((line) => line.startsWith("stderr:"));
  const stderr = (stderrStart >= 0 ? text.slice(stderrStart) : text).filter(
    (line) => line !== "" && !line.startsWith("err?:") && !/^code: -?\d+$/.test(line),
  );
  const last = stderr.pop() ?? "no output";
  return exit ? `exit ${exit[1]}: ${last}` : last;
}

/** A hint for failures whose cause is well known. */
export function commandErrorHint(error: Error): string {
  const text = error.message;
  if (/passphrase/i.test(text)) {
    return "; the stack encrypts secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE";
  }
  if (/ENOENT/.test(text) && /pulumi/.test(text)) {
    return "; the Pulumi CLI is not on PATH: install it from https://www.pulumi.com/docs/install/";
  }
  if (/unknown flag: --json/.test(text)) {
    return "; this Pulumi CLI is too old for `config set-all --json`: upgrade it (https://www.pulumi.com/docs/install/)";
  }
  if (/not logged in|pulumi login/i.test(text)) {
    return "; log in to the stack's backend with `pulumi login`";
  }
  return "";
}
