import assert from "node:assert/strict";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";

describe("VirtualClock", () => {
  it("starts at the given time, or 0", () => {
    assert.equal(new VirtualClock().now(), 0);
    assert.equal(new VirtualClock(1_700_000_000_000).now(), 1_700_000_000_000);
  });

  it("advances by the slept time at once", async () => {
    const clock = new VirtualClock(1_000);
    await clock.sleep(90_000);
    assert.equal(clock.now(), 91_000);
    await clock.sleep(0);
    assert.equal(clock.now(), 91_000);
  });

  it("fires scheduled callbacks in time order, each seeing its own time", async () => {
    const clock = new VirtualClock(0);
    const fired: [string, number][] = [];
    clock.schedule(30_000, () => fired.push(["c", clock.now()]));
    clock.schedule(10_000, () => fired.push(["a", clock.now()]));
    clock.schedule(10_000, () => fired.push(["b", clock.now()]));
    clock.schedule(90_000, () => fired.push(["late", clock.now()]));
    await clock.sleep(60_000);
    assert.deepEqual(fired, [
      ["a", 10_000],
      ["b", 10_000],
      ["c", 30_000],
    ]);
    assert.equal(clock.now(), 60_000);
    await clock.sleep(60_000);
    assert.deepEqual(fired.at(-1), ["late", 90_000]);
  });

  it("fires a callback scheduled in the past at the next sleep without moving time back", async () => {
    const clock = new VirtualClock(50_000);
    let seen: number | undefined;
    clock.schedule(10_000, () => (seen = clock.now()));
    await clock.sleep(0);
    assert.equal(seen, 50_000);
    assert.equal(clock.now(), 50_000);
  });

  it("fires callbacks that callbacks schedule within the same sleep", async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.schedule(1_000, () => {
      fired.push(clock.now());
      clock.schedule(2_000, () => fired.push(clock.now()));
    });
    await clock.sleep(5_000);
    assert.deepEqual(fired, [1_000, 2_000]);
  });

  it("wakes a sleep beside at the moment another sleep passes its end, without moving time itself", async () => {
    const clock = new VirtualClock(0);
    const woke: number[] = [];
    const beside = clock.sleepBeside(10_000).then(() => woke.push(clock.now()));
    await clock.sleep(4_000);
    assert.deepEqual(woke, [], "not yet: time is at 4s");
    await clock.sleep(30_000);
    await beside;
    assert.deepEqual(woke, [10_000], "it ran at 10s, before time moved on");
    assert.equal(clock.now(), 34_000);
  });

  it("rejects a sleep beside when its signal aborts, and leaves time alone", async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const beside = clock.sleepBeside(10_000, controller.signal);
    controller.abort();
    await assert.rejects(beside, { name: "AbortError" });
    await clock.sleep(20_000);
    assert.equal(clock.now(), 20_000);
  });

  it("rejects with an AbortError when the signal is already aborted, without advancing", async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(clock.sleep(10_000, controller.signal), { name: "AbortError" });
    assert.equal(clock.now(), 0);
  });

  it("stops at the moment a callback aborts the signal and leaves later callbacks pending", async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const fired: number[] = [];
    clock.schedule(20_000, () => controller.abort());
    clock.schedule(40_000, () => fired.push(clock.now()));
    await assert.rejects(clock.sleep(60_000, controller.signal), { name: "AbortError" });
    assert.equal(clock.now(), 20_000);
    assert.deepEqual(fired, []);
    await clock.sleep(30_000);
    assert.deepEqual(fired, [40_000]);
  });

  it("rejects when the signal aborts while the sleep yields", async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    controller.abort();
    await assert.rejects(sleeping, { name: "AbortError" });
  });

  it("yields to the microtask queue once per sleep, so concurrent work interleaves", async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    const sleeper = (async () => {
      await clock.sleep(0);
      order.push("after sleep");
    })();
    order.push("caller continues");
    await sleeper;
    assert.deepEqual(order, ["caller continues", "after sleep"]);
  });

  const invalid: [string, () => unknown][] = [
    ["sleep(NaN)", () => new VirtualClock().sleep(Number.NaN)],
    ["schedule(Infinity)", () => new VirtualClock().schedule(Infinity, () => undefined)],
  ];
  for (const [name, call] of invalid) {
    it(`refuses ${name} with a message naming the argument`, async () => {
      await assert.rejects(async () => call(), /must be a finite number of milliseconds/);
    });
  }
});
