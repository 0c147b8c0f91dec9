/**
 * Small in-memory fakes of the driver's ports for the driver's tests: a stack whose updates apply
 * the written values, a router holding the live split, alarms with settable states, and switches
 * for every fault the driver must survive. Time is a VirtualClock; faults can be scheduled on it.
 */
import type { Colour, TrafficSplit } from "../../infra/config/schema";
import { BluegreenConfig, requireValidConfig } from "../../infra/config/validate";
import type { StackOutputs } from "../../infra/outputs";
import type { DriverDeps } from "../../automation/rollout";
import type { EventSink, RolloutEvent } from "../../automation/events";
import type {
  AlarmReading,
  AlarmSource,
  AlarmStateValue,
  Readiness,
  ReleaseValues,
  StackLock,
  StackPort,
  TrafficRouter,
  UpdateOptions,
  UpdateResult,
} from "../../automation/ports";
import { MemoryControlChannel } from "../../automation/rehearsal/memoryControlChannel";
import { VirtualClock } from "../../automation/rehearsal/virtualClock";

/** How much virtual time a test may use before the clock calls it a runaway loop. */
const RUNAWAY_MS = 24 * 3_600_000;

/**
 * A VirtualClock that refuses to run past a day: a loop that never ends would otherwise spin on
 * microtasks, where mocha's timeout cannot interrupt it.
 */
class GuardedClock extends VirtualClock {
  constructor(private readonly origin: number) {
    super(origin);
  }

  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.now() - this.origin > RUNAWAY_MS) {
      throw new Error(`virtual time ran past ${RUNAWAY_MS / 3_600_000}h: the driver is looping`);
    }
    return super.sleep(ms, signal);
  }
}

/** The virtual epoch the fake world starts at (2025-01-01T00:00:00Z), so instants look real. */
export const EPOCH = Date.UTC(2025, 0, 1);

/** Minutes to milliseconds. */
export const minutes = (value: number): number => value * 60_000;
/** Seconds to milliseconds. */
export const seconds = (value: number): number => value * 1000;

/** A validated config for a checkout service on ECS, with `overrides` replacing whole keys. */
export function testConfig(overrides: Record<string, unknown> = {}): BluegreenConfig {
  return requireValidConfig(
    {
      values: {
        "bluegreen:service": { name: "checkout", platform: "ecs" },
        "bluegreen:slots": { blue: { version: "1.4.0" }, green: { version: "1.3.0" } },
        "bluegreen:traffic": { blue: 100, green: 0 },
        "bluegreen:stable": "blue",
        "bluegreen:revision": 7,
        "bluegreen:network": {
          vpcId: "vpc-0a1b2c3d4e5f60718",
          publicSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
          privateSubnetIds: ["subnet-0a1b2c3d4e5f60011"],
        },
        "bluegreen:ecs": { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout" },
        ...Object.fromEntries(Object.entries(overrides).map(([key, value]) => [`bluegreen:${key}`, value])),
      },
      secretKeys: new Set(),
    },
    "test config",
  );
}

/** A service error shaped like the AWS SDK's throttling exception. */
export function throttling(): Error {
  const error = new Error("Rate exceeded");
  error.name = "ThrottlingException";
  return error;
}

/** One update the fake stack ran. */
export interface RecordedUpdate {
  readonly targets?: readonly string[];
  readonly message: string;
  readonly at: number;
  readonly changed: number;
  readonly values: ReleaseValues;
}

/** The fake world: ports, state, faults and the recorded events. */
export class FakeWorld {
  readonly config: BluegreenConfig;
  readonly clock: VirtualClock = new GuardedClock(EPOCH);
  readonly control = new MemoryControlChannel();
  readonly recorded: RolloutEvent[] = [];
  readonly stackName = "dev";

  /** The outputs of the last saved update; undefined for a stack never deployed. */
  deployed: StackOutputs | undefined;
  /** The release values in the stack's config. */
  values: ReleaseValues;
  /** The split the platform serves. */
  live: TrafficSplit;
  readonly alarmStates = new Map<string, AlarmReading>();

  readonly updates: RecordedUpdate[] = [];
  readonly valueWrites: { values: ReleaseValues; at: number }[] = [];
  readonly routerWrites: { split: TrafficSplit; at: number; aborted: boolean }[] = [];
  /** Every router read, to prove the revert read its write back. */
  routerReads = 0;
  randomCalls = 0;

  // Faults: an instant (epoch ms) until which something fails, or a count of calls that fail.
  alarmReadsFailUntil = 0;
  alarmReadFailures = 0;
  routerReadsFailUntil = 0;
  /** Direct router writes and traffic-changing updates fail until then (`weight-write-fails`). */
  weightWritesFailUntil = 0;
  /** The router reads back this split instead of the real one (someone else keeps writing). */
  readBackOverride: TrafficSplit | undefined;
  lock: StackLock | undefined;
  /** The next update applies and saves, then throws. */
  upThrowsAfterSave = 0;
  /** The next update throws before changing anything. */
  upFails = 0;
  readonly missingAlarms = new Set<string>();
  readonly evaluationErrors = new Map<string, string>();
  ready: Readiness = { ready: true, detail: "2 of 2 targets healthy" };
  preTraffic: Readiness = { ready: true, detail: "GET /health answered 200" };
  previewDrift = 0;
  /**
   * From this instant alarm reads and readiness checks never settle, as a process killed mid-call
   * leaves them: the run stops there without reverting, like a SIGKILL.
   */
  hangFrom = Number.POSITIVE_INFINITY;

  constructor(options: { config?: BluegreenConfig; deployed?: boolean } = {}) {
    this.config = options.config ?? testConfig();
    const config = this.config;
    this.values = {
      traffic: config.traffic,
      slots: config.slots,
      stable: config.stable,
      revision: config.revision,
    };
    this.live = { ...config.traffic };
    this.deployed = options.deployed === false ? undefined : this.outputsFrom(this.values);
    for (const name of this.allAlarmNames()) this.alarmStates.set(name, { name, state: "OK" });
  }

  /** `<service>-<stack>-<colour>-deploy` and the platform's built-in members, as the program names them. */
  alarmNames(colour: Colour): { composite: string; members: string[] } {
    const prefix = `${this.config.service.name}-${this.stackName}-${colour}`;
    const keys =
      this.config.service.platform === "lambda"
        ? ["lambdaErrorRate", "lambdaThrottles", "lambdaDurationP95"]
        : ["errorRate", "latencyP95", "unhealthyHosts"];
    return { composite: `${prefix}-deploy`, members: keys.map((key) => `${prefix}-${key}`) };
  }

  /** The alarms the driver watches for the candidate `colour`. */
  watchedFor(colour: Colour): string[] {
    const names = this.alarmNames(colour);
    return [names.composite, ...names.members, ...this.config.alarms.extra];
  }

  setAlarm(name: string, state: AlarmStateValue, reason?: string): void {
    this.alarmStates.set(name, { name, state, reason });
  }

  /** Runs `fn` at `ms` after the world's start (the rollout starts at the world's start). */
  at(ms: number, fn: () => void): void {
    this.clock.schedule(EPOCH + ms, fn);
  }

  /** Milliseconds since the world's start. */
  elapsed(): number {
    return this.clock.now() - EPOCH;
  }

  readonly routingUrns = [
    "urn:pulumi:dev::bluegreen::bluegreen:aws:AlbBlueGreen$aws:lb/listener:Listener::checkout-prod",
  ];

  readonly stack: StackPort = {
    name: this.stackName,
    outputs: async () => (this.deployed ? structuredClone(this.deployed) : undefined),
    readValues: async () => structuredClone(this.values),
    writeValues: async (values) => {
      this.valueWrites.push({ values: structuredClone(values), at: this.clock.now() });
      this.values = structuredClone(values);
    },
    update: (options) => this.update(options),
    previewChanges: async () => this.previewDrift,
    lock: async () => this.lock,
  };

  readonly router: TrafficRouter = {
    read: async () => {
      this.routerReads += 1;
      if (this.clock.now() < this.routerReadsFailUntil) throw throttling();
      return { ...(this.readBackOverride ?? this.live) };
    },
    write: async (split, signal) => {
      this.routerWrites.push({
        split: { ...split },
        at: this.clock.now(),
        aborted: signal?.aborted ?? false,
      });
      if (this.clock.now() < this.weightWritesFailUntil) throw throttling();
      this.live = { ...split };
    },
    readiness: () =>
      this.clock.now() >= this.hangFrom
        ? new Promise<Readiness>(() => undefined)
        : Promise.resolve(this.ready),
    preTrafficCheck: async () => this.preTraffic,
  };

  readonly alarms: AlarmSource = {
    read: (names) => {
      if (this.clock.now() >= this.hangFrom) return new Promise<AlarmReading[]>(() => undefined);
      if (this.clock.now() < this.alarmReadsFailUntil) return Promise.reject(throttling());
      if (this.alarmReadFailures > 0) {
        this.alarmReadFailures -= 1;
        return Promise.reject(throttling());
      }
      return Promise.resolve(
        names
          .filter((name) => !this.missingAlarms.has(name) && this.alarmStates.has(name))
          .map((name) => {
            const reading = this.alarmStates.get(name) as AlarmReading;
            const evaluationState = this.evaluationErrors.get(name);
            return evaluationState ? { ...reading, evaluationState } : { ...reading };
          }),
      );
    },
  };

  readonly events: EventSink = { emit: (event) => this.recorded.push(event) };

  /** The driver's dependencies on this world. */
  deps(overrides: Partial<DriverDeps> = {}): DriverDeps {
    return {
      stack: this.stack,
      router: this.router,
      alarms: this.alarms,
      control: this.control,
      clock: this.clock,
      events: this.events,
      random: () => {
        this.randomCalls += 1;
        return 0.5;
      },
      ...overrides,
    };
  }

  /** The recorded events of one type. */
  eventsOf<T extends RolloutEvent["type"]>(type: T): Extract<RolloutEvent, { type: T }>[] {
    return this.recorded.filter((event): event is Extract<RolloutEvent, { type: T }> => event.type === type);
  }

  /** Event types in order. */
  types(): string[] {
    return this.recorded.map((event) => event.type);
  }

  private allAlarmNames(): string[] {
    return [...this.watchedFor("blue"), ...this.watchedFor("green")];
  }

  private async update(options: UpdateOptions): Promise<UpdateResult> {
    await Promise.resolve();
    if (this.lock) {
      const error = new Error(`the stack is currently locked by ${this.lock.holder}`);
      error.name = "ConcurrentUpdateError";
      throw error;
    }
    if (this.upFails > 0) {
      this.upFails -= 1;
      const error = new Error("update failed: error: preview failed");
      error.name = "CommandError";
      throw error;
    }
    const previous = this.deployed;
    const trafficChanges = !previous || previous.traffic.blue !== this.values.traffic.blue;
    if (trafficChanges && this.clock.now() < this.weightWritesFailUntil) {
      const error = new Error("update failed: ModifyListener: Rate exceeded");
      error.name = "CommandError";
      throw error;
    }
    const next = this.outputsFrom(this.values);
    let changed = trafficChanges ? 1 : 0;
    if (!options.targets && previous) {
      for (const colour of ["blue", "green"] as const) {
        if (previous.slots[colour].version !== next.slots[colour].version) changed += 2;
      }
      if (previous.stableColour !== next.stableColour) changed += 1;
    }
    this.deployed = options.targets
      ? {
          ...next,
          slots: previous?.slots ?? next.slots,
          stableColour: previous?.stableColour ?? next.stableColour,
        }
      : next;
    this.live = { ...this.values.traffic };
    this.updates.push({
      targets: options.targets,
      message: options.message,
      at: this.clock.now(),
      changed,
      values: structuredClone(this.values),
    });
    if (this.upThrowsAfterSave > 0) {
      this.upThrowsAfterSave -= 1;
      const error = new Error("update succeeded but `pulumi stack output` failed: connection reset");
      error.name = "CommandError";
      throw error;
    }
    return { changed, outputs: structuredClone(this.deployed) };
  }

  private outputsFrom(values: ReleaseValues): StackOutputs {
    const platform = this.config.service.platform;
    return {
      service: this.config.service.name,
      platform,
      revision: values.revision,
      stableColour: values.stable,
      traffic: { ...values.traffic },
      slots: structuredClone(values.slots),
      alarms: {
        blue: this.alarmNames("blue"),
        green: this.alarmNames("green"),
        extra: [...this.config.alarms.extra],
      },
      routing: {
        kind: "alb",
        loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/checkout/1",
        listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/checkout/1/2",
        testListenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/checkout/1/3",
        targetGroupArns: {
          blue: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/checkout-blue/4",
          green: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/checkout-green/5",
        },
        testEndpoint: "http://checkout.internal:8443",
      },
      routingUrns: [...this.routingUrns],
    };
  }
}
