import assert from "node:assert/strict";
import {
  AlarmThreshold,
  Colour,
  TrafficSplit,
  alarmNameProblem,
  alarmWindowProblems,
  albTargetGroupWeights,
  anyAlarmRule,
  assertSplit,
  fargateSizeProblem,
  formatSplit,
  hasImageTag,
  httpRouteBackendWeights,
  imageRepositoryProblem,
  isSplit,
  lambdaAliasRouting,
  listenerPortProblems,
  otherColour,
  percentFromAlbWeights,
  percentFromAliasRouting,
  percentFromHttpRouteWeights,
  pauseProblems,
  planProblems,
  presetPlan,
  ruleAlarmNameProblem,
  sameSplit,
  splitFor,
  splitProblem,
  stackOutputsSchema,
  trafficSplitSchema,
} from "../../components/domain";

describe("domain", () => {
  describe("the traffic split", () => {
    const cases: { value: unknown; problem?: string }[] = [
      { value: { blue: 100, green: 0 } },
      { value: { blue: 90, green: 10 } },
      { value: { blue: 0, green: 100 } },
      { value: { blue: 90, green: 20 }, problem: "traffic must sum to 100, got blue 90 + green 20" },
      {
        value: { blue: 50.5, green: 49.5 },
        problem: "traffic.blue must be a whole percent from 0 to 100, got 50.5",
      },
      {
        value: { blue: 110, green: -10 },
        problem: "traffic.blue must be a whole percent from 0 to 100, got 110",
      },
      {
        value: { blue: 90, green: "10" },
        problem: 'traffic.green must be a whole percent from 0 to 100, got "10"',
      },
      { value: { blue: 100 }, problem: "traffic.green must be a whole percent from 0 to 100, got nothing" },
      { value: null, problem: "traffic must be { blue, green } in whole percent, got null" },
    ];
    for (const { value, problem } of cases) {
      it(`${problem === undefined ? "accepts" : "refuses"} ${JSON.stringify(value)}`, () => {
        assert.equal(splitProblem(value), problem);
        assert.equal(isSplit(value), problem === undefined);
        if (problem === undefined) assert.doesNotThrow(() => assertSplit(value));
        else assert.throws(() => assertSplit(value), { message: problem });
        // The schema a stack file and the stack outputs go through decides as the validator does.
        assert.equal(trafficSplitSchema.safeParse(value).success, problem === undefined);
      });
    }

    it("words the schema's sum problem for a stack file", () => {
      const result = trafficSplitSchema.safeParse({ blue: 80, green: 30 });
      assert.equal(result.success, false);
      assert.equal(
        result.error?.issues[0].message,
        "blue 80 + green 30 = 110; the two must sum to 100, for example { blue: 90, green: 10 }",
      );
    });

    const helpers: { candidate: Colour; weight: number; split: TrafficSplit }[] = [
      { candidate: "green", weight: 10, split: { blue: 90, green: 10 } },
      { candidate: "blue", weight: 25, split: { blue: 25, green: 75 } },
      { candidate: "green", weight: 100, split: { blue: 0, green: 100 } },
    ];
    for (const { candidate, weight, split } of helpers) {
      it(`sends ${weight}% to ${candidate} as ${formatSplit(split)}`, () => {
        assert.deepEqual(splitFor(candidate, weight), split);
        assert.ok(sameSplit(splitFor(candidate, weight), split));
        assert.equal(otherColour(otherColour(candidate)), candidate);
      });
    }
  });

  describe("converters", () => {
    const splits: TrafficSplit[] = [
      { blue: 100, green: 0 },
      { blue: 90, green: 10 },
      { blue: 33, green: 67 },
      { blue: 0, green: 100 },
    ];
    for (const split of splits) {
      it(`round-trips ${formatSplit(split)} through ALB, HTTPRoute and Lambda alias weights`, () => {
        assert.deepEqual(percentFromAlbWeights(albTargetGroupWeights(split)), split);
        assert.deepEqual(percentFromHttpRouteWeights(httpRouteBackendWeights(split)), split);
        const versions = { blue: "7", green: "8" };
        assert.deepEqual(
          percentFromAliasRouting(lambdaAliasRouting(split, "blue", versions), versions),
          split,
        );
        assert.deepEqual(
          percentFromAliasRouting(lambdaAliasRouting(split, "green", versions), versions),
          split,
        );
      });
    }

    it("reads weights written at another scale as percent", () => {
      assert.deepEqual(percentFromAlbWeights({ blue: 900, green: 100 }), { blue: 90, green: 10 });
      assert.deepEqual(percentFromHttpRouteWeights({ blue: 1, green: 3 }), { blue: 25, green: 75 });
    });

    const refusals: { title: string; convert: () => unknown; error: RegExp }[] = [
      {
        title: "ALB weights for a split that does not sum to 100",
        convert: () => albTargetGroupWeights({ blue: 90, green: 20 }),
        error: /traffic must sum to 100/,
      },
      {
        title: "HTTPRoute weights for a fractional percent",
        convert: () => httpRouteBackendWeights({ blue: 50.5, green: 49.5 }),
        error: /traffic\.blue must be a whole percent from 0 to 100, got 50\.5/,
      },
      {
        title: "weights that send traffic nowhere",
        convert: () => percentFromAlbWeights({ blue: 0, green: 0 }),
        error: /a forward action with weights blue 0, green 0 sends traffic nowhere/,
      },
      {
        title: "an alias weighting a version against itself",
        convert: () => lambdaAliasRouting({ blue: 90, green: 10 }, "blue", { blue: "3", green: "3" }),
        error: /must be different published versions, both are 3/,
      },
      {
        title: "$LATEST behind an alias",
        convert: () => lambdaAliasRouting({ blue: 90, green: 10 }, "blue", { blue: "3", green: "$LATEST" }),
        error: /never \$LATEST/,
      },
      {
        title: "an alias with two additional versions",
        convert: () =>
          percentFromAliasRouting(
            { functionVersion: "7", additionalVersionWeights: { "8": 0.1, "9": 0.1 } },
            { blue: "7", green: "8" },
          ),
        error: /routes to 2 additional versions/,
      },
    ];
    for (const { title, convert, error } of refusals) {
      it(`refuses ${title}`, () => assert.throws(convert, error));
    }
  });

  describe("plans", () => {
    const cases: { weights: number[]; problems: { step?: number; message: RegExp }[] }[] = [
      { weights: [10, 25, 50, 100], problems: [] },
      { weights: [100], problems: [] },
      { weights: [], problems: [{ message: /the plan is empty/ }] },
      { weights: [50, 25, 100], problems: [{ step: 1, message: /step 2 has 25 after 50/ }] },
      { weights: [10, 50], problems: [{ step: 1, message: /the last step must send 100% .* got 50/ }] },
    ];
    for (const { weights, problems } of cases) {
      it(`judges the weights ${JSON.stringify(weights)}`, () => {
        const found = planProblems(weights);
        assert.equal(found.length, problems.length, JSON.stringify(found));
        problems.forEach((expected, index) => {
          assert.equal(found[index].step, expected.step);
          assert.match(found[index].message, expected.message);
        });
      });
    }

    const pauses: { steps: { weight: number; pause?: unknown }[]; problems: (number | undefined)[] }[] = [
      { steps: [{ weight: 50, pause: true }, { weight: 100 }], problems: [] },
      { steps: [{ weight: 50 }, { weight: 100, pause: { onTimeout: "abort" } }], problems: [1] },
      { steps: [{ weight: 50 }, { weight: 100, pause: false }], problems: [] },
      { steps: [{ weight: 100, pause: true }], problems: [0] },
    ];
    for (const { steps, problems } of pauses) {
      it(`judges the pauses of ${JSON.stringify(steps)}`, () => {
        const found = pauseProblems(steps);
        assert.deepEqual(
          found.map((problem) => problem.step),
          problems,
        );
        for (const problem of found)
          assert.match(problem.message, /a pause on the 100% step has nothing left to approve/);
      });
    }

    it("every preset is a valid plan", () => {
      for (const name of ["sop", "careful", "quick"] as const) {
        assert.deepEqual(planProblems(presetPlan(name).map((step) => step.weight)), [], name);
        assert.deepEqual(pauseProblems(presetPlan(name)), [], name);
      }
      assert.deepEqual(presetPlan("sop"), [
        { weight: 10, bakeSeconds: 300 },
        { weight: 25, bakeSeconds: 300 },
        { weight: 50, bakeSeconds: 300 },
        { weight: 100, bakeSeconds: 600 },
      ]);
    });
  });

  describe("AWS rules", () => {
    const alarm: AlarmThreshold = { enabled: true, threshold: 5, period: 60, evaluationPeriods: 2 };
    const windows: { title: string; alarm: AlarmThreshold; fields: (string | undefined)[] }[] = [
      { title: "the SOP's error rate", alarm, fields: [] },
      { title: "a 30-second period", alarm: { ...alarm, period: 30 }, fields: ["period"] },
      {
        title: "a day and an hour",
        alarm: { ...alarm, period: 3600, evaluationPeriods: 25 },
        fields: [undefined],
      },
      {
        title: "more data points than periods",
        alarm: { ...alarm, datapointsToAlarm: 3 },
        fields: ["datapointsToAlarm"],
      },
      { title: "a negative threshold", alarm: { ...alarm, threshold: -1 }, fields: ["threshold"] },
    ];
    for (const { title, alarm: window, fields } of windows) {
      it(`finds ${fields.length === 0 ? "nothing wrong with" : "the fault in"} ${title}`, () => {
        assert.deepEqual(
          alarmWindowProblems(window).map((problem) => problem.field),
          fields,
        );
      });
    }

    const ports: { https: boolean; listenerPort?: number; testListenerPort: number; fields: string[] }[] = [
      { https: false, testListenerPort: 8443, fields: [] },
      { https: true, testListenerPort: 8443, fields: [] },
      { https: false, testListenerPort: 80, fields: ["testListenerPort"] },
      { https: true, listenerPort: 80, testListenerPort: 8443, fields: ["listenerPort"] },
      { https: true, testListenerPort: 80, fields: ["testListenerPort"] },
      { https: false, listenerPort: 8443, testListenerPort: 8443, fields: ["testListenerPort"] },
    ];
    for (const { fields, ...given } of ports) {
      it(`judges the listener ports ${JSON.stringify(given)}`, () => {
        assert.deepEqual(
          listenerPortProblems(given).map((problem) => problem.field),
          fields,
        );
      });
    }

    const sizes: [number, number, boolean][] = [
      [256, 512, true],
      [256, 4096, false],
      [1024, 2048, true],
      [1024, 512, false],
      [4096, 30720, true],
      [4096, 9000, false],
      [300, 1024, false],
    ];
    for (const [cpu, memory, valid] of sizes) {
      it(`${valid ? "accepts" : "refuses"} Fargate cpu ${cpu} with memory ${memory}`, () => {
        assert.equal(fargateSizeProblem(cpu, memory) === undefined, valid);
      });
    }

    const images: [string, boolean, boolean][] = [
      ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout", false, true],
      ["registry.example.com:5000/team/checkout", false, true],
      ["checkout:1.0.0", true, false],
      ["registry.example.com/checkout:latest", true, false],
      ["Registry.example.com/Checkout", false, false],
    ];
    for (const [image, tagged, valid] of images) {
      it(`${valid ? "accepts" : "refuses"} the image repository ${image}`, () => {
        assert.equal(hasImageTag(image), tagged);
        assert.equal(imageRepositoryProblem(image, "registry.example.com/app") === undefined, valid);
      });
    }

    const alarmNames: [string, boolean, boolean][] = [
      ["checkout-green-5xx", true, true],
      ["orders per minute (green)", true, true],
      ['5xx "green"', true, false],
      ["", false, false],
      ["a".repeat(256), false, false],
      ["tab\tin name", false, false],
    ];
    for (const [name, watchable, inRule] of alarmNames) {
      it(`judges the alarm name ${JSON.stringify(name.slice(0, 20))}`, () => {
        assert.equal(alarmNameProblem(name) === undefined, watchable);
        assert.equal(ruleAlarmNameProblem(name) === undefined, inRule);
      });
    }

    it("builds a composite rule that is in ALARM when any member is", () => {
      assert.equal(anyAlarmRule(["a", "b (c)"]), 'ALARM("a") OR ALARM("b (c)")');
    });
  });

  describe("the stack outputs contract", () => {
    const outputs = {
      service: "checkout",
      platform: "ecs",
      revision: 7,
      stableColour: "blue",
      traffic: { blue: 100, green: 0 },
      slots: { blue: { version: "1.4.2" }, green: { version: "1.4.2" } },
      alarms: {
        blue: { composite: "checkout-dev-blue", members: ["checkout-dev-blue-error-rate"] },
        green: { composite: "checkout-dev-green", members: ["checkout-dev-green-error-rate"] },
        extra: [],
      },
      routing: {
        kind: "lambda",
        functionName: "orders-dev",
        aliasName: "live",
        aliasArn: "arn:aws:lambda:eu-west-1:123456789012:function:orders-dev:live",
        versions: { blue: "3", green: "4" },
      },
      routingUrns: ["urn:pulumi:dev::bluegreen::aws:lambda/alias:Alias::orders-dev-alias"],
    };

    it("reads a deployment's outputs as exported", () => {
      assert.deepEqual(stackOutputsSchema.parse(outputs), outputs);
    });

    const malformed: { title: string; change: Record<string, unknown>; path: string }[] = [
      { title: "a split over 100", change: { traffic: { blue: 90, green: 20 } }, path: "traffic" },
      { title: "an unknown routing kind", change: { routing: { kind: "nginx" } }, path: "routing.kind" },
      { title: "a colour that is not one", change: { stableColour: "red" }, path: "stableColour" },
      { title: "no routing URNs", change: { routingUrns: [] }, path: "routingUrns" },
      { title: "a negative revision", change: { revision: -1 }, path: "revision" },
    ];
    for (const { title, change, path } of malformed) {
      it(`refuses ${title}, at ${path}`, () => {
        const result = stackOutputsSchema.safeParse({ ...outputs, ...change });
        assert.equal(result.success, false);
        assert.equal(result.error?.issues[0].path.join("."), path);
      });
    }
  });
});
