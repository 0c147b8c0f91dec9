/**
 * The adapter against a real Pulumi CLI: a LocalWorkspace on a copy of the project, a local file
 * backend, and a stack in `stacks/`. Skips itself, saying why, where the CLI is not installed.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { stringify as toYaml } from "yaml";
import { AutomationStack } from "../../../../automation/adapters/pulumi/automationStack";
import { checkPulumiCli } from "../../../../automation/adapters/pulumi/cliCheck";
import { checkStackExists } from "../../../../automation/adapters/pulumi/stackCheck";
import { exampleRawConfig } from "../../../support/exampleConfigs";

const PROJECT_DIR = path.resolve(__dirname, "../../../..");
const STACK = "integration";

describe("AutomationStack with the Pulumi CLI (integration)", function () {
  this.timeout(15 * 60_000);
  let workDir: string;
  let envVars: Record<string, string>;

  before(async function () {
    const cli = await checkPulumiCli().run();
    if (!cli.ok) {
      console.log(`      skipped: this test needs the Pulumi CLI: ${cli.detail}`);
      this.skip();
    }
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-integration-"));
    for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "infra", "components"]) {
      fs.cpSync(path.join(PROJECT_DIR, entry), path.join(workDir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(workDir, "node_modules"), "dir");
    fs.mkdirSync(path.join(workDir, "stacks"));
    fs.mkdirSync(path.join(workDir, "state"));
    fs.writeFileSync(
      path.join(workDir, "stacks", `Pulumi.${STACK}.yaml`),
      toYaml({
        config: {
          ...exampleRawConfig("lambda"),
          "aws:region": "eu-west-1",
          "aws:skipCredentialsValidation": true,
          "aws:skipRequestingAccountId": true,
          "aws:skipMetadataApiCheck": true,
        },
      }),
    );
    envVars = {
      PULUMI_BACKEND_URL: `file://${path.join(workDir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "not-a-real-key",
      AWS_REGION: "eu-west-1",
    };
    await LocalWorkspace.createStack({ stackName: STACK, workDir }, { envVars });
  });

  after(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  function stack(): AutomationStack {
    return new AutomationStack({ projectDir: workDir, stackName: STACK, envVars });
  }

  it("passes the stack preflight", async () => {
    const result = await checkStackExists(workDir, STACK, { envVars }).run();
    assert.equal(result.ok, true, result.detail);
  });

  it("writes release values into stacks/ (stackConfigDir) and reads them back", async () => {
    const values = {
      traffic: { blue: 90, green: 10 },
      slots: { blue: { version: "1.4.0" }, green: { version: "42" } },
      stable: "blue" as const,
      revision: 8,
    };
    await stack().writeValues(values);
    assert.deepEqual(await stack().readValues(), values);
    assert.equal(fs.existsSync(path.join(workDir, `Pulumi.${STACK}.yaml`)), false);
    const text = fs.readFileSync(path.join(workDir, "stacks", `Pulumi.${STACK}.yaml`), "utf8");
    assert.match(text, /version: "42"|version: '42'/);
  });

  it("reports no outputs and no lock for a stack never deployed", async () => {
    assert.equal(await stack().outputs(), undefined);
    assert.equal(await stack().lock(), undefined);
  });

  it("previews the program against the local backend", async () => {
    // A Lambda stack's first deployment publishes both colours from one artifact: the program
    // refuses it unless both slots name the same version.
    await stack().writeValues({
      traffic: { blue: 100, green: 0 },
      slots: { blue: { version: "1.4.0" }, green: { version: "1.4.0" } },
      stable: "blue",
      revision: 9,
    });
    const changes = await stack().previewChanges();
    assert.ok(changes > 0, `a new stack has resources to create, preview counted ${changes}`);
  });
});
