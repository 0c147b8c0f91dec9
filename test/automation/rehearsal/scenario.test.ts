import assert from "node:assert/strict";
import { FAULT_KINDS, ScenarioError, parseScenario } from "../../../automation/rehearsal/scenario";

describe("parseScenario", () => {
  it("reads JSON, with times in milliseconds from the start", () => {
    const scenario = parseScenario(
      JSON.stringify({
        description: "an alarm at 12 minutes",
        events: [
          { at: "12m", alarm: "errorRate", state: "ALARM" },
          { at: "6m", fault: "alarms-unreadable", for: "5m" },
          { at: "1h30m", operator: "abort", by: "alice" },
        ],
      }),
      "alarm.json",
    );
    assert.equal(scenario.description, "an alarm at 12 minutes");
    assert.deepEqual(scenario.events, [
      { at: 720_000, alarm: "errorRate", state: "ALARM" },
      { at: 360_000, fault: "alarms-unreadable", for: 300_000 },
      { at: 5_400_000, operator: "abort", by: "alice" },
    ]);
  });

  it("reads YAML with every event kind", () => {
    const scenario = parseScenario(
      [
        "events:",
        "  - { at: 0s, alarm: '*', state: INSUFFICIENT_DATA }",
        "  - { at: 90s, alarm: checkout-orders-per-minute, state: OK, reason: recovered }",
        "  - { at: 1m, fault: alarms-unreadable, for: 2m }",
        "  - { at: 1m, fault: weight-write-fails, for: 30s }",
        "  - { at: 1m, fault: weights-drift, weights: { blue: 50, green: 50 } }",
        "  - { at: 1m, fault: stack-locked, alive: false, holder: ci@runner-3 }",
        "  - { at: 1m, fault: up-throws-after-save }",
        "  - { at: 1m, fault: up-fails }",
        "  - { at: 1m, fault: alarm-missing, alarm: latencyP95 }",
        "  - { at: 1m, fault: candidate-unhealthy, for: 3m }",
        "  - { at: 1m, fault: pre-traffic-check-fails }",
        "  - { at: 1m, fault: evaluation-error, alarm: errorRate, evaluationState: PARTIAL_DATA }",
        "  - { at: 7m, operator: promote-full }",
        "  - { at: 7m30s, fault: driver-killed }",
        "  - { at: 8m, signal: SIGTERM }",
      ].join("\n"),
      "all.yaml",
    );
    assert.equal(scenario.events.length, 15);
    const faults = scenario.events.flatMap((event) => ("fault" in event ? [event.fault] : []));
    assert.deepEqual(new Set(faults), new Set(FAULT_KINDS));
    assert.deepEqual(scenario.events[5], {
      at: 60_000,
      fault: "stack-locked",
      alive: false,
      holder: "ci@runner-3",
    });
    assert.deepEqual(scenario.events[4], {
      at: 60_000,
      fault: "weights-drift",
      weights: { blue: 50, green: 50 },
    });
    assert.deepEqual(scenario.events[13], { at: 450_000, fault: "driver-killed" });
    assert.deepEqual(scenario.events[14], { at: 480_000, signal: "SIGTERM" });
  });

  it("accepts an empty event list", () => {
    assert.deepEqual(parseScenario("events: []\n"), { events: [] });
  });

  const cases: { name: string; text: string; message: string }[] = [
    {
      name: "an unknown state",
      text: "events:\n  - { at: 1m, alarm: x, state: OK }\n  - { at: 2m, alarm: x, state: OK }\n  - { at: 12m, alarm: errorRate, state: FIRING }",
      message: 'events[2].state: expected "OK", "ALARM" or "INSUFFICIENT_DATA", got "FIRING"',
    },
    {
      name: "a duration in words",
      text: "events:\n  - { at: 12 minutes, alarm: errorRate, state: ALARM }",
      message: 'events[0].at: expected a duration such as "90s", "12m" or "1h30m", got "12 minutes"',
    },
    {
      name: "a number of seconds instead of a duration",
      text: "events:\n  - { at: 90, operator: abort }",
      message: 'events[0].at: expected a duration such as "90s", "12m" or "1h30m", got 90',
    },
    {
      name: "a window of zero",
      text: "events:\n  - { at: 1m, fault: alarms-unreadable, for: 0s }",
      message: 'events[0].for: must be at least 1s, got "0s"',
    },
    {
      name: "a missing time",
      text: "events:\n  - { alarm: errorRate, state: ALARM }",
      message: 'events[0].at: is required: a duration such as "90s", "12m" or "1h30m"',
    },
    {
      name: "an unknown key",
      text: "events:\n  - { at: 1m, fault: alarms-unreadable, duration: 5m }",
      message: 'events[0].duration: unknown key; a "alarms-unreadable" fault takes at, fault, for',
    },
    {
      name: "an unknown fault",
      text: "events:\n  - { at: 1m, fault: network-down }",
      message: 'events[0].fault: expected "alarms-unreadable", "weight-write-fails"',
    },
    {
      name: "an event of no known kind",
      text: "events:\n  - { at: 1m, alert: errorRate }",
      message:
        'events[0]: expected one of the keys "alarm", "fault", "operator" or "signal", got the keys "at", "alert"',
    },
    {
      name: "two kinds in one event",
      text: "events:\n  - { at: 1m, operator: abort, signal: SIGINT }",
      message:
        'events[0]: give one of "fault", "operator" or "signal" per event, not "operator" and "signal"',
    },
    {
      name: "a lock without alive",
      text: "events:\n  - { at: 1m, fault: stack-locked }",
      message: "events[0].alive: is required: true (the holder still runs) or false",
    },
    {
      name: "a drift that does not sum to 100",
      text: "events:\n  - { at: 1m, fault: weights-drift, weights: { blue: 50, green: 60 } }",
      message: "events[0].weights: blue 50 + green 60 = 110; the two must sum to 100",
    },
    {
      name: "an unknown operator request",
      text: "events:\n  - { at: 1m, operator: approve }",
      message:
        'events[0].operator: expected "abort", "promote", "promote-full", "pause" or "resume", got "approve"',
    },
    {
      name: "an unknown signal",
      text: "events:\n  - { at: 1m, signal: SIGKILL }",
      message: 'events[0].signal: expected "SIGINT" or "SIGTERM", got "SIGKILL"',
    },
    {
      name: "an unknown top-level key",
      text: "events: []\nevnts: []",
      message: "evnts: unknown key; a scenario takes description, events",
    },
    {
      name: "events that are not a list",
      text: "events: 3",
      message: "events: expected a list of events, got 3",
    },
    {
      name: "a document that is not a mapping",
      text: "- at: 1m",
      message: '(file): expected a mapping with an "events" list',
    },
    {
      name: "invalid YAML",
      text: "events: [",
      message: "(file): is not valid YAML",
    },
  ];
  for (const { name, text, message } of cases) {
    it(`rejects ${name}, naming the event and key`, () => {
      assert.throws(
        () => parseScenario(text, "rehearse.yaml"),
        (error: unknown) => {
          assert.ok(error instanceof ScenarioError);
          assert.ok(
            error.message.includes(`rehearse.yaml: ${message}`),
            `expected ${JSON.stringify(message)} in:\n${error.message}`,
          );
          return true;
        },
      );
    });
  }

  it("reports invalid JSON for a .json file", () => {
    assert.throws(() => parseScenario("{ events: [] }", "s.json"), /s\.json: \(file\): is not valid JSON/);
  });

  it("lists every problem, not only the first", () => {
    assert.throws(
      () =>
        parseScenario(
          "events:\n  - { at: 1m, alarm: x, state: FIRING }\n  - { at: soon, operator: abort }",
          "two.yaml",
        ),
      (error: unknown) => {
        assert.ok(error instanceof ScenarioError);
        assert.deepEqual(
          error.problems.map((problem) => problem.path),
          ["events[0].state", "events[1].at"],
        );
        return true;
      },
    );
  });
});
