import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseStackFile, stackFilePath } from "../../infra/config/stackFile";
import { defineStack } from "../../infra/program";
import { readStackConfig, readStackSecrets } from "../../infra/programConfig";
import { valueOf } from "../support/pulumi-mocks";

const PROJECT_DIR = path.resolve(__dirname, "../..");

function loadStack(stack: string, overrides: Record<string, unknown> = {}): void {
  const parsed = parseStackFile(fs.readFileSync(stackFilePath(PROJECT_DIR, stack), "utf8"));
  if ("problems" in parsed) throw new Error(JSON.stringify(parsed.problems));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...parsed.raw.values, ...overrides })) {
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(values, [...parsed.raw.secretKeys]);
}

/** Runs the program for the loaded config; resolves its capacity output. */
async function capacityOutput(stack: string): Promise<unknown> {
  const config = readStackConfig();
  const outputs = await defineStack(
    config,
    { organization: "organization", project: "bluegreen", stack },
    readStackSecrets(config),
  );
  const capacity = (outputs as Record<string, unknown>).capacity;
  return capacity === undefined ? undefined : valueOf(capacity as pulumi.Input<unknown>);
}

describe("the program's capacity output", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}, []));

  it("ECS: the cluster and each colour's service, for the scaler", async () => {
    loadStack("dev");
    const capacity = (await capacityOutput("dev")) as { kind: string; cluster: string; serviceNames: object };
    assert.equal(capacity.kind, "ecs");
    assert.match(capacity.cluster, /^arn:aws:.*Cluster\/checkout-cluster/);
    assert.deepEqual(Object.keys(capacity.serviceNames).sort(), ["blue", "green"]);
  });

  for (const stack of ["gateway-dev", "eks-dev"]) {
    it(`Kubernetes (${stack}): the namespace and each colour's Deployment`, async () => {
      loadStack(stack);
      const capacity = (await capacityOutput(stack)) as {
        kind: string;
        deploymentNames: Record<string, string>;
      };
      assert.equal(capacity.kind, "kubernetes");
      assert.match(capacity.deploymentNames.blue, /-blue$/);
      assert.match(capacity.deploymentNames.green, /-green$/);
    });
  }

  it("Lambda: none (an idle version costs nothing)", async () => {
    loadStack("orders-dev");
    assert.equal(await capacityOutput("orders-dev"), undefined);
  });
});
