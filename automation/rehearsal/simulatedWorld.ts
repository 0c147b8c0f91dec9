/**
 * The simulated environment a rehearsal (and the driver's tests) run the real driver against: a
 * deployed stack, its live routing, its alarms and an operator's control channel, all behind the
 * driver's ports and all moving on a virtual clock. Scenario events change the world at their
 * time; faults change how the ports behave during their window and not outside it.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import type { DriverDeps } from "../rollout";
import type { EventSink, RolloutEvent } from "../events";
import type { AlarmSource, AlarmStateValue, ReleaseValues, StackPort, TrafficRouter } from "../ports";
import { DriverKill } from "./driverKill";
import { EventTimeline } from "./eventTimeline";
import { SimulatedCapacity } from "./simulatedCapacity";
import { MemoryControlChannel } from "./memoryControlChannel";
import { ScenarioError } from "./scenario";
import type { Scenario, ScenarioEvent, ScenarioProblem } from "./scenario";
import { SimulatedAlarms } from "./simulatedAlarms";
import { FaultSwitches, SimulatedFaults } from "./simulatedFaults";
import { SimulatedRouter } from "./simulatedRouter";
import type { RecordedWrite } from "./simulatedRouter";
import { SimulatedStack, copyValues } from "./simulatedStack";
import type { RecordedUpdate, RecordedValueWrite } from "./simulatedStack";
import type { VirtualClock } from "./virtualClock";
import { idleColour, type Colour, type TrafficSplit, type StackOutputs } from "../../components/domain";

export type { RecordedUpdate, RecordedValueWrite } from "./simulatedStack";
export type { RecordedWrite } from "./simulatedRouter";
export type { FaultSwitches } from "./simulatedFaults";

/** Options of a simulated world. */
export interface SimulatedWorldOptions {
  /** The stack's validated config: the world starts deployed from its values. */
  readonly config: BluegreenConfig;
  readonly stackName: string;
  readonly clock: VirtualClock;
  readonly scenario?: Scenario;
  /** The virtual time scenario times count from. @default the clock's time at construction */
  readonly startMs?: number;
  /**
   * What the last completed update applied; `false` for a stack that was never deployed.
   * @default the config's traffic, slots, stable colour and revision
   */
  readonly deployed?: ReleaseValues | false;
  /** The split the platform serves at the start. @default the deployed traffic */
  readonly live?: TrafficSplit;
  /**
   * Virtual milliseconds an update takes. Scenario events due meanwhile fire during it.
   * @default 0 for both
   */
  readonly updateDurations?: { readonly fullMs?: number; readonly targetedMs?: number };
  /**
   * Whether a pause with no timeout that nothing left in the scenario can answer is aborted, as
   * an operator would abort it, instead of waiting forever on the virtual clock. A rehearsal sets
   * it; a test that answers pauses from outside the scenario leaves it off. @default false
   */
  readonly abortUnansweredPauses?: boolean;
  /**
   * The idle colour's count at the start (ECS, Kubernetes): the world as it is after a rollback
   * window closed and the colour was scaled down. @default the full count: both colours warm
   */
  readonly idleCapacity?: number;
}

/** Who aborts a pause nobody in the scenario answers, as the rehearsal's events name it. */
export const REHEARSAL_OPERATOR =
  "the rehearsal (nothing in the scenario answers this pause; a real run would wait for bluegreen resume)";

/** An event to inject; `at` counts from the world's start and defaults to now. */
export type InjectedEvent = ScenarioEvent extends infer E
  ? E extends ScenarioEvent
    ? Omit<E, "at"> & { readonly at?: number }
    : never
  : never;

const DEFAULT_LOCK_HOLDER = "deploy@ci-runner-7 (pid 4242)";

/**
 * A deployed stack with its routing and alarms, simulated in memory on a virtual clock. It
 * implements the driver's ports, so the same driver code that runs against AWS and Pulumi runs
 * against it.
 */
export class SimulatedWorld {
  /** The stack: outputs, release values, updates, previews and its lock. */
  readonly stack: StackPort;
  /** The live routing. */
  readonly router: TrafficRouter;
  /** The alarms, as DescribeAlarms answers. */
  readonly alarms: AlarmSource;
  /** Where operator events arrive; tests may send to it directly. */
  readonly control = new MemoryControlChannel();
  /** Aborted when a scenario `signal` event fires (SIGINT/SIGTERM). */
  readonly signal: AbortSignal;
  /** Faults finer than a scenario can express. */
  readonly faults: FaultSwitches;
  /** Pulled by a scenario's `driver-killed` fault: the driver's ports go dead (`DriverKill.wrap`). */
  readonly driverKill = new DriverKill();
  /** Whether the scenario kills the driver: the rehearsal then runs the stack's guardian. */
  readonly killsDriver: boolean;
  /** Each colour's tasks or pods; absent on Lambda, whose idle version costs nothing. */
  readonly capacity: SimulatedCapacity | undefined;

  private readonly stackName: string;
  private readonly clock: VirtualClock;
  private readonly startMs: number;
  private readonly faultModel: SimulatedFaults;
  private readonly alarmModel: SimulatedAlarms;
  private readonly routing: SimulatedRouter;
  private readonly stackModel: SimulatedStack;
  private readonly timeline: EventTimeline;
  private readonly controller = new AbortController();
  private receivedSignal: "SIGINT" | "SIGTERM" | undefined;
  private injected = 0;
  private alarmListener:
    ((names: readonly string[], state: AlarmStateValue, atMs: number) => void) | undefined;
  private readonly abortUnansweredPauses: boolean;
  /** Whether the driver waits in a pause with no timeout, as its events say. */
  private waitingUntimed = false;

  constructor(options: SimulatedWorldOptions) {
    const { config, stackName, clock } = options;
    this.stackName = stackName;
    this.clock = clock;
    this.startMs = options.startMs ?? clock.now();
    this.signal = this.controller.signal;
    this.abortUnansweredPauses = options.abortUnansweredPauses ?? false;
    this.timeline = new EventTimeline(clock, (event, atMs) => {
      this.fire(event, atMs);
      this.answerIfUnanswerable();
    });
    const now = () => clock.now();
    const settle = () => this.timeline.settle();
    this.faultModel = new SimulatedFaults(now, this.startMs);
    this.faults = this.faultModel;
    const shared = { config, stackName, faults: this.faultModel, settle };
    this.alarmModel = new SimulatedAlarms({ ...shared, startMs: this.startMs });

    const values: ReleaseValues = {
      traffic: config.traffic,
      slots: config.slots,
      stable: config.stable,
      revision: config.revision,
    };
    const deployed = options.deployed === false ? undefined : copyValues(options.deployed ?? values);
    this.capacity = startingCapacity(config, now, settle, deployed ?? values, options.idleCapacity);
    const capacity = this.capacity;
    // The router reads the stack's deployment and the stack writes the router's split; the
    // closure is only called once both exist.
    this.routing = new SimulatedRouter(
      {
        ...shared,
        now,
        deployment: () => this.stackModel.deployed(),
        ...(capacity ? { ready: (colour: Colour) => capacity.capacity(colour).ready } : {}),
      },
      deployed && (options.live ?? deployed.traffic),
    );
    this.stackModel = new SimulatedStack(
      { ...shared, now, sleep: (ms, signal) => clock.sleep(ms, signal) },
      this.routing,
      values,
      deployed,
      {
        fullMs: options.updateDurations?.fullMs ?? 0,
        targetedMs: options.updateDurations?.targetedMs ?? 0,
      },
    );
    this.stack = this.stackModel.port;
    this.router = this.routing.port;
    this.alarms = this.alarmModel.port;

    const events = options.scenario?.events ?? [];
    this.killsDriver = events.some((event) => "fault" in event && event.fault === "driver-killed");
    const problems = events.flatMap((event, index) => this.targetProblems(event, `events[${index}]`));
    if (problems.length > 0) throw new ScenarioError(problems);
    for (const event of events) this.timeline.add(event, this.startMs + event.at);
    this.timeline.settle();
  }

  /**
   * The driver's ports over this world: its stack, router, alarms and control channel, its virtual
   * clock unless another is given (a paced clock, for watching a rehearsal unfold).
   */
  driverDeps(
    events: EventSink,
    overrides: Partial<Pick<DriverDeps, "clock" | "control" | "random" | "preflightChecks">> = {},
  ): DriverDeps {
    return {
      stack: this.stack,
      router: this.router,
      alarms: this.alarms,
      control: overrides.control ?? this.control,
      clock: overrides.clock ?? this.clock,
      events: { emit: (event) => this.watchPauses(event, events) },
      random: overrides.random ?? (() => 0.5),
      preflightChecks: overrides.preflightChecks,
      ...(this.capacity ? { scaler: this.capacity.port } : {}),
    };
  }

  /** The split the platform serves now. */
  liveSplit(): TrafficSplit {
    this.timeline.settle();
    return this.routing.requireServing();
  }

  /** The outputs of the last completed update. */
  deployedOutputs(): StackOutputs {
    this.timeline.settle();
    const deployment = this.stackModel.deployed();
    if (!deployment) {
      throw new Error(`stack ${this.stackName} has never been deployed: run an update first`);
    }
    return deployment.outputs;
  }

  /** The release values in the stack's config now. */
  stackValues(): ReleaseValues {
    return this.stackModel.currentValues();
  }

  /** Every update the stack applied, in order. */
  updates(): RecordedUpdate[] {
    return this.stackModel.recordedUpdates();
  }

  /** Every write of release values into the stack's config, in order. */
  valueWrites(): RecordedValueWrite[] {
    return this.stackModel.recordedValueWrites();
  }

  /** Every direct write through the router, in order, failed ones included. */
  routerWrites(): RecordedWrite[] {
    return this.routing.recordedWrites();
  }

  /** The alarm names the stack has. */
  alarmNames(): { composite: Record<Colour, string>; members: Record<Colour, string[]>; extra: string[] } {
    const names = this.alarmModel.names;
    return {
      composite: { ...names.composite },
      members: { blue: [...names.members.blue], green: [...names.members.green] },
      extra: [...names.extra],
    };
  }

  /** The signal a scenario delivered, if any. */
  deliveredSignal(): "SIGINT" | "SIGTERM" | undefined {
    return this.receivedSignal;
  }

  /**
   * Injects an event directly, with the same effect as a scenario event. `at` counts from the
   * world's start; an event at or before now takes effect at once (a window counts from `at`).
   */
  inject(event: InjectedEvent): void {
    this.injected += 1;
    const full = { ...event, at: event.at ?? this.clock.now() - this.startMs } as ScenarioEvent;
    const problems = this.targetProblems(full, `injected event ${this.injected}`);
    if (problems.length > 0) throw new ScenarioError(problems, "inject");
    this.timeline.add(full, this.startMs + full.at);
    this.timeline.settle();
  }

  /** Calls `listener` whenever a scenario event sets alarms to a state: the guardian's alarm path. */
  onAlarm(listener: (names: readonly string[], state: AlarmStateValue, atMs: number) => void): void {
    this.alarmListener = listener;
  }

  /** Passes the event on, noting whether the driver now waits in a pause with no timeout. */
  private watchPauses(event: RolloutEvent, sink: EventSink): void {
    sink.emit(event);
    if (event.type === "paused") {
      this.waitingUntimed = event.timeoutSeconds === undefined;
      this.answerIfUnanswerable();
    } else if (event.type === "resumed" || event.type === "reverted" || event.type === "completed") {
      this.waitingUntimed = false;
    }
  }

  /**
   * A pause with no timeout, no request waiting and no scenario event left would hold forever:
   * abort it, as the operator a real run waits for might, and say so in the request's name.
   */
  private answerIfUnanswerable(): void {
    if (!this.abortUnansweredPauses || !this.waitingUntimed || this.timeline.hasPending()) return;
    if (this.control.hasPending()) return;
    this.control.post({ kind: "abort", by: REHEARSAL_OPERATOR, at: this.clock.now() });
  }

  private targetProblems(event: ScenarioEvent, label: string): ScenarioProblem[] {
    return "alarm" in event ? this.alarmModel.targetProblems(event.alarm, label) : [];
  }

  private fire(event: ScenarioEvent, atMs: number): void {
    if ("operator" in event) {
      this.control.post({ kind: event.operator, by: event.by ?? "operator", at: atMs });
      return;
    }
    if ("signal" in event) {
      this.receivedSignal ??= event.signal;
      const reason = new Error(`received ${event.signal}`);
      reason.name = "AbortError";
      this.controller.abort(reason);
      return;
    }
    const candidate = this.stackModel.candidate();
    if (!("fault" in event)) {
      const names = this.alarmModel.resolve(event.alarm, candidate);
      this.alarmModel.set(names, event.state, atMs, event.reason);
      this.alarmListener?.(names, event.state, atMs);
      return;
    }
    switch (event.fault) {
      case "weights-drift":
        this.routing.overwrite(event.weights);
        return;
      case "up-fails":
      case "up-throws-after-save":
        this.faultModel.queueUpdateFault(event.fault);
        return;
      case "stack-locked":
        this.faultModel.open({
          kind: event.fault,
          ...window(atMs, event.for),
          lock: { holder: event.holder ?? DEFAULT_LOCK_HOLDER, alive: event.alive },
        });
        return;
      case "alarm-missing":
        this.faultModel.open({
          kind: event.fault,
          ...window(atMs, event.for),
          names: new Set(this.alarmModel.resolve(event.alarm, candidate)),
        });
        return;
      case "evaluation-error":
        this.faultModel.open({
          kind: event.fault,
          ...window(atMs, event.for),
          names: new Set(this.alarmModel.resolve(event.alarm, candidate)),
          evaluationState: event.evaluationState ?? "EVALUATION_ERROR",
        });
        return;
      case "candidate-unhealthy":
      case "pre-traffic-check-fails":
        this.faultModel.open({ kind: event.fault, ...window(atMs, event.for), colour: candidate });
        return;
      case "driver-killed":
        this.driverKill.kill(atMs);
        return;
      case "alarms-unreadable":
      case "weight-write-fails":
        this.faultModel.open({ kind: event.fault, ...window(atMs, event.for) });
        return;
    }
  }
}

/** Both colours at their full count, the idle one at `idleCapacity` when given; none on Lambda. */
function startingCapacity(
  config: BluegreenConfig,
  now: () => number,
  settle: () => void,
  values: ReleaseValues,
  idleCapacity: number | undefined,
): SimulatedCapacity | undefined {
  const full = config.ecs?.desiredCount ?? config.kubernetes?.replicas;
  if (full === undefined) return undefined;
  const idle = idleColour(values.traffic, values.stable);
  const count = (colour: Colour) => (colour === idle && idleCapacity !== undefined ? idleCapacity : full);
  return new SimulatedCapacity(now, settle, { blue: count("blue"), green: count("green") });
}

/** A fault's window: from `atMs` for `duration` milliseconds, or to the end without one. */
function window(atMs: number, duration: number | undefined): { from: number; until: number } {
  return { from: atMs, until: duration === undefined ? Number.POSITIVE_INFINITY : atMs + duration };
}
