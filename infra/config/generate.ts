/**
 * `npm run generate`: writes what is generated from the config schema, the README's config
 * reference table and `stacks/bluegreen.schema.json`. A test fails when either is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { referenceTable, stackFileJsonSchema, withReferenceTable } from "./reference";
import { STACK_CONFIG_DIR } from "./stackFile";

/** The project's root. */
const PROJECT_DIR = path.resolve(__dirname, "../..");
/** The README, whose config reference section holds the table. */
export const README_FILE = path.join(PROJECT_DIR, "README.md");
/** The JSON Schema of stack files, next to them (their first line points editors at it). */
export const JSON_SCHEMA_FILE = path.join(PROJECT_DIR, STACK_CONFIG_DIR, "bluegreen.schema.json");

/** The README as it should be: `readme` with a fresh table, formatted as the project formats Markdown. */
export async function generatedReadme(readme: string): Promise<string> {
  // Loaded only here: prettier is a development tool, and the schema modules load in the CLI.
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(README_FILE)) ?? {};
  return prettier.format(withReferenceTable(readme, referenceTable()), { ...options, filepath: README_FILE });
}

/** The JSON Schema file's text as it should be. */
export function generatedJsonSchema(): string {
  return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}

async function main(): Promise<void> {
  fs.writeFileSync(README_FILE, await generatedReadme(fs.readFileSync(README_FILE, "utf8")));
  fs.writeFileSync(JSON_SCHEMA_FILE, generatedJsonSchema());
  console.log(
    `wrote the config reference to ${README_FILE} and the stack file schema to ${JSON_SCHEMA_FILE}`,
  );
}

if (require.main === module) {
  // Left unhandled on purpose: a failure ends the process with its error and a non-zero exit code.
  void main();
}
