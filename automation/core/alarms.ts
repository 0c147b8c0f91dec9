/**
 * Alarm evaluation, pure: what the readings of the watched alarms mean for the candidate. An
 * alarm that cannot vouch for the colour (no data, an evaluation error, absent from the answer) is
 * never counted as healthy; the insufficient-data policy says how long it is tolerated.
 */
import type { AlarmReading, AlarmStateValue } from "../ports";
import type { Colour, ColourAlarms } from "../../components/domain";

/**
 * CloudWatch's EvaluationState values. CloudWatch sets one only when it could not evaluate the
 * alarm as configured, so the alarm's state cannot vouch for the colour while it is set.
 */
export const EVALUATION_STATES = [
  "PARTIAL_DATA",
  "EVALUATION_ERROR",
  "EVALUATION_FAILURE",
  "IN_WARM_UP",
] as const;
/** One of CloudWatch's EvaluationState values. */
export type EvaluationStateValue = (typeof EVALUATION_STATES)[number];

/**
 * An alarm's state as the driver reports it: its CloudWatch state; its EvaluationState instead
 * while CloudWatch cannot evaluate it (an `OK` beside an evaluation error is not an OK anyone
 * should read); `MISSING` when the alarm source did not return it.
 */
export type WatchedState = AlarmStateValue | EvaluationStateValue | "MISSING";

/** `bluegreen:rollout.insufficientData`, with the deadline in seconds. */
export interface UnknownPolicy {
  /** `wait`: tolerate until the deadline, then revert. `fail`: revert at once. `ignore`: INSUFFICIENT_DATA is OK. */
  readonly policy: "wait" | "fail" | "ignore";
  readonly deadlineSeconds: number;
}

/** What the watched alarms say, all together. */
export type AlarmVerdict =
  /** Every watched alarm is OK (or INSUFFICIENT_DATA under `ignore`). */
  | { readonly kind: "ok" }
  /** Some alarm is unknown and still within its deadline: hold, do not advance. */
  | { readonly kind: "unknown"; readonly names: readonly string[]; readonly reason: string }
  /** Revert now. */
  | { readonly kind: "revert"; readonly names: readonly string[]; readonly reason: string };

/** The verdict, each alarm's state, and the unknown-tracking to carry into the next evaluation. */
export interface AlarmEvaluation {
  readonly verdict: AlarmVerdict;
  readonly states: Readonly<Record<string, WatchedState>>;
  /**
   * When each alarm was first seen unknown in this step (epoch ms). Entries are kept when the alarm
   * recovers, so an alarm that flaps between OK and INSUFFICIENT_DATA cannot restart its deadline.
   */
  readonly unknownSince: Readonly<Record<string, number>>;
}

/** The state each expected alarm is in, `MISSING` for names the answer left out. */
export function watchedStates(
  expected: readonly string[],
  readings: readonly AlarmReading[],
): Record<string, WatchedState> {
  const byName = indexReadings(readings);
  const states: Record<string, WatchedState> = {};
  for (const name of expected) {
    const reading = byName.get(name);
    states[name] = reading === undefined ? "MISSING" : reportedState(reading);
  }
  return states;
}

/**
 * What to report for one reading. ALARM stays ALARM (it reverts whatever the evaluation says);
 * otherwise an evaluation state wins over the state it undermines. A value newer than this code
 * is reported as EVALUATION_ERROR: it still means CloudWatch could not evaluate the alarm.
 */
export function reportedState(reading: AlarmReading): WatchedState {
  if (reading.state === "ALARM" || !reading.evaluationState) return reading.state;
  const known = (EVALUATION_STATES as readonly string[]).includes(reading.evaluationState);
  return known ? (reading.evaluationState as EvaluationStateValue) : "EVALUATION_ERROR";
}

/**
 * Judges the watched alarms at `now` (epoch ms). `unknownSince` is the previous evaluation's, or
 * empty at the start of a step. ALARM or a missing alarm reverts whatever the policy.
 */
export function evaluateAlarms(
  expected: readonly string[],
  readings: readonly AlarmReading[],
  policy: UnknownPolicy,
  unknownSince: Readonly<Record<string, number>>,
  now: number,
): AlarmEvaluation {
  const byName = indexReadings(readings);
  const states = watchedStates(expected, readings);
  const since: Record<string, number> = { ...unknownSince };
  const firing: string[] = [];
  const missing: string[] = [];
  const unknown: { name: string; why: string }[] = [];

  for (const name of expected) {
    const reading = byName.get(name);
    if (!reading) {
      missing.push(name);
      continue;
    }
    if (reading.state === "ALARM") {
      firing.push(name);
      continue;
    }
    // CloudWatch sets EvaluationState (EVALUATION_ERROR, EVALUATION_FAILURE, PARTIAL_DATA) only
    // when it could not evaluate the alarm, so any value means the alarm cannot vouch for the colour.
    if (reading.evaluationState) {
      unknown.push({ name, why: `EvaluationState ${reading.evaluationState}` });
    } else if (reading.state === "INSUFFICIENT_DATA") {
      if (policy.policy !== "ignore") unknown.push({ name, why: "INSUFFICIENT_DATA" });
    } else if (reading.state !== "OK") {
      // A state this code does not know must not pass for OK.
      unknown.push({ name, why: `in the unrecognised state ${JSON.stringify(reading.state)}` });
    }
  }
  for (const entry of unknown) since[entry.name] ??= now;

  if (firing.length > 0) {
    const details = firing.map((name) => describeFiring(name, byName.get(name)));
    return {
      states,
      unknownSince: since,
      verdict: { kind: "revert", names: firing, reason: details.join("; ") },
    };
  }
  if (missing.length > 0) {
    return {
      states,
      unknownSince: since,
      verdict: {
        kind: "revert",
        names: missing,
        reason: `watched alarm${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not found: the alarm source returned no such alarm, so nothing vouches for the candidate`,
      },
    };
  }
  if (unknown.length === 0) return { states, unknownSince: since, verdict: { kind: "ok" } };

  // `ignore` left INSUFFICIENT_DATA out above; an evaluation error still gets the `wait` treatment.
  const failing = policy.policy === "fail" ? unknown : [];
  if (failing.length > 0) {
    return {
      states,
      unknownSince: since,
      verdict: {
        kind: "revert",
        names: failing.map((entry) => entry.name),
        reason: `${failing.map((entry) => `alarm ${entry.name} is ${entry.why}`).join("; ")}; the insufficient-data policy is "fail"`,
      },
    };
  }
  const deadlineMs = policy.deadlineSeconds * 1000;
  const expired = unknown.filter((entry) => now - since[entry.name] >= deadlineMs);
  if (expired.length > 0) {
    return {
      states,
      unknownSince: since,
      verdict: {
        kind: "revert",
        names: expired.map((entry) => entry.name),
        reason: `${expired
          .map(
            (entry) =>
              `alarm ${entry.name} has been ${entry.why} for ${Math.round((now - since[entry.name]) / 1000)}s`,
          )
          .join("; ")}, past the insufficient-data deadline of ${policy.deadlineSeconds}s`,
      },
    };
  }
  return {
    states,
    unknownSince: since,
    verdict: {
      kind: "unknown",
      names: unknown.map((entry) => entry.name),
      reason: unknown
        .map(
          (entry) =>
            `alarm ${entry.name} is ${entry.why} (tolerated for ${Math.ceil((deadlineMs - (now - since[entry.name])) / 1000)}s more)`,
        )
        .join("; "),
    },
  };
}

/** What the preflight finds wrong with the watched alarms before anything moves. */
export interface PreflightAlarms {
  /** Expected names the alarm source did not return: a typo or an alarm never created. */
  readonly missing: readonly string[];
  /** Alarms in ALARM: the rollout must not start while one fires. */
  readonly firing: readonly string[];
}

/**
 * The preflight's view of the alarms. INSUFFICIENT_DATA is normal before the candidate has any
 * traffic, so it does not block the start; the bakes judge it.
 */
export function preflightAlarms(
  expected: readonly string[],
  readings: readonly AlarmReading[],
): PreflightAlarms {
  const byName = indexReadings(readings);
  return {
    missing: expected.filter((name) => !byName.has(name)),
    firing: expected.filter((name) => byName.get(name)?.state === "ALARM"),
  };
}

/** Every expected name once, in order. */
export function uniqueNames(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function describeFiring(name: string, reading: AlarmReading | undefined): string {
  return `alarm ${name} is ALARM${reading?.reason ? `: ${reading.reason}` : ""}`;
}

/**
 * When the source returns a name twice, the worse reading counts: failing closed is the point.
 */
function indexReadings(readings: readonly AlarmReading[]): Map<string, AlarmReading> {
  const rank = (reading: AlarmReading): number =>
    reading.state === "ALARM"
      ? 3
      : reading.evaluationState
        ? 2
        : reading.state === "INSUFFICIENT_DATA"
          ? 1
          : 0;
  const byName = new Map<string, AlarmReading>();
  for (const reading of readings) {
    const previous = byName.get(reading.name);
    if (!previous || rank(reading) > rank(previous)) byName.set(reading.name, reading);
  }
  return byName;
}

/** Every alarm name that judges one colour: its composite first, then the members behind it. */
export function colourAlarmNames(alarms: ColourAlarms): string[] {
  return [alarms.composite, ...alarms.members];
}

/**
 * The colour an alarm judges (its composite or one of its members), or undefined for an alarm of
 * neither colour. The driver watches the candidate's alarms by these names; the guardian asks this
 * of an alarm that fired to know whether it speaks about the candidate.
 */
export function alarmColour(
  alarms: Readonly<Record<Colour, ColourAlarms>>,
  alarmName: string,
): Colour | undefined {
  const colours: readonly Colour[] = ["blue", "green"];
  return colours.find((colour) => colourAlarmNames(alarms[colour]).includes(alarmName));
}
