/**
 * Helpers for the driver's tests: a validated config, time units, and a harness that runs the
 * driver against the simulated world on a virtual clock that refuses to run away, recording every
 * event and every draw on the random source.
 */
import { BluegreenConfig, requireValidConfig } from "../../infra/config/validate";
import type { DriverDeps } from "../../automation/rollout";
import type { RolloutEvent } from "../../automation/events";
import type { ReleaseValues } from "../../automation/ports";
import { awsServiceError } from "../../automation/rehearsal/simulatedErrors";
import { SimulatedWorld } from "../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../automation/rehearsal/virtualClock";
import type { Colour, TrafficSplit } from "../../components/domain";

/** How much virtual time a test may use before the clock calls it a runaway loop. */
const RUNAWAY_MS = 24 * 3_600_000;

/**
 * A VirtualClock that refuses to run past a day: a loop that never ends would otherwise spin on
 * microtasks, where mocha's timeout cannot interrupt it.
 */
export class GuardedClock extends VirtualClock {
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

/** The virtual epoch test worlds start at (2025-01-01T00:00:00Z), so instants look real. */
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

/** A throttling error as the AWS SDK raises it: the driver's retry policy classifies it transient. */
export function throttling(): Error {
  return awsServiceError("ThrottlingException", "Rate exceeded", { httpStatusCode: 400, throttling: true });
}

/** Options of a driver harness. */
export interface HarnessOptions {
  /** @default testConfig() */
  readonly config?: BluegreenConfig;
  /**
   * What the last update applied, over the config's values; `false` for a stack never deployed.
   * @default the config's values
   */
  readonly deployed?: Partial<ReleaseValues> | false;
  /** The split served at the start. @default the deployed traffic */
  readonly live?: TrafficSplit;
  /** Virtual milliseconds a full and a targeted update take. @default 0 each */
  readonly updateDurations?: { readonly fullMs?: number; readonly targetedMs?: number };
}

/** The simulated world of stack `dev`, the driver's ports over it, and what the driver reported. */
export class DriverHarness {
  readonly clock = new GuardedClock(EPOCH);
  readonly config: BluegreenConfig;
  readonly world: SimulatedWorld;
  /** Every event the driver emitted, in order; tests may clear it between runs. */
  readonly recorded: RolloutEvent[] = [];
  /** How often the driver drew on the random source (retry jitter). */
  randomCalls = 0;

  constructor(options: HarnessOptions = {}) {
    this.config = options.config ?? testConfig();
    const { traffic, slots, stable, revision } = this.config;
    this.world = new SimulatedWorld({
      config: this.config,
      stackName: "dev",
      clock: this.clock,
      deployed:
        options.deployed === false ? false : { traffic, slots, stable, revision, ...options.deployed },
      live: options.live,
      updateDurations: options.updateDurations,
    });
  }

  /** The driver's dependencies on the world; `overrides` replace whole ports. */
  deps(overrides: Partial<DriverDeps> = {}): DriverDeps {
    const deps = this.world.driverDeps(
      { emit: (event) => this.recorded.push(event) },
      {
        random: () => {
          this.randomCalls += 1;
          return 0.5;
        },
      },
    );
    return { ...deps, ...overrides };
  }

  /** Runs `fn` at `ms` after the world's start (a rollout started at once starts there too). */
  at(ms: number, fn: () => void): void {
    this.clock.schedule(EPOCH + ms, fn);
  }

  /** Milliseconds since the world's start. */
  elapsed(): number {
    return this.clock.now() - EPOCH;
  }

  /** The alarms the driver watches while `colour` is the candidate: its composite, members and the extras. */
  watchedFor(colour: Colour): string[] {
    const names = this.world.alarmNames();
    return [names.composite[colour], ...names.members[colour], ...names.extra];
  }

  /** The recorded events of one type. */
  eventsOf<T extends RolloutEvent["type"]>(type: T): Extract<RolloutEvent, { type: T }>[] {
    return this.recorded.filter((event): event is Extract<RolloutEvent, { type: T }> => event.type === type);
  }

  /** Event types in order. */
  types(): string[] {
    return this.recorded.map((event) => event.type);
  }
}
