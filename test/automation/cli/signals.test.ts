import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ndjsonLines as lines, until } from "../../support/spawned";

/**
 * No orphans: whatever process a pipeline started and whatever signal it gets, the rollout stops
 * its plan, reverts to the stable colour, writes its `completed` event and audit record, and does
 * not go on to promote. There is no Pulumi CLI here, so the long-running run is a rehearsal slowed
 * to 60 virtual seconds per real second (the SOP plan then takes 25 real seconds): the same CLI
 * entry, signal handling and driver a real `rollout` runs.
 */

const ROOT = path.resolve(__dirname, "../../..");
/** The README's pipeline command, word for word, with `rollout` swapped for a slowed `rehearse`. */
export const README_PIPELINE_COMMAND = "exec node_modules/.bin/node bin/bluegreen.js";
const REHEARSAL = ["rehearse", "--stack", "dev", "--version", "2.0.0", "--speed", "60", "--json"];
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
/** How long a run may take to answer a signal with its revert and audit record. */
const ANSWER_MS = 15_000;

interface Started {
  readonly child: ChildProcess;
  readonly events: string;
  readonly audit: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(dir: string, command: string, args: readonly string[]): Started {
  const events = path.join(dir, "events.ndjson");
  const audit = path.join(dir, "audit.ndjson");
  // Events go to a file, as in the README's pipeline: a process orphaned by its wrapper keeps
  // writing there after the wrapper is gone.
  const out = fs.openSync(events, "w");
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, BLUEGREEN_AUDIT_LOG: audit, BLUEGREEN_CONTROL_DIR: path.join(dir, "control") },
    stdio: ["ignore", out, "ignore"],
  });
  fs.closeSync(out);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, events, audit, exited };
}

/** The run's events end with a completed event that is not a promotion, and its audit record says the same. */
function assertStoppedWithoutPromoting(run: Started): void {
  const events = lines(run.events);
  const types = events.map((event) => event.type);
  assert.ok(!types.includes("promoted"), `went on to promote: ${types.join(", ")}`);
  const last = events[events.length - 1];
  assert.equal(last.type, "completed");
  assert.deepEqual([last.outcome, last.exitCode], ["aborted", 4], JSON.stringify(last));
  assert.ok(types.includes("reverted"), `no revert: ${types.join(", ")}`);
  const records = lines(run.audit);
  assert.equal(records.length, 1);
  assert.deepEqual([records[0].outcome, records[0].exitCode], ["aborted", 4]);
}

describe("no orphans: a signal to the process a pipeline started reverts, never promotes", function () {
  this.timeout(60_000);
  this.slow(20_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-signals-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  it("the README's pipeline snippet runs the driver with that command", () => {
    assert.ok(
      readme.includes(`- run: ${README_PIPELINE_COMMAND} rollout --stack prod`),
      "the README's pipeline snippet changed: keep this test's command in step with it",
    );
  });

  for (const signal of SIGNALS) {
    it(`the README's command (the driver itself): ${signal} reverts and exits 4`, async function () {
      if (!fs.existsSync(path.join(ROOT, "node_modules", ".bin", "node"))) {
        this.skip(); // the project's Node is installed by npm ci
      }
      // `sh -c` stands for the pipeline step's shell; `exec` makes the driver the process it started.
      const run = start(dir, "sh", ["-c", `${README_PIPELINE_COMMAND} "$@"`, "sh", ...REHEARSAL]);
      await until("the first shift", () => lines(run.events).some((e) => e.type === "shifted"), ANSWER_MS);
      run.child.kill(signal);
      const exit = await run.exited;
      assert.deepEqual(exit, { code: 4, signal: null });
      assertStoppedWithoutPromoting(run);
    });
  }

  const hasNpx = spawnSync("npx", ["--version"]).status === 0;
  for (const signal of SIGNALS) {
    it(`npx bluegreen: ${signal} to npx reverts, whether npx waits for the driver or not`, async function () {
      if (!hasNpx) this.skip();
      const run = start(dir, "npx", ["bluegreen", ...REHEARSAL]);
      await until("the first shift", () => lines(run.events).some((e) => e.type === "shifted"), ANSWER_MS);
      run.child.kill(signal);
      const exit = await run.exited;
      if (signal === "SIGHUP") {
        // npm has no handler for a hangup: npx ends at once and the driver it leaves behind notices.
        assert.ok(
          exit.signal === signal || exit.code === 128 + SIGNAL_NUMBERS[signal],
          `npx exited ${JSON.stringify(exit)}`,
        );
        await until("the orphaned driver's audit record", () => lines(run.audit).length > 0, ANSWER_MS);
      } else {
        // npm passes SIGINT/SIGTERM on to the driver (its own child: see .npmrc) and exits with its code.
        assert.deepEqual(exit, { code: 4, signal: null });
      }
      assertStoppedWithoutPromoting(run);
    });
  }
});
