import assert from "node:assert/strict";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  DynamoControlChannel,
  MAX_WRITE_ATTEMPTS,
} from "../../../../automation/adapters/control/dynamoControlChannel";
import {
  ControlTableAccessDeniedError,
  ControlTableError,
  ControlTableMissingError,
  ControlWriteConflictError,
  MalformedControlItemError,
  mapDynamoError,
  StackBusyError,
} from "../../../../automation/adapters/control/dynamoErrors";
import { CONTROL_TABLE_ACTIONS } from "../../../../components/domain/controlTable";
import type { ControlRun } from "../../../../automation/core/controlRecord";
import { isTransient } from "../../../../automation/core/retry";
import type { ControlRequest } from "../../../../automation/ports";
import { awsError } from "../aws/helpers";
import { failCalls, recordActions, useDynalite } from "./dynalite";

const T = 1_700_000_000_000;
const STALE = 60_000;

const run = (runId: string, startedBy: string, overrides: Partial<ControlRun> = {}): ControlRun => ({
  runId,
  version: `2.0.${runId.length}`,
  candidate: "green",
  stable: "blue",
  position: { step: 0, of: 4 },
  weights: { blue: 100, green: 0 },
  startedBy,
  startedAt: T,
  ...overrides,
});

const request = (kind: ControlRequest["kind"], by: string, at: number): ControlRequest => ({ kind, by, at });

describe("DynamoControlChannel against a DynamoDB API", () => {
  const dynamo = useDynalite();
  let table: string;
  /** A driver's or an operator's channel on the test's table: each has its own owner token. */
  const channel = (owner?: string): DynamoControlChannel =>
    new DynamoControlChannel({
      client: dynamo().client,
      table,
      staleAfterMs: STALE,
      ...(owner ? { owner } : {}),
    });

  beforeEach(async () => {
    table = await dynamo().createTable();
  });

  describe("a pending abort", () => {
    it("stays pending when a promote follows it", async () => {
      await channel().send(request("abort", "alice", 1));
      await channel().send(request("promote-full", "bob", 2));
      assert.deepEqual(await channel().take(), request("abort", "alice", 1));
    });

    it("stays pending when a promote is sent at the same moment, whichever write lands first", async () => {
      for (let round = 0; round < 4; round++) {
        const [alice, bob] = [channel(), channel()];
        const sends = [
          alice.send(request("abort", "alice", round)),
          bob.send(request("promote-full", "bob", round)),
        ];
        await Promise.all(round % 2 === 0 ? sends : sends.reverse());
        assert.deepEqual(await channel().take(), request("abort", "alice", round), `round ${round}`);
      }
    });

    it("is taken by exactly one of two drivers taking at once", async () => {
      for (let round = 0; round < 4; round++) {
        await channel().send(request("abort", "alice", round));
        const taken = await Promise.all([channel("a").take(), channel("b").take()]);
        assert.deepEqual(
          taken.filter((found) => found !== undefined),
          [request("abort", "alice", round)],
        );
      }
    });
  });

  describe("owning the stack", () => {
    it("lets exactly one of two drivers racing for a stack claim it; the other is told who holds it", async () => {
      // The first round races on a table without a record, the others on a released one.
      for (let round = 0; round < 5; round++) {
        const [first, second] = [channel("owner-a"), channel("owner-b")];
        const runs = [run(`run-a${round}`, "alice"), run(`run-bb${round}`, "bob")];
        const results = await Promise.allSettled([first.claimRun(runs[0], T), second.claimRun(runs[1], T)]);
        const won = results.findIndex((result) => result.status === "fulfilled");
        const lost = results.findIndex((result) => result.status === "rejected");
        assert.ok(won >= 0 && lost >= 0, `round ${round}: one claim wins and one loses`);
        const winner = runs[won];
        const error = (results[lost] as PromiseRejectedResult).reason as unknown;
        assert.ok(error instanceof StackBusyError, `round ${round}: ${String(error)}`);
        assert.equal(error.holder.run.runId, winner.runId);
        assert.match(
          error.message,
          new RegExp(
            `run ${winner.runId} \\(version ${winner.version.replace(/\./g, "\\.")}, started by ${winner.startedBy}, last heartbeat 0s ago`,
          ),
        );
        const record = await channel().readRecord();
        assert.deepEqual(record.run, winner);
        assert.equal(record.owner, won === 0 ? "owner-a" : "owner-b");
        assert.equal(await [first, second][won].releaseRun(winner.runId), true);
      }
    });

    it("lets a new run take the stack once the holder's heartbeat is stale, and the old driver learns it lost", async () => {
      const old = channel("owner-a");
      const next = channel("owner-b");
      await old.claimRun(run("run-old", "alice"), T);
      await old.heartbeat(T + 10_000);
      await assert.rejects(next.claimRun(run("run-new", "bob"), T + 10_000 + STALE), StackBusyError);
      const claimed = await next.claimRun(run("run-new", "bob"), T + 10_000 + STALE + 1);
      assert.equal(claimed.replaced?.runId, "run-old");
      assert.equal(claimed.record.run?.runId, "run-new");
      await assert.rejects(old.heartbeat(T + 20_000 + STALE), /held by run run-new/);
      assert.equal(await old.lastHeartbeat(), T + 10_000 + STALE + 1, "the new holder's heartbeat stands");
    });

    it("changes nothing when a driver that does not own the run releases it or clears its heartbeat", async () => {
      await channel("owner-a").claimRun(run("run-1", "alice"), T);
      const before = await channel().readRecord();
      assert.equal(await channel("owner-b").releaseRun("run-1"), false);
      await channel("owner-b").clearHeartbeat();
      assert.equal(await channel("owner-a").releaseRun("run-2"), false);
      assert.deepEqual(await channel().readRecord(), before);
    });

    it("releases its own run and heartbeat, leaving a pending request for the next run to see", async () => {
      const owner = channel("owner-a");
      await owner.claimRun(run("run-1", "alice"), T);
      await owner.send(request("promote", "bob", T + 1));
      assert.equal(await owner.releaseRun("run-1"), true);
      const record = await channel().readRecord();
      assert.equal(record.run, undefined);
      assert.equal(record.owner, undefined);
      assert.equal(record.heartbeatAt, undefined);
      assert.deepEqual(record.request, request("promote", "bob", T + 1));
      await channel("owner-b").claimRun(run("run-2", "bob"), T + 2);
    });

    it("records how far its run got when it claims the same run again", async () => {
      const owner = channel("owner-a");
      await owner.claimRun(run("run-1", "alice"), T);
      const progress = run("run-1", "alice", {
        position: { step: 2, of: 4 },
        weights: { blue: 50, green: 50 },
      });
      await owner.claimRun(progress, T + 30_000);
      const record = await channel().readRecord();
      assert.deepEqual(record.run, progress);
      assert.equal(record.heartbeatAt, T + 30_000);
    });

    it("writes no run that it could not read back", async () => {
      const bad = run("run-1", "alice", { weights: { blue: 90, green: 20 } });
      await assert.rejects(
        channel("owner-a").claimRun(bad, T),
        /not written, run\.weights\.green must make 100/,
      );
      assert.deepEqual(await channel().readRecord(), { version: 0 });
    });

    it("stores the run's reason scrubbed of credentials", async () => {
      await channel("owner-a").claimRun(
        run("run-1", "alice", { reason: "hotfix, password=hunter2hunter2" }),
        T,
      );
      assert.equal((await channel().readRecord()).run?.reason, "hotfix, password=[redacted]");
    });
  });

  describe("a record it cannot trust", () => {
    const putRaw = async (item: Record<string, unknown>): Promise<void> => {
      await DynamoDBDocumentClient.from(dynamo().client).send(
        new PutCommand({ TableName: table, Item: { pk: "control", sk: "control", ...item } }),
      );
    };
    const cases: { name: string; item: Record<string, unknown>; field: string }[] = [
      {
        name: "a weight written as a string",
        item: {
          version: 2,
          owner: "a",
          run: { ...run("run-1", "alice"), weights: { blue: "90%", green: 10 } },
        },
        field: "run.weights.blue",
      },
      {
        name: "an unknown request kind",
        item: { version: 2, request: { kind: "approve", by: "bob", at: T } },
        field: "request.kind",
      },
      { name: "no version counter", item: { heartbeatAt: T }, field: "version" },
    ];
    for (const { name, item, field } of cases) {
      it(`is refused with the table, the item and the field: ${name}`, async () => {
        await putRaw(item);
        for (const use of [
          () => channel().readRecord(),
          () => channel().take(),
          () => channel().send(request("abort", "alice", 1)),
          () => channel().heartbeat(T),
          () => channel().claimRun(run("run-2", "bob"), T),
        ]) {
          await assert.rejects(use(), (error: unknown) => {
            assert.ok(error instanceof MalformedControlItemError, String(error));
            assert.equal(error.field, field);
            assert.equal(error.table, table);
            assert.match(
              error.message,
              new RegExp(`control table ${table}, item \\(pk=control, sk=control\\): ${field} `),
            );
            return true;
          });
        }
      });
    }
  });

  describe("a table it cannot use", () => {
    it("reports a missing table with the table's name and how to create it, as a final error", async () => {
      const missing = new DynamoControlChannel({
        client: dynamo().client,
        table: "bluegreen-orders-nowhere",
      });
      for (const use of [() => missing.lastHeartbeat(), () => missing.send(request("abort", "alice", 1))]) {
        await assert.rejects(use(), (error: unknown) => {
          assert.ok(error instanceof ControlTableMissingError, String(error));
          assert.match(
            error.message,
            /control table bluegreen-orders-nowhere does not exist.*`pulumi up` declares the table/,
          );
          assert.equal(isTransient(error), false);
          return true;
        });
      }
    });

    it("reports a denied action with the action and the table's ARN the policy needs", async () => {
      const client = dynamo().newClient();
      const arn = `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}`;
      failCalls(client, "UpdateItemCommand", () =>
        awsError("AccessDeniedException", {
          message: `User: arn:aws:sts::123456789012:assumed-role/ci/job is not authorized to perform: dynamodb:UpdateItem on resource: ${arn} because no identity-based policy allows the dynamodb:UpdateItem action`,
        }),
      );
      const denied = new DynamoControlChannel({ client, table });
      await assert.rejects(denied.heartbeat(T), (error: unknown) => {
        assert.ok(error instanceof ControlTableAccessDeniedError, String(error));
        assert.equal(
          error.message,
          `not allowed to use control table ${table}: the policy needs dynamodb:UpdateItem on ${arn}`,
        );
        assert.equal(isTransient(error), false);
        return true;
      });
    });

    it("gives up after a bounded number of lost races, with an error the driver retries", async () => {
      const client = dynamo().newClient();
      const actions = recordActions(client);
      failCalls(client, "UpdateItemCommand", () => awsError("ConditionalCheckFailedException"));
      await assert.rejects(new DynamoControlChannel({ client, table }).heartbeat(T), (error: unknown) => {
        assert.ok(error instanceof ControlWriteConflictError, String(error));
        assert.equal(isTransient(error), true);
        return true;
      });
      assert.equal(actions.filter((action) => action === "dynamodb:UpdateItem").length, MAX_WRITE_ATTEMPTS);
    });
  });

  it("needs only the actions CONTROL_TABLE_ACTIONS lists for the driver and the operator", async () => {
    const client = dynamo().newClient();
    const actions = recordActions(client);
    const driver = new DynamoControlChannel({ client, table, owner: "owner-a" });
    await driver.claimRun(run("run-1", "alice"), T);
    await driver.heartbeat(T + 1);
    await driver.take();
    await driver.clearHeartbeat();
    await driver.releaseRun("run-1");
    const driverActions = new Set(actions.splice(0));
    const operator = new DynamoControlChannel({ client, table });
    await operator.send(request("abort", "alice", 1));
    await operator.pending();
    await operator.lastHeartbeat();
    await operator.take();
    await operator.readRecord();
    const operatorActions = new Set(actions);
    for (const action of driverActions)
      assert.ok(
        CONTROL_TABLE_ACTIONS.driver.some((listed) => listed === action),
        action,
      );
    for (const action of operatorActions)
      assert.ok(
        CONTROL_TABLE_ACTIONS.operator.some((listed) => listed === action),
        action,
      );
    assert.deepEqual([...driverActions].sort(), ["dynamodb:GetItem", "dynamodb:UpdateItem"]);
    assert.deepEqual([...operatorActions].sort(), ["dynamodb:GetItem", "dynamodb:UpdateItem"]);
  });
});

describe("the control table's errors from the SDK's", () => {
  const TABLE = "bluegreen-orders-prod";
  const ARN = `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}`;
  const cases: { name: string; error: Error; expected: RegExp | "unchanged"; transient: boolean }[] = [
    {
      name: "a missing table",
      error: awsError("ResourceNotFoundException", { message: "Requested resource not found" }),
      expected: /^control table bluegreen-orders-prod does not exist .*`pulumi up` declares the table$/,
      transient: false,
    },
    {
      name: "a denied action, the ARN at the end of a sentence",
      error: awsError("AccessDeniedException", {
        message: `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: dynamodb:Query on resource: ${ARN}.`,
      }),
      expected: new RegExp(`the policy needs dynamodb:Query on ${ARN.replace(/[/.]/g, "\\$&")}$`),
      transient: false,
    },
    {
      name: "a denied action without a resource in the message",
      error: awsError("AccessDeniedException", { message: "Access denied" }),
      expected:
        /the policy needs dynamodb:Query on arn:aws:dynamodb:<region>:<account>:table\/bluegreen-orders-prod$/,
      transient: false,
    },
    {
      name: "throttling",
      error: awsError("ThrottlingException", { status: 400 }),
      expected: "unchanged",
      transient: true,
    },
    {
      name: "a failed condition",
      error: awsError("ConditionalCheckFailedException"),
      expected: "unchanged",
      transient: false,
    },
  ];
  for (const { name, error, expected, transient } of cases) {
    it(name, () => {
      const mapped = mapDynamoError(error, TABLE, "dynamodb:Query");
      if (expected === "unchanged") assert.equal(mapped, error);
      else {
        assert.ok(mapped instanceof ControlTableError);
        assert.equal(mapped.table, TABLE);
        assert.match(mapped.message, expected);
      }
      assert.equal(isTransient(mapped), transient);
    });
  }
});
