/**
 * The preflight's alarm rule: a rollout starts only when some alarm judges the candidate colour,
 * in the config it is handed and in the deployed stack, unless the config allows none.
 */
import assert from "node:assert/strict";
import { runRollout } from "../../../automation/rollout";
import type { BluegreenConfig } from "../../../infra/config/validate";
import { DriverHarness, testConfig } from "../support";

const NO_BUILT_IN_ALARMS = {
  errorRate: { enabled: false },
  latencyP95: { enabled: false },
  unhealthyHosts: { enabled: false },
};

/** A config with no built-in alarm, allowed by the stack file. */
function allowedNone(): BluegreenConfig {
  return testConfig({ alarms: { ...NO_BUILT_IN_ALARMS, allowNone: true } });
}

function start(h: DriverHarness, config: BluegreenConfig = h.config) {
  return runRollout(h.deps(), {
    config,
    version: "1.5.0",
    reason: "release 1.5.0",
    resume: false,
    signal: h.world.signal,
  });
}

describe("preflight: no rollout with nothing judging the candidate", () => {
  const refusals: {
    name: string;
    world: () => BluegreenConfig;
    request: () => BluegreenConfig;
    reason: RegExp;
  }[] = [
    {
      name: "a config that never went through the schema, every built-in alarm disabled",
      world: () => ({ ...allowedNone(), alarms: { ...allowedNone().alarms, allowNone: false } }),
      request: () => ({ ...allowedNone(), alarms: { ...allowedNone().alarms, allowNone: false } }),
      reason:
        /^preflight alarms: no alarm judges green: every built-in alarm of platform ecs \(errorRate, latencyP95, unhealthyHosts\) is disabled; .*set bluegreen:alarms\.allowNone: true/,
    },
    {
      name: "a deployed composite over no member alarms, whatever the stack file says",
      world: allowedNone,
      request: () => testConfig(),
      reason:
        /^preflight alarms: no alarm judges green: the deployed composite alarm checkout-dev-green has no member alarms; /,
    },
  ];
  for (const c of refusals) {
    it(`${c.name}: rejected with exit 2, nothing written`, async () => {
      const h = new DriverHarness({ config: c.world() });
      const result = await start(h, c.request());
      assert.deepEqual([result.outcome, result.exitCode], ["rejected", 2]);
      assert.match(result.reason, c.reason);
      const failed = h.eventsOf("preflight").filter((event) => !event.ok);
      assert.deepEqual(
        failed.map((event) => event.check),
        ["alarms"],
      );
      assert.ok(!h.types().includes("started"));
      assert.deepEqual(h.world.valueWrites(), [], "no writeValues");
      assert.deepEqual(h.world.updates(), [], "no update");
      assert.deepEqual(h.world.routerWrites(), [], "no router write");
    });
  }

  it("with alarms.allowNone it runs, and says that nothing watches or judges the candidate", async () => {
    const h = new DriverHarness({ config: allowedNone() });
    const result = await start(h);
    assert.deepEqual([result.outcome, result.exitCode], ["promoted", 0]);
    const alarms = h.eventsOf("preflight").find((event) => event.check === "alarms");
    assert.equal(alarms?.ok, true);
    assert.match(
      alarms?.detail ?? "",
      /^0 watched alarms: none; none judges green \(every built-in alarm of platform ecs .* is disabled; bluegreen:alarms\.allowNone is true\)$/,
    );
  });

  it("counts an extra alarm as watched, never as judging the candidate", async () => {
    const h = new DriverHarness({
      config: testConfig({
        alarms: { ...NO_BUILT_IN_ALARMS, allowNone: true, extra: ["checkout-orders-drop"] },
      }),
    });
    const result = await start(h);
    assert.equal(result.exitCode, 0);
    const alarms = h.eventsOf("preflight").find((event) => event.check === "alarms");
    assert.match(alarms?.detail ?? "", /^1 watched alarms: 1 OK; none judges green /);
  });

  it("watches the composite and its members when built-in alarms judge the candidate", async () => {
    const h = new DriverHarness();
    await start(h);
    const alarms = h.eventsOf("preflight").find((event) => event.check === "alarms");
    assert.equal(alarms?.detail, "4 watched alarms: 4 OK");
  });
});
