import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../automation/cli/main";
import { parseScenario } from "../../../automation/rehearsal/scenario";
import { GUARDIAN_ALARM_DELAY_MS } from "../../../automation/rehearsal/simulatedGuardian";
import { GUARDIAN_DEFAULTS } from "../../../infra/config/guardian";
import { GUARDIAN_SCHEDULE_SECONDS } from "../../../components/domain";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "../cli/support";

const START = 1_700_000_000_000;
const KILL_AT_50 = 12 * 60;

describe("rehearsing a killed driver: the guardian on the virtual clock", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
  });
  afterEach(() => project.cleanup());

  async function rehearse(scenario: string) {
    fs.writeFileSync(path.join(project.dir, "scenario.yaml"), scenario);
    const t = testIo(project.dir);
    const code = await run(
      ["rehearse", "--stack", "dev", "--version", "2.0.0", "--scenario", "scenario.yaml", "--json"],
      t.io,
      testServices({ clock: new VirtualClock(START) }),
    );
    return { code, events: ndjson(t.stdout()), stderr: t.stderr() };
  }

  const warnings = (events: Record<string, unknown>[]): string[] =>
    events.filter((event) => event.type === "warning").map((event) => String(event.message));

  it("a driver killed at the 50% step ends rolled back within the driver timeout plus one schedule period", async () => {
    const { code, events, stderr } = await rehearse("events:\n  - { at: 12m, fault: driver-killed }\n");
    assert.equal(code, 3, stderr + JSON.stringify(events));
    const shifted = events
      .filter((event) => event.type === "shifted")
      .map((event) => (event.weights as { green: number }).green);
    assert.deepEqual(shifted, [10, 25, 50], "killed at the 50% step, never further");
    assert.ok(!events.some((event) => event.type === "promoted"));
    const killed = warnings(events).find((message) =>
      message.startsWith("the driver was killed 12m into the rollout"),
    );
    assert.ok(killed, warnings(events).join("\n"));
    const guardian = events.find(
      (event) =>
        event.type === "warning" && /^the guardian reverted traffic to blue at /.test(String(event.message)),
    );
    assert.ok(guardian, warnings(events).join("\n"));
    const revertedAt = Number(guardian.elapsedSeconds);
    assert.ok(revertedAt > KILL_AT_50, "after the kill");
    assert.ok(
      revertedAt <= KILL_AT_50 + GUARDIAN_DEFAULTS.driverTimeout + GUARDIAN_SCHEDULE_SECONDS,
      `the guardian reverted at ${revertedAt}s`,
    );
    assert.match(String(guardian.message), /the driver of run .* is lost/);
    const completed = events.filter((event) => event.type === "completed");
    assert.equal(completed.length, 1, "one completed event, the reconcile's: none from the killed driver");
    assert.equal(completed[0]?.outcome, "rolled-back");
    assert.match(String(completed[0]?.reason), /^the guardian reverted run /);
    const reverted = events.filter((event) => event.type === "reverted");
    assert.deepEqual(
      reverted.map((event) => event.weights),
      [{ blue: 100, green: 0 }],
    );
  });

  it("a candidate alarm after the kill reverts by the guardian's alarm path, a moment after it fires", async () => {
    const { code, events } = await rehearse(
      "events:\n  - { at: 11m, fault: driver-killed }\n  - { at: 12m, alarm: errorRate, state: ALARM }\n",
    );
    assert.equal(code, 3);
    const guardian = events.find(
      (event) => event.type === "warning" && /^the guardian reverted traffic/.test(String(event.message)),
    );
    assert.ok(guardian);
    assert.equal(Number(guardian.elapsedSeconds), 12 * 60 + GUARDIAN_ALARM_DELAY_MS / 1000);
    assert.match(
      String(guardian.message),
      /alarm checkout-dev-green-errorRate of green entered ALARM|alarm .* of green entered ALARM/,
    );
  });

  it("without a kill the rehearsal is the driver's alone, as before", async () => {
    const { code, events } = await rehearse("events:\n  - { at: 12m, alarm: errorRate, state: ALARM }\n");
    assert.equal(code, 3);
    assert.ok(!warnings(events).some((message) => /guardian/.test(message)));
  });

  it("the scenario takes driver-killed with no other keys", () => {
    assert.deepEqual(parseScenario("events:\n  - { at: 90s, fault: driver-killed }\n").events, [
      { at: 90_000, fault: "driver-killed" },
    ]);
    assert.throws(
      () => parseScenario("events:\n  - { at: 90s, fault: driver-killed, for: 1m }\n"),
      /unknown key/,
    );
  });
});
