/**
 * The live run as the stack's control record tells it, for `bluegreen status` on any machine: no
 * Pulumi, no router, only the record and the stack file. Pure: the record and the time in, the
 * view out, with every instant as ISO 8601 and every duration in whole seconds.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import { type ControlRecord, heartbeatAgeMs, heartbeatStaleAfterMs } from "../core/controlRecord";
import type { ControlRequestKind } from "../ports";
import { WATCHED_WITHIN_POLLS } from "./status";
import type { Colour, TrafficSplit } from "../../components/domain";

/** The run in progress, as recorded. */
export interface RunView {
  readonly runId: string;
  readonly version: string;
  readonly candidate: Colour;
  readonly stable: Colour;
  /** A rehearsal steered through the stack's control channel, not a rollout. */
  readonly rehearsal: boolean;
  /** The step the run is at, from 1; `of` once every step is done. */
  readonly step: number;
  readonly of: number;
  /** The candidate's weight in that step of the stack file's plan; absent past the plan, or when the plan changed. */
  readonly stepWeight?: number;
  /** The split the run last set and verified. */
  readonly weights: TrafficSplit;
  /** Every step's candidate weight, from the stack file's plan; absent when the plan changed. */
  readonly plan?: readonly number[];
  readonly startedBy: string;
  readonly reason?: string;
  readonly startedAt: string;
  readonly bakeEndsAt?: string;
  /** Whole seconds until the bake ends, 0 once it is due. */
  readonly bakeRemainingSeconds?: number;
  readonly paused?: {
    readonly since: string;
    readonly by: string;
    readonly timeoutAt?: string;
    readonly onTimeout?: string;
  };
  /** The watched alarms' states as the driver last read them. */
  readonly alarms?: Readonly<Record<string, string>>;
}

/** The driver's last heartbeat and what it means for the operator commands. */
export interface HeartbeatView {
  readonly at: string;
  readonly ageSeconds: number;
  /** Within WATCHED_WITHIN_POLLS poll intervals: abort, promote, pause and resume reach the driver. */
  readonly watched: boolean;
  /** Older than `heartbeatStaleAfterMs`: another run may take the stack over. */
  readonly stale: boolean;
}

/** The stack's control record, as status shows it. */
export interface ControlView {
  /** Where the record is: `control table <name> (<region>)`. */
  readonly source: string;
  readonly run: RunView | null;
  readonly heartbeat: HeartbeatView | null;
  /** The operator's request the driver has not taken yet. */
  readonly request: { readonly kind: ControlRequestKind; readonly by: string; readonly at: string } | null;
  /** A revert the guardian made. */
  readonly trip: {
    readonly runId: string;
    readonly reason: string;
    readonly triggeredAt: string;
    readonly revertedAt?: string;
    readonly weights: TrafficSplit;
  } | null;
}

/** What the view is computed against. */
export interface ControlViewContext {
  readonly source: string;
  /** Epoch milliseconds now, on the reader's clock. */
  readonly now: number;
  readonly config: Pick<BluegreenConfig, "rollout">;
}

/** The record as status shows it, at `now`. */
export function controlView(record: ControlRecord, context: ControlViewContext): ControlView {
  const { now, config } = context;
  const pollMs = config.rollout.pollInterval * 1000;
  const age = heartbeatAgeMs(record, now);
  const { trip, request } = record;
  return {
    source: context.source,
    run: record.run ? runView(record, context) : null,
    heartbeat:
      record.heartbeatAt === undefined || age === undefined
        ? null
        : {
            at: iso(record.heartbeatAt),
            ageSeconds: Math.round(age / 1000),
            watched: age <= WATCHED_WITHIN_POLLS * pollMs,
            stale: age > heartbeatStaleAfterMs(config.rollout.pollInterval),
          },
    request: request ? { kind: request.kind, by: request.by, at: iso(request.at) } : null,
    trip: trip
      ? {
          runId: trip.runId,
          reason: trip.reason,
          triggeredAt: iso(trip.triggeredAt),
          ...(trip.revertedAt !== undefined ? { revertedAt: iso(trip.revertedAt) } : {}),
          weights: trip.weights,
        }
      : null,
  };
}

function runView(record: ControlRecord, { now, config }: ControlViewContext): RunView {
  const run = record.run!;
  const planWeights = config.rollout.plan.map((step) => step.weight);
  // The record's plan length differs from the stack file's when the file changed since the run began.
  const samePlan = planWeights.length === run.position.of;
  const { pause } = run;
  return {
    runId: run.runId,
    version: run.version,
    candidate: run.candidate,
    stable: run.stable,
    rehearsal: run.rehearsal === true,
    step: Math.min(run.position.step + 1, run.position.of),
    of: run.position.of,
    ...(samePlan && run.position.step < run.position.of
      ? { stepWeight: planWeights[run.position.step] }
      : {}),
    weights: run.weights,
    ...(samePlan ? { plan: planWeights } : {}),
    startedBy: run.startedBy,
    ...(run.reason !== undefined ? { reason: run.reason } : {}),
    startedAt: iso(run.startedAt),
    ...(run.bakeEndsAt !== undefined
      ? {
          bakeEndsAt: iso(run.bakeEndsAt),
          bakeRemainingSeconds: Math.max(0, Math.ceil((run.bakeEndsAt - now) / 1000)),
        }
      : {}),
    ...(pause
      ? {
          paused: {
            since: iso(pause.since),
            by: pause.by,
            ...(pause.timeoutAt !== undefined ? { timeoutAt: iso(pause.timeoutAt) } : {}),
            ...(pause.onTimeout !== undefined ? { onTimeout: pause.onTimeout } : {}),
          },
        }
      : {}),
    ...(run.alarms !== undefined ? { alarms: run.alarms } : {}),
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
