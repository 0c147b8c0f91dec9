import assert from "node:assert/strict";
import { ControlTable, ControlTableArgs } from "../../components/controlTable";
import { CONTROL_TABLE_SCHEMA } from "../../components/domain";
import { controlTableViolations } from "../../infra/policy/rules";
import { captureChildren, urnsOf } from "../support/awsFixtures";
import { resourcesOfType, valueOf } from "../support/pulumi-mocks";

const TABLE = "aws:dynamodb/table:Table";

function table(): Record<string, unknown> {
  const tables = resourcesOfType(TABLE);
  assert.equal(tables.length, 1, "one DynamoDB table");
  return tables[0].inputs;
}

describe("ControlTable", () => {
  const args = (overrides: Partial<ControlTableArgs> = {}): ControlTableArgs => ({
    serviceName: "checkout",
    stackName: "prod",
    ...overrides,
  });

  it("names the table from the service and the stack, as the driver and operators derive it", async () => {
    const component = new ControlTable("checkout-prod", args());
    assert.equal(await valueOf(component.tableName), "bluegreen-checkout-prod");
    assert.ok((await valueOf(component.tableArn)).length > 0);
    assert.equal(table().name, "bluegreen-checkout-prod");
  });

  it("is on-demand, keyed as the channel reads it, recoverable, protected and encrypted", async () => {
    new ControlTable("checkout-prod", args({ tags: { service: "checkout" } }));
    await new Promise((resolve) => setImmediate(resolve));
    const inputs = table();
    assert.equal(inputs.billingMode, "PAY_PER_REQUEST");
    assert.equal(inputs.hashKey, CONTROL_TABLE_SCHEMA.hashKey);
    assert.equal(inputs.rangeKey, CONTROL_TABLE_SCHEMA.rangeKey);
    assert.deepEqual(inputs.attributes, CONTROL_TABLE_SCHEMA.attributes);
    assert.deepEqual(inputs.pointInTimeRecovery, { enabled: true });
    assert.equal(inputs.deletionProtectionEnabled, true);
    assert.deepEqual(inputs.serverSideEncryption, { enabled: true });
    assert.deepEqual(inputs.tags, { service: "checkout", "bluegreen:role": "control" });
  });

  it("passes the policy pack's control-table-protection rule", async () => {
    new ControlTable("checkout-prod", args());
    await new Promise((resolve) => setImmediate(resolve));
    const [recorded] = resourcesOfType(TABLE);
    const violations = controlTableViolations({
      type: recorded.type,
      urn: `urn:pulumi:test::bluegreen::${recorded.type}::${recorded.name}`,
      name: recorded.name,
      props: recorded.inputs as never,
    });
    assert.deepEqual(violations, []);
  });

  it("parents the table to the component", async () => {
    const { opts, children } = captureChildren();
    const component = new ControlTable("checkout-prod", args(), opts);
    const urns = await urnsOf(children.filter((child) => child !== component));
    assert.deepEqual(urns.length, 1);
    assert.match(urns[0], /bluegreen:control:ControlTable\$aws:dynamodb\/table:Table::checkout-prod-table$/);
  });

  it("refuses a stack name DynamoDB cannot take, naming it", () => {
    assert.throws(
      () => new ControlTable("x", args({ stackName: "acme/orders/prod" })),
      /ControlTable x: control table name: the stack name "acme\/orders\/prod"/,
    );
  });
});
