/**
 * The revert role's policy document against the code: its control table statement grants exactly
 * the actions `CONTROL_TABLE_ACTIONS` lists, on the table's ARN alone, and every DynamoDB command
 * the control adapters send is one of them, so the policy can neither fall short of the code nor
 * grant more than it uses.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROBED_ACTIONS } from "../../automation/adapters/control/dynamoAccessCheck";
import { CONTROL_TABLE_ACTIONS } from "../../components/domain/controlTable";

const ROOT = path.resolve(__dirname, "../..");
const CONTROL_ADAPTERS = path.join(ROOT, "automation", "adapters", "control");

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
}

const policy = JSON.parse(fs.readFileSync(path.join(ROOT, "docs", "revert-iam-policy.json"), "utf8")) as {
  Statement: Statement[];
};
const listed = [...new Set([...CONTROL_TABLE_ACTIONS.driver, ...CONTROL_TABLE_ACTIONS.operator])].sort();

/** The IAM action of an SDK command: `GetCommand` (document client) and `GetItemCommand` are `dynamodb:GetItem`. */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = {
  GetCommand: "GetItem",
  PutCommand: "PutItem",
  UpdateCommand: "UpdateItem",
  DeleteCommand: "DeleteItem",
  QueryCommand: "Query",
  ScanCommand: "Scan",
  BatchGetCommand: "BatchGetItem",
  BatchWriteCommand: "BatchWriteItem",
  TransactGetCommand: "TransactGetItems",
  TransactWriteCommand: "TransactWriteItems",
};

/** The DynamoDB commands the control adapters import from the AWS SDK, as IAM actions. */
function sentActions(): string[] {
  const actions = new Set<string>();
  for (const file of fs.readdirSync(CONTROL_ADAPTERS).filter((name) => name.endsWith(".ts"))) {
    const text = fs.readFileSync(path.join(CONTROL_ADAPTERS, file), "utf8");
    const imports = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"@aws-sdk\/(?:lib-dynamodb|client-dynamodb)"/g;
    for (const [, names] of text.matchAll(imports)) {
      for (const raw of names.split(",")) {
        const name = raw.trim().replace(/^type\s+/, "");
        if (!/Command$/.test(name)) continue;
        const action = DOCUMENT_COMMANDS[name] ?? name.replace(/Command$/, "");
        actions.add(`dynamodb:${action}`);
      }
    }
  }
  return [...actions].sort();
}

describe("docs/revert-iam-policy.json and the control table", () => {
  const statement = policy.Statement.find((entry) => entry.Sid === "UseControlTable");

  it("grants exactly CONTROL_TABLE_ACTIONS, on the control table's ARN alone", () => {
    assert.ok(statement, "a UseControlTable statement");
    assert.equal(statement.Effect, "Allow");
    assert.deepEqual([...(statement.Action as string[])].sort(), listed);
    assert.equal(
      statement.Resource,
      "arn:aws:dynamodb:REGION:ACCOUNT_ID:table/bluegreen-SERVICE_NAME-STACK_NAME",
    );
  });

  it("grants no DynamoDB action in any other statement", () => {
    const elsewhere = policy.Statement.filter((entry) => entry !== statement).flatMap((entry) =>
      [entry.Action].flat().filter((action) => action.startsWith("dynamodb:")),
    );
    assert.deepEqual(elsewhere, []);
  });

  it("lists every DynamoDB command the control adapters send, and nothing they do not", () => {
    const sent = sentActions();
    assert.ok(sent.length > 0, "the adapters' command imports were found");
    assert.deepEqual(sent, listed);
  });

  it("has a preflight probe for every action the driver uses", () => {
    for (const action of CONTROL_TABLE_ACTIONS.driver) assert.ok(PROBED_ACTIONS.includes(action), action);
  });

  it("explains every action in docs/revert-iam-policy.md", () => {
    const text = fs.readFileSync(path.join(ROOT, "docs", "revert-iam-policy.md"), "utf8");
    for (const action of listed) assert.match(text, new RegExp(`\`${action}\``), action);
  });
});
