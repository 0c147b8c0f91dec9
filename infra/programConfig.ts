/**
 * Reads the stack's config from the Pulumi runtime once, validates it, and hands the program plain
 * values. Secret keys are recognised but never parsed: their values stay Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
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
  return result.config;
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
