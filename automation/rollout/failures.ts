/**
 * How a run stops early, and how failures read in messages.
 */
import type { RevertCause } from "../core/decide";

/** A stop of the rollout: the cause, what happened, and when it was seen (epoch ms). */
export class RolloutStop extends Error {
  constructor(
    readonly cause: RevertCause,
    readonly reason: string,
    readonly at: number,
  ) {
    super(reason);
    this.name = "RolloutStop";
  }
}

/** A preflight check that failed: nothing has been written. */
export class PreflightFailure extends Error {
  constructor(
    readonly check: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "PreflightFailure";
  }
}

/** An error as a message names it: `ThrottlingException: Rate exceeded`, or the bare message of a plain Error. */
export function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/** What interrupted the run, from its signal's reason. */
export function interruption(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "";
  return `the run was interrupted${detail && !/aborted/i.test(detail) ? ` (${detail})` : " (SIGINT/SIGTERM)"}`;
}

/** Throws the stop of a signalled run: once the run's signal is aborted, nothing new starts. */
export function throwIfSignalled(signal: AbortSignal, now: () => number): void {
  if (signal.aborted) throw new RolloutStop("signal", interruption(signal), now());
}
