/**
 * The guardian's decision, pure: given what woke it (an alarm's state change, or its schedule),
 * the control record and the live split, whether to put traffic back on the stable colour. The
 * guardian only ever reverts: it never moves traffic toward the candidate and never promotes. The
 * stable colour comes from the run the record names, never from the weights, so a split nobody
 * recorded (a human's) is reported and left alone.
 */
import { alarmColour } from "./alarms";
import { type ControlRecord, type ControlRun, heartbeatAgeMs } from "./controlRecord";
import { revertSplit } from "./revert";
import { type Colour, type ColourAlarms, type TrafficSplit, formatSplit } from "../../components/domain";

/** What woke the guardian; `at` is epoch milliseconds. */
export type GuardianTrigger =
  /** An alarm changed state (`state`: CloudWatch's new value, `ALARM`, `OK`, `INSUFFICIENT_DATA`). */
  | { readonly kind: "alarm"; readonly alarmName: string; readonly state: string; readonly at: number }
  /** The schedule's lost-driver check. */
  | { readonly kind: "schedule"; readonly at: number };

/** Everything the decision looks at. */
export interface GuardianInput {
  readonly trigger: GuardianTrigger;
  readonly record: ControlRecord;
  /** The split the router serves now. */
  readonly live: TrafficSplit;
  /** The alarms that judge each colour. */
  readonly alarms: Readonly<Record<Colour, ColourAlarms>>;
  readonly driverTimeoutSeconds: number;
  /** Epoch milliseconds on the guardian's clock. */
  readonly now: number;
}

/** Why the guardian leaves the stack alone. */
export type GuardianIdleReason =
  /** The alarm left ALARM or went to INSUFFICIENT_DATA: only entering ALARM is a cause. */
  | "not-alarm"
  /** The alarm judges neither colour. */
  | "unknown-alarm"
  /** No run is recorded, so which colour is stable cannot be told. */
  | "no-run"
  /** Traffic is split but no run is recorded: someone split it by hand; the guardian does not own it. */
  | "unowned-split"
  /** The alarm judges the stable colour: reverting would not move traffic away from it. */
  | "stable-alarm"
  /** The candidate gets no traffic: nothing to take away from it. */
  | "candidate-at-zero"
  /** The driver's heartbeat is fresh: the driver watches and reverts by itself. */
  | "driver-alive"
  /** The recorded run was promoted: its candidate is the stack's colour now. */
  | "run-promoted"
  /** A guardian already reverted this run. */
  | "already-tripped";

/** What the guardian should do. */
export type GuardianDecision =
  | {
      readonly kind: "revert";
      /** The run being reverted. */
      readonly run: ControlRun;
      readonly stable: Colour;
      readonly candidate: Colour;
      /** The split to write: the stable colour at 100%. */
      readonly target: TrafficSplit;
      /** An alarm of the candidate fired, or its driver is lost. */
      readonly cause: "alarm" | "driver-lost";
      readonly reason: string;
      /** A trip a guardian recorded but never finished, taken up again. */
      readonly resumed?: true;
    }
  | { readonly kind: "nothing"; readonly why: GuardianIdleReason; readonly detail: string };

/** Decides what the guardian does. */
export function decideGuardian(input: GuardianInput): GuardianDecision {
  const { trigger, record, live } = input;
  const run = record.run;
  if (trigger.kind === "alarm" && trigger.state !== "ALARM") {
    return nothing("not-alarm", `alarm ${trigger.alarmName} went to ${trigger.state}, not ALARM`);
  }
  if (run === undefined) {
    if (live.blue > 0 && live.green > 0) {
      return nothing(
        "unowned-split",
        `traffic is split ${formatSplit(live)} but no run is recorded: someone split it by hand; the guardian cannot tell the stable colour and leaves it alone`,
      );
    }
    return nothing(
      "no-run",
      `no run is recorded, so the stable colour cannot be told; traffic is ${formatSplit(live)}`,
    );
  }
  const { stable, candidate } = run;
  if (record.trip?.runId === run.runId) {
    if (record.trip.revertedAt !== undefined) {
      return nothing(
        "already-tripped",
        `run ${run.runId} was already reverted by the guardian: ${record.trip.reason}`,
      );
    }
    return revert(run, record.trip.reason, trigger.kind === "alarm" ? "alarm" : "driver-lost", true);
  }
  if (run.position.step >= run.position.of) {
    return nothing("run-promoted", `run ${run.runId} was promoted: ${candidate} is the stack's colour now`);
  }
  if (trigger.kind === "alarm") {
    const colour = alarmColour(input.alarms, trigger.alarmName);
    if (colour === undefined) {
      return nothing("unknown-alarm", `alarm ${trigger.alarmName} judges neither colour`);
    }
    if (colour === stable) {
      return nothing(
        "stable-alarm",
        `alarm ${trigger.alarmName} judges ${stable}, the stable colour of run ${run.runId}`,
      );
    }
    if (live[candidate] === 0) {
      return nothing(
        "candidate-at-zero",
        `alarm ${trigger.alarmName} of ${candidate} fired, but ${candidate} gets no traffic (${formatSplit(live)})`,
      );
    }
    return revert(
      run,
      `alarm ${trigger.alarmName} of ${candidate} entered ALARM at ${formatSplit(live)}`,
      "alarm",
    );
  }
  const age = heartbeatAgeMs(record, input.now);
  const timeoutMs = input.driverTimeoutSeconds * 1000;
  if (age !== undefined && age <= timeoutMs) {
    return nothing(
      "driver-alive",
      `the driver of run ${run.runId} beat ${seconds(age)} ago (lost after ${input.driverTimeoutSeconds}s)`,
    );
  }
  if (live[candidate] === 0 && run.weights[candidate] === 0) {
    // A driver does not beat while a Pulumi update runs, and a deploy can outlast the timeout:
    // with no traffic on the candidate, live or recorded, there is nothing to take away.
    return nothing(
      "candidate-at-zero",
      `the driver of run ${run.runId} has not beaten for ${age === undefined ? "ever" : seconds(age)}, but ${candidate} gets no traffic, live or recorded (a deploy may still run)`,
    );
  }
  const lost =
    age === undefined
      ? `run ${run.runId} is recorded with no heartbeat`
      : `the driver of run ${run.runId} is lost: last heartbeat ${seconds(age)} ago, over the ${input.driverTimeoutSeconds}s driver timeout`;
  return revert(run, `${lost}; traffic was ${formatSplit(live)}`, "driver-lost");
}

function revert(
  run: ControlRun,
  reason: string,
  cause: "alarm" | "driver-lost",
  resumed?: true,
): GuardianDecision {
  const { stable, candidate } = run;
  return {
    kind: "revert",
    run,
    stable,
    candidate,
    target: revertSplit(candidate),
    cause,
    reason,
    ...(resumed ? { resumed } : {}),
  };
}

function nothing(why: GuardianIdleReason, detail: string): GuardianDecision {
  return { kind: "nothing", why, detail };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
