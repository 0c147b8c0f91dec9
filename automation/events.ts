/**
 * The events a rollout emits, one per line with `--json` (NDJSON). Every event carries its `type`,
 * `elapsedSeconds` since the rollout started and its `time`, both from the driver's clock (virtual
 * in a rehearsal); `--json` adds the command's `runId`.
 */
import type { WatchedState } from "./core/alarms";
import type { Colour, PauseTimeoutAction, PlanPause, TrafficSplit } from "../components/domain";

/** How a rollout ended. */
export type Outcome = "promoted" | "rolled-back" | "aborted" | "failed" | "rejected";

/** The process exit code for each outcome. */
export const EXIT_CODES: Record<Outcome, number> = {
  promoted: 0,
  failed: 1,
  rejected: 2,
  "rolled-back": 3,
  aborted: 4,
};

/** Every event the driver emits. */
export type RolloutEventBody =
  | {
      type: "started";
      stack: string;
      version: string;
      candidate: Colour;
      stable: Colour;
      steps: { weight: number; bakeSeconds: number; pause?: PlanPause }[];
      resumed: boolean;
    }
  | { type: "preflight"; check: string; ok: boolean; detail: string }
  | {
      /** `bluegreen undo`: all traffic back on the previous release's colour. */
      type: "undoing";
      stack: string;
      colour: Colour;
      version: string;
      from: Colour;
      fromVersion: string;
    }
  | { type: "deployed"; colour: Colour; version: string; changed: number }
  | {
      /** The candidate (or an undo's colour) was scaled down while idle: it is scaled up before it gets traffic. */
      type: "scaling";
      colour: Colour;
      from: number;
      to: number;
    }
  | { type: "scaled"; colour: Colour; from: number; to: number; seconds: number }
  | { type: "ready"; colour: Colour; detail: string }
  | { type: "checked"; colour: Colour; ok: boolean; detail: string }
  | { type: "shifted"; step: number; of: number; weights: TrafficSplit; changed: number }
  | {
      type: "baking";
      step: number;
      of: number;
      weight: number;
      remainingSeconds: number;
      alarms: Record<string, WatchedState>;
    }
  | {
      type: "alarm";
      name: string;
      state: WatchedState;
      previous?: WatchedState;
      reason?: string;
    }
  | { type: "alarm-read-failed"; consecutive: number; limit: number; error: string }
  | {
      /** The rollout holds the step's weight, still watching, until an operator answers or the timeout. */
      type: "paused";
      stack: string;
      step: number;
      of: number;
      weight: number;
      /** Who holds it: "the plan" for a step's pause, else the operator who asked. */
      by: string;
      /** Seconds until the timeout; absent when it waits for an answer. */
      timeoutSeconds?: number;
      onTimeout?: PauseTimeoutAction;
    }
  | { type: "resumed"; step: number; of: number; by: string }
  | { type: "warning"; message: string }
  | { type: "reverted"; weights: TrafficSplit; reason: string; secondsSinceTrigger: number }
  | { type: "restored"; revision: number; changed: number; drift: number }
  | { type: "promoted"; stable: Colour; version: string }
  | { type: "completed"; outcome: Outcome; exitCode: number; reason?: string };

/** An event as emitted: its body plus when it happened on the driver's clock. */
export type RolloutEvent = RolloutEventBody & {
  /** Seconds since the run started. */
  elapsedSeconds: number;
  /** When it happened, ISO 8601 UTC: a pipeline's log lines and the run report line up on it. */
  time: string;
};

/**
 * An event as `--json` prints it: stamped with the run id of the command that printed it, so
 * streams and audit records of one run can be joined and two runs' streams told apart.
 */
export type EventLine = RolloutEvent & { runId: string };

/** Where events go: a terminal renderer, an NDJSON printer, a test recorder. */
export interface EventSink {
  emit(event: RolloutEvent): void;
}
