/**
 * A real DynamoDB API for the control table tests: dynalite on 127.0.0.1, on a port the OS picks,
 * started in the suite's `before` and closed in its `after`. Each test takes a fresh table, so
 * nothing one test writes is seen by another.
 */
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { CONTROL_TABLE_SCHEMA } from "../../../../automation/core/controlTable";

/** A running server and a client of it. */
export interface Dynalite {
  /** A client of the server, one attempt per call as every client of the driver. */
  readonly client: DynamoDBClient;
  /** Creates an empty table with the control table's key schema; returns its unique name. */
  createTable(): Promise<string>;
}

/**
 * Starts dynalite for the enclosing `describe` and stops it after: call at the top of the
 * `describe`, and call the returned function inside tests and hooks.
 */
export function useDynalite(): () => Dynalite {
  let running: { server: ReturnType<typeof dynalite>; dynalite: Dynalite } | undefined;
  before(async () => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    let tables = 0;
    const createTable = async (): Promise<string> => {
      tables += 1;
      const name = `bluegreen-test-t${tables}`;
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
      return name;
    };
    running = { server, dynalite: { client, createTable } };
  });
  after(async () => {
    if (!running) return;
    const { server, dynalite: started } = running;
    running = undefined;
    started.client.destroy();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });
  return () => {
    if (!running) throw new Error("dynalite is not running: call useDynalite() inside a describe");
    return running.dynalite;
  };
}
