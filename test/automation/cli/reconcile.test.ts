import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../automation/cli/main";
import { loadStack } from "../../../automation/cli/stacks";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const START = 1_700_000_000_000;
const BACK = { blue: 100, green: 0 };

describe("bluegreen reconcile", () => {
  let project: ReturnType<typeof makeProject>;
  let clock: VirtualClock;
  let control: MemoryControlChannel;
  let world: SimulatedWorld;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
    clock = new VirtualClock(START);
    control = new MemoryControlChannel();
    // The guardian put traffic back on blue; the stack still says the killed run's 50%.
    world = new SimulatedWorld({
      config: loadStack(project.dir, "dev").config,
      stackName: "dev",
      clock,
      deployed: {
        traffic: { blue: 50, green: 50 },
        slots: { blue: { version: "1.4.1" }, green: { version: "1.5.0" } },
        stable: "blue",
        revision: 3,
      },
      live: BACK,
    });
  });
  afterEach(() => project.cleanup());

  async function trip(heartbeatAt: number): Promise<void> {
    await control.claimRun(
      {
        runId: "run-killed",
        version: "1.5.0",
        candidate: "green",
        stable: "blue",
        position: { step: 2, of: 4 },
        weights: { blue: 50, green: 50 },
        startedBy: "ci",
        startedAt: START - 3_600_000,
      },
      heartbeatAt,
    );
    await control.recordTrip(
      {
        runId: "run-killed",
        reason: "the driver of run run-killed is lost",
        triggeredAt: START - 60_000,
        weights: BACK,
      },
      START - 60_000,
    );
  }

  function services() {
    return testServices({
      clock,
      control,
      connect: async (request) => world.driverDeps(request.events, { clock, control: request.control }),
    });
  }

  it("restores the stack after the guardian's trip, clears the trip and audits it naming the guardian: exit 3", async () => {
    await trip(START - 1_800_000);
    const t = testIo(project.dir);
    const code = await run(["reconcile", "--stack", "dev", "--json"], t.io, services());
    assert.equal(code, 3, t.stdout() + t.stderr());
    assert.deepEqual(world.stackValues().traffic, BACK);
    assert.deepEqual(world.liveSplit(), BACK);
    const events = ndjson(t.stdout());
    assert.equal(events[events.length - 1].type, "completed");
    assert.equal(events[events.length - 1].outcome, "rolled-back");
    const record = await control.readRecord();
    assert.equal(record.trip, undefined);
    assert.equal(record.run, undefined);
    const [audit] = ndjson(fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8"));
    assert.equal(audit.command, "reconcile");
    assert.equal(audit.outcome, "rolled-back");
    assert.match(
      String(audit.reason),
      /^the guardian reverted run run-killed: the driver of run run-killed is lost/,
    );
  });

  it("a rollout the guardian trips ends rolled back, its audit record names the guardian, and the trip is cleared", async () => {
    const config = loadStack(project.dir, "dev").config;
    const fresh = new SimulatedWorld({ config, stackName: "dev", clock });
    clock.schedule(START + 7 * 60_000, () => {
      void (async () => {
        const recorded = (await control.readRecord()).run;
        if (!recorded) return;
        const at = clock.now();
        await control.recordTrip(
          {
            runId: recorded.runId,
            reason: "alarm checkout-dev-green of green entered ALARM",
            triggeredAt: at,
            weights: BACK,
          },
          at,
        );
        await fresh.router.write(BACK);
        await control.completeTrip(recorded.runId, at, BACK);
      })();
    });
    const t = testIo(project.dir);
    const code = await run(
      ["rollout", "--stack", "dev", "--version", "2.0.0", "--reason", "checkout fix"],
      t.io,
      testServices({
        clock,
        control,
        connect: async (request) => fresh.driverDeps(request.events, { clock, control: request.control }),
      }),
    );
    assert.equal(code, 3, t.stdout() + t.stderr());
    assert.match(t.stdout() + t.stderr(), /the guardian reverted traffic: alarm checkout-dev-green/);
    const [audit] = ndjson(fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8"));
    assert.equal(audit.command, "rollout");
    assert.equal(audit.outcome, "rolled-back");
    assert.match(
      String(audit.reason),
      /^checkout fix; the guardian reverted run .*: alarm checkout-dev-green of green entered ALARM/,
    );
    assert.equal((await control.readRecord()).trip, undefined, "the driver's own revert reconciled it");
  });

  it("has nothing to reconcile without a trip: exit 0, nothing touched", async () => {
    const t = testIo(project.dir);
    const s = services();
    const code = await run(["reconcile", "--stack", "dev"], t.io, s);
    assert.equal(code, 0, t.stderr());
    assert.match(t.stderr(), /nothing to reconcile: the guardian has not tripped on stack dev/);
    assert.equal(s.connects, 0);
  });

  it("leaves the rollback to a driver that still watches the tripped run: exit 0", async () => {
    await trip(START - 5_000);
    const t = testIo(project.dir);
    const s = services();
    const code = await run(["reconcile", "--stack", "dev"], t.io, s);
    assert.equal(code, 0, t.stderr());
    assert.match(t.stderr(), /the driver of run run-killed still watches stack dev/);
    assert.equal(s.connects, 0);
    assert.ok((await control.readRecord()).trip, "the trip stays for the driver");
  });
});
