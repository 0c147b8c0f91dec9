/**
 * `bluegreen plan`: what a rollout of the stack would do, from its stack file alone. It reads
 * nothing remote and changes nothing, so it is safe in a pull-request check.
 */
import { type Colour, type Platform, otherColour, platformProfile } from "../../infra/config/schema";
import type { BluegreenConfig } from "../../infra/config/validate";

/** One step of the plan with when its shift happens, counted in bake time. */
export interface PlannedStep {
  readonly step: number;
  readonly weight: number;
  readonly bakeSeconds: number;
  /** Seconds of baking before this step's shift. */
  readonly startsAfterSeconds: number;
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
}

/** The plan of a validated stack config. */
export function describePlan(stack: string, config: BluegreenConfig): PlanDescription {
  let elapsed = 0;
  const steps = config.rollout.plan.map((step, index) => {
    const planned = {
      step: index + 1,
      weight: step.weight,
      bakeSeconds: step.bakeSeconds,
      startsAfterSeconds: elapsed,
    };
    elapsed += step.bakeSeconds;
    return planned;
  });
  const platform = config.service.platform;
  return {
    stack,
    service: config.service.name,
    platform,
    planName: config.rollout.planName,
    candidate: otherColour(config.stable),
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
    alarmKeys: platformProfile(platform, config.kubernetes?.routing.mode).alarms.filter(
      (key) => config.alarms[key].enabled,
    ),
    colourAlarms: [...(config.alarms.colourAlarms?.[otherColour(config.stable)] ?? [])],
    extraAlarms: [...config.alarms.extra],
  };
}
