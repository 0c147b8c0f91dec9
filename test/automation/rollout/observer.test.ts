import assert from "node:assert/strict";
import type { RolloutEvent } from "../../../automation/events";
import type { AlarmReading, AlarmStateValue } from "../../../automation/ports";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { Emitter } from "../../../automation/rollout/emitter";
import { PollObserver } from "../../../automation/rollout/observer";
import { OperatorChannel } from "../../../automation/rollout/operator";
import { throttling } from "../support";
import type { TrafficSplit } from "../../../components/domain";

const WATCHED = ["svc-green-deploy", "svc-green-errorRate"];
const EXPECTED: TrafficSplit = { blue: 90, green: 10 };

/** An observer over alarms and a router the test steers, with every event recorded. */
function setup(options: { maxReadFailures?: number } = {}) {
  const clock = new VirtualClock(0);
  const events: RolloutEvent[] = [];
  const emitter = new Emitter({ emit: (event) => events.push(event) }, clock, 0);
  const states: Record<string, AlarmStateValue> = { "svc-green-deploy": "OK", "svc-green-errorRate": "OK" };
  const world = { states, alarmReadsFail: false, liveReads: 0 };
  const control = new MemoryControlChannel();
  const observer = new PollObserver({
    alarms: {
      read: async (names) => {
        if (world.alarmReadsFail) throw throttling();
        return names.map((name): AlarmReading => ({
          name,
          state: world.states[name],
          reason: `${name} says so`,
        }));
      },
    },
    router: {
      read: async () => {
        world.liveReads += 1;
        return EXPECTED;
      },
      write: async () => undefined,
      readiness: async () => ({ ready: true, detail: "" }),
      preTrafficCheck: async () => ({ ready: true, detail: "" }),
    },
    time: { clock, random: () => 0.5 },
    emitter,
    operator: new OperatorChannel(control, emitter, () => clock.now()),
    signal: new AbortController().signal,
    watched: WATCHED,
    initialStates: { "svc-green-deploy": "OK", "svc-green-errorRate": "INSUFFICIENT_DATA" },
    unknownPolicy: { policy: "wait", deadlineSeconds: 300 },
    maxReadFailures: options.maxReadFailures ?? 2,
  });
  return { observer, world, events, control, clock };
}

describe("rollout/observer: one look at the world per poll", () => {
  it("a clean poll reads the alarms and the live split, takes the operator's request and beats", async () => {
    const { observer, world, control, clock } = setup();
    control.post({ kind: "promote", by: "alice", at: 0 });
    const seen = await observer.observe(0, 0, EXPECTED);
    assert.deepEqual(seen.alarms, { kind: "ok" });
    assert.deepEqual(seen.live, EXPECTED);
    assert.deepEqual(seen.request, { kind: "promote", by: "alice" });
    assert.equal(world.liveReads, 1);
    assert.equal(await control.lastHeartbeat(), clock.now());
  });

  it("emits alarm only for a change, the first compared with what the preflight saw", async () => {
    const { observer, world, events } = setup();
    await observer.observe(0, 0, EXPECTED);
    await observer.observe(0, 0, EXPECTED);
    world.states["svc-green-deploy"] = "ALARM";
    await observer.observe(0, 0, EXPECTED);
    assert.deepEqual(
      events
        .filter((event) => event.type === "alarm")
        .map((event) => event.type === "alarm" && [event.name, event.previous, event.state]),
      [
        ["svc-green-errorRate", "INSUFFICIENT_DATA", "OK"],
        ["svc-green-deploy", "OK", "ALARM"],
      ],
    );
    assert.deepEqual(observer.alarmStates(), { "svc-green-deploy": "ALARM", "svc-green-errorRate": "OK" });
  });

  it("a poll whose alarm fires does not wait for the live split", async () => {
    const { observer, world } = setup();
    world.states["svc-green-errorRate"] = "ALARM";
    const seen = await observer.observe(0, 0, EXPECTED);
    assert.equal(seen.alarms?.kind, "revert");
    assert.equal(seen.live, undefined);
    assert.equal(world.liveReads, 0);
  });

  it("counts failed alarm reads per poll (after the read policy's retries) and resets them on success", async () => {
    const { observer, world, events, clock } = setup({ maxReadFailures: 3 });
    world.alarmReadsFail = true;
    const first = await observer.observe(0, 0, EXPECTED);
    assert.equal(clock.now(), 250 + 500, "three attempts, two jittered pauses");
    const second = await observer.observe(0, 0, EXPECTED);
    world.alarmReadsFail = false;
    const third = await observer.observe(0, 0, EXPECTED);
    assert.deepEqual([first.alarmReadFailures, second.alarmReadFailures, third.alarmReadFailures], [1, 2, 0]);
    assert.deepEqual(
      events
        .filter((event) => event.type === "alarm-read-failed")
        .map((event) => event.type === "alarm-read-failed" && [event.consecutive, event.limit, event.error]),
      [
        [1, 3, "ThrottlingException: Rate exceeded"],
        [2, 3, "ThrottlingException: Rate exceeded"],
      ],
    );
    assert.equal(world.liveReads, 3, "below the limit the live split is still read");
  });

  it("alarms unreadable for the limit of polls: the last poll does not wait for the live split", async () => {
    const { observer, world } = setup({ maxReadFailures: 2 });
    world.alarmReadsFail = true;
    await observer.observe(0, 0, EXPECTED);
    const last = await observer.observe(0, 0, EXPECTED);
    assert.equal(last.alarmReadFailures, 2);
    assert.equal(world.liveReads, 1);
  });

  it("a new step counts afresh", async () => {
    const { observer, world } = setup({ maxReadFailures: 3 });
    world.alarmReadsFail = true;
    await observer.observe(0, 0, EXPECTED);
    observer.startStep();
    assert.equal((await observer.observe(1, 0, EXPECTED)).alarmReadFailures, 1);
  });
});
