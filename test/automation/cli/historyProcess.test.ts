/**
 * `bluegreen history` and `report --stack` as a user runs them: the real CLI in a process of its
 * own, through the real services (the DynamoDB client of the stack's region, no Pulumi), reaching
 * dynalite through AWS_ENDPOINT_URL_DYNAMODB as the SDK allows.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { DynamoHistoryStore } from "../../../automation/adapters/control/dynamoHistoryStore";
import { useDynalite } from "../adapters/control/dynalite";
import { ecsStack, makeProject, ndjson } from "./support";

const ROOT = path.resolve(__dirname, "../../..");
const NODE = path.join(ROOT, "node_modules", "node", "bin", "node");
const BIN = path.join(ROOT, "bin", "bluegreen.js");
const TABLE = "bluegreen-checkout-dev";

describe("bluegreen history in a process of its own", function () {
  // A process start loads tsx and the AWS SDK: seconds on a busy machine.
  this.timeout(60_000);
  const dynamo = useDynalite();
  let project: ReturnType<typeof makeProject>;
  let endpoint: string;
  before(async () => {
    const { client } = dynamo();
    endpoint = dynamo().endpoint;
    await dynamo().createTable(TABLE);
    const store = new DynamoHistoryStore({ client, table: TABLE });
    const now = Date.now();
    for (const [index, hoursAgo] of [50, 26, 2].entries()) {
      await store.append(
        {
          at: new Date(now - hoursAgo * 3_600_000).toISOString(),
          stack: "dev",
          command: "rollout",
          who: `person-${index}`,
          versions: { from: "1.4.1", to: `1.5.${index}` },
          outcome: "promoted",
          exitCode: 0,
          elapsedSeconds: 1500,
          rehearsal: false,
        },
        `run-${index}`,
      );
    }
    project = makeProject({ dev: ecsStack() });
  });
  after(() => project?.cleanup());

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(NODE, [BIN, ...args], {
        cwd: project.dir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ENDPOINT_URL_DYNAMODB: endpoint,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          BLUEGREEN_AUDIT_LOG: path.join(project.dir, "audit.ndjson"),
        },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it("lists the table's runs since a day ago, newest first, with no Pulumi anywhere", async () => {
    const result = await cli(["history", "--stack", "dev", "--since", "30h", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      ndjson(result.stdout).map((line) => line.who),
      ["person-2", "person-1"],
    );
    assert.match(
      result.stderr,
      /release history of stack dev in the control table bluegreen-checkout-dev \(eu-west-1\)/,
    );
  });

  it("computes the DORA report from the table", async () => {
    const result = await cli(["report", "--stack", "dev"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /: 3 rollouts, 3 promoted/);
    assert.match(result.stdout, /read from the release history in the control table bluegreen-checkout-dev/);
  });
});
