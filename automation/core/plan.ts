/**
 * The rollout plan as data: steps of (weight to the candidate, bake), the arithmetic the loop
 * needs on it, and the description `bluegreen plan` prints. Time is plain numbers (seconds in the
 * plan, epoch milliseconds for instants).
 */
import type { BuiltInAlarm } from "../../infra/config/schema";
import type { BluegreenConfig } from "../../infra/config/validate";
import { TYPICAL_SCALE_UP_SECONDS } from "./idle";
import {
  type Colour,
  type PlanPause,
  type Platform,
  type PlanStep,
  otherColour,
} from "../../components/domain";

/** A resolved plan: weights strictly increasing, the last one 100 (the config schema enforces it). */
export type Plan = readonly PlanStep[];

/** Seconds a rollout takes when every bake runs to its end and nothing waits. */
export function planDuration(plan: Plan): number {
  return plan.reduce((total, step) => total + step.bakeSeconds, 0);
}

/**
 * Seconds the longest run of the plan takes when every pause waits to its timeout; undefined when
 * a pause has none, because then nothing bounds the run but an operator.
 */
export function longestRunSeconds(plan: Plan): number | undefined {
  let total = 0;
  for (const step of plan) {
    if (step.pause !== undefined && step.pause.timeoutSeconds === undefined) return undefined;
    total += step.bakeSeconds + (step.pause?.timeoutSeconds ?? 0);
  }
  return total;
}

/**
 * When the loop polls next: the first instant after `now` on the step's grid (its start plus whole
 * poll intervals), or the bake's end when that comes first. Polling on a fixed grid keeps the
 * cadence even when a poll's reads were slow or retried; landing exactly on the bake's end makes
 * the last look at the alarms the moment the step would advance.
 */
export function nextPollAt(
  stepStartedAt: number,
  bakeSeconds: number,
  pollSeconds: number,
  now: number,
): number {
  const pollMs = pollSeconds * 1000;
  const bakeEnd = stepStartedAt + bakeSeconds * 1000;
  const intervals = Math.floor((now - stepStartedAt) / pollMs) + 1;
  const onGrid = stepStartedAt + Math.max(1, intervals) * pollMs;
  return bakeEnd > now && bakeEnd < onGrid ? bakeEnd : onGrid;
}

/** Seconds of a step's bake still to run at `now`; 0 once it has passed. */
export function remainingBakeSeconds(stepStartedAt: number, bakeSeconds: number, now: number): number {
  return Math.max(0, bakeSeconds - (now - stepStartedAt) / 1000);
}

/** One step of the plan with when its shift happens, counted in bake time. */
export interface PlannedStep {
  readonly step: number;
  readonly weight: number;
  readonly bakeSeconds: number;
  /** Seconds of baking before this step's shift (pauses before it add their wait). */
  readonly startsAfterSeconds: number;
  /** The wait for approval after the bake, when the step has one. */
  readonly pause?: PlanPause;
}

/** Everything `plan` prints. */
export interface PlanDescription {
  readonly stack: string;
  readonly service: string;
  readonly platform: Platform;
  readonly planName: string;
  /** The colour a rollout would bring in, and the one it keeps as the revert target, per the stack file. */
  readonly candidate: Colour;
  readonly stable: Colour;
  readonly stableVersion: string;
  readonly steps: readonly PlannedStep[];
  readonly totalBakeSeconds: number;
  readonly pollIntervalSeconds: number;
  readonly insufficientData: {
    readonly policy: "wait" | "fail" | "ignore";
    readonly deadlineSeconds: number;
  };
  readonly maxAlarmReadFailures: number;
  readonly preTrafficCheck: boolean;
  /**
   * The built-in alarm keys watched on the candidate. The deployed stack turns them into alarm
   * names (and a composite), so only the keys are known from the file.
   */
  readonly alarmKeys: readonly string[];
  /** Alarms the team owns that judge the candidate colour (Kubernetes gateway mode), watched by name. */
  readonly colourAlarms: readonly string[];
  /** Alarms the team owns, watched by name. */
  readonly extraAlarms: readonly string[];
  /** The idle colour's capacity around a rollout; absent on Lambda, where an idle version costs nothing. */
  readonly idle?: PlannedIdle;
}

/** The scale-up before traffic and the scale-down after the rollback window, as a plan shows them. */
export interface PlannedIdle {
  /** Tasks or pods per serving colour. */
  readonly fullCount: number;
  /** What the idle colour keeps once the window closes. */
  readonly capacity: number;
  /** The rollback window in seconds; absent when both colours are kept warm. */
  readonly rollbackWindowSeconds?: number;
  /** About how long a scale-up takes (TYPICAL_SCALE_UP_SECONDS). */
  readonly scaleUpSeconds: number;
}

/**
 * The plan of a validated stack config. `platformAlarms` are the built-in alarms of the stack's
 * platform (`platformProfile(...).alarms`): the caller looks them up, so the core imports only
 * types from the config module.
 */
export function describePlan(
  stack: string,
  config: BluegreenConfig,
  platformAlarms: readonly BuiltInAlarm[],
): PlanDescription {
  let elapsed = 0;
  const steps = config.rollout.plan.map((step, index) => {
    const planned: PlannedStep = {
      step: index + 1,
      weight: step.weight,
      bakeSeconds: step.bakeSeconds,
      startsAfterSeconds: elapsed,
      ...(step.pause ? { pause: step.pause } : {}),
    };
    elapsed += step.bakeSeconds;
    return planned;
  });
  const candidate = otherColour(config.stable);
  return {
    stack,
    service: config.service.name,
    platform: config.service.platform,
    planName: config.rollout.planName,
    candidate,
    stable: config.stable,
    stableVersion: config.slots[config.stable].version,
    steps,
    totalBakeSeconds: elapsed,
    pollIntervalSeconds: config.rollout.pollInterval,
    insufficientData: {
      policy: config.rollout.insufficientData.policy,
      deadlineSeconds: config.rollout.insufficientData.deadline,
    },
    maxAlarmReadFailures: config.rollout.maxAlarmReadFailures,
    preTrafficCheck: config.rollout.preTrafficCheck.enabled,
    alarmKeys: platformAlarms.filter((key) => config.alarms[key].enabled),
    colourAlarms: [...(config.alarms.colourAlarms?.[candidate] ?? [])],
    extraAlarms: [...config.alarms.extra],
    ...plannedIdle(config),
  };
}

function plannedIdle(config: BluegreenConfig): { idle?: PlannedIdle } {
  const fullCount = config.ecs?.desiredCount ?? config.kubernetes?.replicas;
  if (fullCount === undefined) return {};
  const window = config.idle.rollbackWindow;
  return {
    idle: {
      fullCount,
      capacity: config.idle.capacity,
      ...(window !== undefined ? { rollbackWindowSeconds: window } : {}),
      scaleUpSeconds: TYPICAL_SCALE_UP_SECONDS,
    },
  };
}
