/**
 * What a rollout runs against and what it answers: the driver's dependencies, one request and its
 * result. The CLI, the rehearsal and the tests build these; the rooms of `automation/rollout/` share
 * them.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import { EXIT_CODES, type EventSink, type Outcome } from "../events";
import type {
  AlarmSource,
  CapacityScaler,
  Clock,
  ControlChannel,
  Random,
  StackPort,
  TrafficRouter,
} from "../ports";
import type { Colour } from "../../components/domain";

/** What the driver runs against: the ports, the event sink and the sources of time and chance. */
export interface DriverDeps {
  readonly stack: StackPort;
  readonly router: TrafficRouter;
  readonly alarms: AlarmSource;
  readonly control: ControlChannel;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly random: Random;
  /**
   * Each colour's capacity, outside Pulumi: the candidate scaled down while idle is scaled up
   * before it gets traffic. Absent on Lambda (nothing to scale) and where the wiring has none.
   */
  readonly scaler?: CapacityScaler;
  /** Extra preflight checks from the wiring (Pulumi CLI version, AWS credentials); run first. */
  readonly preflightChecks?: readonly PreflightCheck[];
}

/** A check that must pass before anything is written. */
export interface PreflightCheck {
  readonly name: string;
  run(signal?: AbortSignal): Promise<{ ok: boolean; detail: string }>;
}

/** One rollout to run. */
export interface RolloutRequest {
  /** The stack's validated config. */
  readonly config: BluegreenConfig;
  /** The new version for the candidate colour. */
  readonly version: string;
  readonly reason?: string;
  /** Continue a rollout a crashed run left behind, from where the live split shows it. */
  readonly resume: boolean;
  /** Aborted on SIGINT/SIGTERM: the driver reverts, then ends "aborted". */
  readonly signal: AbortSignal;
  /** Names the run in the stack's control record, as in its events and audit record. @default derived from the start */
  readonly runId?: string;
  /** Who started the run, for the control record. @default "unknown" */
  readonly startedBy?: string;
  /** A rehearsal through the stack's real control channel: its control record says so. @default false */
  readonly rehearsal?: boolean;
}

/** How a run ended. */
export interface RolloutResult {
  readonly outcome: Outcome;
  /** EXIT_CODES[outcome]. */
  readonly exitCode: number;
  readonly reason: string;
  readonly stable?: Colour;
  readonly candidate?: Colour;
  readonly fromVersion?: string;
  readonly toVersion?: string;
}

/** A result with the exit code that belongs to its outcome. */
export function result(outcome: Outcome, reason: string, extra: Partial<RolloutResult> = {}): RolloutResult {
  return { outcome, exitCode: EXIT_CODES[outcome], reason, ...extra };
}
