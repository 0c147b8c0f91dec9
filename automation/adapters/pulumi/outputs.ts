/**
 * Parses a stack's outputs (as the Automation API returns them) into the driver's `StackOutputs`.
 * Each key is checked on its own, so an error names the output that is missing or malformed; the
 * value of a secret output never appears in a message.
 */
import { z } from "zod";
import { COLOURS, PLATFORMS, slotsSchema, trafficSchema } from "../../../infra/config/schema";
import type { StackOutputs } from "../../../infra/outputs";

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

const colour = z.enum(COLOURS);
const colourRecord = z.object({ blue: z.string().min(1), green: z.string().min(1) });
const colourAlarms = z.object({ composite: z.string().min(1), members: z.array(z.string().min(1)) });

const routingSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("alb"),
    loadBalancerArn: z.string().min(1),
    listenerArn: z.string().min(1),
    testListenerArn: z.string().min(1),
    targetGroupArns: colourRecord,
    testEndpoint: z.string().min(1),
    stickinessSeconds: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal("lambda"),
    functionName: z.string().min(1),
    aliasName: z.string().min(1),
    aliasArn: z.string().min(1),
    versions: colourRecord,
  }),
  z.object({
    kind: z.literal("gateway"),
    namespace: z.string().min(1),
    routeName: z.string().min(1),
    serviceNames: colourRecord,
  }),
]);

/** The schema of each output the driver reads, keyed by output name. */
const OUTPUT_SCHEMAS = {
  service: z.string().min(1),
  platform: z.enum(PLATFORMS),
  revision: z.number().int().min(0),
  stableColour: colour,
  traffic: trafficSchema,
  slots: slotsSchema,
  alarms: z.object({ blue: colourAlarms, green: colourAlarms, extra: z.array(z.string().min(1)) }),
  routing: routingSchema,
  routingUrns: z.array(z.string().startsWith("urn:pulumi:")).min(1),
} satisfies { [K in keyof StackOutputs]-?: z.ZodType };

/** The names of the outputs the driver reads. */
export const OUTPUT_KEYS = Object.keys(OUTPUT_SCHEMAS) as (keyof StackOutputs)[];

/**
 * Parses the outputs; undefined when the stack has none (never deployed). Throws
 * `StackOutputsError` naming every missing or malformed key.
 */
export function parseStackOutputs(
  stackName: string,
  outputs: Readonly<Record<string, RawOutput>>,
): StackOutputs | undefined {
  if (Object.keys(outputs).length === 0) return undefined;
  const parsed: Record<string, unknown> = {};
  const badKeys: string[] = [];
  const problems: string[] = [];
  for (const key of OUTPUT_KEYS) {
    const output = outputs[key];
    if (output === undefined || output.value === undefined || output.value === null) {
      badKeys.push(key);
      problems.push(`output \`${key}\` is missing`);
      continue;
    }
    const result = OUTPUT_SCHEMAS[key].safeParse(output.value);
    if (result.success) {
      parsed[key] = result.data;
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
  return parsed as unknown as StackOutputs;
}
