import assert from "node:assert/strict";
import {
  initialNotificationState,
  type Notification,
  planNotifications,
} from "../../../../automation/adapters/notify";
import type { RolloutEvent } from "../../../../automation/events";
import { type FIXTURES, rawEvents } from "../../report/fixtures";

/** When every event here happened: the renderers under test show elapsed time, never this. */
const TIME = "2025-11-30T21:00:00.000Z";

/** Every message a stream of events calls for. */
function messagesFor(
  events: readonly RolloutEvent[],
  progressIntervalSeconds?: number,
  stack?: string,
): Notification[] {
  let state = initialNotificationState(stack);
  const all: Notification[] = [];
  for (const event of events) {
    const next = planNotifications(state, event, { progressIntervalSeconds });
    state = next.state;
    all.push(...next.notifications);
  }
  return all;
}

function fixture(name: keyof typeof FIXTURES): RolloutEvent[] {
  return rawEvents(name) as unknown as RolloutEvent[];
}

const STARTED: RolloutEvent = {
  type: "started",
  stack: "prod",
  version: "1.5.0",
  candidate: "green",
  stable: "blue",
  steps: [{ weight: 100, bakeSeconds: 3600 }],
  resumed: false,
  elapsedSeconds: 0,
  time: TIME,
};

/** A one-step plan with an hour-long bake, polled every `poll` seconds. */
function longBake(poll: number, until = 3600): RolloutEvent[] {
  const events: RolloutEvent[] = [
    STARTED,
    {
      type: "shifted",
      step: 1,
      of: 1,
      weights: { blue: 0, green: 100 },
      changed: 1,
      elapsedSeconds: 0,
      time: TIME,
    },
  ];
  for (let at = 0; at < until; at += poll) {
    events.push({
      type: "baking",
      step: 1,
      of: 1,
      weight: 100,
      remainingSeconds: 3600 - at,
      alarms: {
        "checkout-prod-green": "OK",
        "checkout-prod-green-error-rate": at >= 1800 ? "INSUFFICIENT_DATA" : "OK",
      },
      elapsedSeconds: at,
      time: TIME,
    });
  }
  return events;
}

describe("notify: which events become which messages", () => {
  it("a run rolled back by an alarm: start, each step, the revert with its reason, the outcome", () => {
    const messages = messagesFor(fixture("rolledBackAlarm"));
    assert.deepEqual(
      messages.map((message) => [message.kind, message.severity, message.elapsedSeconds, message.subject]),
      [
        ["started", "info", 0, "Rolling out 2.0.0 on dev"],
        ["step", "info", 0, "Step 1/4 on dev: 10% of traffic to green"],
        ["step", "info", 300, "Step 2/4 on dev: 25% of traffic to green"],
        ["step", "info", 600, "Step 3/4 on dev: 50% of traffic to green"],
        ["reverted", "critical", 720, "Reverted on dev: all traffic back on blue"],
        ["completed", "warning", 720, "2.0.0 on dev: rolled back"],
      ],
    );
    assert.equal(
      messages[0].text,
      "2.0.0 goes to green; blue keeps serving until each step proves it. Plan: 10% 5m, 25% 5m, 50% 5m, 100% 10m (25m of bakes).",
    );
    assert.match(
      messages[4].text,
      /^Traffic is back on blue, verified 0s after the trigger\. Reason: alarm checkout-dev-green is ALARM/,
    );
    assert.match(messages[5].text, /^Rolled back after 12m \(exit 3\)\. alarm checkout-dev-green is ALARM/);
    assert.ok(messages.every((message) => message.stack === "dev"));
  });

  it("the SOP plan promoted: no progress message, since no bake runs 15 minutes past the last message", () => {
    const messages = messagesFor(fixture("promoted"));
    assert.deepEqual(
      messages.map((message) => message.kind),
      ["started", "step", "step", "step", "step", "completed"],
    );
    assert.equal(messages[5].subject, "2.0.0 on dev: promoted");
    assert.equal(messages[5].severity, "success");
    assert.equal(messages[5].text, "Promoted after 25m (exit 0). 2.0.0 serves 100% on green.");
  });

  it("a rejected run: one message, naming the stack the sink was given", () => {
    const messages = messagesFor(fixture("rejected"), undefined, "dev");
    assert.deepEqual(
      messages.map((message) => [message.kind, message.severity, message.subject, message.stack]),
      [["completed", "warning", "The rollout on dev: rejected", "dev"]],
    );
    assert.match(
      messages[0].text,
      /^Rejected after 0s \(exit 2\)\. preflight version: version 1\.4\.2 already serves/,
    );
  });

  describe("progress during long bakes: at most every 15 minutes", () => {
    const cases: { name: string; poll: number; interval?: number; expected: number[] }[] = [
      {
        name: "an hour's bake polled every 10s: at 15, 30 and 45 minutes",
        poll: 10,
        expected: [900, 1800, 2700],
      },
      { name: "polled every 60s: the same moments", poll: 60, expected: [900, 1800, 2700] },
      {
        name: "polled every 7s: the first poll at least 15 minutes after the last message",
        poll: 7,
        expected: [903, 1806, 2709],
      },
      { name: "polled every 20 minutes: every poll qualifies", poll: 1200, expected: [1200, 2400] },
      { name: "a 30-minute cadence", poll: 10, interval: 1800, expected: [1800] },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        const progress = messagesFor(longBake(testCase.poll), testCase.interval).filter(
          (message) => message.kind === "progress",
        );
        assert.deepEqual(
          progress.map((message) => message.elapsedSeconds),
          testCase.expected,
        );
      });
    }

    it("says where the bake stands and how the alarms are", () => {
      const [first, second] = messagesFor(longBake(10)).filter((message) => message.kind === "progress");
      assert.equal(first.subject, "Step 1/1 on prod: baking at 100%, 45m left");
      assert.equal(first.text, "1.5.0 on green is baking at 100%. Alarms: 2 OK.");
      assert.equal(second.text, "1.5.0 on green is baking at 100%. Alarms: 1 OK, 1 INSUFFICIENT_DATA.");
    });

    it("a step message restarts the 15 minutes", () => {
      const events = longBake(10, 1200);
      events.splice(62, 0, {
        type: "shifted",
        step: 1,
        of: 1,
        weights: { blue: 0, green: 100 },
        changed: 0,
        elapsedSeconds: 600,
        time: TIME,
      });
      const kinds = messagesFor(events).map((message) => [message.kind, message.elapsedSeconds]);
      assert.deepEqual(kinds, [
        ["started", 0],
        ["step", 0],
        ["step", 600],
      ]);
    });
  });

  it("events that are not milestones send nothing", () => {
    const quiet: RolloutEvent[] = [
      { type: "preflight", check: "lock", ok: true, detail: "", elapsedSeconds: 0, time: TIME },
      { type: "deployed", colour: "green", version: "2", changed: 2, elapsedSeconds: 0, time: TIME },
      { type: "alarm", name: "a", state: "ALARM", elapsedSeconds: 1, time: TIME },
      { type: "warning", message: "w", elapsedSeconds: 1, time: TIME },
      { type: "restored", revision: 2, changed: 3, drift: 0, elapsedSeconds: 2, time: TIME },
      { type: "promoted", stable: "green", version: "2", elapsedSeconds: 2, time: TIME },
    ];
    assert.deepEqual(messagesFor(quiet), []);
  });

  it("a resumed run says it is resuming", () => {
    const [message] = messagesFor([{ ...STARTED, resumed: true }]);
    assert.equal(message.subject, "Resuming 1.5.0 on prod");
  });
});
