/**
 * What the config reference says about a key beyond its description: the README table's
 * "required" and "default" columns where the schema alone cannot say it (a default computed from
 * other keys, a key required only on one platform). Kept out of the JSON Schema, where these
 * words would mean nothing to an editor.
 */
import { z } from "zod";

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
  const described = schema.meta({ description });
  if (doc !== undefined) keyDocs.add(described, doc);
  return described;
}
