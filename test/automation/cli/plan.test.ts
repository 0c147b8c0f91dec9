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
