import assert from "node:assert/strict";
import {
  type Notification,
  type Notifier,
  NotifyingSink,
  SlackWebhookNotifier,
} from "../../../../automation/adapters/notify";
import type { RolloutEvent } from "../../../../automation/events";
import { rawEvents } from "../../report/fixtures";
import { type Receiver, refusedUrl, startReceiver } from "./receiver";

const SECRET_PATH = "/services/T0A1B2C3D/B4E5F6G7H/s3cr3tW3bh00kT0k3nXYZ";

/** The events of a real rehearsal an alarm rolled back: six messages. */
const EVENTS = rawEvents("rolledBackAlarm") as unknown as RolloutEvent[];
const EXPECTED_SUBJECTS = [
  "Rolling out 2.0.0 on dev",
  "Step 1/4 on dev: 10% of traffic to green",
  "Step 2/4 on dev: 25% of traffic to green",
  "Step 3/4 on dev: 50% of traffic to green",
  "Reverted on dev: all traffic back on blue",
  "2.0.0 on dev: rolled back",
];

/** Emits every event the way the driver does, timing how long the rollout side was held up. */
function emitAll(sink: NotifyingSink, events: readonly RolloutEvent[] = EVENTS): number {
  const started = process.hrtime.bigint();
  for (const event of events) sink.emit(event);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function subjectsPosted(receiver: Receiver): string[] {
  return receiver.posts.map((post) => (JSON.parse(post.body) as { text: string }).text.split(": ")[0]);
}

describe("notify: the sink that forwards rollout events to notifiers", () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it("delivers each message to a real webhook receiver, in order, without warnings", async () => {
    const warnings: string[] = [];
    const sink = new NotifyingSink({
      notifiers: [new SlackWebhookNotifier({ url: receiver.url(SECRET_PATH) })],
      onWarning: (message) => warnings.push(message),
    });
    emitAll(sink);
    await sink.flush();
    assert.deepEqual(
      subjectsPosted(receiver),
      EXPECTED_SUBJECTS.map((subject) => subject.split(": ")[0]),
    );
    assert.deepEqual(warnings, []);
    assert.equal(sink.pending, 0);
  });

  for (const failure of ["a 500", "a refused connection", "no answer"] as const) {
    it(`${failure} from the receiver: emit never throws or waits, every failure is a warning without the URL`, async () => {
      const warnings: string[] = [];
      let url = receiver.url(SECRET_PATH);
      if (failure === "a 500") receiver.answer(500);
      if (failure === "no answer") receiver.answer("hang");
      if (failure === "a refused connection") url = await refusedUrl(SECRET_PATH);
      const sink = new NotifyingSink({
        notifiers: [new SlackWebhookNotifier({ url, timeoutMs: 200 })],
        onWarning: (message) => warnings.push(message),
        deliveryTimeoutMs: 2000,
      });
      let held = 0;
      assert.doesNotThrow(() => {
        held = emitAll(sink);
      });
      assert.ok(held < 50, `emit held the rollout for ${held} ms`);
      await sink.flush();
      const reason = {
        "a 500": "the Slack webhook answered HTTP 500",
        "a refused connection": "the Slack webhook could not be reached (ECONNREFUSED)",
        "no answer": "the Slack webhook did not answer within 200ms",
      }[failure];
      assert.deepEqual(
        warnings,
        EXPECTED_SUBJECTS.map(
          (subject) => `notification "${subject}" to the Slack webhook failed: ${reason}`,
        ),
      );
      for (const warning of warnings) assert.doesNotMatch(warning, /s3cr3t|T0A1B2C3D|services|127\.0\.0\.1/);
    });
  }

  it("one failing notifier does not stop the others", async () => {
    const warnings: string[] = [];
    const broken: Notifier = {
      name: "a broken relay",
      send: () => Promise.reject(new Error("relay down")),
    };
    const sink = new NotifyingSink({
      notifiers: [broken, new SlackWebhookNotifier({ url: receiver.url(SECRET_PATH) })],
      onWarning: (message) => warnings.push(message),
    });
    emitAll(sink);
    await sink.flush();
    assert.equal(receiver.posts.length, EXPECTED_SUBJECTS.length);
    assert.equal(warnings.length, EXPECTED_SUBJECTS.length);
    assert.ok(warnings.every((warning) => warning.endsWith("to a broken relay failed: relay down")));
  });

  it("a notifier that throws synchronously, or ignores its signal and never settles, is contained", async () => {
    const warnings: string[] = [];
    const throwing: Notifier = {
      name: "a throwing notifier",
      send: () => {
        throw new Error("synchronous boom");
      },
    };
    const stuck: Notifier = { name: "a stuck notifier", send: () => new Promise<void>(() => undefined) };
    const sink = new NotifyingSink({
      notifiers: [throwing, stuck],
      onWarning: (message) => warnings.push(message),
      deliveryTimeoutMs: 100,
    });
    assert.doesNotThrow(() => emitAll(sink, EVENTS.slice(0, 10)));
    await sink.flush(5000);
    assert.deepEqual(warnings.sort(), [
      'notification "Rolling out 2.0.0 on dev" to a stuck notifier failed: no answer within 100ms',
      'notification "Rolling out 2.0.0 on dev" to a throwing notifier failed: synchronous boom',
      'notification "Step 1/4 on dev: 10% of traffic to green" to a stuck notifier failed: no answer within 100ms',
      'notification "Step 1/4 on dev: 10% of traffic to green" to a throwing notifier failed: synchronous boom',
    ]);
  });

  it("a warning callback that throws does not reach the rollout", async () => {
    const sink = new NotifyingSink({
      notifiers: [{ name: "n", send: () => Promise.reject(new Error("down")) }],
      onWarning: () => {
        throw new Error("the logger broke");
      },
    });
    assert.doesNotThrow(() => emitAll(sink));
    await sink.flush();
  });

  it("flush gives up after its deadline with a warning, and never rejects", async () => {
    const warnings: string[] = [];
    const slow: Notifier = {
      name: "slow",
      send: () => new Promise<void>((resolve) => setTimeout(resolve, 400)),
    };
    const sink = new NotifyingSink({ notifiers: [slow], onWarning: (message) => warnings.push(message) });
    emitAll(sink, EVENTS.slice(0, 9));
    assert.equal(sink.pending, 2);
    await sink.flush(100);
    assert.deepEqual(warnings, ["2 notification(s) still undelivered after 100ms; not waiting longer"]);
  });

  it("passes each delivery a signal that aborts at the deadline", async () => {
    const seen: { notification: Notification; aborted: () => boolean }[] = [];
    const watcher: Notifier = {
      name: "watcher",
      send: (notification, signal) =>
        new Promise<void>((resolve) => {
          seen.push({ notification, aborted: () => signal?.aborted === true });
          signal?.addEventListener("abort", () => resolve());
        }),
    };
    const sink = new NotifyingSink({
      notifiers: [watcher],
      onWarning: () => undefined,
      deliveryTimeoutMs: 50,
    });
    emitAll(sink, EVENTS.slice(0, 5));
    await sink.flush(2000);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].aborted(), true);
  });
});
