import assert from "node:assert/strict";
import { run } from "../../../automation/cli/main";
import { loadStack } from "../../../automation/cli/stacks";
import type { StatusReport } from "../../../automation/rollout";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import type { InspectableControlChannel } from "../../../automation/cli/control";
import { ControlTableMissingError } from "../../../automation/adapters/control/dynamoErrors";
import type { ControlRun } from "../../../automation/core/controlRecord";
import { ecsStack, makeProject, testIo, testServices } from "./support";

const NOW = 1_700_000_000_000;

/** The run a driver on another machine recorded. */
const RUN: ControlRun = {
  runId: "run-7",
  version: "1.5.0",
  candidate: "green",
  stable: "blue",
  position: { step: 0, of: 4 },
  weights: { blue: 90, green: 10 },
  startedBy: "ci@example.com",
  reason: "ticket 7",
  startedAt: NOW - 120_000,
  bakeEndsAt: NOW + 200_000,
};

describe("bluegreen status", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
  });
  afterEach(() => project.cleanup());

  async function status(
    argv: string[],
    options: {
      live?: { blue: number; green: number };
      heartbeat?: number;
      failCheck?: boolean;
      control?: InspectableControlChannel;
      run?: boolean;
    } = {},
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
    const memory = new MemoryControlChannel();
    const control = options.control ?? memory;
    if (options.heartbeat !== undefined) await memory.heartbeat(options.heartbeat);
    if (options.run) await memory.claimRun(RUN, clock.now() - 3_000);
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

  it("shows the live run from the control record after the stack's view", async () => {
    const result = await status([], { run: true });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /stack dev \(ecs\), revision 4[\s\S]*control table bluegreen-checkout-dev/);
    assert.match(result.stdout, /^ {2}run run-7: 1\.5\.0 on green, blue stable$/m);
    assert.match(result.stdout, /^ {2}step 1 of 4 \(10%\): blue 90%, green 10%$/m);
    assert.match(result.stdout, /^ {2}bake: 3m20s left/m);
    assert.match(result.stdout, /^ {2}heartbeat 3s ago: a driver is watching$/m);
  });

  it("shows the record alone, exit 0, when the deployed stack cannot be read but a run is recorded", async () => {
    const result = await status([], { run: true, failCheck: true });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^stack dev: the deployed stack, the live router and the alarms could not be read \(preflight aws-credentials failed: no usable AWS credentials\); the control record follows$/m,
    );
    assert.match(result.stdout, /^ {2}run run-7: /m);
    assert.doesNotMatch(result.stdout, /revision 4/);
    assert.match(result.stderr, /preflight aws-credentials failed/);
    assert.match(
      result.stderr,
      /the live run is shown from the control table bluegreen-checkout-dev \(eu-west-1\)/,
    );
  });

  it("prints one JSON object with the record's view and what could not be read", async () => {
    const full = JSON.parse((await status(["--json"], { run: true })).stdout) as Record<string, unknown>;
    assert.equal(full.stack, "dev");
    assert.equal(full.drift, false);
    assert.equal(full.unread, undefined);
    const control = full.control as { run: Record<string, unknown>; heartbeat: Record<string, unknown> };
    assert.deepEqual(
      [
        control.run.runId,
        control.run.step,
        control.run.of,
        control.run.weights,
        control.run.bakeRemainingSeconds,
      ],
      ["run-7", 1, 4, { blue: 90, green: 10 }, 200],
    );
    assert.deepEqual(control.heartbeat, {
      at: new Date(NOW - 3_000).toISOString(),
      ageSeconds: 3,
      watched: true,
      stale: false,
    });
    const degraded = await status(["--json"], { run: true, failCheck: true });
    assert.equal(degraded.code, 0);
    const partial = JSON.parse(degraded.stdout) as Record<string, unknown>;
    assert.deepEqual(partial.unread, {
      stack: "preflight aws-credentials failed: no usable AWS credentials",
    });
    assert.equal(partial.drift, undefined);
    assert.equal((partial.control as { run: { runId: string } }).run.runId, "run-7");
  });

  it("exits 5 naming the table when the control record cannot be read, still showing the stack", async () => {
    const memory = new MemoryControlChannel();
    const control = Object.assign(Object.create(memory) as MemoryControlChannel, {
      readRecord: async () => {
        throw new ControlTableMissingError("bluegreen-checkout-dev");
      },
    });
    const result = await status([], { control });
    assert.equal(result.code, 5);
    assert.match(result.stdout, /stack dev \(ecs\), revision 4/);
    assert.match(
      result.stderr,
      /error: could not read the control record of stack dev: the control table bluegreen-checkout-dev does not exist in eu-west-1: run `pulumi up` for stack dev first, or set bluegreen:control\.channel: file; nothing was changed/,
    );
  });

  it("exits 2 with the check's detail when a preflight check fails", async () => {
    const result = await status([], { failCheck: true });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /preflight aws-credentials failed: no usable AWS credentials/);
  });
});
