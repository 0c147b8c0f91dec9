/**
 * Args for the Lambda component tests with the defaults a stack file gets (taken from the config
 * schema, so a component is tested with what the program passes it), and a way to wait until the
 * mocks have recorded every registration.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LambdaBlueGreenArgs } from "../../components/lambdaBlueGreen";
import type { LambdaAlarmThresholds } from "../../components/lambdaColourAlarms";
import { lambdaSchema } from "../../infra/config/schema";
import { builtInAlarms } from "./awsFixtures";
import { resources } from "./pulumi-mocks";

/** The function settings the program passes for a stack's `bluegreen:lambda` with an S3 artifact per version. */
export type LambdaFunctionArgs = Omit<LambdaBlueGreenArgs, "versions" | "stable" | "traffic">;

/** The function settings of a stack that writes only `bluegreen:lambda.code`, plus `overrides`. */
export function lambdaFunctionArgs(overrides: Partial<LambdaFunctionArgs> = {}): LambdaFunctionArgs {
  const lambda = lambdaSchema.parse({
    code: { s3Bucket: "artifacts-123456789012", s3KeyTemplate: "checkout/{version}/function.zip" },
  });
  return {
    runtime: lambda.runtime,
    handler: lambda.handler,
    architecture: lambda.architecture,
    memorySize: lambda.memorySize,
    timeout: lambda.timeout,
    s3Bucket: lambda.code.s3Bucket,
    s3KeyTemplate: lambda.code.s3KeyTemplate,
    aliasName: lambda.aliasName,
    environment: lambda.environment,
    ...overrides,
  };
}

/** The Lambda alarms with the SOP's defaults, each overridden field by field. */
export function lambdaThresholds(
  overrides: Partial<
    Record<keyof LambdaAlarmThresholds, Partial<LambdaAlarmThresholds[keyof LambdaAlarmThresholds]>>
  > = {},
): LambdaAlarmThresholds {
  const alarms = builtInAlarms(overrides);
  return {
    lambdaErrorRate: alarms.lambdaErrorRate,
    lambdaThrottles: alarms.lambdaThrottles,
    lambdaDurationP95: alarms.lambdaDurationP95,
  };
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
