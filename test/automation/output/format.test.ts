import assert from "node:assert/strict";
import type { RolloutEvent } from "../../../automation/events";
import {
  formatAlarmSummary,
  formatElapsed,
  formatEventLine,
  formatSplit,
} from "../../../automation/output/format";

/** When every event here happened: the renderers under test show elapsed time, never this. */
const TIME = "2025-11-30T21:00:00.000Z";

describe("output formatting", () => {
  describe("formatElapsed", () => {
    const cases: [number, string][] = [
      [0, "[     0s]"],
      [7.9, "[     7s]"],
      [200, "[  3m20s]"],
      [3599, "[ 59m59s]"],
      [3723, "[1h02m03s]"],
      [-5, "[     0s]"],
    ];
    for (const [seconds, expected] of cases) {
      it(`${seconds}s -> ${expected}`, () => assert.equal(formatElapsed(seconds), expected));
    }
  });

  describe("formatSplit", () => {
    it("names the candidate first when it is known", () => {
      assert.equal(formatSplit({ blue: 75, green: 25 }, "green"), "green 25% (blue 75%)");
      assert.equal(formatSplit({ blue: 10, green: 90 }, "blue"), "blue 10% (green 90%)");
    });
    it("names both colours in a fixed order otherwise", () => {
      assert.equal(formatSplit({ blue: 100, green: 0 }), "blue 100% / green 0%");
    });
  });

  describe("formatAlarmSummary", () => {
    it("says OK when every alarm is OK", () => {
      assert.equal(formatAlarmSummary({ a: "OK", b: "OK" }), "alarms OK");
    });
    it("lists only the alarms that are not OK", () => {
      assert.equal(
        formatAlarmSummary({ a: "OK", c: "MISSING", b: "INSUFFICIENT_DATA" }),
        "alarms: b INSUFFICIENT_DATA, c MISSING",
      );
    });
    it("says when nothing is watched", () => {
      assert.equal(formatAlarmSummary({}), "no alarms watched");
    });
  });

  describe("formatEventLine", () => {
    const cases: { event: RolloutEvent; expected: string }[] = [
      {
        event: {
          type: "started",
          stack: "prod",
          version: "1.5.0",
          candidate: "green",
          stable: "blue",
          steps: [
            { weight: 50, bakeSeconds: 300, pause: { onTimeout: "abort" } },
            { weight: 100, bakeSeconds: 600 },
          ],
          resumed: false,
          elapsedSeconds: 0,
          time: TIME,
        },
        expected:
          "[     0s] rollout of 1.5.0 to green on stack prod (blue is stable): 2 steps: 50% for 5m, pause for approval, 100% for 10m",
      },
      {
        event: {
          type: "paused",
          stack: "prod",
          step: 4,
          of: 5,
          weight: 50,
          by: "the plan",
          timeoutSeconds: 7200,
          onTimeout: "abort",
          elapsedSeconds: 2400,
          time: TIME,
        },
        expected:
          "[ 40m00s] step 4/5: holding 50%, alarms still watched; waiting for approval: bluegreen resume --stack prod (or promote --full, abort; abort in 2h without an answer)",
      },
      {
        event: {
          type: "paused",
          stack: "dev",
          step: 1,
          of: 4,
          weight: 10,
          by: "alice",
          elapsedSeconds: 300,
          time: TIME,
        },
        expected:
          "[  5m00s] step 1/4: holding 10% (alice asked to pause), alarms still watched; waiting for approval: bluegreen resume --stack dev (or promote --full, abort; no timeout)",
      },
      {
        event: { type: "resumed", step: 4, of: 5, by: "alice (resume)", elapsedSeconds: 3000, time: TIME },
        expected: "[ 50m00s] step 4/5: pause over: alice (resume)",
      },
      {
        event: {
          type: "started",
          stack: "prod",
          version: "1.5.0",
          candidate: "green",
          stable: "blue",
          steps: [
            { weight: 10, bakeSeconds: 300 },
            { weight: 100, bakeSeconds: 600 },
          ],
          resumed: false,
          elapsedSeconds: 0,
          time: TIME,
        },
        expected:
          "[     0s] rollout of 1.5.0 to green on stack prod (blue is stable): 2 steps: 10% for 5m, 100% for 10m",
      },
      {
        event: {
          type: "shifted",
          step: 2,
          of: 4,
          weights: { blue: 75, green: 25 },
          changed: 1,
          elapsedSeconds: 200,
          time: TIME,
        },
        expected: "[  3m20s] step 2/4: green 25% (blue 75%) verified",
      },
      {
        event: {
          type: "baking",
          step: 2,
          of: 4,
          weight: 25,
          remainingSeconds: 160,
          alarms: { "checkout-prod-green-deploy": "OK" },
          elapsedSeconds: 340,
          time: TIME,
        },
        expected: "[  5m40s] baking step 2/4 at 25%: 2m40s left, alarms OK",
      },
      {
        event: {
          type: "alarm",
          name: "checkout-prod-green-errorRate",
          state: "ALARM",
          previous: "OK",
          reason: "Threshold Crossed",
          elapsedSeconds: 720,
          time: TIME,
        },
        expected: "[ 12m00s] alarm checkout-prod-green-errorRate: OK -> ALARM: Threshold Crossed",
      },
      {
        event: {
          type: "reverted",
          weights: { blue: 100, green: 0 },
          reason: "alarm checkout-prod-green-errorRate is ALARM",
          secondsSinceTrigger: 2,
          elapsedSeconds: 722,
          time: TIME,
        },
        expected:
          "[ 12m02s] reverted to blue 100% (green 0%) in 2s: alarm checkout-prod-green-errorRate is ALARM",
      },
      {
        event: { type: "restored", revision: 8, changed: 2, drift: 0, elapsedSeconds: 800, time: TIME },
        expected:
          "[ 13m20s] stack restored to its pre-rollout values (revision 8, 2 resources changed, no drift)",
      },
      {
        event: { type: "restored", revision: 8, changed: 1, drift: 3, elapsedSeconds: 800, time: TIME },
        expected:
          "[ 13m20s] stack restored to its pre-rollout values (revision 8, 1 resource changed, preview still finds 3 changes)",
      },
      {
        event: {
          type: "preflight",
          check: "alarms",
          ok: false,
          detail: "x is ALARM",
          elapsedSeconds: 1,
          time: TIME,
        },
        expected: "[     1s] preflight alarms failed: x is ALARM",
      },
      {
        event: {
          type: "completed",
          outcome: "rolled-back",
          exitCode: 3,
          reason: "alarm fired",
          elapsedSeconds: 800,
          time: TIME,
        },
        expected: "[ 13m20s] rolled-back (exit 3): alarm fired",
      },
      {
        event: { type: "promoted", stable: "green", version: "1.5.0", elapsedSeconds: 1500, time: TIME },
        expected: "[ 25m00s] promoted: green is stable at 1.5.0",
      },
    ];
    for (const { event, expected } of cases) {
      it(`formats ${event.type}`, () =>
        assert.equal(formatEventLine(event, { candidate: "green" }), expected));
    }
  });
});
