/**
 * Runs the program for a shipped stack under the engine mocks and returns what a stack validation
 * would see: every resource the program registered, with the state the engine holds for it (its
 * inputs plus the outputs the mocks compute, such as a target group's `arnSuffix` or a Lambda
 * version's published number).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseStackFile, stackFilePath } from "../../infra/config/stackFile";
import { defineStack } from "../../infra/program";
import { readStackConfig, readStackSecrets } from "../../infra/programConfig";
import { PolicyInput, PropertyMap, PropertyValue } from "../../infra/policy/rules";
import { valueOf } from "../support/pulumi-mocks";

/** The project root, where `stacks/` lives. */
export const PROJECT_DIR = path.resolve(__dirname, "../..");

interface Registered {
  readonly urn: string;
  readonly state: unknown;
}

/** The mock monitor's record of every registration: `MockMonitor.getRegisteredResources`. */
function registrations(): Map<string, Registered> {
  const monitor = pulumi.runtime.getMonitor() as { getRegisteredResources?: () => Map<string, Registered> };
  if (monitor.getRegisteredResources === undefined)
    throw new Error("the Pulumi engine mocks are not installed");
  return monitor.getRegisteredResources();
}

/** Secrets arrive wrapped in the engine's signature object; a policy sees their plain value. */
function unwrap(value: unknown): PropertyValue {
  if (value === null || value === undefined) return value;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(unwrap);
  const map = value as Record<string, unknown>;
  if (map[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return unwrap(map.value);
  const copy: Record<string, PropertyValue> = {};
  for (const [key, entry] of Object.entries(map)) copy[key] = unwrap(entry);
  return copy;
}

/** `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>` into its type and name. */
function fromUrn(urn: string, state: unknown): PolicyInput {
  const [, , typeChain, ...name] = urn.split("::");
  return {
    type: typeChain.split("$").pop() ?? typeChain,
    urn,
    name: name.join("::"),
    props: (unwrap(state) ?? {}) as PropertyMap,
  };
}

/** Lets registrations still in flight (inputs waiting on outputs) reach the mocks. */
async function settle(count: () => number): Promise<void> {
  let previous = -1;
  while (previous !== count()) {
    previous = count();
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Loads a shipped stack file, with `overrides` replacing whole config keys, runs the program and
 * returns the resources it registered.
 */
export async function programResources(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<PolicyInput[]> {
  const parsed = parseStackFile(fs.readFileSync(stackFilePath(PROJECT_DIR, stack), "utf8"));
  if ("problems" in parsed) throw new Error(JSON.stringify(parsed.problems));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...parsed.raw.values, ...overrides })) {
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(values, [...parsed.raw.secretKeys]);
  try {
    // Registrations replace earlier ones of the same URN; only entries this run wrote are its resources.
    const before = registrations();
    const written = () => [...registrations().values()].filter((entry) => before.get(entry.urn) !== entry);
    const config = readStackConfig();
    const outputs = await defineStack(
      config,
      { organization: "organization", project: "bluegreen", stack },
      readStackSecrets(config),
    );
    for (const value of Object.values(outputs)) await valueOf(value as pulumi.Input<unknown>);
    await settle(() => written().length);
    return written().map((entry) => fromUrn(entry.urn, entry.state));
  } finally {
    pulumi.runtime.setAllConfig({}, []);
  }
}
