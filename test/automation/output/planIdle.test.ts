import assert from "node:assert/strict";
import { describePlan } from "../../../automation/core/plan";
import { formatPlan } from "../../../automation/output/planText";
import { formatEvent } from "../../../automation/output/format";
import type { RolloutEvent } from "../../../automation/events";
import { testConfig } from "../support";

const text = (overrides: Record<string, unknown>) =>
  formatPlan(describePlan("dev", testConfig(overrides), ["errorRate"]));

describe("plan: the idle colour's scale-up and scale-down", () => {
  const cases: { name: string; overrides: Record<string, unknown>; has: RegExp[]; lacks: RegExp[] }[] = [
    {
      name: "the default window: scale-up before traffic, scale-down after 1h",
      overrides: {},
      has: [
        /^ {3}0\. scale green up from 0 to blue's count \(2 tasks in the stack file\) {2}about 1m {2}before any traffic/m,
        /^after the promotion: blue keeps its 2 tasks for the rollback window \(1h; `bluegreen undo` only moves traffic\), then is scaled to 0/m,
      ],
      lacks: [],
    },
    {
      name: "kept warm: no scale-up step, the colour keeps its tasks",
      overrides: { idle: { rollbackWindow: "never" } },
      has: [/^after the promotion: blue keeps its 2 tasks \(bluegreen:idle.rollbackWindow is never\)/m],
      lacks: [/^ {3}0\. scale/m],
    },
    {
      name: "a warm minimum",
      overrides: { idle: { rollbackWindow: "30m", capacity: 1 } },
      has: [/scale green up from 1 to blue's count/, /for the rollback window \(30m;.*then is scaled to 1/],
      lacks: [],
    },
    {
      name: "Lambda: nothing to scale",
      overrides: {
        service: { name: "orders", platform: "lambda" },
        network: undefined,
        ecs: undefined,
        lambda: { code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/{version}.zip" } },
      },
      has: [/^after the promotion: nothing to scale \(an idle Lambda version costs nothing\)/m],
      lacks: [/^ {3}0\. scale/m],
    },
  ];
  for (const { name, overrides, has, lacks } of cases) {
    it(name, () => {
      const plan = text(overrides);
      for (const pattern of has) assert.match(plan, pattern);
      for (const pattern of lacks) assert.doesNotMatch(plan, pattern);
    });
  }
});

describe("scaling events as lines", () => {
  const stamp = { elapsedSeconds: 30, time: "2025-01-01T00:00:30.000Z" };
  const cases: { event: RolloutEvent; line: string }[] = [
    {
      event: { ...stamp, type: "scaling", colour: "green", from: 0, to: 2 },
      line: "scaling green up from 0 to 2 before it gets traffic (it was scaled down while idle)",
    },
    {
      event: { ...stamp, type: "scaled", colour: "green", from: 0, to: 2, seconds: 70 },
      line: "green scaled from 0 to 2 in 1m10s",
    },
  ];
  for (const { event, line } of cases) {
    it(event.type, () => assert.equal(formatEvent(event).text, line));
  }
});
