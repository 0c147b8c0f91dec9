import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ndjsonLines as lines, until } from "../support/spawned";

/**
 * The release workflow's "Roll out" step, run by bash as the runner runs it, with the one command
 * line swapped for a slowed rehearsal (there is no Pulumi CLI here): a cancelled job (SIGINT, then
 * SIGTERM, to the step's shell) reaches the driver, which reverts and never promotes, and the step
 * waits for it and ends with its exit code.
 */

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOW_FILE = path.join(ROOT, "docs", "github-actions", "bluegreen-release.yml");
const REHEARSAL = "rehearse --stack dev --version 2.0.0 --speed 60";

interface Workflow {
  jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
}

/** Each job's "Roll out" script with the rollout's arguments swapped for the rehearsal's. */
function rolloutScripts(): { job: string; script: string }[] {
  const workflow = parse(fs.readFileSync(WORKFLOW_FILE, "utf8")) as Workflow;
  return Object.entries(workflow.jobs).flatMap(([job, { steps }]) =>
    steps
      .filter((step) => step.name === "Roll out")
      .map((step) => {
        const run = step.run ?? "";
        const script = run.replace(
          /(bin\/bluegreen\.js) rollout .*? (--json > events\.ndjson &)$/m,
          `$1 ${REHEARSAL} $2`,
        );
        assert.notEqual(script, run, `the ${job} job's rollout line changed: keep this test in step with it`);
        return { job, script };
      }),
  );
}

describe("the release workflow's rollout step survives a cancelled job", function () {
  this.timeout(60_000);
  this.slow(20_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-workflow-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const [{ script }] = rolloutScripts();
  for (const signals of [["SIGINT"], ["SIGTERM"], ["SIGINT", "SIGTERM"]] as const) {
    it(`${signals.join(" then ")} to the step's shell: the driver reverts and the step exits 4`, async function () {
      if (!fs.existsSync(path.join(ROOT, "node_modules", ".bin", "node"))) {
        this.skip(); // the project's Node is installed by npm ci
      }
      const output = path.join(dir, "github-output");
      const audit = path.join(dir, "audit.ndjson");
      // The step writes events.ndjson in the working directory, as on the runner: run it in a copy
      // of the project's entry and stack files rather than in the checkout.
      const work = path.join(dir, "project");
      fs.mkdirSync(work);
      for (const entry of [
        "bin",
        "automation",
        "components",
        "infra",
        "stacks",
        "node_modules",
        "Pulumi.yaml",
        "package.json",
        "tsconfig.json",
      ]) {
        fs.symlinkSync(path.join(ROOT, entry), path.join(work, entry));
      }
      const shell = spawn("bash", ["-e", "-c", script], {
        cwd: work,
        env: {
          ...process.env,
          GITHUB_OUTPUT: output,
          BLUEGREEN_AUDIT_LOG: audit,
          BLUEGREEN_CONTROL_DIR: path.join(dir, "control"),
          STACK: "dev",
          VERSION: "2.0.0",
          REASON: "release",
        },
        stdio: "ignore",
      });
      const exited = new Promise<number | null>((resolve) => shell.on("exit", (code) => resolve(code)));
      const eventsFile = path.join(work, "events.ndjson");
      await until("the first shift", () => lines(eventsFile).some((e) => e.type === "shifted"), 15_000);
      for (const signal of signals) {
        shell.kill(signal);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(await exited, 4);
      const types = lines(eventsFile).map((event) => event.type);
      assert.ok(!types.includes("promoted"), `went on to promote: ${types.join(", ")}`);
      assert.ok(types.includes("reverted"), `no revert: ${types.join(", ")}`);
      assert.equal(types[types.length - 1], "completed");
      assert.equal(fs.readFileSync(output, "utf8"), "exit-code=4\n");
      assert.deepEqual(
        lines(audit).map((record) => record.outcome),
        ["aborted"],
      );
    });
  }
});
