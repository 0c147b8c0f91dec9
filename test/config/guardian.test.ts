import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  GUARDIAN_DEFAULTS,
  guardianDeclared,
  guardianSchema,
  guardianWarnings,
  type GuardianConfig,
} from "../../infra/config/guardian";
import { parseStackFile, stackFilePath } from "../../infra/config/stackFile";
import { type ValidationResult, validateConfig } from "../../infra/config/validate";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/** A shipped stack file's values with some keys changed (undefined removes a key). */
function stack(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const parsed = parseStackFile(fs.readFileSync(stackFilePath(PROJECT_DIR, name), "utf8"));
  if ("problems" in parsed) throw new Error(JSON.stringify(parsed.problems));
  const values: Record<string, unknown> = { ...parsed.raw.values };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete values[key];
    else values[key] = value;
  }
  return values;
}

function validate(values: Record<string, unknown>): ValidationResult {
  return validateConfig({ values, secretKeys: new Set(), typed: true });
}

const lines = (problems: readonly { path: string; message: string }[]) =>
  problems.map((problem) => `${problem.path}: ${problem.message}`);

describe("config: bluegreen:guardian", () => {
  it("defaults to what the schema makes of an empty block", () => {
    assert.deepEqual(guardianSchema.parse({}), GUARDIAN_DEFAULTS);
    assert.deepEqual(GUARDIAN_DEFAULTS, { enabled: true, driverTimeout: 300 });
  });

  describe("valid", () => {
    const cases: {
      name: string;
      values: Record<string, unknown>;
      guardian: GuardianConfig;
      declared: boolean;
      warning?: RegExp;
    }[] = [
      {
        name: "left out on ECS: on, five minutes",
        values: stack("dev"),
        guardian: { enabled: true, driverTimeout: 300 },
        declared: true,
      },
      {
        name: "a longer timeout on Lambda",
        values: stack("orders-dev", { "bluegreen:guardian": { driverTimeout: "15m" } }),
        guardian: { enabled: true, driverTimeout: 900 },
        declared: true,
      },
      {
        name: "Kubernetes alb mode: declared",
        values: stack("eks-dev"),
        guardian: { enabled: true, driverTimeout: 300 },
        declared: true,
      },
      {
        name: "turned off",
        values: stack("prod", { "bluegreen:guardian": { enabled: false } }),
        guardian: { enabled: false, driverTimeout: 300 },
        declared: false,
      },
      {
        name: "a timeout exactly the heartbeat staleness of a 50s poll (6 x 50s = 5m)",
        values: stack("dev", { "bluegreen:rollout": { pollInterval: "50s" } }),
        guardian: { enabled: true, driverTimeout: 300 },
        declared: true,
      },
      {
        name: "a short timeout with a poll long enough to be checked no more (turned off)",
        values: stack("dev", {
          "bluegreen:rollout": { pollInterval: "5m" },
          "bluegreen:guardian": { enabled: false, driverTimeout: "1m" },
        }),
        guardian: { enabled: false, driverTimeout: 60 },
        declared: false,
      },
      {
        name: "gateway mode: not declared, and validate says why",
        values: stack("gateway-dev"),
        guardian: { enabled: true, driverTimeout: 300 },
        declared: false,
        warning:
          /^bluegreen:guardian: no guardian watches this stack: in Kubernetes gateway mode reverting the split needs the cluster's API/,
      },
      {
        name: "gateway mode with a poll the timeout would not cover: no guardian, so no timeout to check",
        values: stack("gateway-dev", { "bluegreen:rollout": { pollInterval: "5m" } }),
        guardian: { enabled: true, driverTimeout: 300 },
        declared: false,
        warning: /^bluegreen:guardian: no guardian watches this stack/,
      },
      {
        name: "the file channel with the block left out: not declared, with a warning naming both fixes",
        values: stack("dev", { "bluegreen:control": { channel: "file" } }),
        guardian: { enabled: true, driverTimeout: 300 },
        declared: false,
        warning:
          /^bluegreen:guardian: no guardian watches this stack: it needs the DynamoDB control table, and bluegreen:control\.channel is file; .*set control\.channel: dynamodb to have one, or guardian\.enabled: false/,
      },
      {
        name: "the file channel with the guardian turned off: no warning",
        values: stack("dev", {
          "bluegreen:control": { channel: "file" },
          "bluegreen:guardian": { enabled: false },
        }),
        guardian: { enabled: false, driverTimeout: 300 },
        declared: false,
      },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        const result = validate(testCase.values);
        assert.ok(result.ok, result.ok ? "" : lines(result.errors).join("\n"));
        assert.deepEqual(result.config.guardian, testCase.guardian);
        assert.equal(guardianDeclared(result.config), testCase.declared);
        // Only validate and pulumi up say it, not every command that reads the stack file.
        assert.deepEqual(
          lines(result.warnings).filter((line) => line.startsWith("bluegreen:guardian")),
          [],
        );
        const warnings = lines(guardianWarnings(result.config));
        if (testCase.warning === undefined) assert.deepEqual(warnings, []);
        else {
          assert.equal(warnings.length, 1, warnings.join("\n"));
          assert.match(warnings[0], testCase.warning);
        }
      });
    }
  });

  describe("invalid, naming the key, the value and the fix", () => {
    const cases: { name: string; values: Record<string, unknown>; expect: RegExp }[] = [
      {
        name: "a timeout shorter than the heartbeat staleness of the poll interval",
        values: stack("dev", {
          "bluegreen:rollout": { pollInterval: "30s" },
          "bluegreen:guardian": { driverTimeout: "2m" },
        }),
        expect:
          /^bluegreen:guardian\.driverTimeout: a driver timeout of 2m is shorter than the heartbeat staleness of bluegreen:rollout\.pollInterval 30s \(6 polls, 3m\): .*Set guardian\.driverTimeout to at least 3m \(with a margin\), or shorten rollout\.pollInterval$/,
      },
      {
        name: "the default timeout under a one-minute poll (6 x 1m = 6m)",
        values: stack("orders-dev", { "bluegreen:rollout": { pollInterval: "1m" } }),
        expect:
          /^bluegreen:guardian\.driverTimeout: a driver timeout of 5m is shorter than the heartbeat staleness of bluegreen:rollout\.pollInterval 1m \(6 polls, 6m\)/,
      },
      {
        name: "the guardian asked for on the file channel",
        values: stack("dev", {
          "bluegreen:control": { channel: "file" },
          "bluegreen:guardian": { enabled: true },
        }),
        expect:
          /^bluegreen:guardian\.enabled: the guardian needs the DynamoDB control table, but bluegreen:control\.channel is file: set control\.channel: dynamodb, or set guardian\.enabled: false$/,
      },
      {
        name: "a timeout below a minute",
        values: stack("dev", { "bluegreen:guardian": { driverTimeout: "30s" } }),
        expect: /^bluegreen:guardian\.driverTimeout: must be between 60s and 7200s, got "30s" \(30s\)$/,
      },
      {
        name: "a timeout that is not a duration",
        values: stack("dev", { "bluegreen:guardian": { driverTimeout: 300 } }),
        expect:
          /^bluegreen:guardian\.driverTimeout: expected a duration such as "90s", "5m" or "1h30m", got 300$/,
      },
      {
        name: "enabled as text",
        values: stack("dev", { "bluegreen:guardian": { enabled: "yes" } }),
        expect: /^bluegreen:guardian\.enabled: expected true or false/,
      },
      {
        name: "a misspelt key",
        values: stack("dev", { "bluegreen:guardian": { driverTimout: "5m" } }),
        expect: /^bluegreen:guardian: unknown key "driverTimout"; did you mean "driverTimeout"\?/,
      },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        const result = validate(testCase.values);
        assert.equal(result.ok, false, "expected the config to be refused");
        const errors = result.ok ? [] : lines(result.errors);
        assert.ok(
          errors.some((error) => testCase.expect.test(error)),
          `no error matches ${testCase.expect}; got:\n${errors.join("\n")}`,
        );
      });
    }
  });
});
