import assert from "node:assert/strict";
import { readStatus, runRollout, scaleDownIdle } from "../../automation/rollout";
import { formatStatus } from "../../automation/output/statusText";
import { SimulatedWorld, VirtualClock } from "../../automation/rehearsal";
import { EPOCH, testConfig } from "./support";

const HOUR = 3_600_000;

describe("status: each colour's capacity and the rollback window", () => {
  async function promoted() {
    const config = testConfig();
    const clock = new VirtualClock(EPOCH);
    const world = new SimulatedWorld({ config, stackName: "dev", clock });
    const rollout = await runRollout(world.driverDeps({ emit: () => undefined }), {
      config,
      version: "1.5.0",
      resume: false,
      signal: world.signal,
    });
    assert.equal(rollout.outcome, "promoted", rollout.reason);
    return { world, clock, config, promotedAt: clock.now() };
  }

  it("inside the window: both colours' tasks and when the window closes", async () => {
    const { world, config, promotedAt } = await promoted();
    const status = await readStatus(world.driverDeps({ emit: () => undefined }), config);
    assert.deepEqual(status.capacity?.blue, { desired: 2, running: 2, ready: 2 });
    assert.equal(status.idle?.colour, "blue");
    const text = formatStatus(status);
    assert.match(text, /^capacity: blue 2\/2 tasks ready, green 2\/2 tasks ready$/m);
    assert.match(
      text,
      new RegExp(
        `^idle: blue \\(1\\.4\\.0\\), rollback window closes at ${new Date(promotedAt + HOUR).toISOString().replace(/\.\d{3}Z$/, "Z")}$`,
        "m",
      ),
    );
  });

  it("after the scale-down: blue at 0 and how to get it back", async () => {
    const { world, clock, config } = await promoted();
    await clock.sleep(HOUR);
    await scaleDownIdle(
      { control: world.control, router: world.router, scaler: world.capacity!.port, clock },
      0,
    );
    const text = formatStatus(await readStatus(world.driverDeps({ emit: () => undefined }), config));
    assert.match(text, /^capacity: blue 0\/0 tasks ready, green 2\/2 tasks ready$/m);
    assert.match(
      text,
      /^idle: blue \(1\.4\.0\), scaled down to 0 at .*: `bluegreen undo` scales it up first$/m,
    );
  });

  it("before any promotion: capacity only, no idle line", async () => {
    const config = testConfig();
    const world = new SimulatedWorld({ config, stackName: "dev", clock: new VirtualClock(EPOCH) });
    const text = formatStatus(await readStatus(world.driverDeps({ emit: () => undefined }), config));
    assert.match(text, /^capacity: /m);
    assert.doesNotMatch(text, /^idle:/m);
  });
});
