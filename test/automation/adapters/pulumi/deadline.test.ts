import * as assert from "node:assert/strict";
import * as path from "node:path";
import { AutomationStack } from "../../../../automation/adapters/pulumi/automationStack";
import {
  DeadlineTimers,
  OperationHungError,
  withDeadline,
} from "../../../../automation/adapters/pulumi/deadline";
import { StateUnknownError } from "../../../../automation/adapters/pulumi/errors";
import { FakeStackHandle } from "./fakeStackHandle";

/** Timers that fire only when the test says time has passed. */
class ManualTimers implements DeadlineTimers {
  private now = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Moves time forward, firing what falls due, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, timer]) => timer.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.now = until;
  }

  get scheduled(): number {
    return this.pending.size;
  }
}

describe("operation deadlines", () => {
  it("passes the result through and clears its timers when the operation ends in time", async () => {
    const timers = new ManualTimers();
    const result = await withDeadline(
      "the update",
      { timeoutMs: 1_000, timers },
      undefined,
      async () => "done",
    );
    assert.equal(result, "done");
    assert.equal(timers.scheduled, 0);
  });

  it("cancels once at the deadline and returns what the cancelled operation returns", async () => {
    const timers = new ManualTimers();
    let aborts = 0;
    const running = withDeadline(
      "the update",
      { timeoutMs: 1_000, graceMs: 500, timers },
      undefined,
      (signal) =>
        new Promise<string>((_, reject) =>
          signal?.addEventListener("abort", () => {
            aborts += 1;
            reject(new Error("cancelled by the CLI"));
          }),
        ),
    );
    const outcome = assert.rejects(running, /cancelled by the CLI/);
    await timers.advance(999);
    assert.equal(aborts, 0);
    await timers.advance(1);
    await outcome;
    assert.equal(aborts, 1);
  });

  it("stops waiting for an operation that ignores the cancellation past the grace period", async () => {
    const timers = new ManualTimers();
    const running = withDeadline(
      "the update of stack dev",
      { timeoutMs: 1_000, graceMs: 500, timers },
      undefined,
      () => new Promise<string>(() => undefined),
    );
    const outcome = assert.rejects(running, (error: unknown) => {
      assert.ok(error instanceof OperationHungError);
      assert.match(
        error.message,
        /the update of stack dev did not finish within 1s and did not stop within 1s of being cancelled/,
      );
      return true;
    });
    await timers.advance(1_000);
    await timers.advance(500);
    await outcome;
  });

  it("makes a hung update a state-unknown error the driver reconciles", async () => {
    const timers = new ManualTimers();
    const fake = new FakeStackHandle();
    fake.duringUp = () => new Promise<void>(() => undefined);
    const stack = new AutomationStack({
      projectDir: path.resolve(__dirname, "../../../.."),
      stackName: "dev",
      connect: async () => fake,
      deadline: { timeoutMs: 60_000, graceMs: 10_000, timers },
    });
    const update = stack.update({
      message: "step 1/4",
      targets: ["urn:pulumi:dev::bluegreen::aws:lb/listener:Listener::checkout"],
    });
    const outcome = assert.rejects(update, (error: unknown) => {
      assert.ok(error instanceof StateUnknownError);
      assert.equal(error.cancelled, true);
      assert.match(error.message, /did not finish within 60s/);
      return true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    await timers.advance(60_000);
    assert.equal(fake.upCalls[0]?.signal?.aborted, true, "the CLI got its one cancellation");
    await timers.advance(10_000);
    await outcome;
  });
});
