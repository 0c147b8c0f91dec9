/**
 * Reading a rollout's NDJSON event stream (`bluegreen rollout --json > events.ndjson`) back into
 * typed events. The report is written after the run, often by a later pipeline step, so the input
 * is untrusted text: every problem names its line, and the fields the report reads are checked.
 * Event types this version does not know are kept and ignored, so a newer driver's stream still
 * renders.
 */
import { z } from "zod";
import { EVALUATION_STATES } from "../core/alarms";
import type { RolloutEvent } from "../events";
import { COLOURS } from "../../components/domain";

/** What every event line carries, besides its type's own fields. */
export interface EventStamp {
  /** Seconds since the rollout started (virtual seconds in a rehearsal). */
  readonly elapsedSeconds: number;
  /** When the event happened, ISO 8601, on streams that carry it. */
  readonly time?: string;
  /** Which run emitted it, on streams that carry it. */
  readonly runId?: string;
}

/** A known event as read back from a stream. */
export type StreamEvent = RolloutEvent & EventStamp;

/** An event of a type this version does not know: kept for its stamp, otherwise ignored. */
export interface UnknownStreamEvent extends EventStamp {
  readonly type: string;
  readonly unknown: true;
}

/** One line of a stream, with its line number for later messages. */
export interface StreamLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly event: StreamEvent | UnknownStreamEvent;
}

/** A stream that cannot be read: the message names the line and what is wrong with it. */
export class EventStreamError extends Error {
  override readonly name = "EventStreamError";
  constructor(
    message: string,
    /** 1-based line number, when one line is at fault. */
    readonly line?: number,
  ) {
    super(message);
  }
}

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), {
  message: "expected an ISO 8601 time such as 2025-11-30T21:00:00Z",
});

const stamp = {
  elapsedSeconds: z.number().finite().min(0),
  time: isoTime.optional(),
  runId: z.string().optional(),
};

const colour = z.enum(COLOURS);
const weights = z.looseObject({ blue: z.number(), green: z.number() });
const alarmState = z.enum(["OK", "ALARM", "INSUFFICIENT_DATA", "MISSING", ...EVALUATION_STATES]);

/**
 * The fields the report and the notifications read, per event type. Objects are loose: a field
 * added by a newer driver is carried through, never an error.
 */
const KNOWN_EVENTS = {
  started: z.looseObject({
    ...stamp,
    type: z.literal("started"),
    stack: z.string(),
    version: z.string(),
    candidate: colour,
    stable: colour,
    steps: z.array(z.looseObject({ weight: z.number(), bakeSeconds: z.number() })),
    resumed: z.boolean(),
  }),
  preflight: z.looseObject({
    ...stamp,
    type: z.literal("preflight"),
    check: z.string(),
    ok: z.boolean(),
    detail: z.string(),
  }),
  deployed: z.looseObject({
    ...stamp,
    type: z.literal("deployed"),
    colour,
    version: z.string(),
    changed: z.number(),
  }),
  undoing: z.looseObject({
    ...stamp,
    type: z.literal("undoing"),
    stack: z.string(),
    colour,
    version: z.string(),
    from: colour,
    fromVersion: z.string(),
  }),
  scaling: z.looseObject({
    ...stamp,
    type: z.literal("scaling"),
    colour,
    from: z.number(),
    to: z.number(),
  }),
  scaled: z.looseObject({
    ...stamp,
    type: z.literal("scaled"),
    colour,
    from: z.number(),
    to: z.number(),
    seconds: z.number(),
  }),
  ready: z.looseObject({ ...stamp, type: z.literal("ready"), colour, detail: z.string() }),
  checked: z.looseObject({
    ...stamp,
    type: z.literal("checked"),
    colour,
    ok: z.boolean(),
    detail: z.string(),
  }),
  shifted: z.looseObject({
    ...stamp,
    type: z.literal("shifted"),
    step: z.number().int(),
    of: z.number().int(),
    weights,
    changed: z.number(),
  }),
  baking: z.looseObject({
    ...stamp,
    type: z.literal("baking"),
    step: z.number().int(),
    of: z.number().int(),
    weight: z.number(),
    remainingSeconds: z.number(),
    alarms: z.record(z.string(), alarmState),
  }),
  alarm: z.looseObject({
    ...stamp,
    type: z.literal("alarm"),
    name: z.string(),
    state: alarmState,
    previous: alarmState.optional(),
    reason: z.string().optional(),
  }),
  "alarm-read-failed": z.looseObject({
    ...stamp,
    type: z.literal("alarm-read-failed"),
    consecutive: z.number(),
    limit: z.number(),
    error: z.string(),
  }),
  warning: z.looseObject({ ...stamp, type: z.literal("warning"), message: z.string() }),
  reverted: z.looseObject({
    ...stamp,
    type: z.literal("reverted"),
    weights,
    reason: z.string(),
    secondsSinceTrigger: z.number().min(0),
  }),
  restored: z.looseObject({
    ...stamp,
    type: z.literal("restored"),
    revision: z.number(),
    changed: z.number(),
    drift: z.number(),
  }),
  promoted: z.looseObject({ ...stamp, type: z.literal("promoted"), stable: colour, version: z.string() }),
  completed: z.looseObject({
    ...stamp,
    type: z.literal("completed"),
    outcome: z.enum(["promoted", "rolled-back", "aborted", "failed", "rejected"]),
    exitCode: z.number().int(),
    reason: z.string().optional(),
  }),
} as const;

type KnownType = keyof typeof KNOWN_EVENTS;

const baseEvent = z.looseObject({ ...stamp, type: z.string().min(1) });

/**
 * Parses an NDJSON event stream. Blank lines are skipped; anything else must be one JSON object
 * per line with a `type` and `elapsedSeconds`.
 *
 * @throws EventStreamError naming the first bad line.
 */
export function parseEventStream(text: string, fileName = "events"): StreamLine[] {
  const lines: StreamLine[] = [];
  const rows = text.split(/\r?\n/);
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index].trim();
    if (row === "") continue;
    const line = index + 1;
    lines.push({ line, event: parseLine(row, line, fileName) });
  }
  if (lines.length === 0) {
    throw new EventStreamError(
      `${fileName}: no events; expected the output of \`bluegreen rollout --json\`, one JSON object per line`,
    );
  }
  return lines;
}

/** Whether a parsed event is one this version knows. */
export function isKnownEvent(event: StreamEvent | UnknownStreamEvent): event is StreamEvent {
  return !("unknown" in event && event.unknown === true);
}

function parseLine(row: string, line: number, fileName: string): StreamEvent | UnknownStreamEvent {
  const where = `${fileName} line ${line}`;
  let value: unknown;
  try {
    value = JSON.parse(row);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new EventStreamError(`${where}: not valid JSON (${detail}): ${preview(row)}`, line);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EventStreamError(`${where}: expected a JSON object, got ${preview(row)}`, line);
  }
  const base = baseEvent.safeParse(value);
  if (!base.success) throw new EventStreamError(`${where}: ${describeIssues(base.error)}`, line);
  const type = base.data.type;
  if (!(type in KNOWN_EVENTS)) {
    return {
      type,
      elapsedSeconds: base.data.elapsedSeconds,
      time: base.data.time,
      runId: base.data.runId,
      unknown: true,
    };
  }
  const parsed = KNOWN_EVENTS[type as KnownType].safeParse(value);
  if (!parsed.success) {
    throw new EventStreamError(`${where}: a \`${type}\` event: ${describeIssues(parsed.error)}`, line);
  }
  return parsed.data as StreamEvent;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}

function preview(row: string): string {
  return row.length > 80 ? `${row.slice(0, 77)}...` : row;
}
