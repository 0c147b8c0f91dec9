/**
 * The building blocks of the config schema, and how the schema is read back: durations, whole
 * numbers with ranges, patterns and ARNs, each with a message that names the value and the
 * expected form; the description and reference words each key carries; and the walk over the
 * schema's own structure that the README table and "did you mean" use instead of lists of their own.
 */
import { z } from "zod";
import { arnPattern } from "../../components/domain/rules";
import { describe } from "../../components/domain/traffic";
import { DURATION_PATTERN, parseDuration } from "./duration";

const DURATION_FORM = 'a duration such as "90s", "5m" or "1h30m"';

/** A duration written as text ("90s", "5m", "1h30m"), parsed to whole seconds. */
export function duration(range: { readonly min: number; readonly max: number }) {
  return z
    .string({ error: (issue) => `expected ${DURATION_FORM}, got ${describe(issue.input)}` })
    .regex(DURATION_PATTERN, { error: (issue) => `expected ${DURATION_FORM}, got ${describe(issue.input)}` })
    .transform((text, ctx) => {
      const seconds = parseDuration(text) ?? 0;
      if (seconds < range.min || seconds > range.max) {
        ctx.addIssue({
          code: "custom",
          message: `must be between ${range.min}s and ${range.max}s, got ${describe(text)} (${seconds}s)`,
        });
        return z.NEVER;
      }
      return seconds;
    });
}

/** A whole number from `min` to `max`; `what` says what it counts, for messages. */
export function integer(what: string, min: number, max: number) {
  const message = (issue: { input?: unknown }) =>
    `expected ${what} (a whole number from ${min} to ${max}), got ${describe(issue.input)}`;
  // Both bounds in one `check`: each chained call would build another schema, at every start-up.
  return z.int({ error: message }).check(z.gte(min, { error: message }), z.lte(max, { error: message }));
}

/** Text that must match `pattern`; `form` describes it with an example, for messages. */
export function matching(pattern: RegExp, form: string) {
  const message = (issue: { input?: unknown }) => `expected ${form}, got ${describe(issue.input)}`;
  return z.string({ error: message }).regex(pattern, { error: message });
}

/**
 * Text that must pass a domain rule, which says what is wrong with it. Like every check of a
 * key's value, a failure here does not stop the checks of the block around it, so a stack file
 * gets all its problems at once.
 */
export function checkedText(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: "custom", message });
  });
}

/** The ARN of a resource of an AWS service, such as `example`. */
export function arn(service: string, example: string) {
  return matching(arnPattern(service), `an ARN such as "${example}"`);
}

/** A port a listener, a target or a container can use. */
export function port() {
  return integer("a port", 1, 65_535);
}

/** A map of environment variable names to values. */
export function environment(name: RegExp) {
  return z.record(matching(name, "an environment variable name such as LOG_LEVEL"), z.string());
}

/** The config reference's extra words about one key. */
export interface KeyDoc {
  /** The "required" column, for example "ECS" or "while split"; else derived from the schema. */
  readonly required?: string;
  /** The "default" column, for example "create one"; else the schema's default. */
  readonly default?: string;
  /** Document this object as one row, its defaults summarised, rather than a row per field. */
  readonly collapse?: boolean;
}

/** The extra words of each documented key, keyed by its schema. */
export const keyDocs = z.registry<KeyDoc>();

/**
 * Attaches a key's description (the README's wording, also shown by editors from the JSON
 * Schema) and, optionally, what the config reference says beyond it.
 */
export function documented<T extends z.ZodType>(schema: T, description: string, doc?: KeyDoc): T {
  // Registered on the schema itself rather than through `.meta()`, which would clone it: a clone
  // per key is measurable in the CLI's start-up, and every documented schema here is the key's own.
  z.globalRegistry.add(schema, { description });
  if (doc !== undefined) keyDocs.add(schema, doc);
  return schema;
}

/** A key's schema with its wrappers taken off. */
export interface Unwrapped {
  /** The schema inside the wrappers. */
  readonly inner: z.core.$ZodType;
  /** Whether a stack file may leave the key out. */
  readonly optional: boolean;
  /** The value written in its place when it is left out, as a stack file would write it. */
  readonly defaultValue?: unknown;
}

/** Takes optional, default, prefault and transform wrappers off a schema. */
export function unwrap(schema: z.core.$ZodType): Unwrapped {
  let inner: z.core.$ZodType = schema;
  let optional = false;
  let defaultValue: unknown;
  for (;;) {
    if (inner instanceof z.ZodOptional) {
      optional = true;
      inner = inner.unwrap();
    } else if (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault) {
      optional = true;
      defaultValue ??= inner.def.defaultValue;
      inner = inner.unwrap();
    } else if (inner instanceof z.ZodPipe) {
      inner = inner.in;
    } else {
      return defaultValue === undefined ? { inner, optional } : { inner, optional, defaultValue };
    }
  }
}

/** The fields of an object schema, or of every object a union can be; undefined for anything else. */
export function fieldsOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  const { inner } = unwrap(schema);
  if (inner instanceof z.ZodObject) return inner.shape;
  if (inner instanceof z.ZodUnion) {
    const merged: Record<string, z.core.$ZodType> = {};
    for (const option of inner.options) {
      for (const [key, field] of Object.entries(fieldsOf(option) ?? {})) merged[key] ??= field;
    }
    return merged;
  }
  return undefined;
}

/** The schema at a path inside `schema` (object keys and array indexes), if there is one. */
export function schemaAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = schema;
  for (const part of path) {
    if (current === undefined) return undefined;
    const { inner }: Unwrapped = unwrap(current);
    if (typeof part === "number") {
      current = inner instanceof z.ZodArray ? inner.element : undefined;
    } else {
      current = fieldsOf(inner)?.[String(part)];
    }
  }
  return current;
}

/** The known name nearest to a typo, when it is near enough to be one. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.candidate : undefined;
}

/**
 * Whether `name` is a misspelling of `target` rather than a name of its own: the same once case,
 * hyphens and underscores are ignored (`Blue-Green`), or at most two edits away (`bluegren`).
 */
export function isNearMiss(name: string, target: string): boolean {
  const folded = name.toLowerCase().replace(/[-_]/g, "");
  return name !== target && editDistance(folded, target.toLowerCase()) <= 2;
}

/** Levenshtein distance: insertions, deletions and substitutions to turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
