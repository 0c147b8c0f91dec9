/**
 * The poll observer: one look at the world per poll of a bake. It takes the operator's request,
 * reads the watched alarms and the live split (each under the read policy), keeps the consecutive
 * failure counters of a step, and emits `alarm` when a watched alarm changes state and
 * `alarm-read-failed` when a poll could not read them.
 */
import { evaluateAlarms, type UnknownPolicy, type WatchedState } from "../core/alarms";
import type { ControlTrip } from "../core/controlRecord";
import type { Observation } from "../core/decide";
import { READ_RETRY } from "../core/retry";
import type { AlarmReading, AlarmSource, TrafficRouter } from "../ports";
import type { Emitter } from "./emitter";
import { describeError } from "./failures";
import { readSplit } from "./liveSplit";
import type { OperatorChannel } from "./operator";
import { retrying, type RetryTime } from "./retrying";
import type { TrafficSplit } from "../../components/domain";

/** What the observer watches, and with what. */
export interface PollObserverOptions {
  readonly alarms: AlarmSource;
  readonly router: TrafficRouter;
  readonly time: RetryTime;
  readonly emitter: Emitter;
  readonly operator: OperatorChannel;
  readonly signal: AbortSignal;
  /** The candidate's alarms. */
  readonly watched: readonly string[];
  /** Their states as the preflight saw them: the first `alarm` events compare with these. */
  readonly initialStates: Readonly<Record<string, WatchedState>>;
  readonly unknownPolicy: UnknownPolicy;
  /** `bluegreen:rollout.maxAlarmReadFailures`: the limit for both kinds of failed reads. */
  readonly maxReadFailures: number;
}

/** What a step carries from one poll to the next. */
interface StepTracking {
  unknownSince: Readonly<Record<string, number>>;
  alarmFailures: number;
  liveFailures: number;
}

/** Observes the polls of a run's bakes. */
export class PollObserver {
  private readonly states: Record<string, WatchedState> = {};
  private tracking: StepTracking = freshTracking();

  constructor(private readonly options: PollObserverOptions) {}

  /** Starts a step: unknown alarms and failed reads count afresh. */
  startStep(): void {
    this.tracking = freshTracking();
  }

  /** The watched alarms' states as last read, for the `baking` event. */
  alarmStates(): Record<string, WatchedState> {
    return { ...this.states };
  }

  /** One poll: heartbeat, operator request, alarms and live split. */
  async observe(step: number, stepStartedAt: number, expected: TrafficSplit): Promise<Observation> {
    const { time, signal, operator } = this.options;
    const base = { step, stepStartedAt, expected, maxReadFailures: this.options.maxReadFailures };
    if (signal.aborted) {
      return { ...base, now: time.clock.now(), signalled: true, alarmReadFailures: 0, liveReadFailures: 0 };
    }
    await operator.heartbeat();
    const request = await operator.take();
    const trip = await operator.guardianTrip();
    // The guardian already put traffic back: the run finishes as the rollback it is.
    const alarms: Observation["alarms"] = trip
      ? { kind: "revert", names: [], reason: guardianTripReason(trip) }
      : await this.readAlarms();
    // A poll whose alarms already call for a revert (one fires, or they stayed unreadable for the
    // limit of polls) reverts whatever the split says: it does not wait for another read first.
    const revertAnyway =
      alarms?.kind === "revert" || this.tracking.alarmFailures >= this.options.maxReadFailures;
    const live = revertAnyway ? undefined : await this.readLive();
    return {
      ...base,
      now: time.clock.now(),
      signalled: signal.aborted,
      request: request ? { kind: request.kind, by: request.by } : undefined,
      alarms,
      alarmReadFailures: this.tracking.alarmFailures,
      live,
      liveReadFailures: this.tracking.liveFailures,
    };
  }

  private async readAlarms(): Promise<Observation["alarms"]> {
    const { alarms, time, signal, watched, emitter } = this.options;
    try {
      const readings = await retrying(time, READ_RETRY, signal, () => alarms.read(watched, signal));
      const evaluation = evaluateAlarms(
        watched,
        readings,
        this.options.unknownPolicy,
        this.tracking.unknownSince,
        time.clock.now(),
      );
      this.tracking.unknownSince = { ...evaluation.unknownSince };
      this.tracking.alarmFailures = 0;
      this.noteAlarmStates(evaluation.states, readings);
      return evaluation.verdict;
    } catch (error) {
      if (!signal.aborted) {
        this.tracking.alarmFailures += 1;
        emitter.emit({
          type: "alarm-read-failed",
          consecutive: this.tracking.alarmFailures,
          limit: this.options.maxReadFailures,
          error: describeError(error),
        });
      }
      return undefined;
    }
  }

  private async readLive(): Promise<TrafficSplit | undefined> {
    const { router, time, signal, emitter } = this.options;
    if (signal.aborted) return undefined;
    try {
      const live = await retrying(time, READ_RETRY, signal, () => readSplit(router, signal));
      this.tracking.liveFailures = 0;
      return live;
    } catch (error) {
      if (!signal.aborted) {
        this.tracking.liveFailures += 1;
        emitter.warn(
          `could not read the live split (${this.tracking.liveFailures} of ${this.options.maxReadFailures} consecutive polls): ${describeError(error)}`,
        );
      }
      return undefined;
    }
  }

  /** Emits `alarm` for every state that changed since the last reading. */
  private noteAlarmStates(
    states: Readonly<Record<string, WatchedState>>,
    readings: readonly AlarmReading[],
  ): void {
    for (const [name, state] of Object.entries(states)) {
      const previous = this.states[name] ?? this.options.initialStates[name];
      this.states[name] = state;
      if (previous === state) continue;
      const reason = readings.find((reading) => reading.name === name)?.reason;
      this.options.emitter.emit({
        type: "alarm",
        name,
        state,
        ...(previous !== undefined ? { previous } : {}),
        ...(reason ? { reason } : {}),
      });
    }
  }
}

/** The revert's reason when the guardian tripped the run: it names the guardian as the trigger. */
export function guardianTripReason(trip: ControlTrip): string {
  return `the guardian reverted traffic: ${trip.reason}`;
}

function freshTracking(): StepTracking {
  return { unknownSince: {}, alarmFailures: 0, liveFailures: 0 };
}
