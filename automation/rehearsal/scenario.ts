/**
 * Rehearsal scenarios: what happens to the world during a rehearsed rollout (an alarm fires at
 * 12m, CloudWatch throttles for 5m, an operator aborts), written as JSON or YAML. Times count from
 * the rollout's start and are written as durations ("90s", "12m", "1h30m").
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseDuration } from "../../infra/config/duration";
import { trafficSchema } from "../../infra/config/schema";
import { describeInput } from "../../components/domain";

/** Alarm states a scenario can set. */
export const ALARM_STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;

/** CloudWatch EvaluationState values that mean an alarm cannot vouch for its colour. */
export const EVALUATION_STATES = ["EVALUATION_ERROR", "EVALUATION_FAILURE", "PARTIAL_DATA"] as const;

/** Faults a scenario can inject. */
export const FAULT_KINDS = [
  "alarms-unreadable",
  "weight-write-fails",
  "weights-drift",
  "stack-locked",
  "up-throws-after-save",
  "up-fails",
  "alarm-missing",
  "candidate-unhealthy",
  "pre-traffic-check-fails",
  "evaluation-error",
  "driver-killed",
] as const;
/** A fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Operator requests a scenario can send. */
export const OPERATOR_REQUESTS = ["abort", "promote", "promote-full", "pause", "resume"] as const;

/** Process signals a scenario can deliver. */
export const SIGNALS = ["SIGINT", "SIGTERM"] as const;

const DURATION_EXAMPLE = 'a duration such as "90s", "12m" or "1h30m"';

/** Renders allowed values as `"a", "b" or "c"`. */
function oneOf(values: readonly string[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  return quoted.length <= 1
    ? quoted.join("")
    : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/** The message for a missing or wrong value: "is required: X" or "expected X, got Y". */
function expected(what: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined
      ? `is required: ${what}`
      : `expected ${what}, got ${describeInput(issue.input)}`;
}

/** A duration in text, parsed to milliseconds. */
function durationMs(minSeconds: number) {
  return z.string({ error: expected(DURATION_EXAMPLE) }).transform((text, ctx) => {
    const seconds = parseDuration(text);
    if (seconds === undefined) {
      ctx.addIssue({ code: "custom", message: `expected ${DURATION_EXAMPLE}, got ${describeInput(text)}` });
      return z.NEVER;
    }
    if (seconds < minSeconds) {
      ctx.addIssue({
        code: "custom",
        message: `must be at least ${minSeconds}s, got ${describeInput(text)}`,
      });
      return z.NEVER;
    }
    return seconds * 1000;
  });
}

function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expected(oneOf(values)) });
}

function text(what: string) {
  return z.string({ error: expected(what) }).min(1, { error: `expected ${what}, got an empty string` });
}

const at = durationMs(0);
const window = durationMs(1).optional();
const alarmTarget = text('an alarm name, a built-in alarm key such as "errorRate", or "*"');

function fault<const K extends FaultKind, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.strictObject({ at, fault: z.literal(kind), ...shape });
}

const alarmEventSchema = z.strictObject({
  at,
  alarm: alarmTarget,
  state: enumOf(ALARM_STATES),
  reason: text("the state reason as text").optional(),
});

const FAULT_SCHEMAS = {
  "alarms-unreadable": fault("alarms-unreadable", { for: window }),
  "weight-write-fails": fault("weight-write-fails", { for: window }),
  // The split someone else writes live, for example { blue: 50, green: 50 }.
  "weights-drift": fault("weights-drift", { weights: trafficSchema }),
  "stack-locked": fault("stack-locked", {
    alive: z.boolean({
      error: expected("true (the holder still runs) or false (a crashed run left the lock)"),
    }),
    for: window,
    holder: text('who holds the lock, for example "deploy@ci-runner-7 (pid 4242)"').optional(),
  }),
  "up-throws-after-save": fault("up-throws-after-save", {}),
  "up-fails": fault("up-fails", {}),
  "alarm-missing": fault("alarm-missing", { alarm: alarmTarget, for: window }),
  "candidate-unhealthy": fault("candidate-unhealthy", { for: window }),
  "pre-traffic-check-fails": fault("pre-traffic-check-fails", { for: window }),
  "evaluation-error": fault("evaluation-error", {
    alarm: alarmTarget,
    for: window,
    evaluationState: enumOf(EVALUATION_STATES).optional(),
  }),
  // The driver stops dead (SIGKILL, a cancelled runner): no revert and no completed event from it.
  "driver-killed": fault("driver-killed", {}),
} as const;

const operatorEventSchema = z.strictObject({
  at,
  operator: enumOf(OPERATOR_REQUESTS),
  by: text("who asked, for the audit record").optional(),
});

const signalEventSchema = z.strictObject({ at, signal: enumOf(SIGNALS) });

/** An alarm changes state. `alarm` is a name, a built-in key (the candidate's alarm) or `*`. */
export type AlarmScenarioEvent = z.output<typeof alarmEventSchema>;
/** A fault. Windowed faults last `for` milliseconds, or to the end when `for` is absent. */
export type FaultScenarioEvent = z.output<(typeof FAULT_SCHEMAS)[FaultKind]>;
/** An operator request sent through the control channel. */
export type OperatorScenarioEvent = z.output<typeof operatorEventSchema>;
/** A process signal, as a cancelled CI job delivers. */
export type SignalScenarioEvent = z.output<typeof signalEventSchema>;

/** One scenario event; `at` (and `for`) in milliseconds from the rollout's start. */
export type ScenarioEvent =
  AlarmScenarioEvent | FaultScenarioEvent | OperatorScenarioEvent | SignalScenarioEvent;

/** A validated scenario. */
export interface Scenario {
  /** What the scenario rehearses, for the rehearsal's header. */
  readonly description?: string;
  readonly events: ScenarioEvent[];
}

/** One problem in a scenario, located by its path (`events[2].state`). */
export interface ScenarioProblem {
  readonly path: string;
  readonly message: string;
}

/** A scenario that cannot be used; the message lists every problem, one per line. */
export class ScenarioError extends Error {
  constructor(
    readonly problems: readonly ScenarioProblem[],
    readonly source = "scenario",
  ) {
    super(problems.map((problem) => `${source}: ${problem.path}: ${problem.message}`).join("\n"));
    this.name = "ScenarioError";
  }
}

const documentSchema = z.strictObject({
  description: z.string({ error: expected("a description as text") }).optional(),
  events: z.array(z.unknown(), { error: expected("a list of events") }),
});

const MARKERS = ["fault", "operator", "signal"] as const;
const EVENT_KINDS_TEXT = 'one of the keys "alarm", "fault", "operator" or "signal"';

/**
 * Parses and validates a scenario written as JSON or YAML. A `.json` file name selects JSON;
 * anything else is read as YAML, which accepts JSON too. Throws a ScenarioError naming each
 * problem's event index and key.
 */
export function parseScenario(text: string, fileName?: string): Scenario {
  const source = fileName ?? "scenario";
  const isJson = fileName !== undefined && /\.json$/i.test(fileName);
  let document: unknown;
  try {
    document = isJson ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(
      [{ path: "(file)", message: `is not valid ${isJson ? "JSON" : "YAML"}: ${(error as Error).message}` }],
      source,
    );
  }
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new ScenarioError(
      [
        {
          path: "(file)",
          message: `expected a mapping with an "events" list, got ${describeInput(document)}`,
        },
      ],
      source,
    );
  }

  const top = documentSchema.safeParse(document, { reportInput: true });
  const problems: ScenarioProblem[] = top.success
    ? []
    : issuesToProblems(top.error.issues, "", () => undefined);
  const rawEvents = (document as { events?: unknown }).events;
  const events: ScenarioEvent[] = [];
  (Array.isArray(rawEvents) ? rawEvents : []).forEach((raw: unknown, index) => {
    const prefix = `events[${index}]`;
    const kind = eventSchema(raw);
    if ("problem" in kind) {
      problems.push({
        path: kind.problem.key ? `${prefix}.${kind.problem.key}` : prefix,
        message: kind.problem.message,
      });
      return;
    }
    const result = kind.schema.safeParse(raw, { reportInput: true });
    if (result.success) {
      events.push(result.data as ScenarioEvent);
    } else {
      problems.push(...issuesToProblems(result.error.issues, prefix, () => kind.label));
    }
  });
  if (!top.success || problems.length > 0) throw new ScenarioError(problems, source);
  return top.data.description === undefined ? { events } : { description: top.data.description, events };
}

type EventSchema = z.ZodObject<z.ZodRawShape, z.core.$strict>;

/** Picks the schema for a raw event from its marker key, so errors speak of that kind's keys. */
function eventSchema(
  raw: unknown,
):
  | { schema: EventSchema; label: { name: string; keys: string[] } }
  | { problem: { key?: string; message: string } } {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return {
      problem: { message: `expected a mapping with "at" and ${EVENT_KINDS_TEXT}, got ${describeInput(raw)}` },
    };
  }
  const event = raw as Record<string, unknown>;
  const markers = MARKERS.filter((key) => key in event);
  if (markers.length > 1) {
    return {
      problem: {
        message: `give one of "fault", "operator" or "signal" per event, not ${markers.map((key) => JSON.stringify(key)).join(" and ")}`,
      },
    };
  }
  const pick = (name: string, schema: EventSchema) => ({
    schema,
    label: { name, keys: Object.keys(schema.shape) },
  });
  if (markers[0] === "fault") {
    const kind = event.fault;
    if (typeof kind !== "string" || !(FAULT_KINDS as readonly string[]).includes(kind)) {
      return {
        problem: { key: "fault", message: `expected ${oneOf(FAULT_KINDS)}, got ${describeInput(kind)}` },
      };
    }
    return pick(`a "${kind}" fault`, FAULT_SCHEMAS[kind as FaultKind] as unknown as EventSchema);
  }
  if (markers[0] === "operator")
    return pick("an operator event", operatorEventSchema as unknown as EventSchema);
  if (markers[0] === "signal") return pick("a signal event", signalEventSchema as unknown as EventSchema);
  if ("alarm" in event) return pick("an alarm event", alarmEventSchema as unknown as EventSchema);
  return {
    problem: {
      message: `expected ${EVENT_KINDS_TEXT}, got the keys ${Object.keys(event)
        .map((key) => JSON.stringify(key))
        .join(", ")}`,
    },
  };
}

function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  prefix: string,
  label: () => { name: string; keys: string[] } | undefined,
): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  for (const issue of issues) {
    const path = joinPath(prefix, issue.path);
    if (issue.code === "unrecognized_keys") {
      const kind = label();
      const allowed = kind
        ? `${kind.name} takes ${kind.keys.join(", ")}`
        : "a scenario takes description, events";
      for (const key of issue.keys) {
        problems.push({ path: joinPath(path, [key]), message: `unknown key; ${allowed}` });
      }
      continue;
    }
    const message =
      issue.code === "invalid_type" && issue.input === undefined && !issue.message.startsWith("is required")
        ? `is required (expected ${issue.expected === "object" ? "a mapping" : issue.expected})`
        : issue.message;
    problems.push({ path: path === "" ? "(file)" : path, message });
  }
  return problems;
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let text = prefix;
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text;
}
