/** The text of `bluegreen plan`. */
import { formatDuration } from "../../infra/config/duration";
import type { PlanDescription } from "../core/plan";
import type { PlanPause } from "../../components/domain";

/** What a pause waits for and what its timeout does. */
function pauseLine(pause: PlanPause, stack: string): string {
  const timeout =
    pause.timeoutSeconds === undefined
      ? "no timeout"
      : `${pause.onTimeout === "abort" ? "abort (revert)" : "go on (promote)"} after ${formatDuration(pause.timeoutSeconds)} without an answer`;
  return `holds the weight, alarms still watched, until \`bluegreen resume --stack ${stack}\` (or promote --full, abort); ${timeout}`;
}

/** Whether a step before `step` (1-based) pauses, so its start waits for someone's approval. */
function pausedBefore(plan: PlanDescription, step: number): boolean {
  return plan.steps.some((earlier) => earlier.step < step && earlier.pause !== undefined);
}

const POLICY_TEXT: Record<PlanDescription["insufficientData"]["policy"], string> = {
  wait: "wait: tolerated up to the deadline within a step, then revert",
  fail: "fail: revert as soon as an alarm has insufficient data",
  ignore: "ignore: insufficient data counts as OK (evaluation errors still wait up to the deadline)",
};

/** `count` tasks (ECS) or pods (Kubernetes). */
function units(plan: PlanDescription, count: number): string {
  const noun = plan.platform === "kubernetes" ? "pod" : "task";
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The scale-up before the first step, when the candidate was scaled down while idle. */
function scaleUpLines(plan: PlanDescription): string[] {
  const idle = plan.idle;
  if (idle === undefined || idle.rollbackWindowSeconds === undefined || idle.capacity >= idle.fullCount)
    return [];
  return [
    `   0. scale ${plan.candidate} up from ${idle.capacity} to ${plan.stable}'s count (${units(plan, idle.fullCount)} in the stack file)  about ${formatDuration(idle.scaleUpSeconds)}  before any traffic, if it was scaled down after its last rollback window`,
  ];
}

/** What happens to the previous colour after the promotion. */
function scaleDownLines(plan: PlanDescription): string[] {
  const idle = plan.idle;
  if (idle === undefined)
    return ["after the promotion: nothing to scale (an idle Lambda version costs nothing)"];
  if (idle.rollbackWindowSeconds === undefined) {
    return [
      `after the promotion: ${plan.stable} keeps its ${units(plan, idle.fullCount)} (bluegreen:idle.rollbackWindow is never); \`bluegreen undo\` only moves traffic`,
    ];
  }
  if (idle.capacity >= idle.fullCount) {
    return [
      `after the promotion: ${plan.stable} keeps its ${units(plan, idle.fullCount)} (bluegreen:idle.capacity is not below the count)`,
    ];
  }
  return [
    `after the promotion: ${plan.stable} keeps its ${units(plan, idle.fullCount)} for the rollback window (${formatDuration(idle.rollbackWindowSeconds)}; \`bluegreen undo\` only moves traffic), then is scaled to ${idle.capacity}; an undo after that waits about ${formatDuration(idle.scaleUpSeconds)} for the scale-up`,
  ];
}

/** The plan as lines of text, ending with a newline. */
export function formatPlan(plan: PlanDescription): string {
  const lines = [
    `stack ${plan.stack}: ${plan.service} on ${plan.platform}, plan "${plan.planName}"`,
    `the new version goes to ${plan.candidate}; ${plan.stable} (${plan.stableVersion}) stays the revert target`,
    "",
    "steps:",
    ...scaleUpLines(plan),
    ...plan.steps.flatMap((step) => [
      `  ${String(step.step).padStart(2)}. ${plan.candidate} ${String(step.weight).padStart(3)}% (${plan.stable} ${String(100 - step.weight).padStart(3)}%)  bake ${formatDuration(step.bakeSeconds).padEnd(6)}  from +${formatDuration(step.startsAfterSeconds)}${pausedBefore(plan, step.step) ? " after approval" : ""}`,
      ...(step.pause ? [`      then pause for approval: ${pauseLine(step.pause, plan.stack)}`] : []),
    ]),
    `total bake time: ${formatDuration(plan.totalBakeSeconds)} (plus the deploy and readiness of ${plan.candidate}${plan.steps.some((step) => step.pause) ? ", and the wait for approval" : ""})`,
    ...scaleDownLines(plan),
    "",
    "watched alarms (on the candidate colour):",
    ...plan.alarmKeys.map((key) => `  built-in ${key}`),
    ...plan.colourAlarms.map((name) => `  ${plan.candidate.padEnd(8)} ${name}`),
    ...(plan.alarmKeys.length + plan.colourAlarms.length === 0 ? ["  no built-in alarm is enabled"] : []),
    ...plan.extraAlarms.map((name) => `  extra    ${name}`),
    "  (the deployed stack names them; `bluegreen status` shows the exact names)",
    "",
    `poll interval: ${formatDuration(plan.pollIntervalSeconds)}`,
    `insufficient data: ${POLICY_TEXT[plan.insufficientData.policy]}${plan.insufficientData.policy === "fail" ? "" : ` (deadline ${formatDuration(plan.insufficientData.deadlineSeconds)})`}`,
    `unreadable alarms: revert after ${plan.maxAlarmReadFailures} failed reads in a row`,
    `pre-traffic check: ${plan.preTrafficCheck ? "on" : "off"}`,
  ];
  return `${lines.join("\n")}\n`;
}
