import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../automation/cli/main";
import type { ConnectRequest } from "../../../automation/cli/connection";
import { loadStack } from "../../../automation/cli/stacks";
import type { DriverDeps, PreflightCheck } from "../../../automation/rollout";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

describe("bluegreen rollout", () => {
  let project: ReturnType<typeof makeProject>;
  let clock: VirtualClock;
  let world: SimulatedWorld;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
    clock = new VirtualClock(1_700_000_000_000);
    world = new SimulatedWorld({ config: loadStack(project.dir, "dev").config, stackName: "dev", clock });
  });
  afterEach(() => project.cleanup());

  function connect(checks: PreflightCheck[] = []) {
    return async (request: ConnectRequest): Promise<DriverDeps> =>
      world.driverDeps(request.events, { clock, control: request.control, preflightChecks: checks });
  }

  it("runs the driver against the connected ports, exits with its code and audits the run", async () => {
    const t = testIo(project.dir);
    const code = await run(
      ["rollout", "--stack", "dev", "--version", "1.5.0", "--reason", "ticket 42", "--json"],
      t.io,
      testServices({ clock, connect: connect() }),
    );
    assert.equal(code, 0, t.stderr());
    assert.deepEqual(world.liveSplit(), { blue: 0, green: 100 });
    assert.equal(ndjson(t.stdout()).at(-1)?.outcome, "promoted");
    const [record] = ndjson(fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8"));
    assert.equal(record.command, "rollout");
    assert.equal(record.rehearsal, false);
    assert.equal(record.reason, "ticket 42");
    assert.equal(record.at, "2023-11-14T22:13:20.000Z");
    assert.deepEqual(record.versions, { from: "1.4.1", to: "1.5.0" });
  });

  it("exits 2 and changes nothing when a preflight check fails", async () => {
    const t = testIo(project.dir);
    const code = await run(
      ["rollout", "--stack", "dev", "--version", "1.5.0"],
      t.io,
      testServices({
        clock,
        connect: connect([
          { name: "pulumi-cli", run: async () => ({ ok: false, detail: "no pulumi on PATH" }) },
        ]),
      }),
    );
    assert.equal(code, 2);
    assert.match(t.stdout(), /preflight pulumi-cli failed: no pulumi on PATH/);
    assert.equal(world.updates().length, 0);
  });

  it("aborts once on SIGINT, reverts and exits 4", async () => {
    const t = testIo(project.dir);
    clock.schedule(1_700_000_000_000 + 7 * 60_000, () => {
      t.raise("SIGINT");
      t.raise("SIGINT");
    });
    const code = await run(
      ["rollout", "--stack", "dev", "--version", "1.5.0"],
      t.io,
      testServices({ clock, connect: connect() }),
    );
    assert.equal(code, 4, t.stdout());
    assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
    assert.equal(t.stderr().match(/reverting traffic to the stable colour/g)?.length, 1);
    assert.match(t.stderr(), /a revert is in progress/);
    assert.equal(t.listeners(), 0);
  });

  for (const cause of ["SIGHUP", "parent-exited"] as const) {
    it(`treats ${cause} as a stop: reverts and exits 4, naming what stopped it`, async () => {
      const t = testIo(project.dir);
      clock.schedule(1_700_000_000_000 + 7 * 60_000, () => t.raise(cause));
      const code = await run(
        ["rollout", "--stack", "dev", "--version", "1.5.0", "--json"],
        t.io,
        testServices({ clock, connect: connect() }),
      );
      assert.equal(code, 4, t.stderr());
      assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
      const completed = ndjson(t.stdout()).pop();
      assert.equal(completed?.outcome, "aborted");
      assert.match(
        String(completed?.reason),
        cause === "SIGHUP" ? /stopped by SIGHUP/ : /stopped: the process that started bluegreen exited/,
      );
      assert.match(
        t.stderr(),
        cause === "SIGHUP"
          ? /SIGHUP: reverting traffic to the stable colour/
          : /the process that started bluegreen exited: reverting traffic to the stable colour/,
      );
    });
  }

  it("keeps the exit code when the audit log cannot be written", async () => {
    const blocker = path.join(project.dir, "not-a-dir");
    fs.writeFileSync(blocker, "");
    const t = testIo(project.dir, { env: { BLUEGREEN_AUDIT_LOG: path.join(blocker, "audit.ndjson") } });
    const code = await run(
      ["rollout", "--stack", "dev", "--version", "1.5.0"],
      t.io,
      testServices({ clock, connect: connect() }),
    );
    assert.equal(code, 0);
    assert.match(t.stderr(), /warning: could not append the audit record to .*set BLUEGREEN_AUDIT_LOG/);
  });
});
