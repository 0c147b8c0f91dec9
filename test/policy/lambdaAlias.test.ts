import assert from "node:assert/strict";
import { PolicyInput, PropertyMap, UNKNOWN, lambdaAliasViolations } from "../../infra/policy/rules";
import { resource } from "./fixtures";

const alias = (props: PropertyMap, type = "aws:lambda/alias:Alias"): PolicyInput =>
  resource(type, "orders-dev-alias", { name: "live", functionName: "orders-dev", ...props });

const FIX = "Fix: route only to published version numbers (LambdaBlueGreen publishes one per colour).";

const cases: { name: string; input: PolicyInput; expected: string[] }[] = [
  { name: "a published version", input: alias({ functionVersion: "7" }), expected: [] },
  {
    name: "a published version and a weighted one",
    input: alias({ functionVersion: "7", routingConfig: { additionalVersionWeights: { "8": 0.1 } } }),
    expected: [],
  },
  {
    name: "$LATEST as the version",
    input: alias({ functionVersion: "$LATEST" }),
    expected: [`Lambda alias "orders-dev-alias" points its version at $LATEST. ${FIX}`],
  },
  {
    name: "$LATEST as the weighted version",
    input: alias({ functionVersion: "7", routingConfig: { additionalVersionWeights: { $LATEST: 0.1 } } }),
    expected: [`Lambda alias "orders-dev-alias" sends weighted traffic to $LATEST. ${FIX}`],
  },
  {
    name: "$LATEST both ways",
    input: alias({
      functionVersion: "$LATEST",
      routingConfig: { additionalVersionWeights: { $LATEST: 0.5 } },
    }),
    expected: [
      `Lambda alias "orders-dev-alias" points its version at $LATEST. ${FIX}`,
      `Lambda alias "orders-dev-alias" sends weighted traffic to $LATEST. ${FIX}`,
    ],
  },
  { name: "a version a preview does not know yet", input: alias({ functionVersion: UNKNOWN }), expected: [] },
  {
    name: "weights a preview does not know yet",
    input: alias({ functionVersion: "7", routingConfig: UNKNOWN }),
    expected: [],
  },
  {
    name: "another resource type",
    input: alias({ functionVersion: "$LATEST" }, "aws:lambda/function:Function"),
    expected: [],
  },
];

describe("rule: Lambda alias never on $LATEST", () => {
  for (const { name, input, expected } of cases) {
    it(`${name}: ${expected.length === 0 ? "complies" : `${expected.length} violation(s)`}`, () => {
      const violations = lambdaAliasViolations(input);
      assert.deepEqual(
        violations.map((violation) => violation.message),
        expected,
      );
      for (const violation of violations) assert.equal(violation.urn, input.urn);
    });
  }
});
