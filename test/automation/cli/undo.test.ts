import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../automation/cli/main";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { loadStack } from "../../../automation/cli/stacks";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const START = 1_700_000_000_000;

describe("bluegreen undo", () => {
  let project: ReturnType<typeof makeProject>;
  let clock: VirtualClock;
  let control: MemoryControlChannel;
  let world: SimulatedWorld;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
    clock = new VirtualClock(START);
    control = new MemoryControlChannel();
    // 1.5.0 was promoted on green a minute ago; blue (1.4.1) keeps its tasks for the window.
    world = new SimulatedWorld({
      config: loadStack(project.dir, "dev").config,
      stackName: "dev",
      clock,
      deployed: {
        traffic: { blue: 0, green: 100 },
        slots: { blue: { version: "1.4.1" }, green: { version: "1.5.0" } },
        stable: "green",
        revision: 6,
      },
    });
  });
  afterEach(() => project.cleanup());

  const undo = async (argv: string[] = []) => {
    const t = testIo(project.dir);
    const services = testServices({
      clock,
      control,
      connect: async (request) => world.driverDeps(request.events, { clock, control: request.control }),
    });
    const code = await run(["undo", "--stack", "dev", ...argv], t.io, services);
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  };

  it("puts all traffic back on blue's 1.4.1, exits 3 and records the undo in the audit log", async () => {
    await control.changeIdle(() => ({
      colour: "blue",
      version: "1.4.1",
      promotedAt: START - 60_000,
      windowEndsAt: START + 3_540_000,
      capacity: 2,
    }));
    const result = await undo(["--reason", "checkout errors"]);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /undoing the last promotion on stack dev: all traffic back to blue \(1\.4\.1\) from green \(1\.5\.0\)/,
    );
    assert.match(result.stdout, /reverted to blue 100%/);
    assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
    const audit = ndjson(fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8"));
    assert.equal(audit.length, 1);
    assert.equal(audit[0].command, "undo");
    assert.equal(audit[0].exitCode, 3);
  });

  it("with no promotion recorded, exits 2, says why and changes nothing", async () => {
    const result = await undo();
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nothing undone: no promotion is recorded in the control record/);
    assert.deepEqual(world.liveSplit(), { blue: 0, green: 100 });
    assert.equal(fs.existsSync(path.join(project.dir, "audit.ndjson")), false);
  });
});
