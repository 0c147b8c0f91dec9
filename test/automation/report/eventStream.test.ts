import assert from "node:assert/strict";
import { EventStreamError, isKnownEvent, parseEventStream } from "../../../automation/report";
import { fixtureText, rawEvents } from "./fixtures";

const STARTED =
  '{"type":"started","stack":"dev","version":"2.0.0","candidate":"green","stable":"blue","steps":[{"weight":100,"bakeSeconds":60}],"resumed":false,"elapsedSeconds":0}';

describe("report: reading an NDJSON event stream", () => {
  it("reads every line of real rehearse output, in order, with its line number", () => {
    const raw = rawEvents("rolledBackAlarm");
    const lines = parseEventStream(fixtureText("rolledBackAlarm"));
    assert.equal(lines.length, raw.length);
    assert.deepEqual(
      lines.map((line) => [line.line, line.event.type, line.event.elapsedSeconds]),
      raw.map((event, index) => [index + 1, event.type, event.elapsedSeconds]),
    );
  });

  it("skips blank lines but keeps counting them, so later errors name the right line", () => {
    const lines = parseEventStream(
      `\n${STARTED}\n\n\r\n{"type":"warning","message":"m","elapsedSeconds":1}\n`,
    );
    assert.deepEqual(
      lines.map((line) => line.line),
      [2, 5],
    );
  });

  it("keeps the optional time and runId", () => {
    const [line] = parseEventStream(
      '{"type":"warning","message":"m","elapsedSeconds":3,"time":"2025-11-30T21:00:03Z","runId":"r-1"}',
    );
    assert.equal(line.event.time, "2025-11-30T21:00:03Z");
    assert.equal(line.event.runId, "r-1");
  });

  it("keeps an event type it does not know, marked unknown, instead of failing", () => {
    const [line] = parseEventStream('{"type":"canary-metrics","p99":0.3,"elapsedSeconds":12}');
    assert.equal(isKnownEvent(line.event), false);
    assert.equal(line.event.type, "canary-metrics");
    assert.equal(line.event.elapsedSeconds, 12);
  });

  const malformed: { name: string; text: string; line: number; message: RegExp }[] = [
    {
      name: "a line that is not JSON",
      text: `${STARTED}\n{"type":"shifted",`,
      line: 2,
      message: /line 2: not valid JSON/,
    },
    {
      name: "plain log text mixed into the stream",
      text: `${STARTED}\n[  0s] started\n`,
      line: 2,
      message: /line 2: not valid JSON.*\[ {2}0s\] started/,
    },
    { name: "a JSON array", text: "[1,2]", line: 1, message: /line 1: expected a JSON object, got \[1,2\]/ },
    { name: "a JSON string", text: '"started"', line: 1, message: /line 1: expected a JSON object/ },
    { name: "no type", text: '{"elapsedSeconds":0}', line: 1, message: /line 1: type: / },
    {
      name: "no elapsedSeconds",
      text: '{"type":"warning","message":"m"}',
      line: 1,
      message: /line 1: elapsedSeconds: /,
    },
    {
      name: "a negative elapsedSeconds",
      text: '{"type":"warning","message":"m","elapsedSeconds":-1}',
      line: 1,
      message: /line 1: elapsedSeconds: /,
    },
    {
      name: "a time that is not a time",
      text: '{"type":"warning","message":"m","elapsedSeconds":1,"time":"yesterday"}',
      line: 1,
      message: /line 1: time: expected an ISO 8601 time/,
    },
    {
      name: "a shifted event whose weight is a string",
      text: `${STARTED}\n{"type":"shifted","step":1,"of":1,"weights":{"blue":0,"green":"100"},"changed":1,"elapsedSeconds":0}`,
      line: 2,
      message: /line 2: a `shifted` event: weights\.green: /,
    },
    {
      name: "a completed event with an unknown outcome",
      text: '{"type":"completed","outcome":"done","exitCode":0,"elapsedSeconds":5}',
      line: 1,
      message: /line 1: a `completed` event: outcome: /,
    },
    {
      name: "a started event with a third colour",
      text: STARTED.replace('"candidate":"green"', '"candidate":"red"'),
      line: 1,
      message: /line 1: a `started` event: candidate: /,
    },
  ];
  for (const testCase of malformed) {
    it(`names the line of ${testCase.name}`, () => {
      assert.throws(
        () => parseEventStream(testCase.text, "events.ndjson"),
        (error: unknown) => {
          assert.ok(error instanceof EventStreamError, String(error));
          assert.equal(error.line, testCase.line);
          assert.match(error.message, /^events\.ndjson line \d+: /);
          assert.match(error.message, testCase.message);
          return true;
        },
      );
    });
  }

  it("refuses an empty file, saying what it expected", () => {
    assert.throws(
      () => parseEventStream("\n\n", "events.ndjson"),
      /events\.ndjson: no events; expected the output of `bluegreen rollout --json`/,
    );
  });
});
