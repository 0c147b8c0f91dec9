import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DynamoControlChannel } from "../../../automation/adapters/control/dynamoControlChannel";
import { useDynalite } from "../adapters/control/dynalite";
import { FakeLambdaApi } from "./fakeLambdaApi";
import { guardianTarget, halfwayRun } from "./support";

const ROOT = path.resolve(__dirname, "../../..");
const NODE = path.join(ROOT, "node_modules/node/bin/node");

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function bluegreen(args: readonly string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ["bin/bluegreen.js", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("bluegreen guardian --once, through the real CLI entry", function () {
  this.timeout(60_000);
  const dynalite = useDynalite();
  let lambda: FakeLambdaApi;
  let dir: string;

  beforeEach(async () => {
    lambda = new FakeLambdaApi("checkout-dev", "live", {
      FunctionVersion: "3",
      RoutingConfig: { AdditionalVersionWeights: { "4": 0.5 } },
      RevisionId: "rev-1",
    });
    await lambda.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-guardian-"));
  });
  afterEach(async () => {
    await lambda.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function arrange(
    heartbeatAgeMs: number,
  ): Promise<{ driver: DynamoControlChannel; env: Record<string, string>; target: string }> {
    const table = await dynalite().createTable();
    const driver = new DynamoControlChannel({ client: dynalite().client, table, owner: "killed-driver" });
    // A driver SIGKILLed at its 50% step: its run and split stay, its heartbeat stops.
    await driver.claimRun(halfwayRun(Date.now() - heartbeatAgeMs - 60_000), Date.now() - heartbeatAgeMs);
    const target = path.join(dir, "target.json");
    fs.writeFileSync(target, JSON.stringify(guardianTarget({ controlTableName: table })));
    const endpoint = await dynalite().client.config.endpoint?.();
    return {
      driver,
      target,
      env: {
        AWS_ENDPOINT_URL_DYNAMODB: `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`,
        AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "eu-west-1",
        BLUEGREEN_AUDIT_LOG: path.join(dir, "audit.ndjson"),
      },
    };
  }

  it("after a SIGKILLed driver, ends with the stable colour at 100% and exit 3", async () => {
    const { driver, env, target } = await arrange(600_000);
    const ran = await bluegreen(["guardian", "--stack", "dev", "--once", "--json", "--target", target], env);
    assert.equal(ran.code, 3, ran.stderr + ran.stdout);
    const line = JSON.parse(ran.stdout.trim()) as Record<string, unknown>;
    assert.equal(line.source, "bluegreen-guardian");
    assert.equal(line.outcome, "reverted");
    assert.deepEqual(line.weights, { blue: 100, green: 0 });
    assert.equal(lambda.alias.FunctionVersion, "3");
    assert.deepEqual(lambda.alias.RoutingConfig, { AdditionalVersionWeights: {} });
    const trip = (await driver.readRecord()).trip;
    assert.ok(trip?.revertedAt !== undefined, JSON.stringify(trip));
    assert.doesNotMatch(ran.stdout + ran.stderr, /AWS_SECRET|test:test/);
  });

  it("with a live driver does nothing and exits 0", async () => {
    const { env, target } = await arrange(1_000);
    const ran = await bluegreen(["guardian", "--stack", "dev", "--once", "--target", target], env);
    assert.equal(ran.code, 0, ran.stderr + ran.stdout);
    assert.match(ran.stdout, /guardian: nothing to do on stack dev: the driver of run run-1 beat/);
    assert.equal(lambda.updates.length, 0);
  });

  it("exits 5 when the control table cannot be reached", async () => {
    const { env } = await arrange(600_000);
    const target = path.join(dir, "missing.json");
    fs.writeFileSync(target, JSON.stringify(guardianTarget({ controlTableName: "no-such-table" })));
    const ran = await bluegreen(["guardian", "--stack", "dev", "--once", "--target", target], env);
    assert.equal(ran.code, 5, ran.stderr + ran.stdout);
    assert.match(ran.stdout, /control table no-such-table does not exist/);
    assert.equal(lambda.updates.length, 0);
  });

  it("refuses to run without --once", async () => {
    const ran = await bluegreen(["guardian", "--stack", "dev"], {});
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /give --once/);
  });
});
