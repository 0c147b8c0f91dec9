import assert from "node:assert/strict";
import type { RolloutEvent } from "../../../automation/events";
import { NdjsonSink } from "../../../automation/output/ndjsonSink";
import { PlainSink } from "../../../automation/output/plainSink";
import { TerminalSink } from "../../../automation/output/terminalSink";

/** When every event here happened: the renderers under test show elapsed time, never this. */
const TIME = "2025-11-30T21:00:00.000Z";

function buffer(): { text: string; write(text: string): void } {
  return {
    text: "",
    write(text: string) {
      this.text += text;
    },
  };
}

const started: RolloutEvent = {
  type: "started",
  stack: "dev",
  version: "2.0.0",
  candidate: "green",
  stable: "blue",
  steps: [{ weight: 100, bakeSeconds: 600 }],
  resumed: false,
  elapsedSeconds: 0,
  time: TIME,
};

function baking(elapsedSeconds: number, step = 1, remainingSeconds = 600 - elapsedSeconds): RolloutEvent {
  return {
    type: "baking",
    step,
    of: 2,
    weight: 50,
    remainingSeconds,
    alarms: { a: "OK" },
    elapsedSeconds,
    time: TIME,
  };
}

describe("event sinks", () => {
  describe("NdjsonSink", () => {
    it("writes each event as exactly one JSON line, unchanged but for the run id", () => {
      const out = buffer();
      const sink = new NdjsonSink(out, "run-7");
      const shifted: RolloutEvent = {
        type: "shifted",
        step: 1,
        of: 2,
        weights: { blue: 50, green: 50 },
        changed: 1,
        elapsedSeconds: 12.5,
        time: TIME,
      };
      sink.emit(started);
      sink.emit(shifted);
      const lines = out.text.split("\n");
      assert.equal(lines.length, 3);
      assert.equal(lines[2], "");
      assert.deepEqual(JSON.parse(lines[0]), { ...started, runId: "run-7" });
      assert.deepEqual(JSON.parse(lines[1]), { ...shifted, runId: "run-7" });
    });
  });

  describe("PlainSink", () => {
    it("prints bake progress at most once a minute per step", () => {
      const out = buffer();
      const sink = new PlainSink(out);
      sink.emit(started);
      for (let at = 10; at <= 130; at += 10) sink.emit(baking(at));
      const bakeLines = out.text.split("\n").filter((line) => line.includes("baking"));
      assert.deepEqual(
        bakeLines.map((line) => line.slice(0, 9)),
        ["[    10s]", "[  1m10s]", "[  2m10s]"],
      );
    });

    it("prints the first bake line of a new step at once", () => {
      const out = buffer();
      const sink = new PlainSink(out);
      sink.emit(baking(10, 1));
      sink.emit(baking(20, 2));
      assert.equal(out.text.split("\n").filter((line) => line.includes("baking")).length, 2);
    });

    it("never writes cursor control", () => {
      const out = buffer();
      const sink = new PlainSink(out);
      sink.emit(started);
      sink.emit(baking(10));
      sink.emit({ type: "completed", outcome: "promoted", exitCode: 0, elapsedSeconds: 700, time: TIME });
      assert.ok(!out.text.includes("\r") && !out.text.includes("\x1b"), JSON.stringify(out.text));
      assert.match(out.text, /\[ 11m40s\] promoted \(exit 0\)\n$/);
    });
  });

  describe("TerminalSink", () => {
    it("rewrites the bake line in place and keeps it under permanent lines", () => {
      const out = buffer();
      const sink = new TerminalSink(out, { colour: false });
      sink.emit(started);
      sink.emit(baking(10));
      sink.emit(baking(20));
      sink.emit({ type: "warning", message: "slow read", elapsedSeconds: 25, time: TIME });
      // Each bake update starts by erasing the current line; none ends with a newline.
      const afterStart = out.text.slice(out.text.indexOf("\n") + 1);
      assert.equal(
        afterStart,
        "\r\x1b[2K[    10s] baking step 1/2 at 50%: 9m50s left, alarms OK" +
          "\r\x1b[2K[    20s] baking step 1/2 at 50%: 9m40s left, alarms OK" +
          "\r\x1b[2K[    25s] warning: slow read\n" +
          "[    20s] baking step 1/2 at 50%: 9m40s left, alarms OK",
      );
    });

    it("drops the live line when the run completes", () => {
      const out = buffer();
      const sink = new TerminalSink(out, { colour: false });
      sink.emit(baking(10));
      sink.emit({
        type: "completed",
        outcome: "rolled-back",
        exitCode: 3,
        reason: "alarm",
        elapsedSeconds: 30,
        time: TIME,
      });
      assert.ok(out.text.endsWith("[    30s] rolled-back (exit 3): alarm\n"));
    });

    it("drops the live bake line when the rollout pauses: the pause line is the last word", () => {
      const out = buffer();
      const sink = new TerminalSink(out, { colour: false });
      sink.emit(baking(590));
      sink.emit({
        type: "paused",
        stack: "prod",
        step: 1,
        of: 2,
        weight: 50,
        by: "the plan",
        elapsedSeconds: 600,
        time: TIME,
      });
      assert.ok(
        out.text.endsWith(
          "\r\x1b[2K[ 10m00s] step 1/2: holding 50%, alarms still watched; waiting for approval: bluegreen resume --stack prod (or promote --full, abort; no timeout)\n",
        ),
        JSON.stringify(out.text),
      );
    });

    it("colours a revert red when colours are on", () => {
      const out = buffer();
      const sink = new TerminalSink(out, { colour: true });
      sink.emit({
        type: "reverted",
        weights: { blue: 100, green: 0 },
        reason: "alarm",
        secondsSinceTrigger: 1,
        elapsedSeconds: 5,
        time: TIME,
      });
      assert.ok(
        out.text.endsWith("\x1b[31mreverted to blue 100% / green 0% in 1s: alarm\x1b[0m\n"),
        JSON.stringify(out.text),
      );
    });
  });
});
