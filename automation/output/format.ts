/**
 * Pure formatting of rollout events into the lines people read. The sinks keep the state (which
 * colour is the candidate, when a bake line was last printed); these functions only turn values
 * into text, so every line a pipeline log shows is covered by a table-driven test.
 */
import { formatDuration } from "../../infra/config/duration";
import type { RolloutEvent } from "../events";
import type { WatchedState } from "../core/alarms";
import { type Colour, otherColour, type TrafficSplit } from "../../components/domain";

/** What a renderer has learnt from earlier events and needs to phrase later ones. */
export interface FormatContext {
  /** The colour receiving the new version, once a `started` event named it. */
  readonly candidate?: Colour;
}

/** What a paused run waits for, as the line a person reads: the commands that answer it. */
export function formatPaused(event: Extract<RolloutEvent, { type: "paused" }>): string {
  const holder = event.by === "the plan" ? "" : ` (${event.by} asked to pause)`;
  const timeout =
    event.timeoutSeconds === undefined
      ? "no timeout"
      : `${event.onTimeout ?? "abort"} in ${formatRemaining(event.timeoutSeconds)} without an answer`;
  return `step ${event.step}/${event.of}: holding ${event.weight}%${holder}, alarms still watched; waiting for approval: bluegreen resume --stack ${event.stack} (or promote --full, abort; ${timeout})`;
}

/** How a line is coloured on a terminal; the plain renderer ignores it. */
export type Tone = "info" | "good" | "bad" | "warn";

/** One permanent line of output and its tone. */
export interface FormattedLine {
  readonly text: string;
  readonly tone: Tone;
}

/** Elapsed time as a fixed-width `[  3m20s]` prefix, so event lines align in a log. */
export function formatElapsed(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  const text =
    hours > 0
      ? `${hours}h${pad2(minutes)}m${pad2(rest)}s`
      : minutes > 0
        ? `${minutes}m${pad2(rest)}s`
        : `${rest}s`;
  return `[${text.padStart(7)}]`;
}

/** A countdown such as `2m40s`. */
export function formatRemaining(seconds: number): string {
  return formatDuration(Math.max(0, Math.ceil(seconds)));
}

/**
 * A split as people say it: the candidate first (`green 25% (blue 75%)`) when it is known,
 * otherwise both colours in a fixed order.
 */
export function formatSplit(weights: TrafficSplit, candidate?: Colour): string {
  if (candidate === undefined) return `blue ${weights.blue}% / green ${weights.green}%`;
  const stable = otherColour(candidate);
  return `${candidate} ${weights[candidate]}% (${stable} ${weights[stable]}%)`;
}

/** A summary of alarm states: `alarms OK`, or the ones that are not OK with their states. */
export function formatAlarmSummary(alarms: Readonly<Record<string, WatchedState>>): string {
  const names = Object.keys(alarms);
  if (names.length === 0) return "no alarms watched";
  const notOk = names.filter((name) => alarms[name] !== "OK").sort();
  if (notOk.length === 0) return "alarms OK";
  return `alarms: ${notOk.map((name) => `${name} ${alarms[name]}`).join(", ")}`;
}

/** The live bake line: step, weight and countdown. */
export function formatBaking(event: Extract<RolloutEvent, { type: "baking" }>): string {
  return `baking step ${event.step}/${event.of} at ${event.weight}%: ${formatRemaining(event.remainingSeconds)} left, ${formatAlarmSummary(event.alarms)}`;
}

/** The permanent line for an event, without the elapsed prefix. */
export function formatEvent(event: RolloutEvent, context: FormatContext = {}): FormattedLine {
  switch (event.type) {
    case "started": {
      const steps = event.steps
        .map(
          (step) =>
            `${step.weight}% for ${formatDuration(step.bakeSeconds)}${step.pause ? ", pause for approval" : ""}`,
        )
        .join(", ");
      const verb = event.resumed ? "resuming rollout" : "rollout";
      return {
        tone: "info",
        text: `${verb} of ${event.version} to ${event.candidate} on stack ${event.stack} (${event.stable} is stable): ${event.steps.length} steps: ${steps}`,
      };
    }
    case "preflight":
      return event.ok
        ? { tone: "info", text: `preflight ${event.check}: ok${suffix(event.detail)}` }
        : { tone: "bad", text: `preflight ${event.check} failed${suffix(event.detail)}` };
    case "deployed":
      return {
        tone: "info",
        text: `deployed ${event.version} to ${event.colour} (${plural(event.changed, "resource")} changed)`,
      };
    case "undoing":
      return {
        tone: "info",
        text: `undoing the last promotion on stack ${event.stack}: all traffic back to ${event.colour} (${event.version}) from ${event.from} (${event.fromVersion})`,
      };
    case "scaling":
      return {
        tone: "info",
        text: `scaling ${event.colour} up from ${event.from} to ${event.to} before it gets traffic (it was scaled down while idle)`,
      };
    case "scaled":
      return {
        tone: "good",
        text: `${event.colour} scaled from ${event.from} to ${event.to} in ${formatDuration(event.seconds)}`,
      };
    case "ready":
      return { tone: "good", text: `${event.colour} is ready${suffix(event.detail)}` };
    case "checked":
      return event.ok
        ? { tone: "good", text: `pre-traffic check of ${event.colour} passed${suffix(event.detail)}` }
        : { tone: "bad", text: `pre-traffic check of ${event.colour} failed${suffix(event.detail)}` };
    case "shifted":
      return {
        tone: "info",
        text: `step ${event.step}/${event.of}: ${formatSplit(event.weights, context.candidate)} verified`,
      };
    case "baking":
      return { tone: "info", text: formatBaking(event) };
    case "alarm": {
      const from = event.previous === undefined ? "" : `${event.previous} -> `;
      const tone: Tone = event.state === "OK" ? "good" : event.state === "INSUFFICIENT_DATA" ? "warn" : "bad";
      return { tone, text: `alarm ${event.name}: ${from}${event.state}${suffix(event.reason)}` };
    }
    case "alarm-read-failed":
      return {
        tone: "warn",
        text: `reading the alarms failed (${event.consecutive} of ${event.limit} in a row before a revert): ${event.error}`,
      };
    case "warning":
      return { tone: "warn", text: `warning: ${event.message}` };
    case "paused":
      return { tone: "warn", text: formatPaused(event) };
    case "resumed":
      return {
        tone: "info",
        text: `step ${event.step}/${event.of}: pause over${suffix(event.by)}`,
      };
    case "reverted":
      return {
        tone: "bad",
        text: `reverted to ${formatSplit(event.weights, stableAsCandidateView(context.candidate))} in ${formatDuration(event.secondsSinceTrigger)}: ${event.reason}`,
      };
    case "restored":
      return {
        tone: event.drift > 0 ? "warn" : "info",
        text: `stack restored to its pre-rollout values (revision ${event.revision}, ${plural(event.changed, "resource")} changed, ${event.drift > 0 ? `preview still finds ${plural(event.drift, "change")}` : "no drift"})`,
      };
    case "promoted":
      return { tone: "good", text: `promoted: ${event.stable} is stable at ${event.version}` };
    case "completed":
      return {
        tone: event.outcome === "promoted" ? "good" : "bad",
        text: `${event.outcome} (exit ${event.exitCode})${suffix(event.reason)}`,
      };
  }
}

/** `[  3m20s] step 2/4: green 25% (blue 75%) verified` */
export function formatEventLine(event: RolloutEvent, context: FormatContext = {}): string {
  return `${formatElapsed(event.elapsedSeconds)} ${formatEvent(event, context).text}`;
}

/** After a revert the stable colour carries the traffic; name it first. */
function stableAsCandidateView(candidate: Colour | undefined): Colour | undefined {
  return candidate === undefined ? undefined : otherColour(candidate);
}

function suffix(detail: string | undefined): string {
  return detail === undefined || detail === "" ? "" : `: ${detail}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}
