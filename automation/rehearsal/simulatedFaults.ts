/**
 * The fault model of the simulated world: which faults hold now, and for which alarms or colour.
 * Scenario faults open windows of virtual time; a few finer switches, which a scenario cannot
 * express, let tests reproduce faults that last less than a retry or that race the driver.
 */
import type { StackLock } from "../ports";
import type { FaultKind } from "./scenario";
import type { Colour, TrafficSplit } from "../../components/domain";

/** Faults that hold during a window of virtual time. */
export type WindowKind =
  | Extract<
      FaultKind,
      | "alarms-unreadable"
      | "weight-write-fails"
      | "stack-locked"
      | "alarm-missing"
      | "candidate-unhealthy"
      | "pre-traffic-check-fails"
      | "evaluation-error"
    >
  /** Reads of the live split are throttled (a switch, not a scenario fault). */
  | "weights-unreadable";

/** One fault window: from `from` (inclusive) to `until` (exclusive), in virtual epoch milliseconds. */
export interface FaultWindow {
  readonly kind: WindowKind;
  readonly from: number;
  readonly until: number;
  /** The candidate colour when the fault began (readiness and pre-traffic faults). */
  readonly colour?: Colour;
  /** The alarms the fault hides or breaks. */
  readonly names?: ReadonlySet<string>;
  readonly evaluationState?: string;
  readonly lock?: StackLock;
}

/** Faults that hit the next update, whenever it comes. */
export type UpdateFault = Extract<FaultKind, "up-fails" | "up-throws-after-save">;

/**
 * Faults beyond what a scenario can say, for tests that need finer control than a window of
 * virtual time. Times count from the world's start, like a scenario's `at`.
 */
export interface FaultSwitches {
  /**
   * The next `count` alarm reads are throttled, however little time passes between them: a burst
   * that the driver's retries absorb within one poll.
   */
  throttleAlarmReads(count: number): void;
  /** Reads of the live split are throttled from `at` (default now) for `for` ms (default for ever). */
  throttleWeightReads(window?: { readonly at?: number; readonly for?: number }): void;
  /**
   * Someone else writes `weights` right after the next write of the live split (an update that
   * applies the traffic, or a direct write), before anyone can read that write back.
   */
  raceNextWrite(weights: TrafficSplit): void;
  /**
   * From `at` (default now) alarm reads and readiness checks never answer, as when the process
   * running the driver is killed mid-call: the run stops where it is, without reverting.
   */
  hang(at?: number): void;
  /** Alarm reads and readiness checks answer again, for the run that comes after a hang. */
  endHang(): void;
  /** Previews find `count` changes besides those the stack's values explain (a change made out of band). */
  driftOutOfBand(count: number): void;
}

/** The faults of one simulated world, on its virtual clock. */
export class SimulatedFaults implements FaultSwitches {
  private readonly windows: FaultWindow[] = [];
  private readonly updateFaults: UpdateFault[] = [];
  private alarmThrottles = 0;
  private race: TrafficSplit | undefined;
  private hangFrom = Number.POSITIVE_INFINITY;
  private outOfBand = 0;

  /**
   * @param now the virtual time now
   * @param startMs the virtual time switch times count from
   */
  constructor(
    private readonly now: () => number,
    private readonly startMs: number,
  ) {}

  /** Opens a fault window. */
  open(window: FaultWindow): void {
    this.windows.push(window);
  }

  /** The windows of a kind active now. */
  active(kind: WindowKind): FaultWindow[] {
    const now = this.now();
    return this.windows.filter((window) => window.kind === kind && window.from <= now && now < window.until);
  }

  /** Whether any window of the kind is active now. */
  holds(kind: WindowKind): boolean {
    return this.active(kind).length > 0;
  }

  /** Queues a fault for the next update that reaches the engine. */
  queueUpdateFault(fault: UpdateFault): void {
    this.updateFaults.push(fault);
  }

  /** Takes the fault the next update meets, if any. */
  takeUpdateFault(): UpdateFault | undefined {
    return this.updateFaults.shift();
  }

  /** Whether this alarm read is throttled by `throttleAlarmReads`; uses one throttle when it is. */
  takeAlarmThrottle(): boolean {
    if (this.alarmThrottles <= 0) return false;
    this.alarmThrottles -= 1;
    return true;
  }

  /** The split someone else writes after the change just made, once; undefined when nobody races. */
  takeRace(): TrafficSplit | undefined {
    const race = this.race;
    this.race = undefined;
    return race;
  }

  /** Whether calls hang now. */
  hanging(): boolean {
    return this.now() >= this.hangFrom;
  }

  /** Changes a preview finds that the stack's values do not explain. */
  outOfBandChanges(): number {
    return this.outOfBand;
  }

  throttleAlarmReads(count: number): void {
    this.alarmThrottles = count;
  }

  throttleWeightReads(window: { readonly at?: number; readonly for?: number } = {}): void {
    const from = window.at === undefined ? this.now() : this.startMs + window.at;
    this.open({
      kind: "weights-unreadable",
      from,
      until: window.for === undefined ? Number.POSITIVE_INFINITY : from + window.for,
    });
  }

  raceNextWrite(weights: TrafficSplit): void {
    this.race = { ...weights };
  }

  hang(at?: number): void {
    this.hangFrom = at === undefined ? this.now() : this.startMs + at;
  }

  endHang(): void {
    this.hangFrom = Number.POSITIVE_INFINITY;
  }

  driftOutOfBand(count: number): void {
    this.outOfBand = count;
  }
}
