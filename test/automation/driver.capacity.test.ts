import assert from "node:assert/strict";
import { runRollout, RolloutResult } from "../../automation/rollout";
import type { RolloutEvent } from "../../automation/events";
import { SimulatedWorld, VirtualClock } from "../../automation/rehearsal";
import { SIMULATED_SCALE_UP_SECONDS } from "../../automation/rehearsal/simulatedCapacity";
import type { CapacityScaler } from "../../automation/ports";
import { EPOCH, testConfig } from "./support";
import type { BluegreenConfig } from "../../infra/config/validate";

/**
 * The candidate was scaled down while idle: the rollout scales it up to the stable colour's count
 * after the deploy and before the readiness wait, and gives it no traffic until it is ready.
 */

interface Run {
  readonly world: SimulatedWorld;
  readonly events: RolloutEvent[];
  readonly result: RolloutResult;
}

async function roll(
  options: { idleCapacity?: number; config?: BluegreenConfig; scaler?: CapacityScaler } = {},
): Promise<Run> {
  const config = options.config ?? testConfig();
  const world = new SimulatedWorld({
    config,
    stackName: "dev",
    clock: new VirtualClock(EPOCH),
    ...(options.idleCapacity !== undefined ? { idleCapacity: options.idleCapacity } : {}),
  });
  const events: RolloutEvent[] = [];
  const deps = world.driverDeps({ emit: (event) => events.push(event) });
  const result = await runRollout(options.scaler ? { ...deps, scaler: options.scaler } : deps, {
    config,
    version: "1.5.0",
    resume: false,
    signal: world.signal,
  });
  return { world, events, result };
}

const types = (events: RolloutEvent[]) => events.map((event) => event.type);

describe("the driver scales an idle candidate up before it gets traffic", () => {
  it("scales green from 0 to blue's count after the deploy, waits for it, then checks and shifts", async () => {
    const { world, events, result } = await roll({ idleCapacity: 0 });
    assert.equal(result.outcome, "promoted", result.reason);
    const order = types(events);
    const at = (type: RolloutEvent["type"]) => order.indexOf(type);
    assert.ok(at("deployed") < at("scaling") && at("scaling") < at("scaled"));
    assert.ok(at("scaled") < at("ready") && at("ready") < at("checked") && at("checked") < at("shifted"));
    const scaling = events.find((event) => event.type === "scaling");
    const scaled = events.find((event) => event.type === "scaled");
    assert.deepEqual(scaling && { colour: scaling.colour, from: scaling.from, to: scaling.to }, {
      colour: "green",
      from: 0,
      to: 2,
    });
    assert.ok(scaled?.type === "scaled");
    // Ready within a poll of the simulated scale-up time, never before it.
    assert.ok(
      scaled.seconds >= SIMULATED_SCALE_UP_SECONDS && scaled.seconds < SIMULATED_SCALE_UP_SECONDS + 10,
    );
    assert.deepEqual(
      world.capacity?.recordedScales().map(({ colour, count }) => [colour, count]),
      [["green", 2]],
    );
    assert.equal(world.capacity?.capacity("green").ready, 2);
  });

  it("a warm candidate needs no scale-up: no scaling events, no scale asked for", async () => {
    const { world, events, result } = await roll();
    assert.equal(result.outcome, "promoted", result.reason);
    assert.ok(!types(events).includes("scaling") && !types(events).includes("scaled"));
    assert.deepEqual(world.capacity?.recordedScales(), []);
  });

  it("scales a candidate kept at a warm minimum up to the full count", async () => {
    const { events } = await roll({ idleCapacity: 1 });
    const scaling = events.find((event) => event.type === "scaling");
    assert.ok(scaling?.type === "scaling");
    assert.deepEqual([scaling.from, scaling.to], [1, 2]);
  });

  it("a scale-up that never gets ready stops the rollout before any traffic", async () => {
    const never: CapacityScaler = {
      capacity: async (colour) =>
        colour === "blue" ? { desired: 2, running: 2, ready: 2 } : { desired: 0, running: 0, ready: 0 },
      scale: async () => undefined,
    };
    const { events, result } = await roll({ idleCapacity: 0, scaler: never });
    assert.equal(result.outcome, "rolled-back");
    assert.match(
      result.reason,
      /green had 0 of 2 ready \d+s after it was scaled up from 0; it got no traffic/,
    );
    assert.ok(!types(events).includes("shifted"));
  });

  it("a capacity that cannot be read warns and leaves the gate to the readiness wait", async () => {
    const unreadable: CapacityScaler = {
      capacity: async () => {
        throw new Error("stack dev exports no capacity output");
      },
      scale: async () => assert.fail("scaled without knowing the capacity"),
    };
    const { events, result } = await roll({ scaler: unreadable });
    assert.equal(result.outcome, "promoted", result.reason);
    const warning = events.find((event) => event.type === "warning");
    assert.match(
      warning?.type === "warning" ? warning.message : "",
      /could not read the capacity of green and blue \(.*no capacity output\); relying on the readiness wait/,
    );
  });

  it("a colour scaled to 0 fails readiness in the simulated world until it is scaled up", async () => {
    const world = new SimulatedWorld({
      config: testConfig(),
      stackName: "dev",
      clock: new VirtualClock(EPOCH),
      idleCapacity: 0,
    });
    const readiness = await world.router.readiness("green");
    assert.equal(readiness.ready, false);
    assert.match(readiness.detail, /0 targets registered/);
    assert.equal((await world.router.readiness("blue")).ready, true);
  });

  it("the promotion records the previous colour as idle, with its version, count and window", async () => {
    const { world, events, result } = await roll();
    assert.equal(result.outcome, "promoted", result.reason);
    const promoted = events.find((event) => event.type === "promoted");
    const at = Date.parse(promoted?.time ?? "");
    const { idle } = await world.control.readRecord();
    assert.deepEqual(idle, {
      colour: "blue",
      version: "1.4.0",
      promotedAt: at,
      windowEndsAt: at + 3_600_000,
      capacity: 2,
    });
  });

  it("a stack kept warm records no window", async () => {
    const { world } = await roll({ config: testConfig({ idle: { rollbackWindow: "never" } }) });
    const { idle } = await world.control.readRecord();
    assert.equal(idle?.colour, "blue");
    assert.equal(idle?.windowEndsAt, undefined);
  });

  it("Lambda has no scaler: nothing to scale", async () => {
    const world = new SimulatedWorld({
      config: testConfig({
        service: { name: "orders", platform: "lambda" },
        network: undefined,
        ecs: undefined,
        lambda: { code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/{version}.zip" } },
      }),
      stackName: "dev",
      clock: new VirtualClock(EPOCH),
      idleCapacity: 0,
    });
    assert.equal(world.capacity, undefined);
    assert.equal(world.driverDeps({ emit: () => undefined }).scaler, undefined);
  });
});
