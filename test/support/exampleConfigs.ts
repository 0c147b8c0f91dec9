/**
 * Valid stack configs for tests, built through `validateConfig` so they carry every default the
 * real validation applies.
 */
import { BluegreenConfig, formatProblems, validateConfig } from "../../infra/config/validate";

/** The platforms a test config can be made for. */
export type ExamplePlatform = "ecs" | "lambda";

/**
 * The raw `bluegreen:` keys of an example stack: blue serves 1.4.0 at 100%, green holds 1.3.9,
 * the SOP plan, and one extra alarm the team owns.
 */
export function exampleRawConfig(platform: ExamplePlatform): Record<string, unknown> {
  const common = {
    "bluegreen:slots": { blue: { version: "1.4.0" }, green: { version: "1.3.9" } },
    "bluegreen:traffic": { blue: 100, green: 0 },
    "bluegreen:revision": 7,
  };
  if (platform === "ecs") {
    return {
      ...common,
      "bluegreen:service": { name: "checkout", platform: "ecs" },
      "bluegreen:network": {
        vpcId: "vpc-0abc1234",
        publicSubnetIds: ["subnet-0abc1234", "subnet-0abc5678"],
        privateSubnetIds: ["subnet-0def1234", "subnet-0def5678"],
      },
      "bluegreen:ecs": { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout" },
      "bluegreen:alarms": { extra: ["checkout-orders-per-minute"] },
    };
  }
  return {
    ...common,
    "bluegreen:service": { name: "orders", platform: "lambda" },
    "bluegreen:lambda": { code: { s3Bucket: "orders-artifacts", s3KeyTemplate: "orders/{version}.zip" } },
    "bluegreen:alarms": { extra: ["orders-failed-payments"] },
  };
}

/**
 * A validated example config. `overrides` replaces whole keys (`"bluegreen:traffic"`); a key set
 * to `undefined` is removed. Throws with every problem when the result is not valid.
 */
export function exampleConfig(
  platform: ExamplePlatform,
  overrides: Record<string, unknown> = {},
): BluegreenConfig {
  const values = { ...exampleRawConfig(platform), ...overrides };
  const result = validateConfig({ values, secretKeys: new Set() });
  if (!result.ok) throw new Error(`example ${platform} config is invalid:\n${formatProblems(result.errors)}`);
  return result.config;
}
