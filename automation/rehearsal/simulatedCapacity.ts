/**
 * Each colour's capacity in a simulated world: ECS tasks or Kubernetes pods, scaled outside the
 * stack as the real scaler does. A scale-down takes effect at once; a scale-up is ready
 * SIMULATED_SCALE_UP_SECONDS later, and until then a colour with nothing ready fails the
 * router's readiness, as a target group with no registered targets does.
 */
import type { CapacityScaler, ColourCapacity } from "../ports";
import { TYPICAL_SCALE_UP_SECONDS } from "../core/idle";
import { throwIfAborted } from "./simulatedErrors";
import type { Colour } from "../../components/domain";

/** Virtual seconds from a scale-up to every new task or pod ready: the typical time plans count. */
export const SIMULATED_SCALE_UP_SECONDS = TYPICAL_SCALE_UP_SECONDS;

/** One scale the driver asked for. */
export interface RecordedScale {
  readonly colour: Colour;
  readonly count: number;
  /** Virtual epoch milliseconds. */
  readonly at: number;
}

interface ColourState {
  desired: number;
  /** Ready before the last scale-up; all of `desired` are ready from `readyAt`. */
  readyBefore: number;
  readyAt: number;
}

/** The capacity of both colours of one simulated stack. */
export class SimulatedCapacity {
  /** The port: the driver's way to read and set each colour's count. */
  readonly port: CapacityScaler;
  private readonly colours: Record<Colour, ColourState>;
  private readonly scales: RecordedScale[] = [];

  /** @param start each colour's count at the start, all of it ready */
  constructor(
    private readonly now: () => number,
    private readonly settle: () => void,
    start: Record<Colour, number>,
  ) {
    const state = (count: number): ColourState => ({ desired: count, readyBefore: count, readyAt: now() });
    this.colours = { blue: state(start.blue), green: state(start.green) };
    this.port = {
      capacity: async (colour, signal) => {
        this.settle();
        throwIfAborted(signal);
        return this.capacity(colour);
      },
      scale: async (colour, count, signal) => {
        this.settle();
        throwIfAborted(signal);
        if (!Number.isInteger(count) || count < 0)
          throw new Error(`InvalidParameterException: desiredCount ${count}`);
        this.scale(colour, count);
      },
    };
  }

  /** The colour's capacity now. */
  capacity(colour: Colour): ColourCapacity {
    const state = this.colours[colour];
    const ready = this.now() >= state.readyAt ? state.desired : Math.min(state.readyBefore, state.desired);
    return { desired: state.desired, running: ready, ready };
  }

  /** Every scale asked for, in order. */
  recordedScales(): RecordedScale[] {
    return [...this.scales];
  }

  private scale(colour: Colour, count: number): void {
    const state = this.colours[colour];
    const readyNow = this.capacity(colour).ready;
    this.scales.push({ colour, count, at: this.now() });
    state.readyBefore = readyNow;
    state.readyAt = count > readyNow ? this.now() + SIMULATED_SCALE_UP_SECONDS * 1000 : this.now();
    state.desired = count;
  }
}
