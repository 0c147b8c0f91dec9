import assert from "node:assert/strict";
import { run } from "../../../automation/cli/main";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { loadStack } from "../../../automation/cli/stacks";
import { ecsStack, makeProject, testIo, testServices } from "./support";

const START = 1_700_000_000_000;
const HOUR = 3_600_000;

describe("bluegreen idle --once", () => {
  let project: ReturnType<typeof makeProject>;
  let clock: VirtualClock;
  let control: MemoryControlChannel;
  let world: SimulatedWorld;
  beforeEach(async () => {
    project = makeProject({ dev: ecsStack() });
    clock = new VirtualClock(START);
    control = new MemoryControlChannel();
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
    await control.changeIdle(() => ({
      colour: "blue",
      version: "1.4.1",
      promotedAt: START,
      windowEndsAt: START + HOUR,
      capacity: 2,
    }));
  });
  afterEach(() => project.cleanup());

  const idle = async () => {
    const t = testIo(project.dir);
    const services = testServices({
      clock,
      control,
      connect: async (request) => world.driverDeps(request.events, { clock, control: request.control }),
    });
    const code = await run(["idle", "--stack", "dev", "--once"], t.io, services);
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  };

  it("inside the window: exit 0, nothing scaled, and says until when", async () => {
    const result = await idle();
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /stack dev: nothing to scale down: window-open until 2023-11-14T23:13:20\.000Z/,
    );
    assert.equal(world.capacity?.capacity("blue").desired, 2);
  });

  it("after the window: scales blue down, exit 0", async () => {
    await clock.sleep(HOUR);
    const result = await idle();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /stack dev: scaled blue down from 2 to 0 \(its rollback window closed\)/);
    assert.equal(world.capacity?.capacity("blue").desired, 0);
  });
});
