/**
 * Rule: every colour's target group or Lambda version has an error-rate alarm and a latency alarm,
 * each no looser than the SOP. They are what makes the rollout driver revert: a colour without them
 * takes traffic unjudged.
 */
import { AlarmKind, AlarmReading, Platform, alarmKind, alarmProblems, readAlarm } from "./alarms";
import { ColourTarget, colourTargets, watches } from "./colourTargets";
import { METRIC_ALARM_TYPE, PolicyInput, Violation, named } from "./resource";
import { SOP_LIMITS, SopLimits } from "./sop";

const KINDS: readonly AlarmKind[] = ["errorRate", "latency"];

function sopText(kind: AlarmKind, limits: SopLimits): string {
  return kind === "errorRate"
    ? `error rate above ${limits.maxErrorRatePercent}% for at most ${limits.maxErrorRateWindowSeconds} s`
    : `p${limits.minLatencyPercentile} latency above ${limits.maxLatencySeconds} s for at most ${limits.maxLatencyWindowSeconds} s`;
}

/** Where the program takes the alarm from, and what a hand-made alarm must read. */
function fix(kind: AlarmKind, platform: Platform, limits: SopLimits): string {
  if (platform === "alb") {
    return kind === "errorRate"
      ? `keep bluegreen:alarms.errorRate enabled with threshold at most ${limits.maxErrorRatePercent} and period × datapointsToAlarm at most ${limits.maxErrorRateWindowSeconds / 60}m, or alarm on 100 * HTTPCode_Target_5XX_Count / RequestCount with the group's TargetGroup dimension`
      : `keep bluegreen:alarms.latencyP95 enabled with threshold at most ${limits.maxLatencySeconds} and period × datapointsToAlarm at most ${limits.maxLatencyWindowSeconds / 60}m, or alarm on p${limits.minLatencyPercentile} TargetResponseTime with the group's TargetGroup dimension`;
  }
  return kind === "errorRate"
    ? `keep bluegreen:alarms.lambdaErrorRate enabled with threshold at most ${limits.maxErrorRatePercent} and period × datapointsToAlarm at most ${limits.maxErrorRateWindowSeconds / 60}m, or alarm on 100 * Errors / Invocations with the version's FunctionName and ExecutedVersion dimensions`
    : `keep bluegreen:alarms.lambdaDurationP95 enabled with threshold at most ${limits.maxLatencySeconds} and period × datapointsToAlarm at most ${limits.maxLatencyWindowSeconds / 60}m, or alarm on p${limits.minLatencyPercentile} Duration with the version's FunctionName and ExecutedVersion dimensions`;
}

function kindText(kind: AlarmKind): string {
  return kind === "errorRate" ? "error-rate" : "latency";
}

function targetViolation(
  target: ColourTarget,
  kind: AlarmKind,
  alarms: readonly AlarmReading[],
  limits: SopLimits,
): Violation | undefined {
  const judged = alarms
    .filter((alarm) => alarmKind(alarm, target.platform) === kind && watches(alarm, target))
    .map((alarm) => ({ alarm, problems: alarmProblems(alarm, kind, target.platform, limits) }));
  if (judged.some(({ problems }) => problems.length === 0)) return undefined;
  const subject = `${named(target.kind, target.resource)} (${target.colour})`;
  const found =
    judged.length === 0
      ? `has no ${kindText(kind)} alarm, so nothing reverts a rollout when it breaches the SOP (${sopText(kind, limits)})`
      : `has no ${kindText(kind)} alarm within the SOP (${sopText(kind, limits)}): ${judged
          .map(({ alarm, problems }) => `alarm "${alarm.resource.name}": ${problems.join("; ")}`)
          .join(". ")}`;
  return {
    urn: target.resource.urn,
    message: `${subject} ${found}. Fix: ${fix(kind, target.platform, limits)}.`,
  };
}

/** Violations of the colour-alarm rule over a whole stack. */
export function colourAlarmViolations(
  resources: readonly PolicyInput[],
  limits: SopLimits = SOP_LIMITS,
): Violation[] {
  const alarms = resources.filter((resource) => resource.type === METRIC_ALARM_TYPE).map(readAlarm);
  const violations: Violation[] = [];
  for (const target of colourTargets(resources)) {
    for (const kind of KINDS) {
      const violation = targetViolation(target, kind, alarms, limits);
      if (violation !== undefined) violations.push(violation);
    }
  }
  return violations;
}
