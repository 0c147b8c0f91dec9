/**
 * The pack's wrappers, driven the way the policy engine drives them: typed resource validations
 * that apply only to their resource types, stack validations over resources whose unknown preview
 * values throw on read (the engine's own proxy), and the pack's config.
 */
import assert from "node:assert/strict";
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import * as engineProxy from "@pulumi/policy/proxy";
import { plainProps } from "../../infra/policy/plain";
import {
  ENFORCEMENT_LEVELS,
  SOP_CONFIG_SCHEMA,
  policies,
  sopLimitsFromConfig,
} from "../../infra/policy/policies";
import { Colour, PolicyInput, SOP_LIMITS, UNKNOWN } from "../../infra/policy/rules";
import { albErrorRateAlarm, albLatencyAlarm, albStack, targetGroup } from "./fixtures";

/** The engine's own unknown-checking proxy and sentinel (not in the package's type declarations). */
interface EngineProxy {
  unknownCheckingProxy<T extends object>(value: T): T;
  readonly unknownStringValue: string;
}

const engine = engineProxy as unknown as EngineProxy;

class NotApplicable extends Error {}

const OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function isTypeOf(type: string) {
  return (resourceClass: unknown): boolean =>
    (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

function resourceArgs(type: string, name: string, props: Record<string, unknown>): ResourceValidationArgs {
  return {
    type,
    props: engine.unknownCheckingProxy(props),
    urn: `urn:pulumi:test::bluegreen::${type}::${name}`,
    name,
    opts: OPTIONS,
    stackTags: new Map(),
    isType: isTypeOf(type) as ResourceValidationArgs["isType"],
    asType: (() => undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

function policyNamed<T>(name: string): T {
  const found = policies.find((policy) => policy.name === name);
  assert.ok(found, `no policy ${name}`);
  return found as T;
}

/** Runs a resource policy's validations as the engine does, collecting what it reports. */
async function validateResource(name: string, args: ResourceValidationArgs): Promise<string[]> {
  const policy = policyNamed<ResourceValidationPolicy>(name);
  const validations = policy.validateResource ?? [];
  const messages: string[] = [];
  for (const validation of Array.isArray(validations) ? validations : [validations]) {
    try {
      await validation(args, (message) => messages.push(message));
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return messages;
}

function policyResource(
  input: PolicyInput,
  raw: Record<string, unknown>,
  dependencies: PolicyResource[] = [],
): PolicyResource {
  return {
    type: input.type,
    props: engine.unknownCheckingProxy(raw),
    urn: input.urn,
    name: input.name,
    opts: OPTIONS,
    dependencies,
    propertyDependencies: {},
    isType: isTypeOf(input.type) as PolicyResource["isType"],
    asType: (() => undefined) as PolicyResource["asType"],
  };
}

/** Runs a stack policy as the engine does, collecting what it reports and against which URN. */
async function validateStack(
  name: string,
  resources: PolicyResource[],
  config: Record<string, unknown> = {},
): Promise<{ message: string; urn?: string }[]> {
  const policy = policyNamed<StackValidationPolicy>(name);
  const reported: { message: string; urn?: string }[] = [];
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  await policy.validateStack(args, (message, urn) => reported.push({ message, urn }));
  return reported;
}

/** Plain values back into what the engine deserializes: UNKNOWN becomes the engine's sentinel. */
function raw(value: unknown): Record<string, unknown> {
  return rawValue(value) as Record<string, unknown>;
}

function rawValue(value: unknown): unknown {
  if (value === UNKNOWN) return engine.unknownStringValue;
  if (Array.isArray(value)) return value.map(rawValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, entry]) => entry !== undefined)
        .map(([key, entry]) => [key, rawValue(entry)]),
    );
  }
  return value;
}

describe("the bluegreen-sop pack", () => {
  it("holds each policy at its level, as a stack or a resource validation", () => {
    assert.deepEqual(
      policies.map((policy) => [
        policy.name,
        policy.enforcementLevel,
        "validateStack" in policy ? "stack" : "resource",
      ]),
      [
        ["colour-alarms", "mandatory", "stack"],
        ["listener-weights", "mandatory", "resource"],
        ["listener-tls", "mandatory", "stack"],
        ["test-listener-ingress", "mandatory", "stack"],
        ["lambda-alias-no-latest", "mandatory", "resource"],
        ["control-table-protection", "advisory", "resource"],
        ["kubernetes-colour-rollout", "mandatory", "resource"],
      ],
    );
    assert.deepEqual(
      Object.keys(ENFORCEMENT_LEVELS),
      policies.map((policy) => policy.name),
    );
  });

  it("describes the SOP's own limits as the defaults of the colour-alarm policy's config", () => {
    const defaults = Object.fromEntries(
      Object.entries(SOP_CONFIG_SCHEMA.properties).map(([key, schema]) => [key, schema.default]),
    );
    assert.deepEqual(defaults, { ...SOP_LIMITS });
  });

  describe("resource policies apply to their resource types only", () => {
    const zeroed = {
      defaultActions: [{ type: "forward", forward: { targetGroups: [{ arn: "tg", weight: 0 }] } }],
    };
    const cases: {
      policy: string;
      type: string;
      props: Record<string, unknown>;
      reports: RegExp | undefined;
    }[] = [
      {
        policy: "listener-weights",
        type: "aws:lb/listener:Listener",
        props: zeroed,
        reports: /^listener "r": forward action 1 gives every target group weight 0/,
      },
      {
        policy: "listener-weights",
        type: "aws:alb/listener:Listener",
        props: zeroed,
        reports: /^listener "r": forward action 1 gives/,
      },
      {
        policy: "listener-weights",
        type: "aws:lb/listenerRule:ListenerRule",
        props: { actions: zeroed.defaultActions },
        reports: /^listener rule "r": forward action 1 gives/,
      },
      {
        policy: "listener-weights",
        type: "aws:alb/listenerRule:ListenerRule",
        props: { actions: zeroed.defaultActions },
        reports: /^listener rule "r": forward action 1 gives/,
      },
      {
        policy: "listener-weights",
        type: "aws:lb/targetGroup:TargetGroup",
        props: zeroed,
        reports: undefined,
      },
      {
        policy: "lambda-alias-no-latest",
        type: "aws:lambda/alias:Alias",
        props: { functionVersion: "$LATEST" },
        reports: /^Lambda alias "r" points its version at \$LATEST/,
      },
      {
        policy: "lambda-alias-no-latest",
        type: "aws:lambda/alias:Alias",
        props: { functionVersion: "3" },
        reports: undefined,
      },
      {
        policy: "lambda-alias-no-latest",
        type: "aws:lambda/function:Function",
        props: { functionVersion: "$LATEST" },
        reports: undefined,
      },
      {
        policy: "control-table-protection",
        type: "aws:dynamodb/table:Table",
        props: { tags: { "bluegreen:role": "control" }, pointInTimeRecovery: { enabled: true } },
        reports: /^DynamoDB table "r" \(bluegreen:role=control\) has no deletion protection/,
      },
      {
        policy: "kubernetes-colour-rollout",
        type: "kubernetes:apps/v1:Deployment",
        props: {
          spec: {
            selector: { matchLabels: { "bluegreen.dev/colour": "blue" } },
            strategy: { type: "Recreate" },
          },
        },
        reports: /^Deployment "r" \(blue\) uses the Recreate strategy/,
      },
      {
        policy: "kubernetes-colour-rollout",
        type: "kubernetes:apps/v1:StatefulSet",
        props: {
          spec: {
            selector: { matchLabels: { "bluegreen.dev/colour": "blue" } },
            strategy: { type: "Recreate" },
          },
        },
        reports: undefined,
      },
    ];
    for (const { policy, type, props, reports } of cases) {
      it(`${policy} on ${type}: ${reports ? "reports" : "reports nothing"}`, async () => {
        const messages = await validateResource(policy, resourceArgs(type, "r", props));
        if (reports === undefined) assert.deepEqual(messages, []);
        else {
          assert.equal(messages.length, 1, messages.join("\n"));
          assert.match(messages[0], reports);
        }
      });
    }

    it("listener-weights passes over weights a preview does not know yet", async () => {
      const props = {
        defaultActions: [
          {
            type: "forward",
            forward: {
              targetGroups: [{ arn: engine.unknownStringValue, weight: engine.unknownStringValue }],
            },
          },
        ],
      };
      const args = resourceArgs("aws:lb/listener:Listener", "r", props);
      assert.throws(
        () =>
          (args.props.defaultActions as { forward: { targetGroups: { weight: number }[] } }[])[0].forward
            .targetGroups[0].weight,
      );
      assert.deepEqual(await validateResource("listener-weights", args), []);
    });
  });

  describe("stack policies", () => {
    it("colour-alarms judges a first preview, where group suffixes and dimensions are unknown, by dependency", async () => {
      const group = (colour: Colour) =>
        policyResource(targetGroup(colour), raw({ ...targetGroup(colour).props, arnSuffix: UNKNOWN }));
      const blue = group("blue");
      const green = group("green");
      // Untagged, with every TargetGroup dimension unknown: only the engine's dependency ties them.
      const alarm = (input: PolicyInput, watched: PolicyResource) =>
        policyResource(input, raw({ ...input.props, tags: undefined }), [watched]);
      const resources = [
        blue,
        green,
        alarm(albErrorRateAlarm("blue", {}, UNKNOWN), blue),
        alarm(albLatencyAlarm("blue", {}, { TargetGroup: UNKNOWN }), blue),
        alarm(albLatencyAlarm("green", {}, { TargetGroup: UNKNOWN }), green),
      ];
      assert.throws(() => resources[0].props.arnSuffix, /can't be known during preview/);
      const reported = await validateStack("colour-alarms", resources);
      assert.equal(reported.length, 1, reported.map((entry) => entry.message).join("\n"));
      assert.match(reported[0].message, /^target group "shop-green" \(green\) has no error-rate alarm/);
      assert.equal(reported[0].urn, green.urn);
    });

    it("colour-alarms applies the pack's config: a 2% limit fails the 5% alarms", async () => {
      const resources = albStack().map((input) => policyResource(input, raw(input.props)));
      assert.deepEqual(await validateStack("colour-alarms", resources), []);
      const reported = await validateStack("colour-alarms", resources, { maxErrorRatePercent: 2 });
      assert.deepEqual(
        reported.map((entry) => entry.message.slice(0, entry.message.indexOf(":"))),
        [
          'target group "shop-blue" (blue) has no error-rate alarm within the SOP (error rate above 2% for at most 120 s)',
          'target group "shop-green" (green) has no error-rate alarm within the SOP (error rate above 2% for at most 120 s)',
        ],
      );
    });
  });

  describe("the pack's config for the SOP's limits", () => {
    const cases: { config: Record<string, unknown>; expected: Partial<typeof SOP_LIMITS> }[] = [
      { config: {}, expected: {} },
      { config: { maxErrorRatePercent: 2 }, expected: { maxErrorRatePercent: 2 } },
      {
        config: { maxLatencySeconds: 1.5, maxLatencyWindowSeconds: 120 },
        expected: { maxLatencySeconds: 1.5, maxLatencyWindowSeconds: 120 },
      },
      { config: { maxErrorRatePercent: "2" }, expected: {} },
      { config: { maxErrorRatePercent: Number.NaN }, expected: {} },
      { config: { unrelated: 1 }, expected: {} },
    ];
    for (const { config, expected } of cases) {
      it(`${JSON.stringify(config)} -> ${JSON.stringify(expected)}`, () => {
        assert.deepEqual(sopLimitsFromConfig(config), { ...SOP_LIMITS, ...expected });
      });
    }
  });

  describe("plain copies of the engine's properties", () => {
    it("turn each value the engine does not know yet into UNKNOWN", () => {
      const unknown = engine.unknownStringValue;
      const props = engine.unknownCheckingProxy({
        port: 8443,
        arn: unknown,
        forward: { targetGroups: [{ arn: unknown, weight: 10 }], stickiness: unknown },
        tags: { "bluegreen:colour": "blue" },
        ports: [unknown, 80],
        nothing: null,
      });
      assert.deepEqual(plainProps(props), {
        port: 8443,
        arn: UNKNOWN,
        forward: { targetGroups: [{ arn: UNKNOWN, weight: 10 }], stickiness: UNKNOWN },
        tags: { "bluegreen:colour": "blue" },
        ports: [UNKNOWN, 80],
        nothing: null,
      });
    });
  });
});
