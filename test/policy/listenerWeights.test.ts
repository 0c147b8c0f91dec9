import assert from "node:assert/strict";
import { PolicyInput, PropertyValue, UNKNOWN, listenerWeightViolations } from "../../infra/policy/rules";
import { resource } from "./fixtures";

const TG = (n: number) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-${n}/${n}`;

function listener(targetGroups: PropertyValue, type = "aws:lb/listener:Listener"): PolicyInput {
  const actions: PropertyValue[] = [{ type: "forward", forward: { targetGroups } }];
  return resource(
    type,
    "shop-listener",
    type.includes("listenerRule") ? { actions } : { defaultActions: actions },
  );
}

const weighted = (...weights: PropertyValue[]): PropertyValue[] =>
  weights.map((weight, index) => ({ arn: TG(index + 1), weight }));

const cases: { name: string; input: PolicyInput; expected: RegExp[] }[] = [
  { name: "the stable colour at 100, the candidate at 0", input: listener(weighted(100, 0)), expected: [] },
  { name: "a 90/10 split", input: listener(weighted(90, 10)), expected: [] },
  { name: "the highest weights AWS takes", input: listener(weighted(999, 999)), expected: [] },
  {
    name: "both weights 0",
    input: listener(weighted(0, 0)),
    expected: [
      /^listener "shop-listener": forward action 1 gives every target group weight 0, so no colour gets traffic; give the stable colour's group its weight \(bluegreen:traffic must sum to 100\)\.$/,
    ],
  },
  {
    name: "a weight of 1000",
    input: listener(weighted(1000, 0)),
    expected: [
      /^listener "shop-listener": forward action 1 weights target group 1 at 1000; use a whole number from 0 to 999/,
    ],
  },
  {
    name: "a negative weight",
    input: listener(weighted(-1, 101)),
    expected: [/forward action 1 weights target group 1 at -1; use a whole number from 0 to 999/],
  },
  {
    name: "a fractional weight",
    input: listener(weighted(12.5, 87.5)),
    expected: [/weights target group 1 at 12\.5;/, /weights target group 2 at 87\.5;/],
  },
  {
    name: "a weight given as a string",
    input: listener(weighted("10%", 90)),
    expected: [/weights target group 1 at "10%";/],
  },
  {
    name: "six target groups",
    input: listener(weighted(1, 1, 1, 1, 1, 1)),
    expected: [
      /^listener "shop-listener": forward action 1 names 6 target groups; AWS allows at most 5: forward to the two colours' groups only\.$/,
    ],
  },
  {
    name: "no target group",
    input: listener([]),
    expected: [
      /^listener "shop-listener": forward action 1 names no target group; name the colours' target groups\.$/,
    ],
  },
  {
    name: "one group without a weight takes everything",
    input: listener([{ arn: TG(1) }]),
    expected: [],
  },
  {
    name: "two groups, one without a weight",
    input: listener([{ arn: TG(1), weight: 100 }, { arn: TG(2) }]),
    expected: [
      /forward action 1 leaves the weight of target group 2 unset; give every group a weight from 0 to 999\.$/,
    ],
  },
  {
    name: "a listener rule with both weights 0",
    input: listener(weighted(0, 0), "aws:lb/listenerRule:ListenerRule"),
    expected: [/^listener rule "shop-listener": forward action 1 gives every target group weight 0/],
  },
  {
    name: "an aws.alb listener with a weight of 1000",
    input: listener(weighted(1000, 0), "aws:alb/listener:Listener"),
    expected: [/^listener "shop-listener": forward action 1 weights target group 1 at 1000/],
  },
  {
    name: "a redirect listener",
    input: resource("aws:lb/listener:Listener", "shop-http-redirect", {
      defaultActions: [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ],
    }),
    expected: [],
  },
  {
    name: "a forward to one group by ARN",
    input: resource("aws:lb/listener:Listener", "shop-listener", {
      defaultActions: [{ type: "forward", targetGroupArn: TG(1) }],
    }),
    expected: [],
  },
  {
    name: "weights a preview does not know yet",
    input: listener([
      { arn: UNKNOWN, weight: UNKNOWN },
      { arn: UNKNOWN, weight: 0 },
    ]),
    expected: [],
  },
  { name: "actions a preview does not know yet", input: listener(UNKNOWN), expected: [] },
  {
    name: "another resource type",
    input: resource("aws:lb/targetGroup:TargetGroup", "shop-blue", { weight: 0 }),
    expected: [],
  },
];

describe("rule: listener weights", () => {
  for (const { name, input, expected } of cases) {
    it(`${name}: ${expected.length === 0 ? "complies" : `${expected.length} violation(s)`}`, () => {
      const violations = listenerWeightViolations(input);
      const found = violations.map((violation) => violation.message);
      assert.equal(found.length, expected.length, found.join("\n"));
      expected.forEach((pattern, index) => assert.match(found[index], pattern));
      for (const violation of violations) assert.equal(violation.urn, input.urn);
    });
  }
});
