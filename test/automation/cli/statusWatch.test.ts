/**
 * `bluegreen status --watch` on virtual time: it reads the control record every poll interval and
 * says what changed, ends exit 0 when the run it watched is released, or on a signal.
 */
import assert from "node:assert/strict";
import { run } from "../../../automation/cli/main";
import type { ControlRun } from "../../../automation/core/controlRecord";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const T0 = Date.UTC(2026, 11, 1, 1, 0, 0);
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

const RUN: ControlRun = {
  runId: "run-9",
  version: "1.5.0",
  candidate: "green",
  stable: "blue",
  position: { step: 0, of: 4 },
  weights: { blue: 90, green: 10 },
  startedBy: "ci@example.com",
  startedAt: T0,
};

describe("bluegreen status --watch", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({
      dev: ecsStack(),
      files: ecsStack({ extra: "  bluegreen:control:\n    channel: file\n" }),
    });
  });
  afterEach(() => project.cleanup());

  /** A run that shifts at 15s, is asked to pause at 25s and is released at 35s. */
  async function scriptedRun(clock: VirtualClock, control: MemoryControlChannel): Promise<void> {
    await control.claimRun(RUN, T0);
    clock.schedule(T0 + 15_000, () => {
      void control.recordRun(
        { ...RUN, position: { step: 1, of: 4 }, weights: { blue: 75, green: 25 } },
        clock.now(),
      );
    });
    clock.schedule(T0 + 25_000, () => control.post({ kind: "pause", by: "bob", at: clock.now() }));
    clock.schedule(T0 + 35_000, () => void control.releaseRun(RUN.runId));
  }

  it("prints one line per change in a log and ends when the run is released", async () => {
    const clock = new VirtualClock(T0);
    const control = new MemoryControlChannel();
    await scriptedRun(clock, control);
    const t = testIo(project.dir);
    const code = await run(["status", "--stack", "dev", "--watch"], t.io, testServices({ clock, control }));
    assert.equal(code, 0, t.stderr());
    assert.deepEqual(t.stdout().trimEnd().split("\n"), [
      `${at(0)}  run run-9: 1.5.0 on green (started by ci@example.com); step 1 of 4 (10%): blue 90%, green 10%`,
      `${at(20)}  step 2 of 4 (25%): blue 75%, green 25%`,
      `${at(30)}  pending request: pause from bob`,
      `${at(40)}  run run-9 ended: the record is released`,
      `${at(40)}  heartbeat: none: no driver is watching the stack`,
    ]);
    assert.equal(t.listeners(), 0, "the signal listener is removed");
  });

  it("prints one JSON object per change with --json", async () => {
    const clock = new VirtualClock(T0);
    const control = new MemoryControlChannel();
    await scriptedRun(clock, control);
    const t = testIo(project.dir);
    const code = await run(
      ["status", "--stack", "dev", "--watch", "--json"],
      t.io,
      testServices({ clock, control }),
    );
    assert.equal(code, 0, t.stderr());
    const objects = ndjson(t.stdout()) as {
      at: string;
      control: { run: { step: number } | null; request: unknown };
    }[];
    assert.deepEqual(
      objects.map((object) => [object.at, object.control.run?.step ?? null, object.control.request !== null]),
      [
        [at(0), 1, false],
        [at(20), 2, false],
        [at(30), 2, true],
        [at(40), null, true], // nobody took the pause: it is still pending
      ],
    );
  });

  it("redraws the whole view on a terminal", async () => {
    const clock = new VirtualClock(T0);
    const control = new MemoryControlChannel();
    await scriptedRun(clock, control);
    const t = testIo(project.dir, { isTTY: true });
    assert.equal(
      await run(["status", "--stack", "dev", "--watch"], t.io, testServices({ clock, control })),
      0,
    );
    const frames = t
      .stdout()
      .split("\u001b[2J\u001b[H")
      .filter((frame) => frame !== "");
    assert.equal(frames.length, 5, "a frame at 0s, 10s, 20s, 30s and 40s");
    assert.match(frames[0], /^ {2}step 1 of 4 \(10%\)/m);
    assert.match(frames[2], /^ {2}step 2 of 4 \(25%\)/m);
    assert.match(frames[3], /^ {2}pending request: pause from bob/m);
    assert.match(frames[4], /^ {2}no run recorded$/m);
    assert.match(frames[4], /refreshed .*, every 10s; Ctrl-C stops watching/);
  });

  it("waits for a run when none is recorded, and stops on Ctrl-C with exit 0", async () => {
    const clock = new VirtualClock(T0);
    const control = new MemoryControlChannel();
    const t = testIo(project.dir);
    clock.schedule(T0 + 45_000, () => t.raise("SIGINT"));
    const code = await run(["status", "--stack", "dev", "--watch"], t.io, testServices({ clock, control }));
    assert.equal(code, 0);
    assert.equal(clock.now(), T0 + 45_000, "it stopped at the signal");
    assert.equal(
      t.stdout(),
      `${at(0)}  no run recorded in the control table bluegreen-checkout-dev (eu-west-1)\n`,
    );
  });

  it("refuses, exit 2, on a stack that keeps its control in files", async () => {
    const clock = new VirtualClock(T0);
    const t = testIo(project.dir);
    // The file channel records no runs: it has no readRecord.
    const control = Object.assign(Object.create(new MemoryControlChannel()) as MemoryControlChannel, {
      readRecord: undefined,
    });
    const code = await run(["status", "--stack", "files", "--watch"], t.io, testServices({ clock, control }));
    assert.equal(code, 2);
    assert.match(
      t.stderr(),
      /status --watch follows the control table's record, and stack files keeps its control in files/,
    );
  });
});
