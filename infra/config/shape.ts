/**
 * Reading the schema's own structure: which keys an object at a path takes (for "did you mean"),
 * and what wraps a key (optional, a default). The README table and the validator read the one
 * schema this way instead of keeping lists of their own.
 */
import { z } from "zod";

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
