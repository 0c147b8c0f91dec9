/**
 * The revert's decision, pure: given what is known so far (whether traffic is verified back on the
 * stable colour, how the stack's restore went, which round it is, the time against the deadline),
 * what to do next. The loop performs the action, records what happened with `recordRevert`, and
 * asks again until the answer is `done`.
 *
 * Each round tries the direct write first (seconds), then the stack (minutes). Before traffic is
 * back, the stack is one of the two ways to get it there, so it is retried until the deadline;
 * afterwards it only tidies up, and a few attempts are enough. A revert never re-advances.
 */
import { backoffDelay, REVERT_ROUND_RETRY } from "./retry";
import { type Colour, type TrafficSplit, formatSplit, splitFor } from "../../components/domain";

/**
 * The split a revert puts back: everything on the stable colour, nothing on the candidate. The
 * driver's revert and the guardian's both aim here.
 */
export function revertSplit(candidate: Colour): TrafficSplit {
  return splitFor(candidate, 0);
}

/** Restoring the stack is tried this many times once traffic is safely back on the stable colour. */
export const RESTORE_ATTEMPTS = 3;

/** The shortest pause between two revert rounds, whatever the jitter draws. */
export const MIN_ROUND_PAUSE_MS = 1_000;

/** How the stack's restore stands: untried, restored, blocked by a lock (final), or failed (retried). */
export type StackRestore =
  | { readonly kind: "untried" }
  | { readonly kind: "restored" }
  | { readonly kind: "blocked"; readonly detail: string }
  | { readonly kind: "failed"; readonly detail: string };

/** The last step taken in the current round. */
export type RevertPhase = "start" | "direct" | "restore" | "read-back";

/** Everything the revert knows. Instants are epoch milliseconds. */
export interface RevertKnowledge {
  readonly stable: Colour;
  readonly candidate: Colour;
  /** The round, from 1. */
  readonly round: number;
  /** The last step taken in this round. */
  readonly phase: RevertPhase;
  readonly now: number;
  /** Rounds stop once this has passed: the trigger plus the operation timeout. */
  readonly deadline: number;
  /** Traffic is verified back on the stable colour. */
  readonly reverted: boolean;
  /** Why the last direct write failed, when it did. */
  readonly directFailure?: string;
  readonly stack: StackRestore;
  /** Restores tried after traffic was back. */
  readonly tidyAttempts: number;
}

/** What to do next. */
export type RevertAction =
  /** Write the stable split through the router and read it back; retried under REVERT_RETRY. */
  | { readonly kind: "write-direct"; readonly target: TrafficSplit }
  /** Write the pre-rollout values into the stack and run a full update. */
  | { readonly kind: "restore-stack" }
  /** Read the live split after the stack was restored: the update may have moved traffic back. */
  | { readonly kind: "read-back"; readonly target: TrafficSplit }
  /** Pause before the next round. */
  | { readonly kind: "wait"; readonly ms: number }
  /** Stop. `detail` says what went wrong on the way ("" when nothing did). */
  | { readonly kind: "done"; readonly reverted: boolean; readonly detail: string };

/** What performing an action found. */
export type RevertStepResult =
  | { readonly kind: "direct-verified" }
  | { readonly kind: "direct-failed"; readonly detail: string }
  | { readonly kind: "restored" }
  | { readonly kind: "restore-blocked"; readonly detail: string }
  | { readonly kind: "restore-failed"; readonly detail: string }
  /** The read after a restore: whether the live split is the stable one (false when unreadable). */
  | { readonly kind: "read-back"; readonly matches: boolean }
  | { readonly kind: "waited" };

/** What a revert knows before it has done anything. */
export function startRevert(options: {
  stable: Colour;
  candidate: Colour;
  now: number;
  deadline: number;
}): RevertKnowledge {
  return {
    ...options,
    round: 1,
    phase: "start",
    reverted: false,
    stack: { kind: "untried" },
    tidyAttempts: 0,
  };
}

/**
 * The next action. `random` draws the jitter of a pause between rounds, and only then, so a
 * seeded source gives the same pauses whatever else the revert did.
 */
export function nextRevertAction(known: RevertKnowledge, random: () => number): RevertAction {
  const target = revertSplit(known.candidate);
  if (known.phase === "start" && !known.reverted) return { kind: "write-direct", target };
  if ((known.phase === "start" || known.phase === "direct") && restorePending(known)) {
    return { kind: "restore-stack" };
  }
  if (known.phase === "restore" && known.stack.kind === "restored" && !known.reverted) {
    return { kind: "read-back", target };
  }
  if ((known.reverted && restoreSettled(known)) || known.now >= known.deadline) {
    return { kind: "done", ...conclusion(known, target) };
  }
  const delay = backoffDelay(REVERT_ROUND_RETRY, known.round, random);
  return { kind: "wait", ms: Math.max(MIN_ROUND_PAUSE_MS, delay) };
}

/** What is known once `result` came back at `now`. */
export function recordRevert(known: RevertKnowledge, result: RevertStepResult, now: number): RevertKnowledge {
  const at = { ...known, now };
  switch (result.kind) {
    case "direct-verified":
      return { ...at, phase: "direct", reverted: true };
    case "direct-failed":
      return { ...at, phase: "direct", directFailure: result.detail };
    case "restored":
      return { ...restoreTried(at), stack: { kind: "restored" } };
    case "restore-blocked":
      return { ...restoreTried(at), stack: { kind: "blocked", detail: result.detail } };
    case "restore-failed":
      return { ...restoreTried(at), stack: { kind: "failed", detail: result.detail } };
    case "read-back":
      return { ...at, phase: "read-back", reverted: known.reverted || result.matches };
    case "waited":
      return { ...at, phase: "start", round: known.round + 1 };
  }
}

/** A restore attempt counts towards the tidy-up limit only once traffic was already back. */
function restoreTried(known: RevertKnowledge): RevertKnowledge {
  return { ...known, phase: "restore", tidyAttempts: known.tidyAttempts + (known.reverted ? 1 : 0) };
}

function restorePending(known: RevertKnowledge): boolean {
  return (
    known.stack.kind !== "restored" && known.stack.kind !== "blocked" && known.tidyAttempts < RESTORE_ATTEMPTS
  );
}

function restoreSettled(known: RevertKnowledge): boolean {
  return !restorePending(known);
}

function conclusion(known: RevertKnowledge, target: TrafficSplit): { reverted: boolean; detail: string } {
  const { stack } = known;
  if (!known.reverted) {
    const stackFailure = stack.kind === "blocked" || stack.kind === "failed" ? stack.detail : "not attempted";
    return {
      reverted: false,
      detail: `could not revert: the direct write failed (${known.directFailure ?? "not attempted"}) and so did the stack (${stackFailure}); traffic may still reach ${known.candidate}: set it to ${formatSplit(target)} by hand`,
    };
  }
  if (stack.kind === "blocked") {
    return {
      reverted: true,
      detail: `traffic is back on ${known.stable} through the direct path, but ${stack.detail}`,
    };
  }
  if (stack.kind !== "restored") {
    const failure = stack.kind === "failed" ? stack.detail : undefined;
    return {
      reverted: true,
      detail: `traffic is back on ${known.stable}, but the stack could not be restored (${failure}): run \`pulumi up\` on the stack to apply the restored values`,
    };
  }
  return { reverted: true, detail: "" };
}
