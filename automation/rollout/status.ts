/**
 * `bluegreen status`: what is deployed, what is live, whether a rollout is in progress and whether
 * a driver watches it.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import { uniqueNames } from "../core/alarms";
import { isInProgress } from "../core/position";
import type { AlarmStateValue, CapacityScaler, ColourCapacity, ControlChannel } from "../ports";
import { readSplit } from "./liveSplit";
import type { DriverDeps } from "./types";
import { type Colour, type TrafficSplit, otherColour, sameSplit } from "../../components/domain";

/** What `bluegreen status` shows. */
export interface StatusReport {
  stack: string;
  platform: string;
  stable: Colour;
  candidate: Colour;
  versions: Record<Colour, string>;
  /** What the stack's last update applied (outputs.traffic). */
  configured: TrafficSplit;
  /** What the router reads live. */
  actual: TrafficSplit;
  /** Whether configured and actual differ. */
  drift: boolean;
  /** The candidate has weight (configured or actual), or the live split is not the applied one. */
  inProgress: boolean;
  /** A driver beat its heartbeat within the last WATCHED_WITHIN_POLLS poll intervals. */
  watched: boolean;
  alarms: { name: string; state: AlarmStateValue | "MISSING"; evaluationState?: string }[];
  revision: number;
  /** Each colour's tasks or pods; absent on Lambda, or when they could not be read. */
  capacity?: Record<Colour, ColourCapacity>;
  /** The colour the last promotion left idle and its rollback window; absent when none is recorded. */
  idle?: StatusIdle;
}

/** The idle colour as status shows it. */
export interface StatusIdle {
  readonly colour: Colour;
  readonly version: string;
  /** When the rollback window closes (epoch ms); absent when the colour is kept warm. */
  readonly windowEndsAt?: number;
  /** When it was scaled down (epoch ms), and to what. */
  readonly scaledDownAt?: number;
  readonly scaledTo?: number;
}

/** A heartbeat older than this many poll intervals means no driver watches the stack. */
export const WATCHED_WITHIN_POLLS = 3;

/**
 * What is deployed, what is live, whether a rollout is in progress and whether a driver watches it.
 * Throws when the stack was never deployed or a read fails, with the reason in the message.
 */
export async function readStatus(
  deps: Pick<DriverDeps, "stack" | "router" | "alarms" | "control" | "clock" | "scaler">,
  config: BluegreenConfig,
): Promise<StatusReport> {
  const outputs = await deps.stack.outputs();
  if (!outputs) {
    throw new Error(`stack ${deps.stack.name} has no outputs: deploy it with \`pulumi up\` first`);
  }
  const actual = await readSplit(deps.router);
  const stable = outputs.stableColour;
  const candidate = otherColour(stable);
  const names = uniqueNames([
    outputs.alarms[stable].composite,
    ...outputs.alarms[stable].members,
    outputs.alarms[candidate].composite,
    ...outputs.alarms[candidate].members,
    ...outputs.alarms.extra,
  ]);
  const readings = await deps.alarms.read(names);
  const byName = new Map(readings.map((reading) => [reading.name, reading]));
  const last = await deps.control.lastHeartbeat();
  const [capacity, idle] = await Promise.all([readCapacity(deps.scaler), readIdle(deps.control)]);
  return {
    stack: deps.stack.name,
    platform: outputs.platform,
    stable,
    candidate,
    versions: { blue: outputs.slots.blue.version, green: outputs.slots.green.version },
    configured: outputs.traffic,
    actual,
    drift: !sameSplit(outputs.traffic, actual),
    inProgress: isInProgress(outputs, actual),
    watched:
      last !== undefined &&
      deps.clock.now() - last <= WATCHED_WITHIN_POLLS * config.rollout.pollInterval * 1000,
    alarms: names.map((name) => {
      const reading = byName.get(name);
      return reading?.evaluationState
        ? { name, state: reading.state, evaluationState: reading.evaluationState }
        : { name, state: reading?.state ?? "MISSING" };
    }),
    revision: outputs.revision,
    ...(capacity ? { capacity } : {}),
    ...(idle ? { idle } : {}),
  };
}

/** Both colours' capacity; undefined without a scaler or when it cannot be read (status still shows the rest). */
async function readCapacity(
  scaler: CapacityScaler | undefined,
): Promise<Record<Colour, ColourCapacity> | undefined> {
  if (scaler === undefined) return undefined;
  try {
    const [blue, green] = await Promise.all([scaler.capacity("blue"), scaler.capacity("green")]);
    return { blue, green };
  } catch {
    return undefined;
  }
}

/** The recorded idle colour; undefined on a channel without a record or when it cannot be read. */
async function readIdle(control: ControlChannel): Promise<StatusIdle | undefined> {
  try {
    const idle = (await control.readRecord?.())?.idle;
    if (idle === undefined) return undefined;
    const { promotedAt: _promoted, capacity: _capacity, ...shown } = idle;
    return shown;
  } catch {
    return undefined;
  }
}
