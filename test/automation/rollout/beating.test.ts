import assert from "node:assert/strict";
import { SystemClock } from "../../../automation/adapters/systemClock";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { whileBeating } from "../../../automation/rollout/beating";

describe("whileBeating", () => {
  it("beats every interval on the operation's virtual time, without moving it", async () => {
    const clock = new VirtualClock(0);
    const beats: number[] = [];
    const value = await whileBeating(
      { clock, intervalMs: 10_000, beat: async () => void beats.push(clock.now()) },
      async () => {
        await clock.sleep(45_000);
        return "done";
      },
    );
    assert.equal(value, "done");
    assert.deepEqual(beats, [10_000, 20_000, 30_000, 40_000]);
    assert.equal(clock.now(), 45_000, "the beats did not stretch the operation");
  });

  it("does not beat, nor move time, around an operation that takes no time", async () => {
    const clock = new VirtualClock(5_000);
    const beats: number[] = [];
    await whileBeating(
      { clock, intervalMs: 10_000, beat: async () => void beats.push(clock.now()) },
      async () => 1,
    );
    assert.deepEqual(beats, []);
    assert.equal(clock.now(), 5_000);
  });

  it("passes the operation's failure on, and a failing beat does not touch the operation", async () => {
    const clock = new VirtualClock(0);
    let attempts = 0;
    const beat = async (): Promise<void> => {
      attempts += 1;
      throw new Error("the control table is unreachable");
    };
    await assert.rejects(
      whileBeating({ clock, intervalMs: 1_000, beat }, async () => {
        await clock.sleep(3_500);
        throw new Error("update failed");
      }),
      /update failed/,
    );
    assert.equal(attempts, 3, "every beat was tried");
  });

  it("beats on the real clock while the operation waits, and stops when it settles", async () => {
    const clock = new SystemClock();
    let beats = 0;
    await whileBeating({ clock, intervalMs: 5, beat: async () => void (beats += 1) }, () => clock.sleep(60));
    const after = beats;
    assert.ok(after >= 3, `${after} beats in 60ms at a 5ms interval`);
    await clock.sleep(30);
    assert.equal(beats, after, "no beat after the operation settled");
  });

  it("refuses an interval that is not positive", async () => {
    const clock = new VirtualClock(0);
    await assert.rejects(
      whileBeating({ clock, intervalMs: 0, beat: async () => undefined }, async () => 1),
      /must be positive, got 0/,
    );
  });
});
