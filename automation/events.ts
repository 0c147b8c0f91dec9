/**
 * The events a rollout emits, one per line with `--json` (NDJSON). Every event carries its `type`
 * and `elapsedSeconds` since the rollout started (virtual seconds in a rehearsal).
 */
import type { Colour, TrafficSplit } from "../infra/config/schema";
import type { WatchedState } from "./core/alarms";

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
      steps: { weight: number; bakeSeconds: number }[];
      resumed: boolean;
    }
  | { type: "preflight"; check: string; ok: boolean; detail: string }
  | { type: "deployed"; colour: Colour; version: string; changed: number }
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
  | { type: "warning"; message: string }
  | { type: "reverted"; weights: TrafficSplit; reason: string; secondsSinceTrigger: number }
  | { type: "restored"; revision: number; changed: number; drift: number }
  | { type: "promoted"; stable: Colour; version: string }
  | { type: "completed"; outcome: Outcome; exitCode: number; reason?: string };

/** An event as emitted: its body plus the elapsed time. */
export type RolloutEvent = RolloutEventBody & { elapsedSeconds: number };

/** Where events go: a terminal renderer, an NDJSON printer, a test recorder. */
export interface EventSink {
  emit(event: RolloutEvent): void;
}
