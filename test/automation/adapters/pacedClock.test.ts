import assert from "node:assert/strict";
import { PacedClock } from "../../../automation/adapters/pacedClock";
import type { Clock } from "../../../automation/ports";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";

describe("PacedClock", () => {
  it("waits 1/speed of each sleep in real time and advances virtual time by all of it", async () => {
    const waited: number[] = [];
    const real: Clock = { now: () => 0, sleep: async (ms) => void waited.push(ms) };
    const virtual = new VirtualClock(1_000);
    const clock = new PacedClock(virtual, real, 60);
    await clock.sleep(600_000);
    assert.deepEqual(waited, [10_000]);
    assert.equal(clock.now(), 601_000);
  });

  it("sleeps beside in real time only, leaving virtual time to the rehearsal", async () => {
    const waited: number[] = [];
    const real: Clock = { now: () => 0, sleep: async (ms) => void waited.push(ms) };
    const clock = new PacedClock(new VirtualClock(1_000), real, 60);
    await clock.sleepBeside(600_000);
    assert.deepEqual(waited, [10_000]);
    assert.equal(clock.now(), 1_000);
  });

  it("fires scheduled world events at their virtual time", async () => {
    const virtual = new VirtualClock(0);
    const seen: number[] = [];
    virtual.schedule(30_000, () => seen.push(virtual.now()));
    await new PacedClock(virtual, { now: () => 0, sleep: async () => undefined }, 10).sleep(60_000);
    assert.deepEqual(seen, [30_000]);
  });

  it("refuses a speed that is not positive", () => {
    assert.throws(
      () => new PacedClock(new VirtualClock(0), { now: () => 0, sleep: async () => undefined }, 0),
      /speed must be a positive number/,
    );
  });
});
