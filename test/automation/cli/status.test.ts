import assert from "node:assert/strict";
import { run } from "../../../automation/cli/main";
import { loadStack } from "../../../automation/cli/stacks";
import type { StatusReport } from "../../../automation/rollout";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, testIo, testServices } from "./support";

describe("bluegreen status", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
  });
  afterEach(() => project.cleanup());

  async function status(
    argv: string[],
    options: { live?: { blue: number; green: number }; heartbeat?: number; failCheck?: boolean } = {},
  ) {
    const clock = new VirtualClock(1_700_000_000_000);
    const config = loadStack(project.dir, "dev").config;
    const world = new SimulatedWorld({
      config,
      stackName: "dev",
      clock,
      deployed: {
        traffic: { blue: 90, green: 10 },
        slots: { blue: { version: "1.4.1" }, green: { version: "1.5.0" } },
        stable: "blue",
        revision: 4,
      },
      live: options.live,
    });
    const control = new MemoryControlChannel();
    if (options.heartbeat !== undefined) await control.heartbeat(options.heartbeat);
    const t = testIo(project.dir);
    const services = testServices({
      clock,
      control,
      connect: async (request) =>
        world.driverDeps(request.events, {
          clock,
          control: request.control,
          preflightChecks: options.failCheck
            ? [
                {
                  name: "aws-credentials",
                  run: async () => ({ ok: false, detail: "no usable AWS credentials" }),
                },
              ]
            : [],
        }),
    });
    const code = await run(["status", "--stack", "dev", ...argv], t.io, services);
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  }

  it("shows versions, weights, drift, alarms and that nobody watches", async () => {
    const result = await status([], { live: { blue: 75, green: 25 } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /stack dev \(ecs\), revision 4/);
    assert.match(result.stdout, /blue +stable +1\.4\.1 +75% live, 90% configured/);
    assert.match(result.stdout, /green +candidate +1\.5\.0 +25% live, 10% configured/);
    assert.match(
      result.stdout,
      /drift: the live split \(blue 75%, green 25%\) differs from the stack's last update \(blue 90%, green 10%\)/,
    );
    assert.match(
      result.stdout,
      /rollout: in progress, NOT watched: run `bluegreen rollout --resume` or `bluegreen abort`/,
    );
    assert.match(result.stdout, /OK +checkout-dev-green-error-rate/);
  });

  it("says a running driver watches when its heartbeat is recent", async () => {
    const result = await status([], { heartbeat: 1_700_000_000_000 - 5_000 });
    assert.match(result.stdout, /blue +stable +1\.4\.1 +90%\n/);
    assert.doesNotMatch(result.stdout, /drift/);
    assert.match(result.stdout, /rollout: in progress, watched by a running driver/);
  });

  it("prints the report as JSON with --json", async () => {
    const result = await status(["--json"], { live: { blue: 75, green: 25 } });
    const report = JSON.parse(result.stdout) as StatusReport;
    assert.equal(report.drift, true);
    assert.deepEqual(report.actual, { blue: 75, green: 25 });
    assert.deepEqual(report.configured, { blue: 90, green: 10 });
  });

  it("exits 2 with the check's detail when a preflight check fails", async () => {
    const result = await status([], { failCheck: true });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /preflight aws-credentials failed: no usable AWS credentials/);
  });
});
