import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { parseStackFile, stackFilePath } from "../../infra/config/stackFile";
import { defineStack } from "../../infra/program";
import { readStackConfig, readStackSecrets } from "../../infra/programConfig";
import { resetResources } from "../support/pulumi-mocks";
import * as path from "node:path";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/**
 * The program hands the idle colour to the components: the colour that serves nothing has its
 * count left to whoever scaled it (ignoreChanges), the serving colours are held to the stack file,
 * and a split leaves both held. Resource options are read through a stack transformation, which
 * the SDK applies in-process under the engine mocks.
 */

function loadStack(stack: string, overrides: Record<string, unknown>): void {
  const parsed = parseStackFile(fs.readFileSync(stackFilePath(PROJECT_DIR, stack), "utf8"));
  if ("problems" in parsed) throw new Error(JSON.stringify(parsed.problems));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...parsed.raw.values, ...overrides })) {
    if (value === undefined) continue;
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(values, [...parsed.raw.secretKeys]);
}

/** Each ECS service's or Deployment's ignoreChanges, by logical name. */
async function ignoredCounts(
  stack: string,
  overrides: Record<string, unknown>,
): Promise<Map<string, string[]>> {
  resetResources();
  loadStack(stack, overrides);
  const ignored = new Map<string, string[]>();
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      if (args.type === "aws:ecs/service:Service" || args.type === "kubernetes:apps/v1:Deployment") {
        ignored.set(args.name, [...(args.opts.ignoreChanges ?? [])]);
      }
      return undefined;
    });
    const config = readStackConfig();
    return defineStack(
      config,
      { organization: "organization", project: "bluegreen", stack },
      readStackSecrets(config),
    );
  });
  return ignored;
}

/** The ignoreChanges of the workload whose logical name ends with `-<colour>`. */
function ofColour(ignored: Map<string, string[]>, colour: string): string[] {
  const found = [...ignored].filter(([name]) => name.endsWith(`-${colour}`));
  assert.equal(found.length, 1, `one ${colour} workload, got ${JSON.stringify([...ignored])}`);
  return found[0][1];
}

describe("the program leaves the idle colour's count to whoever scaled it", () => {
  const cases = [
    { stack: "dev", field: "desiredCount" },
    { stack: "eks-dev", field: "spec.replicas" },
  ];
  for (const { stack, field } of cases) {
    it(`${stack}, all traffic on blue: green's ${field} is ignored, blue's is held`, async () => {
      const ignored = await ignoredCounts(stack, {
        "bluegreen:traffic": { blue: 100, green: 0 },
        "bluegreen:stable": "blue",
      });
      assert.deepEqual(ofColour(ignored, "green"), [field]);
      assert.deepEqual(ofColour(ignored, "blue"), []);
    });

    it(`${stack}, all traffic on green: blue's ${field} is ignored, green's is held`, async () => {
      const ignored = await ignoredCounts(stack, {
        "bluegreen:traffic": { blue: 0, green: 100 },
        "bluegreen:stable": "green",
      });
      assert.deepEqual(ofColour(ignored, "blue"), [field]);
      assert.deepEqual(ofColour(ignored, "green"), []);
    });

    it(`${stack}, traffic split: both colours are held (the stable one is never scaled down)`, async () => {
      const ignored = await ignoredCounts(stack, {
        "bluegreen:traffic": { blue: 75, green: 25 },
        "bluegreen:stable": "blue",
      });
      assert.deepEqual(ofColour(ignored, "blue"), []);
      assert.deepEqual(ofColour(ignored, "green"), []);
    });
  }
});
