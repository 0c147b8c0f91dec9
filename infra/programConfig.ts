/**
 * Reads the stack's config from the Pulumi runtime once, validates it, and hands the program plain
 * values. Secret keys are recognised but never parsed: their values stay Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { guardianWarnings } from "./config/guardian";
import { SECRET_KEYS } from "./config/schema";
import { BluegreenConfig, NAMESPACE, formatProblems, validateConfig } from "./config/validate";
import type { StackSecrets } from "./program";

/** Reads and validates the `bluegreen:` namespace; throws a RunError listing every problem. */
export function readStackConfig(): BluegreenConfig {
  const values = pulumi.runtime.allConfig();
  const secretKeys = new Set(Object.keys(values).filter(isSecretKey));
  const result = validateConfig({ values, secretKeys });
  for (const warning of result.warnings) {
    void pulumi.log.warn(`${warning.path}: ${warning.message}`);
  }
  if (!result.ok) {
    // RunError prints the message alone, without a stack trace: the message is the whole story.
    throw new pulumi.RunError(`invalid stack config:\n${formatProblems(result.errors)}`);
  }
  for (const warning of guardianWarnings(result.config)) {
    void pulumi.log.warn(`${warning.path}: ${warning.message}`);
  }
  const regionProblem = controlTableRegionProblem(result.config, values);
  if (regionProblem) throw new pulumi.RunError(regionProblem);
  return result.config;
}

/**
 * Why the stack cannot have its control table, or undefined. Operators on other machines find the
 * table from the stack file alone, so its region must be written there (`aws:region`), not taken
 * from the deploying shell's AWS_REGION. A Kubernetes stack in gateway mode otherwise needs no AWS
 * at all; without this check the AWS provider would fail mid-update with a message that does not
 * name the table.
 */
export function controlTableRegionProblem(
  config: Pick<BluegreenConfig, "control">,
  values: Readonly<Record<string, string>>,
): string | undefined {
  if (config.control.channel !== "dynamodb") return undefined;
  const region = values["aws:region"];
  if (region !== undefined && region.trim() !== "") return undefined;
  return `bluegreen:control.channel is dynamodb (the default), so the stack declares its control table in AWS, but the stack sets no aws:region: set it with \`pulumi config set aws:region eu-west-1\`, or set bluegreen:control.channel to file to go without the table`;
}

/** The stack's secrets as Pulumi secrets: read with requireSecret, never parsed into plain values. */
export function readStackSecrets(config: BluegreenConfig): StackSecrets {
  const namespace = new pulumi.Config(NAMESPACE);
  return config.secretKeys.includes("kubeconfig")
    ? { kubeconfig: namespace.requireSecret("kubeconfig") }
    : {};
}

/**
 * Whether the engine marked a key secret. The runtime exposes this only as an internal helper, so
 * it is looked up defensively; without it the schema's own secret keys are still read as secrets.
 */
function isSecretKey(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  if (runtime.isConfigSecret) return runtime.isConfigSecret(key);
  return (SECRET_KEYS as readonly string[]).some((name) => key === `${NAMESPACE}:${name}`);
}
