import assert from "node:assert/strict";
import { assertLambdaAliases, assertLambdaVersionsImmutable } from "./lambdaRules";
import type { RecordedResource } from "./pulumi-mocks";

function alias(inputs: RecordedResource["inputs"]): RecordedResource {
  return { type: "aws:lambda/alias:Alias", name: "svc-alias", inputs, id: "svc-alias-id" };
}

function version(desiredState: string): RecordedResource {
  return {
    type: "aws:cloudcontrol/resource:Resource",
    name: "svc-green",
    inputs: { typeName: "AWS::Lambda::Version", desiredState },
    id: "svc-green-id",
  };
}

describe("Lambda API rules (self-test)", () => {
  const goodAliases = [
    { why: "primary only", inputs: { functionVersion: "3" } },
    {
      why: "a canary weight",
      inputs: { functionVersion: "3", routingConfig: { additionalVersionWeights: { "4": 0.1 } } },
    },
    {
      why: "everything on the additional version",
      inputs: { functionVersion: "3", routingConfig: { additionalVersionWeights: { "4": 1 } } },
    },
    {
      why: "an empty map",
      inputs: { functionVersion: "3", routingConfig: { additionalVersionWeights: {} } },
    },
  ];
  for (const { why, inputs } of goodAliases) {
    it(`accepts an alias with ${why}`, () => {
      assert.doesNotThrow(() => assertLambdaAliases([alias(inputs)]));
    });
  }

  const badAliases = [
    {
      why: "$LATEST as the primary",
      inputs: { functionVersion: "$LATEST" },
      message: /published version number/,
    },
    { why: "no primary", inputs: {}, message: /functionVersion/ },
    {
      why: "$LATEST as the additional version",
      inputs: { functionVersion: "3", routingConfig: { additionalVersionWeights: { $LATEST: 0.1 } } },
      message: /additional version must be a published version number/,
    },
    {
      why: "two additional versions",
      inputs: { functionVersion: "3", routingConfig: { additionalVersionWeights: { "4": 0.1, "5": 0.1 } } },
      message: /at most one additional version/,
    },
    {
      why: "a weight above 1",
      inputs: { functionVersion: "3", routingConfig: { additionalVersionWeights: { "4": 25 } } },
      message: /between 0 and 1, got 25/,
    },
    {
      why: "a negative weight",
      inputs: { functionVersion: "3", routingConfig: { additionalVersionWeights: { "4": -0.1 } } },
      message: /between 0 and 1/,
    },
    {
      why: "the primary as the additional version",
      inputs: { functionVersion: "3", routingConfig: { additionalVersionWeights: { "3": 0.5 } } },
      message: /is the primary version/,
    },
  ];
  for (const { why, inputs, message } of badAliases) {
    it(`rejects an alias with ${why}`, () => {
      assert.throws(() => assertLambdaAliases([alias(inputs)]), message);
    });
  }

  it("ignores resources that are not aliases", () => {
    const other: RecordedResource = { type: "aws:lambda/function:Function", name: "f", inputs: {}, id: "f" };
    assert.doesNotThrow(() => assertLambdaAliases([other]));
  });

  it("accepts a version desired state naming the function", () => {
    const state = JSON.stringify({ FunctionName: "checkout", Description: "bluegreen green 1.4.2" });
    assert.doesNotThrow(() => assertLambdaVersionsImmutable([version(state)]));
  });

  const badVersions = [
    {
      why: "no FunctionName",
      state: JSON.stringify({ Description: "x" }),
      message: /must carry FunctionName/,
    },
    { why: "text that is not JSON", state: "FunctionName=checkout", message: /not JSON/ },
    { why: "a JSON array", state: "[]", message: /JSON object/ },
    {
      why: "a read-only property",
      state: JSON.stringify({ FunctionName: "checkout", Version: "3" }),
      message: /Version is not a property/,
    },
    {
      why: "a description over 256 characters",
      state: JSON.stringify({ FunctionName: "checkout", Description: "x".repeat(257) }),
      message: /at most 256/,
    },
  ];
  for (const { why, state, message } of badVersions) {
    it(`rejects a version desired state with ${why}`, () => {
      assert.throws(() => assertLambdaVersionsImmutable([version(state)]), message);
    });
  }

  it("ignores Cloud Control resources of other types", () => {
    const other: RecordedResource = {
      type: "aws:cloudcontrol/resource:Resource",
      name: "x",
      inputs: { typeName: "AWS::Logs::LogGroup", desiredState: "{}" },
      id: "x",
    };
    assert.doesNotThrow(() => assertLambdaVersionsImmutable([other]));
  });
});
