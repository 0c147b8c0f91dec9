/**
 * Config blocks for the Lambda component tests, parsed through the real schema so they carry the
 * defaults a stack file gets, and a way to wait until the mocks have recorded every registration.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlarmsConfig, LambdaConfig, alarmsSchema, lambdaSchema } from "../../infra/config/schema";
import { resources } from "./pulumi-mocks";

/** A `bluegreen:lambda` block with an S3 artifact per version, plus `overrides`. */
export function lambdaConfig(overrides: Record<string, unknown> = {}): LambdaConfig {
  return lambdaSchema.parse({
    code: { s3Bucket: "artifacts-123456789012", s3KeyTemplate: "checkout/{version}/function.zip" },
    ...overrides,
  });
}

/** A `bluegreen:alarms` block: the SOP defaults plus `overrides`. */
export function lambdaAlarmsConfig(overrides: Record<string, unknown> = {}): AlarmsConfig {
  return alarmsSchema.parse(overrides);
}

/**
 * Resolves once registrations have stopped: the mocks record a resource only after its inputs
 * resolve, a few turns of the event loop after the outputs a test waits for.
 */
export async function settled(...outputs: pulumi.Input<unknown>[]): Promise<void> {
  await new Promise<void>((resolve) => pulumi.all(outputs).apply(() => resolve()));
  let quietTurns = 0;
  let count = resources().length;
  while (quietTurns < 20) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = resources().length;
    quietTurns = now === count ? quietTurns + 1 : 0;
    count = now;
  }
}
