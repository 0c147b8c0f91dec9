import assert from "node:assert/strict";
import { PolicyInput, PropertyMap, UNKNOWN, controlTableViolations } from "../../infra/policy/rules";
import { resource } from "./fixtures";

const table = (props: PropertyMap, type = "aws:dynamodb/table:Table"): PolicyInput =>
  resource(type, "bluegreen-control", {
    hashKey: "stack",
    attributes: [{ name: "stack", type: "S" }],
    tags: { "bluegreen:role": "control" },
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: true,
    ...props,
  });

const SUBJECT = 'DynamoDB table "bluegreen-control" (bluegreen:role=control)';
const NO_RECOVERY = `${SUBJECT} has no point-in-time recovery. Fix: set pointInTimeRecovery: { enabled: true }.`;
const NO_PROTECTION = `${SUBJECT} has no deletion protection. Fix: set deletionProtectionEnabled: true.`;

const cases: { name: string; input: PolicyInput; expected: string[] }[] = [
  { name: "a protected control table", input: table({}), expected: [] },
  {
    name: "recovery off",
    input: table({ pointInTimeRecovery: { enabled: false } }),
    expected: [NO_RECOVERY],
  },
  { name: "recovery not set", input: table({ pointInTimeRecovery: undefined }), expected: [NO_RECOVERY] },
  {
    name: "deletion protection off",
    input: table({ deletionProtectionEnabled: false }),
    expected: [NO_PROTECTION],
  },
  {
    name: "neither",
    input: table({ pointInTimeRecovery: undefined, deletionProtectionEnabled: undefined }),
    expected: [NO_RECOVERY, NO_PROTECTION],
  },
  {
    name: "the role in tagsAll only (provider default tags)",
    input: table({
      tags: undefined,
      tagsAll: { "bluegreen:role": "control" },
      deletionProtectionEnabled: false,
    }),
    expected: [NO_PROTECTION],
  },
  {
    name: "another table",
    input: table({ tags: { "bluegreen:role": "audit" }, pointInTimeRecovery: undefined }),
    expected: [],
  },
  {
    name: "an untagged table",
    input: table({ tags: undefined, deletionProtectionEnabled: false }),
    expected: [],
  },
  {
    name: "settings a preview does not know yet",
    input: table({ pointInTimeRecovery: UNKNOWN, deletionProtectionEnabled: UNKNOWN }),
    expected: [],
  },
  {
    name: "another resource type",
    input: table({ deletionProtectionEnabled: false }, "aws:s3/bucket:Bucket"),
    expected: [],
  },
];

describe("rule: control table protection", () => {
  for (const { name, input, expected } of cases) {
    it(`${name}: ${expected.length === 0 ? "complies" : `${expected.length} violation(s)`}`, () => {
      const violations = controlTableViolations(input);
      assert.deepEqual(
        violations.map((violation) => violation.message),
        expected,
      );
      for (const violation of violations) assert.equal(violation.urn, input.urn);
    });
  }
});
