/**
 * The four DORA metrics over the rollouts in the audit log, each beside the deployment SOP's
 * target and acceptable level. Pure: the records and the current time in, numbers out.
 *
 * What counts: real rollouts (`command: rollout`, not rehearsals) that changed something. A
 * rejected run changed nothing, so it is no deployment. Aborted runs count as attempts but not as
 * failures: an operator stopping a rollout is not the change failing.
 */
import type { AuditOutcome } from "../audit";
import type { DeploymentRun } from "./auditLog";

const DAY_MS = 86_400_000;

/** The SOP's DORA targets ("Deployment Metrics (DORA)"): the target, and what is still acceptable. */
export const SOP_DORA_TARGETS = {
  /** Target: daily (for mature teams). Minimum: weekly. */
  deploymentFrequency: { targetPerDay: 1, acceptablePerDay: 1 / 7, target: "daily", acceptable: "weekly" },
  /** Target: under a day from commit to production. Acceptable: under a week. */
  leadTime: {
    targetSeconds: 86_400,
    acceptableSeconds: 7 * 86_400,
    target: "< 1 day",
    acceptable: "< 1 week",
  },
  /** Target: under an hour. Acceptable: under four hours. */
  meanTimeToRecovery: {
    targetSeconds: 3600,
    acceptableSeconds: 4 * 3600,
    target: "< 1 hour",
    acceptable: "< 4 hours",
  },
  /** Target: under 5%. Acceptable: under 15%. */
  changeFailureRate: { targetRate: 0.05, acceptableRate: 0.15, target: "< 5%", acceptable: "< 15%" },
} as const;

/** How a metric compares with the SOP: meets the target, only the acceptable level, or neither. */
export type DoraRating = "target" | "acceptable" | "below" | "no data";

/** Outcomes that mean the change failed in production. */
export const FAILED_OUTCOMES: readonly AuditOutcome[] = ["rolled-back", "failed"];

/** Outcomes that count as a deployment attempt. */
export const ATTEMPT_OUTCOMES: readonly AuditOutcome[] = ["promoted", "rolled-back", "failed", "aborted"];

/** Which records the metrics read. */
export interface DoraOptions {
  /** Now, epoch milliseconds: the window's end. */
  readonly now: number;
  /** The window's start, epoch milliseconds; without it, the first counted run. */
  readonly since?: number;
  /** Only these stacks (DORA is usually measured on production); without it, every stack. */
  readonly stacks?: readonly string[];
  /** Count rehearsals too, for trying the report out. */
  readonly includeRehearsals?: boolean;
}

/** One metric's value, how it was measured, and its rating. */
export interface DoraMetric {
  /** Per day for the frequency, seconds for lead time and recovery, a fraction for the failure rate. */
  readonly value?: number;
  /** How many runs the value rests on. */
  readonly samples: number;
  readonly rating: DoraRating;
  /** The SOP's target and acceptable level, as written there. */
  readonly target: string;
  readonly acceptable: string;
  /** Why there is no value, or what the value counts. */
  readonly note: string;
}

/** The metrics over one window. */
export interface DoraReport {
  readonly window: { readonly from: string; readonly to: string; readonly days: number };
  /** The stacks counted, or every stack. */
  readonly stacks: readonly string[] | "all";
  readonly attempts: number;
  readonly promoted: number;
  readonly failed: number;
  readonly aborted: number;
  readonly deploymentFrequency: DoraMetric;
  readonly leadTime: DoraMetric;
  readonly changeFailureRate: DoraMetric;
  readonly meanTimeToRecovery: DoraMetric;
  /** Where the runs were read from (the release history's table, or an audit log), when known. */
  readonly source?: string;
}

/** The records a DORA report counts: in the window, on the stacks asked for, real rollouts that were attempted. */
export function countedRuns(runs: readonly DeploymentRun[], options: DoraOptions): DeploymentRun[] {
  return runs.filter((run) => {
    const at = Date.parse(run.at);
    if (options.since !== undefined && at < options.since) return false;
    if (at > options.now) return false;
    if (options.stacks && !options.stacks.includes(run.stack)) return false;
    const isRollout = run.command === "rollout" && !run.rehearsal;
    const isRehearsal = run.command === "rehearse" || run.rehearsal;
    if (!isRollout && !(options.includeRehearsals && isRehearsal)) return false;
    return ATTEMPT_OUTCOMES.includes(run.outcome);
  });
}

/** Computes the four metrics. */
export function computeDora(runs: readonly DeploymentRun[], options: DoraOptions): DoraReport {
  const counted = countedRuns(runs, options);
  const from =
    options.since ??
    (counted.length > 0 ? Math.min(...counted.map((run) => Date.parse(run.at))) : options.now);
  // A window shorter than a day would turn one deployment into "several a day".
  const days = Math.max(1, (options.now - from) / DAY_MS);
  const promoted = counted.filter((run) => run.outcome === "promoted");
  const failed = counted.filter((run) => FAILED_OUTCOMES.includes(run.outcome));
  const aborted = counted.filter((run) => run.outcome === "aborted");

  return {
    window: {
      from: new Date(from).toISOString(),
      to: new Date(options.now).toISOString(),
      days: round(days, 2),
    },
    stacks: options.stacks ? [...options.stacks] : "all",
    attempts: counted.length,
    promoted: promoted.length,
    failed: failed.length,
    aborted: aborted.length,
    deploymentFrequency: deploymentFrequency(promoted.length, days),
    leadTime: leadTime(promoted),
    changeFailureRate: changeFailureRate(failed.length, counted.length),
    meanTimeToRecovery: meanTimeToRecovery(failed),
  };
}

function deploymentFrequency(deployments: number, days: number): DoraMetric {
  const goal = SOP_DORA_TARGETS.deploymentFrequency;
  const perDay = deployments / days;
  return {
    value: round(perDay, 3),
    samples: deployments,
    rating: perDay >= goal.targetPerDay ? "target" : perDay >= goal.acceptablePerDay ? "acceptable" : "below",
    target: goal.target,
    acceptable: goal.acceptable,
    note: `${deployments} promoted in ${round(days, 1)} days`,
  };
}

function leadTime(promoted: readonly DeploymentRun[]): DoraMetric {
  const goal = SOP_DORA_TARGETS.leadTime;
  const leads: number[] = [];
  for (const run of promoted) {
    if (run.commitAt === undefined) continue;
    const servedAt = Date.parse(run.at) + run.elapsedSeconds * 1000;
    const seconds = (servedAt - Date.parse(run.commitAt)) / 1000;
    // A commit after the release is a mismatched record, not a negative lead time.
    if (seconds >= 0) leads.push(seconds);
  }
  if (leads.length === 0) {
    return {
      samples: 0,
      rating: "no data",
      target: goal.target,
      acceptable: goal.acceptable,
      note: "no promoted run has a commit time (commitAt)",
    };
  }
  const value = median(leads);
  return {
    value: round(value, 1),
    samples: leads.length,
    rating: value < goal.targetSeconds ? "target" : value < goal.acceptableSeconds ? "acceptable" : "below",
    target: goal.target,
    acceptable: goal.acceptable,
    note: `median of ${leads.length} promoted ${leads.length === 1 ? "run" : "runs"}, commit to 100% on the new version`,
  };
}

function changeFailureRate(failures: number, attempts: number): DoraMetric {
  const goal = SOP_DORA_TARGETS.changeFailureRate;
  if (attempts === 0) {
    return {
      samples: 0,
      rating: "no data",
      target: goal.target,
      acceptable: goal.acceptable,
      note: "no rollouts",
    };
  }
  const rate = failures / attempts;
  return {
    value: round(rate, 4),
    samples: attempts,
    rating: rate < goal.targetRate ? "target" : rate < goal.acceptableRate ? "acceptable" : "below",
    target: goal.target,
    acceptable: goal.acceptable,
    note: `${failures} rolled back or failed of ${attempts}`,
  };
}

function meanTimeToRecovery(failed: readonly DeploymentRun[]): DoraMetric {
  const goal = SOP_DORA_TARGETS.meanTimeToRecovery;
  const times = failed.flatMap((run) => (run.secondsToRevert === undefined ? [] : [run.secondsToRevert]));
  if (times.length === 0) {
    return {
      samples: 0,
      rating: "no data",
      target: goal.target,
      acceptable: goal.acceptable,
      note:
        failed.length === 0
          ? "no failed changes to recover from"
          : `${failed.length} failed ${failed.length === 1 ? "change has" : "changes have"} no secondsToRevert`,
    };
  }
  const value = times.reduce((sum, seconds) => sum + seconds, 0) / times.length;
  return {
    value: round(value, 1),
    samples: times.length,
    rating: value < goal.targetSeconds ? "target" : value < goal.acceptableSeconds ? "acceptable" : "below",
    target: goal.target,
    acceptable: goal.acceptable,
    note: `mean of ${times.length}, trigger to verified revert`,
  };
}

const WINDOW_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * The start of a `--since` window: a span back from now (`30d`, `2w`, `12h`, `90m`) or a date or
 * time (`2025-11-01`, `2025-11-01T09:00:00Z`). Returns epoch milliseconds.
 *
 * @throws Error naming the value and the accepted forms.
 */
export function parseSince(text: string, now: number): number {
  const trimmed = text.trim();
  const span = /^(\d+)([mhdw])$/.exec(trimmed);
  if (span) {
    const amount = Number(span[1]);
    if (amount > 0) return now - amount * WINDOW_UNITS[span[2]];
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const at = Date.parse(trimmed);
    if (!Number.isNaN(at)) {
      if (at > now) throw new Error(`--since ${JSON.stringify(text)} is in the future`);
      return at;
    }
  }
  throw new Error(
    `--since ${JSON.stringify(text)}: expected a span back from now such as 30d, 2w, 12h or 90m, or a date such as 2025-11-01`,
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
