/**
 * One rollout's event stream folded into what a report shows: the outcome, the steps as they
 * happened (not as planned), the alarms seen, the revert, and the candidate's weight over time.
 * Pure: the stream in, a plain value out.
 */
import type { Outcome } from "../events";
import {
  EventStreamError,
  isKnownEvent,
  type StreamEvent,
  type StreamLine,
  type UnknownStreamEvent,
} from "./eventStream";
import type { Colour } from "../../components/domain";

/** An alarm seen leaving OK during the run. */
export interface AlarmSighting {
  readonly name: string;
  /** `ALARM`, `INSUFFICIENT_DATA` or `MISSING`. */
  readonly state: string;
  readonly previous?: string;
  readonly reason?: string;
  /** Seconds since the run started. */
  readonly atSeconds: number;
}

/** A traffic step as it happened. */
export interface StepSummary {
  /** 1-based step number. */
  readonly step: number;
  /** The plan's number of steps. */
  readonly of: number;
  /** The candidate's percent of traffic during the step. */
  readonly weight: number;
  /** When the verified shift to this step happened, in seconds since the run started. */
  readonly startSeconds: number;
  /** How long the plan wanted the step to bake, when the stream says. */
  readonly plannedBakeSeconds?: number;
  /** How long it did bake: until the next step, the promotion, the revert or the end of the stream. */
  readonly bakedSeconds: number;
  /** What ended the step. */
  readonly endedBy: "next-step" | "promoted" | "reverted" | "end";
  /** Alarms that left OK during the step. */
  readonly alarms: readonly AlarmSighting[];
  /** Failed alarm reads during the step (each after the driver's own retries). */
  readonly alarmReadFailures: number;
}

/** The revert, when there was one. */
export interface RevertSummary {
  /** When traffic was verified back on the stable colour, in seconds since the run started. */
  readonly atSeconds: number;
  /** When the driver saw what triggered it: `atSeconds - secondsToRevert`. */
  readonly triggerAtSeconds: number;
  /** From the trigger to the verified revert. */
  readonly secondsToRevert: number;
  readonly reason: string;
}

/** The candidate's weight from a moment on, until the next point. */
export interface WeightPoint {
  readonly atSeconds: number;
  readonly weight: number;
}

/** Everything a report shows about one run. */
export interface RunSummary {
  readonly stack?: string;
  readonly version?: string;
  readonly candidate?: Colour;
  readonly stable?: Colour;
  readonly resumed: boolean;
  readonly runId?: string;
  /** When the run started, ISO 8601, when the stream carries times. */
  readonly startedAt?: string;
  /** Absent when the stream ends before a `completed` event (a killed run). */
  readonly outcome?: Outcome;
  readonly exitCode?: number;
  readonly reason?: string;
  /** From the start to the last event. */
  readonly durationSeconds: number;
  readonly plannedSteps: readonly { readonly weight: number; readonly bakeSeconds: number }[];
  readonly steps: readonly StepSummary[];
  /** Every alarm that left OK, in order, including any seen before the first step. */
  readonly alarms: readonly AlarmSighting[];
  readonly revert?: RevertSummary;
  /** The candidate's weight as a step function: each point holds until the next. */
  readonly weights: readonly WeightPoint[];
  /** Preflight checks that failed (a rejected run). */
  readonly preflightFailures: readonly { readonly check: string; readonly detail: string }[];
  readonly warnings: readonly string[];
}

/**
 * Folds a parsed stream into a summary.
 *
 * @throws EventStreamError when the stream holds more than one run (a second `started` event, or
 * two `runId`s): a report describes one run.
 */
export function summariseRun(lines: readonly StreamLine[]): RunSummary {
  checkSingleRun(lines);
  const events = lines.map((line) => line.event);
  const known = events.filter(isKnownEvent);
  const started = findType(known, "started");
  const completed = findType(known, "completed");
  const clock = runClock(events, started);
  const candidate = started?.candidate;

  const steps: MutableStep[] = [];
  const alarms: AlarmSighting[] = [];
  const weights: WeightPoint[] = [];
  const preflightFailures: { check: string; detail: string }[] = [];
  const warnings: string[] = [];
  let revert: RevertSummary | undefined;
  let endSeconds = 0;

  if (started && !started.resumed) weights.push({ atSeconds: 0, weight: 0 });

  for (const event of events) {
    const at = clock(event);
    endSeconds = Math.max(endSeconds, at);
    if (!isKnownEvent(event)) continue;
    const current = steps.at(-1);
    switch (event.type) {
      case "preflight":
        if (!event.ok) preflightFailures.push({ check: event.check, detail: event.detail });
        break;
      case "shifted": {
        if (current) closeStep(current, at, "next-step");
        const weight = candidate ? event.weights[candidate] : event.weights.green;
        steps.push({
          step: event.step,
          of: event.of,
          weight,
          startSeconds: at,
          plannedBakeSeconds: started?.steps[event.step - 1]?.bakeSeconds,
          alarms: [],
          alarmReadFailures: 0,
        });
        pushWeight(weights, at, weight);
        break;
      }
      case "baking":
        // A resumed run starts mid-plan: its first reading is the weight it found.
        if (weights.length === 0) pushWeight(weights, 0, event.weight);
        break;
      case "alarm":
        if (event.state !== "OK") {
          const sighting: AlarmSighting = {
            name: event.name,
            state: event.state,
            previous: event.previous,
            reason: event.reason,
            atSeconds: at,
          };
          alarms.push(sighting);
          if (current && current.endSeconds === undefined) current.alarms.push(sighting);
        }
        break;
      case "alarm-read-failed":
        if (current && current.endSeconds === undefined) current.alarmReadFailures += 1;
        break;
      case "warning":
        warnings.push(event.message);
        break;
      case "reverted":
        if (current && current.endSeconds === undefined) closeStep(current, at, "reverted");
        revert = {
          atSeconds: at,
          triggerAtSeconds: Math.max(0, at - event.secondsSinceTrigger),
          secondsToRevert: event.secondsSinceTrigger,
          reason: event.reason,
        };
        pushWeight(weights, at, candidate ? event.weights[candidate] : 0);
        break;
      case "promoted":
        if (current && current.endSeconds === undefined) closeStep(current, at, "promoted");
        break;
      default:
        break;
    }
  }
  const last = steps.at(-1);
  if (last && last.endSeconds === undefined) closeStep(last, endSeconds, "end");

  return {
    stack: started?.stack,
    version: started?.version,
    candidate,
    stable: started?.stable,
    resumed: started?.resumed ?? false,
    runId: events.find((event) => event.runId !== undefined)?.runId,
    startedAt: clock.startedAt,
    outcome: completed?.outcome,
    exitCode: completed?.exitCode,
    reason: completed?.reason,
    durationSeconds: endSeconds,
    plannedSteps:
      started?.steps.map((step) => ({ weight: step.weight, bakeSeconds: step.bakeSeconds })) ?? [],
    steps: steps.map(freezeStep),
    alarms,
    revert,
    weights,
    preflightFailures,
    warnings,
  };
}

interface MutableStep {
  step: number;
  of: number;
  weight: number;
  startSeconds: number;
  plannedBakeSeconds?: number;
  endSeconds?: number;
  endedBy?: StepSummary["endedBy"];
  alarms: AlarmSighting[];
  alarmReadFailures: number;
}

function closeStep(step: MutableStep, at: number, endedBy: StepSummary["endedBy"]): void {
  step.endSeconds = at;
  step.endedBy = endedBy;
}

function freezeStep(step: MutableStep): StepSummary {
  return {
    step: step.step,
    of: step.of,
    weight: step.weight,
    startSeconds: step.startSeconds,
    plannedBakeSeconds: step.plannedBakeSeconds,
    bakedSeconds: Math.max(0, (step.endSeconds ?? step.startSeconds) - step.startSeconds),
    endedBy: step.endedBy ?? "end",
    alarms: step.alarms,
    alarmReadFailures: step.alarmReadFailures,
  };
}

/** Adds a point, replacing one at the same moment: only the last weight of an instant is served. */
function pushWeight(points: WeightPoint[], atSeconds: number, weight: number): void {
  const last = points.at(-1);
  if (last && last.atSeconds === atSeconds) points[points.length - 1] = { atSeconds, weight };
  else if (!last || last.weight !== weight) points.push({ atSeconds, weight });
}

type TypedEvent<T extends StreamEvent["type"]> = Extract<StreamEvent, { type: T }>;

function findType<T extends StreamEvent["type"]>(
  events: readonly StreamEvent[],
  type: T,
): TypedEvent<T> | undefined {
  return events.find((event): event is TypedEvent<T> => event.type === type);
}

/** Seconds since the run started for each event, and the start as a time when the stream has times. */
interface RunClock {
  (event: StreamEvent | UnknownStreamEvent): number;
  readonly startedAt?: string;
}

/**
 * An event's moment is its `time` when it carries one, else the run's start time plus its
 * `elapsedSeconds`; without any times, `elapsedSeconds` alone. The run starts at the `started`
 * event, or at the first event of a run that never started (a rejected one).
 */
function runClock(
  events: readonly (StreamEvent | UnknownStreamEvent)[],
  started: StreamEvent | undefined,
): RunClock {
  const origin = started ?? events[0];
  const timed =
    (origin.time !== undefined ? origin : undefined) ?? events.find((event) => event.time !== undefined);
  if (!timed?.time) {
    return (event: StreamEvent | UnknownStreamEvent) =>
      Math.max(0, event.elapsedSeconds - origin.elapsedSeconds);
  }
  const epochOfZero = Date.parse(timed.time) - timed.elapsedSeconds * 1000;
  const absolute = (event: StreamEvent | UnknownStreamEvent): number =>
    event.time !== undefined ? Date.parse(event.time) : epochOfZero + event.elapsedSeconds * 1000;
  const start = absolute(origin);
  return Object.assign(
    (event: StreamEvent | UnknownStreamEvent) => Math.max(0, (absolute(event) - start) / 1000),
    { startedAt: new Date(start).toISOString() },
  );
}

function checkSingleRun(lines: readonly StreamLine[]): void {
  let firstRunId: string | undefined;
  let startedLine: number | undefined;
  let completedLine: number | undefined;
  for (const { line, event } of lines) {
    if (completedLine !== undefined) {
      throw new EventStreamError(
        `line ${line}: an event after the run completed on line ${completedLine}; a report describes one run, so write each run's events to its own file`,
        line,
      );
    }
    if (event.type === "completed") completedLine = line;
    if (event.runId !== undefined) {
      firstRunId ??= event.runId;
      if (event.runId !== firstRunId) {
        throw new EventStreamError(
          `line ${line}: an event of run ${event.runId} in a stream of run ${firstRunId}; a report describes one run, so write each run's events to its own file`,
          line,
        );
      }
    }
    if (event.type === "started") {
      if (startedLine !== undefined) {
        throw new EventStreamError(
          `line ${line}: a second \`started\` event (the first is on line ${startedLine}); a report describes one run, so write each run's events to its own file`,
          line,
        );
      }
      startedLine = line;
    }
  }
}
