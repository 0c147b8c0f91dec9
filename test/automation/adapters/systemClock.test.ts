import assert from "node:assert/strict";
import { SystemClock } from "../../../automation/adapters/systemClock";

describe("SystemClock", () => {
  const clock = new SystemClock();

  it("tells wall time", () => {
    const before = Date.now();
    const now = clock.now();
    assert.ok(now >= before && now <= Date.now());
  });

  it("rejects at once with an AbortError when the signal is already aborted", async () => {
    await assert.rejects(clock.sleep(60_000, AbortSignal.abort()), { name: "AbortError" });
  });

  it("ends a long sleep as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const sleeping = clock.sleep(3_600_000, controller.signal);
    controller.abort();
    await assert.rejects(sleeping, { name: "AbortError" });
  });

  it("resolves a zero sleep", async () => {
    await clock.sleep(0);
  });
});
