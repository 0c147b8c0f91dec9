import assert from "node:assert/strict";
import { controlTableName, historySortKey } from "../../components/domain/controlTable";

describe("the control table's name", () => {
  const cases: { service: string; stack: string; name?: string; error?: RegExp }[] = [
    { service: "orders", stack: "prod", name: "bluegreen-orders-prod" },
    { service: "svc", stack: "eu_west.1-dev", name: "bluegreen-svc-eu_west.1-dev" },
    {
      service: "orders",
      stack: "acme/orders/prod",
      error: /stack name "acme\/orders\/prod" has "\/".*short name/,
    },
    { service: "orders", stack: "", error: /the stack name is empty/ },
    { service: "", stack: "prod", error: /the service name is empty/ },
    { service: "ord ers", stack: "prod", error: /service name "ord ers" has " "/ },
    { service: "orders", stack: "x".repeat(245), error: /has 262 characters; DynamoDB allows 3 to 255/ },
    { service: "orders", stack: "x".repeat(238), name: `bluegreen-orders-${"x".repeat(238)}` },
  ];
  for (const { service, stack, name, error } of cases) {
    it(`${JSON.stringify(service)} / ${JSON.stringify(stack.length > 20 ? `${stack.length} characters` : stack)}`, () => {
      if (error) assert.throws(() => controlTableName(service, stack), error);
      else assert.equal(controlTableName(service, stack), name);
    });
  }
});

describe("history sort keys", () => {
  it("order runs by start, then by id, as text", () => {
    const keys = [
      historySortKey("2025-03-01T10:00:00.000Z", "b"),
      historySortKey("2024-12-31T23:59:59.999Z", "z"),
      historySortKey("2025-03-01T10:00:00.000Z", "a"),
      historySortKey("2025-03-01T09:59:59.000Z", "a"),
    ];
    assert.deepEqual([...keys].sort(), [keys[1], keys[3], keys[2], keys[0]]);
  });
});
