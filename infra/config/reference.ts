/**
 * What the config schema says about itself, for people and editors: the README's config
 * reference table and the JSON Schema of a stack file. Both come from the one schema
 * (`npm run generate` writes them), so neither can drift from what `bluegreen validate` checks.
 */
import { z } from "zod";
import { NAMESPACE } from "./validate";
import { namespaceSchema } from "./schema";
import { fieldsOf, keyDocs, unwrap } from "./fields";

/** One row of the config reference table. */
export interface ReferenceRow {
  /** The key path under `bluegreen:`, such as `rollout.pollInterval`. */
  readonly key: string;
  /** "yes", "no", or when it is required, such as "ECS" or "while split". */
  readonly required: string;
  /** The default as a stack file would write it, or what happens without one. */
  readonly default: string;
  readonly meaning: string;
}

/** A row per documented key: a leaf, a list or map, or an object documented as one. */
export function referenceRows(): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  for (const [key, schema] of Object.entries(namespaceSchema.shape)) {
    collect(rows, key, schema, "yes");
  }
  return rows;
}

function collect(rows: ReferenceRow[], key: string, schema: z.core.$ZodType, enclosing: string): void {
  const doc = keyDocs.get(schema) ?? {};
  const { inner, optional, defaultValue } = unwrap(schema);
  const required = doc.required ?? (optional ? "no" : enclosing);
  const fields = inner instanceof z.ZodRecord ? undefined : fieldsOf(inner);
  if (fields !== undefined && !doc.collapse) {
    for (const [field, fieldSchema] of Object.entries(fields)) {
      if (!rows.some((row) => row.key === `${key}.${field}`))
        collect(rows, `${key}.${field}`, fieldSchema, required);
    }
    return;
  }
  const description = z.globalRegistry.get(schema)?.description ?? "";
  const names = Object.keys(fields ?? {});
  rows.push({
    key,
    required,
    default: doc.default ?? (fields !== undefined ? summary(fields) : defaultText(defaultValue)),
    meaning:
      names.length > 1
        ? `${description}. Takes ${names.map((name) => `\`${name}\``).join(", ")}`
        : description,
  });
}

/** The defaults of an object's fields, for a row that documents the object as one. */
function summary(fields: Record<string, z.core.$ZodType>): string {
  return Object.entries(fields)
    .map(([field, schema]) => [field, unwrap(schema).defaultValue] as const)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => `\`${field}: ${flow(value)}\``)
    .join(", ");
}

function defaultText(value: unknown): string {
  return value === undefined ? "" : `\`${flow(value)}\``;
}

/** A value in YAML's flow style, as one would write it in a stack file. */
function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0
      ? "{}"
      : `{ ${entries.map(([key, item]) => `${key}: ${flow(item)}`).join(", ")} }`;
  }
  // Text that YAML would read as a number or a boolean keeps its quotes.
  if (
    typeof value === "string" &&
    (!/^[\w./-]+$/.test(value) || /^(\d+(\.\d+)?|true|false|null)$/.test(value))
  ) {
    return JSON.stringify(value);
  }
  return String(value);
}

/** The config reference as a Markdown table (unaligned; the README's formatter aligns it). */
export function referenceTable(): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const lines = [
    "| key | required | default | meaning |",
    "| --- | --- | --- | --- |",
    ...referenceRows().map(
      (row) => `| \`${row.key}\` | ${cell(row.required)} | ${cell(row.default)} | ${cell(row.meaning)} |`,
    ),
  ];
  return lines.join("\n");
}

/** The README markers between which the generated table lives. */
export const TABLE_MARKERS = {
  start: "<!-- config-table:start -->",
  end: "<!-- config-table:end -->",
} as const;

/** The README with the table between the markers replaced by `table`. */
export function withReferenceTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_MARKERS.start);
  const end = readme.indexOf(TABLE_MARKERS.end);
  if (start < 0 || end < start) {
    throw new Error(
      `the README has no ${TABLE_MARKERS.start} ... ${TABLE_MARKERS.end} markers for the config table`,
    );
  }
  return `${readme.slice(0, start + TABLE_MARKERS.start.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

/** Config keys of other namespaces (`aws:region`, `kubernetes:context`): any value. */
const OTHER_NAMESPACE_KEY = `^(?!${NAMESPACE}:)[A-Za-z0-9_.-]+:.+$`;

/**
 * The JSON Schema of a stack file (`stacks/Pulumi.<stack>.yaml`): Pulumi's own top-level keys and
 * the `config:` map, where every `bluegreen:` key has its schema and any other namespace is free.
 * It describes what a stack file may be written as (the schema's input), for editors.
 */
export function stackFileJsonSchema(): Record<string, unknown> {
  const namespace = z.toJSONSchema(namespaceSchema, { io: "input", target: "draft-7" }) as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  const prefixed = (key: string) => `${NAMESPACE}:${key}`;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "bluegreen stack file",
    description:
      "A Pulumi stack file of the bluegreen project. Generated from infra/config/schema.ts by `npm run generate`; do not edit.",
    type: "object",
    properties: {
      config: {
        description:
          "The stack's config: every bluegreen: key, and keys of other namespaces such as aws:region.",
        type: "object",
        properties: Object.fromEntries(
          Object.entries(namespace.properties).map(([key, schema]) => [prefixed(key), schema]),
        ),
        required: (namespace.required ?? []).map(prefixed),
        patternProperties: { [OTHER_NAMESPACE_KEY]: {} },
        additionalProperties: false,
      },
      secretsprovider: { description: "The stack's secrets provider.", type: "string" },
      encryptedkey: {
        description: "The secrets provider's encrypted data key (cloud secrets providers).",
        type: "string",
      },
      encryptionsalt: { description: "The salt of the passphrase secrets provider.", type: "string" },
      environment: {
        description: "Pulumi ESC environments the stack imports.",
        anyOf: [{ type: "array", items: { type: "string" } }, { type: "object" }],
      },
    },
    additionalProperties: false,
  };
}
