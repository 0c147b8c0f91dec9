/**
 * Remote control, across processes: a long-running driver in one copy of the project and the
 * operator's commands in another (a different directory, no shared folder, no
 * BLUEGREEN_CONTROL_DIR), meeting only in the stack's control table (dynalite here), each through
 * the real entry point. The driver is `rehearse --control stack`, slowed with `--speed`: there is no
 * Pulumi CLI in the tests. Every wait is for an event or a record state, never a fixed sleep.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { controlTableName } from "../../../components/domain/controlTable";
import { useDynalite } from "../adapters/control/dynalite";
import { until } from "../../support/spawned";

const ROOT = path.resolve(__dirname, "../../..");
const NODE = path.join(ROOT, "node_modules", "node", "bin", "node");
const BIN = path.join(ROOT, "bin", "bluegreen.js");
/** A 25-minute plan in about 5 s; a 10 s poll every 33 ms. */
const SPEED = "300";
const WAIT_MS = 20_000;

/** A copy of the project's stack files in a directory of its own. */
function projectCopy(root: string, name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  fs.cpSync(path.join(ROOT, "stacks"), path.join(dir, "stacks"), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  return dir;
}

interface Driver {
  readonly child: ChildProcess;
  readonly events: string;
  readonly exited: Promise<number | null>;
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe("remote control across processes, through the control table", function () {
  this.timeout(90_000);
  this.slow(15_000);
  const dynalite = useDynalite();
  let root: string;
  let driverDir: string;
  let operatorDir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    await dynalite().createTable(controlTableName("checkout", "dev"));
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-remote-"));
    driverDir = projectCopy(root, "driver");
    operatorDir = projectCopy(root, "operator");
    env = { ...process.env };
    delete env.BLUEGREEN_CONTROL_DIR;
    Object.assign(env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynalite().endpoint,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "eu-west-1",
      // No shared files: the two copies meet only in the table.
      BLUEGREEN_AUDIT_LOG: "audit.ndjson",
    });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function startDriver(dir: string): Driver {
    const events = path.join(dir, `events-${Date.now()}.ndjson`);
    const out = fs.openSync(events, "w");
    const child = spawn(
      NODE,
      [
        BIN,
        "rehearse",
        "--stack",
        "dev",
        "--version",
        "2.0.0",
        "--control",
        "stack",
        "--speed",
        SPEED,
        "--json",
      ],
      { cwd: dir, env, stdio: ["ignore", out, "ignore"] },
    );
    fs.closeSync(out);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, events, exited };
  }

  function operator(...args: string[]): Promise<Finished> {
    return new Promise((resolve) => {
      const child = spawn(NODE, [BIN, ...args], { cwd: operatorDir, env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  function events(driver: Driver): Record<string, unknown>[] {
    return fs
      .readFileSync(driver.events, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  const waitFor = (what: string, check: () => boolean): Promise<void> => until(what, check, WAIT_MS, 50);

  const has = (driver: Driver, type: string): boolean => events(driver).some((event) => event.type === type);

  it("pauses, shows, resumes and promotes one run, and aborts another, from a second copy", async () => {
    const first = startDriver(driverDir);
    await waitFor("the first shift", () => has(first, "shifted"));

    const pause = await operator("pause", "--stack", "dev");
    assert.equal(pause.code, 0, pause.stderr);
    await waitFor("the pause", () => has(first, "paused"));

    const status = await operator("status", "--stack", "dev", "--json");
    assert.equal(status.code, 0, status.stderr);
    const shown = JSON.parse(status.stdout) as {
      unread?: { stack?: string };
      control: {
        run: { rehearsal: boolean; step: number; of: number; weights: unknown; paused?: { by: string } };
        heartbeat: { ageSeconds: number; watched: boolean };
      };
    };
    assert.match(shown.unread?.stack ?? "", /pulumi/i, "the Pulumi side is named as unread");
    const { run, heartbeat } = shown.control;
    assert.equal(run.rehearsal, true);
    assert.equal(run.of, 4);
    const paused = events(first).find((event) => event.type === "paused")!;
    assert.equal(run.step, paused.step);
    assert.equal(run.weights && (run.weights as { green: number }).green, paused.weight);
    assert.ok(run.paused, "the record shows the pause");
    assert.equal(heartbeat.watched, true);
    assert.equal(typeof heartbeat.ageSeconds, "number");

    const resume = await operator("resume", "--stack", "dev");
    assert.equal(resume.code, 0, resume.stderr);
    await waitFor("the resume", () => has(first, "resumed"));
    const promote = await operator("promote", "--stack", "dev", "--full");
    assert.equal(promote.code, 0, promote.stderr);
    assert.equal(await first.exited, 0);
    const last = events(first).at(-1)!;
    assert.deepEqual([last.type, last.outcome], ["completed", "promoted"]);
    const after = JSON.parse((await operator("status", "--stack", "dev", "--json")).stdout || "{}") as {
      control?: { run: unknown };
    };
    assert.equal(after.control, undefined, "no run is recorded once it ended, so status has nothing to show");

    const second = startDriver(driverDir);
    await waitFor("the first shift of the second run", () => has(second, "shifted"));
    const abort = await operator("abort", "--stack", "dev", "--reason", "drill");
    assert.equal(abort.code, 4, abort.stderr);
    assert.match(abort.stderr, /asking it to abort/);
    assert.equal(await second.exited, 4);
    const ending = events(second).at(-1)!;
    assert.deepEqual([ending.outcome, ending.exitCode], ["aborted", 4]);
    assert.ok(has(second, "reverted"));
  });

  it("lets exactly one of two racing drivers run; the other exits 2 naming the run that holds the stack", async () => {
    const a = startDriver(driverDir);
    const b = startDriver(operatorDir);
    const loser = await Promise.race([a.exited.then(() => a), b.exited.then(() => b)]);
    const winner = loser === a ? b : a;
    assert.equal(await loser.exited, 2);
    const refused = events(loser).find((event) => event.type === "preflight" && event.ok === false);
    const holder = events(winner).find((event) => event.type === "started");
    assert.ok(refused && holder, "the loser was refused by its preflight while the winner started");
    assert.match(String(refused.detail), new RegExp(`held by run ${String(holder.runId)}`));
    winner.child.kill("SIGINT");
    assert.equal(await winner.exited, 4);
  });
});
