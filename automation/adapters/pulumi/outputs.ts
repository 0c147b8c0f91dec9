/**
 * Parses a stack's outputs (as the Automation API returns them) into the driver's `StackOutputs`,
 * with the contract's one schema (components/domain/outputs.ts). Each key is checked on its own,
 * so an error names the output that is missing or malformed; the value of a secret output never
 * appears in a message.
 */
import {
  type StackOutputKey,
  type StackOutputs,
  stackOutputsSchema,
} from "../../../components/domain/outputs";

/** One output as `Stack.outputs()` returns it. */
export interface RawOutput {
  readonly value: unknown;
  readonly secret: boolean;
}

/** A stack's outputs are missing or do not have the shape the driver reads. */
export class StackOutputsError extends Error {
  override readonly name = "StackOutputsError";
  /** The output keys at fault. */
  readonly keys: readonly string[];

  constructor(stackName: string, keys: readonly string[], problems: readonly string[]) {
    super(
      `stack ${stackName} outputs cannot drive a rollout: ${problems.join("; ")}. ` +
        "Run `pulumi up` with this version of the program so it exports every output the driver reads",
    );
    this.keys = keys;
  }
}

/** The names of the outputs the driver reads. */
export const OUTPUT_KEYS = Object.keys(stackOutputsSchema.shape) as StackOutputKey[];

/**
 * Parses the outputs; undefined when the stack has none (never deployed). Throws
 * `StackOutputsError` naming every missing or malformed key.
 */
export function parseStackOutputs(
  stackName: string,
  outputs: Readonly<Record<string, RawOutput>>,
): StackOutputs | undefined {
  if (Object.keys(outputs).length === 0) return undefined;
  const present: Record<string, unknown> = {};
  const badKeys: string[] = [];
  const problems: string[] = [];
  for (const key of OUTPUT_KEYS) {
    const output = outputs[key];
    if (output === undefined || output.value === undefined || output.value === null) {
      // An optional output (the control table) is absent from stacks deployed before it existed.
      if (stackOutputsSchema.shape[key].safeParse(undefined).success) continue;
      badKeys.push(key);
      problems.push(`output \`${key}\` is missing`);
      continue;
    }
    const result = stackOutputsSchema.shape[key].safeParse(output.value);
    if (result.success) {
      present[key] = output.value;
      continue;
    }
    badKeys.push(key);
    for (const issue of result.error.issues) {
      const where = [key, ...issue.path.map(String)].join(".");
      // zod messages quote the value they rejected; a secret output's value must never be shown.
      problems.push(
        output.secret
          ? `output \`${where}\` has an unexpected shape (secret value not shown)`
          : `output \`${where}\`: ${issue.message}`,
      );
    }
  }
  if (badKeys.length > 0) throw new StackOutputsError(stackName, badKeys, problems);
  // Every key parsed on its own above, so the whole parses; this gives the typed, frozen result.
  return stackOutputsSchema.parse(present);
}
