import assert from "node:assert/strict";
import type { RolloutEvent } from "../../../automation/events";
import type { ReleaseValues, StackPort, UpdateOptions } from "../../../automation/ports";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { Emitter } from "../../../automation/rollout/emitter";
import { ReleaseWriter, type ReleaseUpdate, type UpdateOutcome } from "../../../automation/rollout/release";
import { throttling } from "../support";
import type { TrafficSplit, StackOutputs } from "../../../components/domain";

const WRITTEN: Omit<ReleaseValues, "revision"> = {
  traffic: { blue: 75, green: 25 },
  slots: { blue: { version: "1.4.0" }, green: { version: "1.5.0" } },
  stable: "blue",
};

/** Outputs that differ from the written values in `change`. */
function outputs(
  change: { traffic?: TrafficSplit; green?: string; stable?: "blue" | "green" } = {},
): StackOutputs {
  return {
    traffic: change.traffic ?? WRITTEN.traffic,
    slots: { blue: WRITTEN.slots.blue, green: { version: change.green ?? WRITTEN.slots.green.version } },
    stableColour: change.stable ?? WRITTEN.stable,
  } as unknown as StackOutputs;
}

/** A stack whose update does what `update` says and whose outputs read what `read` says. */
function setup(options: { update: () => Promise<number>; read?: () => Promise<StackOutputs | undefined> }) {
  const writes: ReleaseValues[] = [];
  const updates: UpdateOptions[] = [];
  const events: RolloutEvent[] = [];
  const clock = new VirtualClock(0);
  const stack: StackPort = {
    name: "dev",
    outputs: options.read ?? (async () => outputs()),
    readValues: async () => ({ ...WRITTEN, revision: 0 }),
    writeValues: async (values) => void writes.push(values),
    update: async (update) => {
      updates.push(update);
      const changed = await options.update();
      return { changed, outputs: outputs() };
    },
    previewChanges: async () => 0,
    lock: async () => undefined,
  };
  const emitter = new Emitter({ emit: (event) => events.push(event) }, clock, 0);
  const writer = new ReleaseWriter(stack, { clock, random: () => 0.5 }, emitter, 7);
  return { writer, writes, updates, events, clock };
}

const failed = () => Promise.reject(Object.assign(new Error("update failed"), { name: "CommandError" }));

describe("rollout/release: update, then check whether it saved", () => {
  const full: ReleaseUpdate = { message: "bluegreen: promote" };
  const targeted: ReleaseUpdate = { message: "bluegreen: step 2/4", targets: ["urn:listener"] };
  const cases: {
    label: string;
    update: ReleaseUpdate;
    run: () => Promise<number>;
    read?: () => Promise<StackOutputs | undefined>;
    expected: UpdateOutcome["kind"];
  }[] = [
    { label: "an update that returns applied", update: full, run: async () => 2, expected: "applied" },
    {
      label: "a full update that threw, outputs showing every value written, saved",
      update: full,
      run: failed,
      expected: "saved-despite-error",
    },
    {
      label: "a full update that threw, a slot not applied, failed",
      update: full,
      run: failed,
      read: async () => outputs({ green: "1.4.9" }),
      expected: "failed",
    },
    {
      label: "a full update that threw, the stable colour not applied, failed",
      update: full,
      run: failed,
      read: async () => outputs({ stable: "green" }),
      expected: "failed",
    },
    {
      label: "a full update that threw, the traffic not applied, failed",
      update: full,
      run: failed,
      read: async () => outputs({ traffic: { blue: 90, green: 10 } }),
      expected: "failed",
    },
    {
      label: "a targeted update that threw, the traffic applied (it applies nothing else), saved",
      update: targeted,
      run: failed,
      read: async () => outputs({ green: "1.4.9", stable: "green" }),
      expected: "saved-despite-error",
    },
    {
      label: "a targeted update that threw, the traffic not applied, failed",
      update: targeted,
      run: failed,
      read: async () => outputs({ traffic: { blue: 90, green: 10 } }),
      expected: "failed",
    },
    {
      label: "an update that threw on a stack with no outputs, failed",
      update: full,
      run: failed,
      read: async () => undefined,
      expected: "failed",
    },
  ];
  for (const c of cases) {
    it(c.label, async () => {
      const { writer, updates } = setup({ update: c.run, read: c.read });
      await writer.write(WRITTEN);
      const outcome = await writer.update(c.update);
      assert.equal(outcome.kind, c.expected);
      assert.equal(updates.length, 1, "an update is never repeated");
      assert.deepEqual(updates[0].targets, c.update.targets);
      if (outcome.kind === "applied") assert.equal(outcome.changed, 2);
      if (outcome.kind !== "applied") assert.match(String(outcome.error), /update failed/);
    });
  }

  it("reads the outputs under the read policy: a throttled read is retried", async () => {
    let reads = 0;
    const { writer, clock } = setup({
      update: failed,
      read: async () => {
        reads += 1;
        if (reads < 3) throw throttling();
        return outputs();
      },
    });
    await writer.write(WRITTEN);
    assert.equal((await writer.update({ message: "m" })).kind, "saved-despite-error");
    assert.equal(reads, 3);
    assert.equal(clock.now(), 250 + 500, "two jittered pauses on the clock");
  });

  it("outputs that cannot be read mean failed, with a warning that says why", async () => {
    const { writer, events } = setup({
      update: failed,
      read: async () => {
        throw new Error("pulumi stack output: exit 255");
      },
    });
    await writer.write(WRITTEN);
    assert.equal((await writer.update({ message: "m" })).kind, "failed");
    assert.deepEqual(
      events.map((event) => event.type === "warning" && event.message),
      [
        "could not read the stack's outputs to see whether the update was saved: pulumi stack output: exit 255",
      ],
    );
  });

  it("every write raises the revision, a failed one included", async () => {
    const { writer, writes } = setup({ update: async () => 0 });
    assert.equal(await writer.write(WRITTEN), 8);
    assert.equal(await writer.write(WRITTEN), 9);
    assert.deepEqual(
      writes.map((values) => values.revision),
      [8, 9],
    );
    const attempted: number[] = [];
    const broken = new ReleaseWriter(
      {
        ...({} as StackPort),
        writeValues: async (values) => {
          attempted.push(values.revision);
          throw new Error("config set-all failed");
        },
      },
      { clock: new VirtualClock(0), random: () => 0.5 },
      new Emitter({ emit: () => undefined }, new VirtualClock(0), 0),
      8,
    );
    await assert.rejects(broken.write(WRITTEN), /config set-all failed/);
    await assert.rejects(broken.write(WRITTEN), /config set-all failed/);
    assert.deepEqual(attempted, [9, 10], "no two writes carry the same revision");
    await assert.rejects(broken.update({ message: "m" }), /write the values before updating/);
  });
});
