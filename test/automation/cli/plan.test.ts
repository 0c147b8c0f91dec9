import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { stackFilePath } from "../../../infra/config/stackFile";
import { run } from "../../../automation/cli/main";
import type { PlanDescription } from "../../../automation/core/plan";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, testIo, testServices } from "./support";

const CUSTOM = ecsStack({
  extra: [
    "  bluegreen:rollout:",
    "    steps:",
    "      - { weight: 5, bake: 4m }",
    "      - { weight: 50, bake: 6m }",
    "      - { weight: 100, bake: 10m }",
    "    pollInterval: 15s",
    "    insufficientData: { policy: fail }",
    "  bluegreen:alarms:",
    "    latencyP95: { enabled: false }",
    "    extra: [checkout-orders-per-minute]",
  ].join("\n"),
});

describe("bluegreen plan", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({
      dev: ecsStack(),
      prod: CUSTOM,
      "gateway-dev": fs.readFileSync(
        stackFilePath(path.resolve(__dirname, "../../.."), "gateway-dev"),
        "utf8",
      ),
    });
  });
  afterEach(() => project.cleanup());

  async function plan(argv: string[]) {
    const t = testIo(project.dir);
    const services = testServices({ clock: new VirtualClock(0) });
    const code = await run(["plan", ...argv], t.io, services);
    return { code, stdout: t.stdout(), stderr: t.stderr(), connects: services.connects };
  }

  it("shows the careful preset's pause for approval before 100%, with its timeout", async () => {
    project.cleanup();
    project = makeProject({
      prod: fs.readFileSync(stackFilePath(path.resolve(__dirname, "../../.."), "prod"), "utf8"),
    });
    const result = await plan(["--stack", "prod"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      / 4\. green {2}50% \(blue {2}50%\) {2}bake 10m {5}from \+30m\n {6}then pause for approval: holds the weight, alarms still watched, until `bluegreen resume --stack prod` \(or promote --full, abort\); abort \(revert\) after 2h without an answer\n {3}5\. green 100% \(blue {3}0%\) {2}bake 15m {5}from \+40m after approval\n/,
    );
    assert.match(
      result.stdout,
      /total bake time: 55m \(plus the deploy and readiness of green, and the wait for approval\)/,
    );
    const json = JSON.parse((await plan(["--stack", "prod", "--json"])).stdout) as PlanDescription;
    assert.deepEqual(
      json.steps.map((step) => step.pause),
      [undefined, undefined, undefined, { timeoutSeconds: 7200, onTimeout: "abort" }, undefined],
    );
  });

  it("prints the SOP plan of a stack without a rollout block, reaching nothing", async () => {
    const result = await plan(["--stack", "dev"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.connects, 0);
    assert.match(result.stdout, /plan "sop"/);
    assert.match(result.stdout, /1\. green {2}10% \(blue {2}90%\) {2}bake 5m/);
    assert.match(result.stdout, /4\. green 100% \(blue +0%\) +bake 10m +from \+15m/);
    assert.match(result.stdout, /total bake time: 25m/);
    assert.match(result.stdout, /built-in errorRate\n {2}built-in latencyP95\n {2}built-in unhealthyHosts/);
    assert.match(result.stdout, /poll interval: 10s/);
    assert.match(result.stdout, /insufficient data: wait: .*\(deadline 5m\)/);
  });

  it("prints custom steps, enabled alarms, extra alarm names and the policy", async () => {
    const result = await plan(["--stack", "prod"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /plan "custom"/);
    assert.match(result.stdout, /2\. green +50% \(blue +50%\) +bake 6m +from \+4m/);
    assert.match(result.stdout, /total bake time: 20m/);
    assert.doesNotMatch(result.stdout, /latencyP95/);
    assert.match(result.stdout, /extra {4}checkout-orders-per-minute/);
    assert.match(result.stdout, /poll interval: 15s/);
    assert.match(result.stdout, /insufficient data: fail: revert as soon as/);
  });

  it("prints the plan as JSON with --json", async () => {
    const result = await plan(["--stack", "prod", "--json"]);
    assert.equal(result.code, 0);
    const description = JSON.parse(result.stdout) as PlanDescription;
    assert.deepEqual(
      description.steps.map((step) => [step.weight, step.bakeSeconds, step.startsAfterSeconds]),
      [
        [5, 240, 0],
        [50, 360, 240],
        [100, 600, 600],
      ],
    );
    assert.equal(description.totalBakeSeconds, 1200);
    assert.deepEqual(description.alarmKeys, ["errorRate", "unhealthyHosts"]);
    assert.deepEqual(description.colourAlarms, []);
    assert.deepEqual(description.extraAlarms, ["checkout-orders-per-minute"]);
    assert.equal(description.pollIntervalSeconds, 15);
    assert.deepEqual(description.insufficientData, { policy: "fail", deadlineSeconds: 300 });
  });

  it("watches the team's alarms of the candidate colour in Kubernetes gateway mode, not ALB ones", async () => {
    const result = await plan(["--stack", "gateway-dev", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const description = JSON.parse(result.stdout) as PlanDescription;
    assert.deepEqual(description.alarmKeys, []);
    assert.deepEqual(description.colourAlarms, [
      "catalog-gateway-dev-green-pod-restarts",
      "catalog-gateway-dev-green-5xx-rate",
    ]);
  });
});
