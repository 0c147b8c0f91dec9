/**
 * The driver's ports: the only ways the rollout loop reaches the world. The real adapters (Pulumi
 * Automation API, AWS SDK v3, Kubernetes API) and the rehearsal environment implement the same
 * interfaces, so the same driver code runs a real rollout and a rehearsal.
 */
import type { SlotsConfig } from "../infra/config/schema";
import type { Colour, TrafficSplit, StackOutputs } from "../components/domain";
import type { ControlIdle, ControlRecord, ControlRun, ControlTrip } from "./core/controlRecord";

/** A CloudWatch alarm state. */
export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** One alarm as read from the alarm source. */
export interface AlarmReading {
  readonly name: string;
  readonly state: AlarmStateValue;
  /**
   * CloudWatch's EvaluationState when it is set: `EVALUATION_ERROR`, `EVALUATION_FAILURE` or
   * `PARTIAL_DATA`. Any of these means the alarm cannot vouch for the colour.
   */
  readonly evaluationState?: string;
  readonly reason?: string;
  /** When the state last changed, in epoch milliseconds. */
  readonly updatedAt?: number;
}

/** Reads alarm states. Unknown names are simply absent from the answer, as with DescribeAlarms. */
export interface AlarmSource {
  read(names: readonly string[], signal?: AbortSignal): Promise<AlarmReading[]>;
}

/** Whether a colour can take traffic: healthy targets, or an active published version. */
export interface Readiness {
  readonly ready: boolean;
  /** What was seen, for messages: "2 of 2 targets healthy", "version 7 is Active". */
  readonly detail: string;
}

/**
 * The live traffic split, read and written directly against the platform (ELBv2, Lambda,
 * Kubernetes). The driver steps through the stack; it reverts through this port first, because a
 * direct write takes a second where an update takes minutes.
 */
export interface TrafficRouter {
  /** The split the platform serves now. */
  read(signal?: AbortSignal): Promise<TrafficSplit>;
  /** Writes the split, keeping everything else in the routing object as it is. */
  write(split: TrafficSplit, signal?: AbortSignal): Promise<void>;
  /** Whether the colour can take traffic. */
  readiness(colour: Colour, signal?: AbortSignal): Promise<Readiness>;
  /** A check against the colour before it gets any traffic (HTTP on the test listener; a Lambda test invocation). */
  preTrafficCheck(colour: Colour, signal?: AbortSignal): Promise<Readiness>;
}

/** A colour's capacity as the platform reports it: ECS tasks or Kubernetes pods. */
export interface ColourCapacity {
  /** The count asked for (ECS desiredCount, a Deployment's spec.replicas). */
  readonly desired: number;
  /** Started (ECS runningCount, a Deployment's status.replicas). */
  readonly running: number;
  /** Able to serve (ECS: running with no deployment in progress; Kubernetes: readyReplicas). */
  readonly ready: number;
}

/**
 * The capacity of each colour, read and set directly against the platform, outside `pulumi up`:
 * the program leaves the idle colour's count alone, so the scale-down after the rollback window
 * and the scale-up before a rollout or an undo go through this port. Lambda has none: an idle
 * published version costs nothing.
 */
export interface CapacityScaler {
  /** The colour's capacity now. */
  capacity(colour: Colour, signal?: AbortSignal): Promise<ColourCapacity>;
  /** Asks for `count` tasks or pods of the colour; returns once the platform accepted it, not once they run. */
  scale(colour: Colour, count: number, signal?: AbortSignal): Promise<void>;
}

/** The values the driver writes into the stack's config. */
export interface ReleaseValues {
  readonly traffic: TrafficSplit;
  readonly slots: SlotsConfig;
  readonly stable: Colour;
  readonly revision: number;
}

/** Who holds the stack's lock, when someone does. */
export interface StackLock {
  readonly holder: string;
  /** Whether the holding process still runs (false: a crashed run left the lock behind). */
  readonly alive: boolean;
}

/** The result of an update. */
export interface UpdateResult {
  /** Resources the update changed (created, updated, replaced or deleted). */
  readonly changed: number;
  readonly outputs: StackOutputs;
}

/** Options of an update. */
export interface UpdateOptions {
  /** Update only these URNs (a traffic step touches the routing resources, not the stack). */
  readonly targets?: readonly string[];
  /** Why the update runs, recorded as the update's message. */
  readonly message: string;
  readonly signal?: AbortSignal;
}

/** The Pulumi stack of one environment. */
export interface StackPort {
  /** The stack's name (`dev`, `prod`). */
  readonly name: string;
  /** The outputs of the last completed update, or undefined for a stack never deployed. */
  outputs(signal?: AbortSignal): Promise<StackOutputs | undefined>;
  /** The release values in the stack's config now. */
  readValues(): Promise<ReleaseValues>;
  /** Writes the release values into the stack's config. Writes only what differs. */
  writeValues(values: ReleaseValues): Promise<void>;
  /** Runs an update. */
  update(options: UpdateOptions): Promise<UpdateResult>;
  /** The number of changes a preview finds; 0 means config, state and cloud agree. */
  previewChanges(signal?: AbortSignal): Promise<number>;
  /** The lock, when the stack is locked. */
  lock(): Promise<StackLock | undefined>;
}

/** Time, injected so rehearsals run on a virtual clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * A sleep of work that runs beside the main flow (the heartbeat during an update): on a virtual
   * clock it never moves time itself, it wakes when the main flow's sleeps move time past its end,
   * so a heartbeat neither stretches an update nor happens after it. @default sleep
   */
  sleepBeside?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Randomness, injected so retry jitter is reproducible in tests. */
export type Random = () => number;

/**
 * What an operator asks of a running rollout. `abort`: revert now. `promote`: end the current bake
 * (or pause) early. `promote-full`: skip every remaining step. `pause`: hold the current weight
 * after this step's bake until resumed. `resume`: release a pause.
 */
export type ControlRequestKind = "abort" | "promote" | "promote-full" | "pause" | "resume";

/** What an operator asks of a running rollout. */
export interface ControlRequest {
  readonly kind: ControlRequestKind;
  /** Who asked, for the audit record. */
  readonly by: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

/**
 * How `bluegreen abort` and `bluegreen promote` reach the process that watches a rollout. The
 * driver takes (reads and clears) pending requests at every poll, and beats a heartbeat so the
 * commands know whether anyone is watching.
 */
export interface ControlChannel {
  /** Returns and clears the pending request, if any. */
  take(): Promise<ControlRequest | undefined>;
  /** Leaves a request for the watching driver. */
  send(request: ControlRequest): Promise<void>;
  /** Records that a driver is watching the stack now. */
  heartbeat(at: number): Promise<void>;
  /** When a driver last said it was watching, or undefined. */
  lastHeartbeat(): Promise<number | undefined>;
  /** Removes the heartbeat when the driver stops watching. */
  clearHeartbeat(): Promise<void>;
  /**
   * Claims the stack for `run` at `now` (its first heartbeat). Throws, naming the run that holds
   * it, when another driver's run holds the stack and its heartbeat is fresh; the driver then
   * refuses to start. Returns the stale run it took the stack from, if any. Absent on a channel
   * that records no runs.
   */
  claimRun?(run: ControlRun, now: number): Promise<{ readonly replaced?: ControlRun }>;
  /**
   * Records how far the claimed run got (position, weights, bake, alarms) together with a
   * heartbeat at `now`: one write. Throws when another run took the stack.
   */
  recordRun?(run: ControlRun, now: number): Promise<void>;
  /** Clears run `runId` and its heartbeat if this channel's driver still owns it; whether it did. */
  releaseRun?(runId: string): Promise<boolean>;
  /**
   * The guardian's trip of run `runId`, when the guardian reverted it: the driver then finishes as
   * a rollback. Absent on a channel the guardian does not write to.
   */
  readTrip?(runId: string): Promise<ControlTrip | undefined>;
  /** The control record now; absent on a channel that keeps no record. */
  readRecord?(): Promise<ControlRecord>;
  /**
   * Writes the record's idle field as `decide` asks from the record as read, only if nobody changed
   * the record in between (read again and decided again on a conflict): a value replaces the
   * field, `null` removes it, `undefined` writes nothing. Whether it wrote.
   */
  changeIdle?(decide: (record: ControlRecord) => ControlIdle | null | undefined): Promise<boolean>;
}
