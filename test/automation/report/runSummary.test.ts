import assert from "node:assert/strict";
import { EventStreamError, parseEventStream, summariseRun } from "../../../automation/report";
import { fixtureText, rawEvents, rawOfType, withTimes } from "./fixtures";

function summary(text: string) {
  return summariseRun(parseEventStream(text));
}

describe("report: summarising a run", () => {
  it("a promoted run: what, where, outcome and the four SOP steps as they happened", () => {
    const run = summary(fixtureText("promoted"));
    assert.equal(run.stack, "dev");
    assert.equal(run.version, "2.0.0");
    assert.equal(run.candidate, "green");
    assert.equal(run.stable, "blue");
    assert.equal(run.outcome, "promoted");
    assert.equal(run.exitCode, 0);
    assert.equal(run.durationSeconds, 1500);
    assert.equal(run.revert, undefined);
    assert.deepEqual(
      run.steps.map((step) => [
        step.step,
        step.of,
        step.weight,
        step.startSeconds,
        step.plannedBakeSeconds,
        step.bakedSeconds,
        step.endedBy,
      ]),
      [
        [1, 4, 10, 0, 300, 300, "next-step"],
        [2, 4, 25, 300, 300, 300, "next-step"],
        [3, 4, 50, 600, 300, 300, "next-step"],
        [4, 4, 100, 900, 600, 600, "promoted"],
      ],
    );
    assert.deepEqual(run.alarms, []);
  });

  it("a run rolled back by an alarm in the 50% step: the step cut short, its alarms, the revert", () => {
    const raw = rawEvents("rolledBackAlarm");
    const reverted = rawOfType(raw, "reverted")[0];
    const run = summary(fixtureText("rolledBackAlarm"));
    assert.equal(run.outcome, "rolled-back");
    assert.equal(run.exitCode, 3);
    assert.equal(run.durationSeconds, 720);
    assert.deepEqual(
      run.steps.map((step) => [step.weight, step.startSeconds, step.bakedSeconds, step.endedBy]),
      [
        [10, 0, 300, "next-step"],
        [25, 300, 300, "next-step"],
        [50, 600, 120, "reverted"],
      ],
    );
    assert.deepEqual(
      run.steps[2].alarms.map((alarm) => [alarm.name, alarm.state, alarm.previous, alarm.atSeconds]),
      [
        ["checkout-dev-green", "ALARM", "OK", 720],
        ["checkout-dev-green-error-rate", "ALARM", "OK", 720],
      ],
    );
    assert.deepEqual(run.steps[0].alarms, []);
    assert.deepEqual(run.revert, {
      atSeconds: reverted.elapsedSeconds,
      triggerAtSeconds: reverted.elapsedSeconds - (reverted.secondsSinceTrigger as number),
      secondsToRevert: reverted.secondsSinceTrigger,
      reason: reverted.reason,
    });
  });

  it("the weight line follows the shifted and reverted events exactly", () => {
    for (const name of ["promoted", "rolledBackAlarm", "rolledBackUnreadable"] as const) {
      const raw = rawEvents(name);
      const expected = raw
        .filter((event) => event.type === "shifted" || event.type === "reverted")
        .map((event) => ({
          atSeconds: event.elapsedSeconds,
          weight: (event.weights as { green: number }).green,
        }));
      // The rehearsal's first shift is at 0s, where the line starts at 0%: only the shift shows.
      assert.deepEqual(summary(fixtureText(name)).weights, expected, name);
    }
  });

  it("counts failed alarm reads in the step they happened in, and reverts without an alarm", () => {
    const run = summary(fixtureText("rolledBackUnreadable"));
    assert.equal(run.stack, "orders-dev");
    assert.deepEqual(
      run.steps.map((step) => [step.weight, step.alarmReadFailures, step.endedBy]),
      [
        [10, 0, "next-step"],
        [25, 4, "reverted"],
      ],
    );
    assert.deepEqual(run.alarms, []);
    assert.equal(run.revert?.atSeconds, 390.464);
    assert.match(run.revert?.reason ?? "", /alarms unreadable: 4 consecutive polls/);
  });

  it("a rejected run: no steps, no chart data, the failed preflight check and the reason", () => {
    const run = summary(fixtureText("rejected"));
    assert.equal(run.outcome, "rejected");
    assert.equal(run.stack, undefined);
    assert.deepEqual(run.steps, []);
    assert.deepEqual(run.weights, []);
    assert.deepEqual(run.preflightFailures, [
      { check: "version", detail: "version 1.4.2 already serves 100% on blue; nothing to roll out" },
    ]);
    assert.match(run.reason ?? "", /preflight version/);
  });

  it("a stream cut off before `completed` (a killed run) has no outcome and ends its last step at the last event", () => {
    const text = fixtureText("promoted").split("\n").slice(0, 60).join("\n");
    const run = summary(text);
    assert.equal(run.outcome, undefined);
    const last = run.steps.at(-1);
    assert.equal(last?.endedBy, "end");
    assert.equal((last?.startSeconds ?? 0) + (last?.bakedSeconds ?? 0), run.durationSeconds);
  });

  describe("times", () => {
    it("with ISO times on the events: the start time is reported, offsets match elapsedSeconds", () => {
      const plain = summary(fixtureText("rolledBackAlarm"));
      const timed = summary(withTimes("rolledBackAlarm", "2025-11-30T21:00:00.000Z"));
      assert.equal(timed.startedAt, "2025-11-30T21:00:00.000Z");
      assert.equal(timed.runId, "run-1");
      assert.deepEqual(timed.steps, plain.steps);
      assert.deepEqual(timed.weights, plain.weights);
      assert.equal(plain.startedAt, undefined);
    });

    it("an event's time wins over its elapsedSeconds; events without one count from the started time", () => {
      const events = rawEvents("rolledBackAlarm");
      const text = events
        .map((event) => {
          if (event.type === "started") return JSON.stringify({ ...event, time: "2025-11-30T21:00:00Z" });
          // The revert really happened 4 s after the driver's clock says (say, a slow clock read).
          if (event.type === "reverted") return JSON.stringify({ ...event, time: "2025-11-30T21:12:04Z" });
          return JSON.stringify(event);
        })
        .join("\n");
      const run = summary(text);
      assert.equal(run.startedAt, "2025-11-30T21:00:00.000Z");
      assert.equal(run.revert?.atSeconds, 724);
      assert.equal(run.steps[2].startSeconds, 600);
      assert.equal(run.steps[2].bakedSeconds, 124);
    });
  });

  describe("one run per report", () => {
    it("refuses a second started event, naming both lines", () => {
      const cutOff = fixtureText("promoted").split("\n").slice(0, 20).join("\n");
      assert.throws(
        () => summary(`${cutOff}\n${fixtureText("promoted")}`),
        (error: unknown) =>
          error instanceof EventStreamError &&
          error.line === 25 &&
          /line 25: a second `started` event \(the first is on line 5\)/.test(error.message),
      );
    });

    it("refuses events after the run completed (two runs appended to one file)", () => {
      const first = fixtureText("rejected");
      const completedLine = first.trimEnd().split("\n").length;
      assert.throws(
        () => summary(`${first}${fixtureText("promoted")}`),
        new RegExp(`line ${completedLine + 1}: an event after the run completed on line ${completedLine}`),
      );
    });

    it("refuses events of two runIds, naming the line", () => {
      const lines = withTimes("rejected", "2025-11-30T21:00:00Z", "run-a").split("\n");
      lines[2] = lines[2].replace('"runId":"run-a"', '"runId":"run-b"');
      assert.throws(
        () => summary(lines.join("\n")),
        /line 3: an event of run run-b in a stream of run run-a/,
      );
    });
  });
});
