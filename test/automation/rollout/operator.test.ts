import assert from "node:assert/strict";
import type { RolloutEvent } from "../../../automation/events";
import type { ControlChannel } from "../../../automation/ports";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { Emitter } from "../../../automation/rollout/emitter";
import { RolloutStop } from "../../../automation/rollout/failures";
import { OperatorChannel } from "../../../automation/rollout/operator";

function setup(control: ControlChannel = new MemoryControlChannel()) {
  const clock = new VirtualClock(5_000);
  const events: RolloutEvent[] = [];
  const emitter = new Emitter({ emit: (event) => events.push(event) }, clock, 0);
  const warnings = () => events.flatMap((event) => (event.type === "warning" ? [event.message] : []));
  return { operator: new OperatorChannel(control, emitter, () => clock.now()), warnings };
}

const broken: ControlChannel = {
  take: () => Promise.reject(new Error("EACCES: .bluegreen/control")),
  send: () => Promise.reject(new Error("EACCES")),
  heartbeat: () => Promise.reject(new Error("ENOSPC: no space left on device")),
  lastHeartbeat: async () => undefined,
  clearHeartbeat: () => Promise.reject(new Error("EROFS")),
};

describe("rollout/operator: requests and heartbeat, best effort", () => {
  it("an abort outside a bake stops the run, naming who asked", async () => {
    const control = new MemoryControlChannel();
    control.post({ kind: "abort", by: "alice", at: 1 });
    await assert.rejects(setup(control).operator.takeOutsideBake("while waiting"), (error) => {
      assert.ok(error instanceof RolloutStop);
      assert.deepEqual([error.cause, error.reason, error.at], ["abort", "aborted by alice", 5_000]);
      return true;
    });
  });

  it("a promote outside a bake is ignored with a warning", async () => {
    const control = new MemoryControlChannel();
    control.post({ kind: "promote-full", by: "bob", at: 1 });
    const { operator, warnings } = setup(control);
    await operator.takeOutsideBake("while waiting for the candidate to become ready");
    assert.deepEqual(warnings(), [
      "promote-full requested by bob ignored while waiting for the candidate to become ready: there is no bake to end yet",
    ]);
  });

  it("a request left before the run is discarded with a warning", async () => {
    const control = new MemoryControlChannel();
    control.post({ kind: "abort", by: "yesterday", at: 1 });
    const { operator, warnings } = setup(control);
    await operator.discardStale();
    assert.equal(await control.take(), undefined);
    assert.deepEqual(warnings(), [
      "discarded a abort request from yesterday that was sent before this run started",
    ]);
  });

  it("a channel that fails is a warning, never a stop", async () => {
    const { operator, warnings } = setup(broken);
    assert.equal(await operator.take(), undefined);
    await operator.heartbeat();
    await operator.clear();
    assert.deepEqual(warnings(), [
      "could not read operator requests: EACCES: .bluegreen/control",
      "the control channel failed: ENOSPC: no space left on device",
      "the control channel failed: EROFS",
    ]);
  });
});
