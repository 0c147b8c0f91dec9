/**
 * Which rollout events become messages, and what they say: the SOP's communication plan ("during
 * deployment: deployment started, progress updates every 15 minutes, any issues encountered";
 * "post-deployment: deployment complete"). Pure: a state and an event in, the next state and the
 * messages out, so the cadence is tested without a clock.
 */
import { formatDuration } from "../../../infra/config/duration";
import type { Outcome, RolloutEvent } from "../../events";
import type { Notification, NotificationSeverity } from "./notifier";
import type { Colour } from "../../../components/domain";

/** The SOP's progress cadence: an update at least this long after the previous message. */
export const PROGRESS_INTERVAL_SECONDS = 15 * 60;

/** What the planner remembers between events. */
export interface NotificationState {
  readonly stack?: string;
  readonly version?: string;
  readonly candidate?: Colour;
  readonly stable?: Colour;
  /** When the last message went out, in the events' elapsed seconds. */
  readonly lastSentSeconds?: number;
}

/** Options of the planner. */
export interface NotificationPlanOptions {
  /** @default 900 (15 minutes) */
  readonly progressIntervalSeconds?: number;
}

/** The first state; `stack` names the stack before a `started` event does (a rejected run has none). */
export function initialNotificationState(stack?: string): NotificationState {
  return { stack };
}

const COMPLETED_SEVERITY: Record<Outcome, NotificationSeverity> = {
  promoted: "success",
  "rolled-back": "warning",
  aborted: "warning",
  failed: "critical",
  rejected: "warning",
};

const COMPLETED_VERB: Record<Outcome, string> = {
  promoted: "promoted",
  "rolled-back": "rolled back",
  aborted: "aborted",
  failed: "failed",
  rejected: "rejected",
};

/** The messages one event calls for, and the state after it. */
export function planNotifications(
  state: NotificationState,
  event: RolloutEvent,
  options: NotificationPlanOptions = {},
): { state: NotificationState; notifications: Notification[] } {
  const interval = options.progressIntervalSeconds ?? PROGRESS_INTERVAL_SECONDS;
  const at = event.elapsedSeconds;
  const on = state.stack ? ` on ${state.stack}` : "";
  const send = (next: NotificationState, notification: Omit<Notification, "stack" | "elapsedSeconds">) => ({
    state: { ...next, lastSentSeconds: at },
    notifications: [{ ...notification, stack: next.stack, elapsedSeconds: at }],
  });

  switch (event.type) {
    case "started": {
      const next = {
        ...state,
        stack: event.stack,
        version: event.version,
        candidate: event.candidate,
        stable: event.stable,
      };
      const plan = event.steps
        .map((step) => `${step.weight}% ${formatDuration(step.bakeSeconds)}`)
        .join(", ");
      const total = event.steps.reduce((sum, step) => sum + step.bakeSeconds, 0);
      return send(next, {
        kind: "started",
        severity: "info",
        subject: `${event.resumed ? "Resuming" : "Rolling out"} ${event.version} on ${event.stack}`,
        text:
          `${event.version} goes to ${event.candidate}; ${event.stable} keeps serving until each step proves it. ` +
          `Plan: ${plan} (${formatDuration(total)} of bakes).`,
      });
    }
    case "shifted": {
      const candidate = state.candidate ?? "the candidate";
      const weight = state.candidate ? event.weights[state.candidate] : undefined;
      const share = weight === undefined ? "its next share" : `${weight}%`;
      return send(state, {
        kind: "step",
        severity: "info",
        subject: `Step ${event.step}/${event.of}${on}: ${share} of traffic to ${candidate}`,
        text: `${state.version ?? "The new version"} on ${candidate} now takes ${share} of the traffic, read back and verified. Baking with the alarms watched.`,
      });
    }
    case "baking": {
      if (state.lastSentSeconds !== undefined && at - state.lastSentSeconds < interval)
        return { state, notifications: [] };
      return send(state, {
        kind: "progress",
        severity: "info",
        subject: `Step ${event.step}/${event.of}${on}: baking at ${event.weight}%, ${formatDuration(event.remainingSeconds)} left`,
        text: `${state.version ?? "The new version"} on ${state.candidate ?? "the candidate"} is baking at ${event.weight}%. Alarms: ${alarmCounts(event.alarms)}.`,
      });
    }
    case "reverted": {
      const stable = state.stable ?? "the stable colour";
      return send(state, {
        kind: "reverted",
        severity: "critical",
        subject: `Reverted${on}: all traffic back on ${stable}`,
        text:
          `Traffic is back on ${stable}, verified ${formatDuration(event.secondsSinceTrigger)} after the trigger. ` +
          `Reason: ${event.reason}`,
      });
    }
    case "completed": {
      const what = state.version ? `${state.version}${on}` : `The rollout${on}`;
      const reason = event.reason ? ` ${event.reason.replace(/\.$/, "")}.` : "";
      return send(state, {
        kind: "completed",
        severity: COMPLETED_SEVERITY[event.outcome],
        subject: `${what}: ${COMPLETED_VERB[event.outcome]}`,
        text: `${COMPLETED_VERB[event.outcome][0].toUpperCase()}${COMPLETED_VERB[event.outcome].slice(1)} after ${formatDuration(at)} (exit ${event.exitCode}).${reason}`,
      });
    }
    default:
      return { state, notifications: [] };
  }
}

/** "4 OK" or "3 OK, 1 INSUFFICIENT_DATA": how the watched alarms stand. */
function alarmCounts(alarms: Readonly<Record<string, string>>): string {
  const counts = new Map<string, number>();
  for (const value of Object.values(alarms)) counts.set(value, (counts.get(value) ?? 0) + 1);
  if (counts.size === 0) return "none watched";
  return [...counts].map(([value, count]) => `${count} ${value}`).join(", ");
}
