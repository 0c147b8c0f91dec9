/**
 * The rollout's preflight proves its calls on the control table before anything changes: against
 * a real DynamoDB API (dynalite), a table that allows them passes and is left unwritten, and a
 * missing table or a denied action fails the check naming the action and the table.
 */
import assert from "node:assert/strict";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { connectStack } from "../../../automation/cli/wiring";
import { loadStack } from "../../../automation/cli/stacks";
import type { EventSink } from "../../../automation/events";
import type { StackPort } from "../../../automation/ports";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { CONTROL_TABLE_ACTIONS } from "../../../components/domain/controlTable";
import { failCalls, recordActions, useDynalite } from "../adapters/control/dynalite";
import { ecsStack, makeProject, testIo } from "./support";

const NO_EVENTS: EventSink = { emit: () => undefined };
const DEV_TABLE = "bluegreen-checkout-dev";

describe("the rollout's control table preflight", () => {
  const dynamo = useDynalite();
  let project: ReturnType<typeof makeProject>;
  // The dev stack's own table, as `pulumi up` would have declared it; "gone" has none.
  before(async () => {
    await dynamo().createTable(DEV_TABLE);
  });
  beforeEach(() => {
    project = makeProject({
      dev: ecsStack(),
      gone: ecsStack(),
      shared: ecsStack({ extra: "  bluegreen:control: { channel: file }" }),
    });
  });
  afterEach(() => project.cleanup());

  /** The preflight checks of `stack` for a command that uses `actions`, on `client`. */
  async function checks(stack: string, actions: readonly string[] | undefined, client: DynamoDBClient) {
    const loaded = loadStack(project.dir, stack);
    const world = new SimulatedWorld({ config: loaded.config, stackName: stack, clock: new VirtualClock(0) });
    const stackPort: StackPort = { ...world.stack, name: stack };
    const deps = await connectStack(
      {
        stack: loaded,
        io: testIo(project.dir).io,
        events: NO_EVENTS,
        control: new MemoryControlChannel(),
        controlActions: actions,
      },
      { stack: stackPort, controlTableClient: client },
    );
    return deps.preflightChecks ?? [];
  }

  async function controlCheck(stack: string, client: DynamoDBClient) {
    const found = (await checks(stack, CONTROL_TABLE_ACTIONS.driver, client)).find(
      (check) => check.name === "control-table",
    );
    assert.ok(found, "a control-table check");
    return found;
  }

  it("comes last, for a command that names its actions, on a DynamoDB stack only", async () => {
    const client = dynamo().client;
    assert.deepEqual(
      (await checks("dev", CONTROL_TABLE_ACTIONS.driver, client)).map((check) => check.name),
      ["pulumi-cli", "aws-credentials", "pulumi-stack", "routing", "control-table"],
    );
    assert.equal((await checks("dev", undefined, client)).length, 4, "status and abort prove nothing more");
    assert.equal((await checks("shared", CONTROL_TABLE_ACTIONS.driver, client)).length, 4, "a file channel");
  });

  it("passes on a table that allows the driver's calls, and writes nothing to it", async () => {
    const client = dynamo().newClient();
    const actions = recordActions(client);
    const result = await (await controlCheck("dev", client)).run();
    assert.deepEqual(result, {
      ok: true,
      detail: `control table ${DEV_TABLE} allows dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:PutItem`,
    });
    assert.deepEqual(actions, ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"]);
    const items = (await dynamo().client.send(new ScanCommand({ TableName: DEV_TABLE }))).Items ?? [];
    assert.deepEqual(items, [], "the probes wrote nothing");
  });

  it("fails on a missing table, naming it", async () => {
    const result = await (await controlCheck("gone", dynamo().client)).run();
    assert.equal(result.ok, false);
    assert.match(
      result.detail,
      /control table bluegreen-checkout-gone does not exist in this account and region/,
    );
  });

  for (const denied of CONTROL_TABLE_ACTIONS.driver) {
    it(`fails when ${denied} is denied, naming the action and the table`, async () => {
      const client = dynamo().newClient();
      const command = `${denied.replace("dynamodb:", "")}Command`;
      failCalls(client, command, () =>
        Object.assign(
          new Error(
            `User: arn:aws:sts::123456789012:assumed-role/deploy/ci is not authorized to perform: ${denied} on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/${DEV_TABLE} because no identity-based policy allows the ${denied} action`,
          ),
          { name: "AccessDeniedException" },
        ),
      );
      const result = await (await controlCheck("dev", client)).run();
      assert.equal(result.ok, false);
      assert.equal(
        result.detail,
        `not allowed to use control table ${DEV_TABLE}: the policy needs ${denied} on arn:aws:dynamodb:eu-west-1:123456789012:table/${DEV_TABLE}`,
      );
    });
  }
});
