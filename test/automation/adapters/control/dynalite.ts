/**
 * A real DynamoDB API for the control table tests: dynalite on 127.0.0.1, on a port the OS picks,
 * started in the suite's `before` and closed in its `after`. Each test takes a fresh table, so
 * nothing one test writes is seen by another.
 */
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { CONTROL_TABLE_SCHEMA } from "../../../../components/domain/controlTable";

/** A running server and a client of it. */
export interface Dynalite {
  /** A client of the server, one attempt per call as every client of the driver. */
  readonly client: DynamoDBClient;
  /** Creates an empty table with the control table's key schema, named `name` or uniquely; returns its name. */
  createTable(name?: string): Promise<string>;
  /** The server's endpoint, for AWS_ENDPOINT_URL_DYNAMODB of a process under test. */
  readonly endpoint: string;
  /** Another client of the server, for a test that watches or breaks its calls; closed in `after`. */
  newClient(): DynamoDBClient;
}

/** Records the IAM action of every call `client` makes (`dynamodb:GetItem`), in order. */
export function recordActions(client: DynamoDBClient): string[] {
  const actions: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      actions.push(`dynamodb:${String(context.commandName).replace(/Command$/, "")}`);
      return next(args);
    },
    { step: "initialize", name: "recordActions" },
  );
  return actions;
}

/** Makes every call of `commandName` (`UpdateItemCommand`) by `client` throw `makeError()` before it is sent. */
export function failCalls(client: DynamoDBClient, commandName: string, makeError: () => Error): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === commandName) throw makeError();
      return next(args);
    },
    { step: "initialize", name: `fail${commandName}` },
  );
}

/**
 * Starts dynalite for the enclosing `describe` and stops it after: call at the top of the
 * `describe`, and call the returned function inside tests and hooks.
 */
export function useDynalite(): () => Dynalite {
  let running:
    { server: ReturnType<typeof dynalite>; clients: DynamoDBClient[]; dynalite: Dynalite } | undefined;
  before(async () => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const clients: DynamoDBClient[] = [];
    const newClient = (): DynamoDBClient => {
      const created = new DynamoDBClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: "eu-west-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      });
      clients.push(created);
      return created;
    };
    const client = newClient();
    let tables = 0;
    const createTable = async (named?: string): Promise<string> => {
      tables += 1;
      const name = named ?? `bluegreen-test-t${tables}`;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [
            { AttributeName: CONTROL_TABLE_SCHEMA.hashKey, KeyType: "HASH" },
            { AttributeName: CONTROL_TABLE_SCHEMA.rangeKey, KeyType: "RANGE" },
          ],
          AttributeDefinitions: CONTROL_TABLE_SCHEMA.attributes.map((attribute) => ({
            AttributeName: attribute.name,
            AttributeType: attribute.type,
          })),
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      // A new table answers "not found" while it is CREATING, even for the moment createTableMs 0 takes.
      while (
        (await client.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== "ACTIVE"
      ) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return name;
    };
    running = {
      server,
      clients,
      dynalite: { client, createTable, newClient, endpoint: `http://127.0.0.1:${port}` },
    };
  });
  after(async () => {
    if (!running) return;
    const { server, clients } = running;
    running = undefined;
    for (const client of clients) client.destroy();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });
  return () => {
    if (!running) throw new Error("dynalite is not running: call useDynalite() inside a describe");
    return running.dynalite;
  };
}
