/**
 * The guardian, performed: reads the control record and the live split, asks `core/guardian`
 * what to do, and on a revert records its trip first (a conditional write, so two guardians at
 * once act once), writes the stable colour at 100% through the same traffic router the driver
 * uses, reads it back, records the revert and announces it. It never touches the stack: the
 * driver, or `bluegreen reconcile` without one, restores the stack's values afterwards.
 *
 * The Lambda handler and `bluegreen guardian --once` both call `runGuardian` and print its result
 * as one JSON log line.
 */
import type { ControlRecord, ControlTrip } from "../core/controlRecord";
import type { TripDecision } from "../core/controlTrip";
import { type IdleDeps, type IdleOutcome, scaleDownIdle } from "../rollout/idle";
import {
  type GuardianDecision,
  type GuardianIdleReason,
  type GuardianTrigger,
  decideGuardian,
} from "../core/guardian";
import { REVERT_RETRY, backoffDelay } from "../core/retry";
import type { Notifier } from "../adapters/notify/notifier";
import type { Clock, Random, TrafficRouter } from "../ports";
import {
  type Colour,
  type GuardianTarget,
  type TrafficSplit,
  formatSplit,
  sameSplit,
} from "../../components/domain";

/** The control record as the guardian uses it: read it, record a trip, finish it. */
export interface GuardianRecordStore {
  readRecord(): Promise<ControlRecord>;
  /** Records the trip on condition (`decideTrip`): exactly one of two guardians at once gets `write`. */
  recordTrip(trip: ControlTrip, now: number): Promise<TripDecision>;
  /** Records that the trip of `runId` is done, with the split read back. */
  completeTrip(runId: string, revertedAt: number, weights: TrafficSplit): Promise<boolean>;
  /** Hands the open trip of `runId` back, so the next guardian run retries it at once. */
  abandonTrip(runId: string): Promise<boolean>;
}

/** What the guardian reaches the world through. */
export interface GuardianDeps {
  readonly target: GuardianTarget;
  readonly record: GuardianRecordStore;
  /**
   * The traffic router of the target's routing. `stable` is the recorded run's stable colour (a
   * Lambda alias keeps it as the primary version); undefined when no run is recorded, in which
   * case the router is only read.
   */
  readonly router: (stable: Colour | undefined) => TrafficRouter;
  /** Where a revert is announced; a failed send never changes the outcome. */
  readonly notifier?: Notifier;
  readonly clock: Pick<Clock, "now" | "sleep">;
  /** Draws the jitter between attempts of the direct write. @default Math.random */
  readonly random?: Random;
  /**
   * The idle colour's scale-down, when the target has one: on the schedule, once nothing needs
   * reverting, the colour the last promotion left idle is scaled down after its rollback window.
   */
  readonly idle?: Pick<IdleDeps, "control" | "scaler" | "history"> & { readonly capacity: number };
}

/** How one guardian run ended. */
export type GuardianOutcome =
  /** Nothing to do; `why` says why. */
  | "nothing"
  /** Traffic is verified back on the stable colour. */
  | "reverted"
  /** Another guardian is reverting this run now. */
  | "in-progress"
  /** The revert could not be verified; the trip stays open and a later guardian run retries it. */
  | "failed"
  /** The control record or the router could not be reached; `unreachable` says which. */
  | "error";

/** What one guardian run did: printed as one JSON log line, never holding a secret. */
export interface GuardianResult {
  readonly stack: string;
  readonly trigger: GuardianTrigger["kind"];
  readonly alarmName?: string;
  readonly outcome: GuardianOutcome;
  /** Why, in words: the idle reason's detail, the revert's reason or what failed. */
  readonly detail: string;
  readonly why?: GuardianIdleReason | "run-changed";
  readonly runId?: string;
  readonly stable?: Colour;
  /** The live split the guardian found. */
  readonly found?: TrafficSplit;
  /** The split read back after the revert. */
  readonly weights?: TrafficSplit;
  /** The trip was one a crashed guardian left half done. */
  readonly resumed?: true;
  /** Whether the announcement went out, when there is a topic. */
  readonly notified?: boolean;
  /** What could not be reached, for an `error`. */
  readonly unreachable?: "control" | "router";
  /** What the idle colour's scale-down pass did, on a schedule with nothing to revert. */
  readonly idle?: IdleOutcome;
}

/** Runs the guardian once for `trigger`. Never throws: a failure is an `error` or `failed` result. */
export async function runGuardian(deps: GuardianDeps, trigger: GuardianTrigger): Promise<GuardianResult> {
  const base = {
    stack: deps.target.stack,
    trigger: trigger.kind,
    ...(trigger.kind === "alarm" ? { alarmName: trigger.alarmName } : {}),
  };
  let record: ControlRecord;
  try {
    record = await deps.record.readRecord();
  } catch (error) {
    return {
      ...base,
      outcome: "error",
      unreachable: "control",
      detail: `cannot read the control record: ${message(error)}`,
    };
  }
  const router = deps.router(record.run?.stable);
  let found: TrafficSplit;
  try {
    found = await router.read();
  } catch (error) {
    return {
      ...base,
      outcome: "error",
      unreachable: "router",
      detail: `cannot read the live split: ${message(error)}`,
    };
  }
  const decision = decideGuardian({
    trigger,
    record,
    live: found,
    alarms: deps.target.alarms,
    driverTimeoutSeconds: deps.target.driverTimeoutSeconds,
    now: deps.clock.now(),
  });
  if (decision.kind === "nothing") {
    const idle = trigger.kind === "schedule" ? await scaleIdle(deps, router) : undefined;
    return {
      ...base,
      outcome: "nothing",
      why: decision.why,
      detail: decision.detail,
      found,
      ...(idle === undefined ? {} : { idle }),
    };
  }
  const reverting = { ...base, runId: decision.run.runId, stable: decision.stable, found };
  let trip: TripDecision;
  try {
    trip = await deps.record.recordTrip(
      {
        runId: decision.run.runId,
        reason: decision.reason,
        triggeredAt: trigger.at,
        weights: decision.target,
      },
      deps.clock.now(),
    );
  } catch (error) {
    return {
      ...reverting,
      outcome: "error",
      unreachable: "control",
      detail: `cannot record the trip, traffic left as it is: ${message(error)}`,
    };
  }
  switch (trip.kind) {
    case "reverted":
      return {
        ...reverting,
        outcome: "nothing",
        why: "already-tripped",
        detail: `already reverted by the guardian: ${trip.trip.reason}`,
      };
    case "in-progress":
      return {
        ...reverting,
        outcome: "in-progress",
        detail: `another guardian is reverting: ${trip.trip.reason}`,
      };
    case "run-changed":
      return {
        ...reverting,
        outcome: "nothing",
        why: "run-changed",
        detail: `run ${decision.run.runId} is no longer recorded: its driver ended it`,
      };
    case "write":
      break;
  }
  const resumed = trip.resumed ? { resumed: true as const } : {};
  const written = await writeVerified(deps, router, decision.target);
  if (written.kind === "failed") {
    // Handed back, so a retried invocation or the next schedule tries again without waiting out the lease.
    await deps.record.abandonTrip(decision.run.runId).catch(() => false);
    return {
      ...reverting,
      ...resumed,
      outcome: "failed",
      detail: `${trip.trip.reason}; could not put traffic back on ${decision.stable}: ${written.detail}; the next guardian run retries`,
    };
  }
  let recorded = "";
  try {
    await deps.record.completeTrip(decision.run.runId, deps.clock.now(), written.weights);
  } catch (error) {
    recorded = `; traffic is back, but the revert could not be recorded: ${message(error)}`;
  }
  const notified = await announce(deps, decision, written.weights);
  return {
    ...reverting,
    ...resumed,
    outcome: "reverted",
    detail: `${trip.trip.reason}${recorded}`,
    weights: written.weights,
    ...(notified === undefined ? {} : { notified }),
  };
}

/** One pass of the idle colour's scale-down through the same router the guardian read. */
async function scaleIdle(deps: GuardianDeps, router: TrafficRouter): Promise<IdleOutcome | undefined> {
  if (deps.idle === undefined) return undefined;
  const { capacity, ...idle } = deps.idle;
  return scaleDownIdle({ ...idle, router, clock: deps.clock }, capacity);
}

/** The result as the one JSON log line both the Lambda and the CLI print. */
export function guardianLogLine(result: GuardianResult): string {
  return JSON.stringify({ source: "bluegreen-guardian", ...result });
}

type Written =
  | { readonly kind: "verified"; readonly weights: TrafficSplit }
  | { readonly kind: "failed"; readonly detail: string };

/** Writes `target` and reads it back, in up to REVERT_RETRY's attempts. */
async function writeVerified(
  deps: GuardianDeps,
  router: TrafficRouter,
  target: TrafficSplit,
): Promise<Written> {
  let detail = "";
  for (let attempt = 1; attempt <= REVERT_RETRY.attempts; attempt++) {
    if (attempt > 1)
      await deps.clock.sleep(backoffDelay(REVERT_RETRY, attempt - 1, deps.random ?? Math.random));
    try {
      await router.write(target);
      const back = await router.read();
      if (sameSplit(back, target)) return { kind: "verified", weights: back };
      detail = `wrote ${formatSplit(target)} but read back ${formatSplit(back)}`;
    } catch (error) {
      detail = message(error);
    }
  }
  return { kind: "failed", detail };
}

/** Announces the revert; whether it went out, undefined without a notifier. */
async function announce(
  deps: GuardianDeps,
  decision: Extract<GuardianDecision, { kind: "revert" }>,
  weights: TrafficSplit,
): Promise<boolean | undefined> {
  if (deps.notifier === undefined) return undefined;
  const { stack } = deps.target;
  try {
    await deps.notifier.send({
      kind: "reverted",
      severity: "critical",
      subject: `bluegreen guardian reverted ${deps.target.service} on ${stack}: traffic back on ${decision.stable}`,
      text: `Run ${decision.run.runId} (version ${decision.run.version}): ${decision.reason}. Traffic is now ${formatSplit(weights)}. Run \`bluegreen reconcile --stack ${stack}\` if no driver is running.`,
      stack,
      elapsedSeconds: Math.max(0, Math.round((deps.clock.now() - decision.run.startedAt) / 1000)),
    });
    return true;
  } catch {
    return false;
  }
}

function message(error: unknown): string {
  return error instanceof Error
    ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`
    : String(error);
}
