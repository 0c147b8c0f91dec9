import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  GUARDIAN_TABLE_LEADING_KEYS,
  GUARDIAN_TARGET_ENV,
  StackOutputs,
  guardianTargetSchema,
} from "../../components/domain";
import type { PolicyStatement } from "../../components/rolloutGuardian";
import { parseStackFile, stackFilePath } from "../../infra/config/stackFile";
import { GUARDIAN_ENTRY_FILE, defineStack } from "../../infra/program";
import { bundleGuardianHandler } from "../../components/guardianBundle";
import { readStackConfig, readStackSecrets } from "../../infra/programConfig";
import { resetResources, resourcesOfType, valueOf } from "../support/pulumi-mocks";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const FUNCTION = "aws:lambda/function:Function";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:releases";

/** Loads a shipped stack file into the engine's config, with some keys changed. */
function loadStack(stack: string, overrides: Record<string, unknown> = {}): void {
  const parsed = parseStackFile(fs.readFileSync(stackFilePath(PROJECT_DIR, stack), "utf8"));
  if ("problems" in parsed) throw new Error(JSON.stringify(parsed.problems));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...parsed.raw.values, ...overrides })) {
    if (value === undefined) continue;
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(values, [...parsed.raw.secretKeys]);
}

async function runProgram(stack: string): Promise<StackOutputs> {
  const config = readStackConfig();
  const outputs = await defineStack(
    config,
    { organization: "organization", project: "bluegreen", stack },
    readStackSecrets(config),
  );
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs))
    resolved[key] = await valueOf(value as pulumi.Input<unknown>);
  return resolved as unknown as StackOutputs;
}

/** The guardian's policy statements by Sid, once every input has resolved. */
async function statements(): Promise<Map<string, PolicyStatement>> {
  const policies = resourcesOfType(POLICY).filter((policy) => policy.name.endsWith("-guardian-policy"));
  assert.equal(policies.length, 1, "one guardian policy");
  const document = JSON.parse(await valueOf<string>(policies[0].inputs.policy)) as {
    Statement: PolicyStatement[];
  };
  return new Map(document.Statement.map((statement) => [statement.Sid, statement]));
}

function guardianFunction() {
  const functions = resourcesOfType(FUNCTION).filter((fn) => fn.name.endsWith("-guardian"));
  assert.equal(functions.length, 1, "one guardian function");
  return functions[0];
}

/** The target the guardian's function reads, as the handler parses it. */
function targetOf(fn: ReturnType<typeof guardianFunction>) {
  return guardianTargetSchema.parse(
    JSON.parse(fn.inputs.environment.variables[GUARDIAN_TARGET_ENV] as string),
  );
}

/** The text of the function's code, as the asset archive holds it. */
async function codeOf(fn: ReturnType<typeof guardianFunction>): Promise<string> {
  const archive = fn.inputs.code as pulumi.asset.AssetArchive;
  const assets = await archive.assets;
  const index = assets["index.js"] as pulumi.asset.StringAsset;
  return (await index.text) ?? "";
}

function alarmArn(name: string): string {
  return `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`;
}

describe("the program's guardian", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}, []));

  const stacks = [
    { stack: "dev", service: "checkout", kind: "alb" },
    { stack: "orders-dev", service: "orders", kind: "lambda" },
    { stack: "eks-dev", service: "catalog", kind: "alb" },
  ] as const;
  for (const { stack, service, kind } of stacks) {
    describe(`${stack} (${kind} routing)`, () => {
      it("declares the function, its two rules and exports it", async () => {
        loadStack(stack);
        const outputs = await runProgram(stack);
        const fn = guardianFunction();
        assert.equal(fn.inputs.runtime, "nodejs22.x");
        assert.deepEqual(fn.inputs.architectures, ["arm64"]);
        assert.equal(fn.inputs.memorySize, 256);
        assert.equal(fn.inputs.timeout, 30);
        assert.equal(fn.inputs.handler, "index.handler");
        assert.equal(await codeOf(fn), bundleGuardianHandler(GUARDIAN_ENTRY_FILE));
        const target = targetOf(fn);
        assert.equal(target.stack, stack);
        assert.equal(target.service, service);
        assert.equal(target.routing.kind, kind);
        // The routing the driver reads, a Lambda stack's published versions included: only a
        // deploy step, which publishes new versions, changes it.
        assert.deepEqual(target.routing, outputs.routing);
        assert.equal(target.controlTableName, `bluegreen-${service}-${stack}`);
        assert.equal(target.driverTimeoutSeconds, 300);
        assert.equal(target.region, "eu-west-1");
        assert.deepEqual(target.alarms, { blue: outputs.alarms.blue, green: outputs.alarms.green });
        assert.equal(outputs.guardian?.functionName, fn.state?.name);
        assert.match(outputs.guardian?.functionArn ?? "", /^arn:aws:lambda:eu-west-1:123456789012:function:/);

        const rules = resourcesOfType(RULE).filter((rule) => rule.name.includes("-guardian-"));
        const pattern = JSON.parse(
          rules.find((rule) => rule.inputs.eventPattern)!.inputs.eventPattern as string,
        );
        const alarms = [outputs.alarms.blue, outputs.alarms.green].flatMap((colour) => [
          colour.composite,
          ...colour.members,
        ]);
        assert.deepEqual(pattern, {
          source: ["aws.cloudwatch"],
          "detail-type": ["CloudWatch Alarm State Change"],
          detail: { alarmName: alarms, state: { value: ["ALARM"] } },
        });
        for (const extra of outputs.alarms.extra)
          assert.ok(!alarms.includes(extra), `${extra} is the team's, not a colour's`);
        assert.deepEqual(
          rules
            .filter((rule) => rule.inputs.scheduleExpression)
            .map((rule) => rule.inputs.scheduleExpression),
          ["rate(1 minute)"],
        );
      });

      it("allows each statement only its own actions on this stack's resources", async () => {
        loadStack(stack, { "bluegreen:notifications": { snsTopicArn: TOPIC } });
        const outputs = await runProgram(stack);
        const bySid = await statements();
        const routing = outputs.routing;
        const expected: Record<
          string,
          { Action: string[]; Resource: string | string[]; Condition?: unknown }
        > =
          routing.kind === "alb"
            ? {
                RevertListener: {
                  Action: ["elasticloadbalancing:ModifyListener"],
                  Resource: routing.listenerArn,
                },
                ReadListener: { Action: ["elasticloadbalancing:DescribeListeners"], Resource: "*" },
              }
            : routing.kind === "lambda"
              ? {
                  RevertAlias: {
                    Action: ["lambda:GetAlias", "lambda:UpdateAlias"],
                    Resource: routing.aliasArn,
                  },
                }
              : assert.fail("no guardian in gateway mode");
        const logGroup = resourcesOfType("aws:cloudwatch/logGroup:LogGroup").find((group) =>
          group.name.endsWith("-guardian-logs"),
        );
        assert.equal(logGroup?.inputs.retentionInDays, 30);
        Object.assign(expected, {
          ReadAlarms: {
            Action: ["cloudwatch:DescribeAlarms"],
            Resource: [outputs.alarms.blue, outputs.alarms.green].flatMap((colour) =>
              [colour.composite, ...colour.members].map(alarmArn),
            ),
          },
          ControlRecord: {
            Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            // Written from the table's name, region and account, as DynamoDB names it.
            Resource: `arn:aws:dynamodb:eu-west-1:123456789012:table/bluegreen-${service}-${stack}`,
            Condition: {
              "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [...GUARDIAN_TABLE_LEADING_KEYS] },
            },
          },
          AnnounceTrip: { Action: ["sns:Publish"], Resource: TOPIC },
          ...(outputs.capacity?.kind === "ecs"
            ? {
                RecordScaleDown: {
                  Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
                  Resource: `arn:aws:dynamodb:eu-west-1:123456789012:table/bluegreen-${service}-${stack}`,
                  Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["history"] } },
                },
                // The idle colour's scale-down: only this stack's two services, in its cluster.
                ScaleIdleColour: {
                  Action: ["ecs:DescribeServices", "ecs:UpdateService"],
                  Resource: [outputs.capacity.serviceNames.blue, outputs.capacity.serviceNames.green].map(
                    (name) =>
                      `arn:aws:ecs:eu-west-1:123456789012:service/${outputs.capacity?.kind === "ecs" ? outputs.capacity.cluster.split("/").pop() : ""}/${name}`,
                  ),
                },
              }
            : {}),
          WriteLogs: {
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logGroup?.state?.arn as string}:*`,
          },
        });
        assert.deepEqual([...bySid.keys()].sort(), Object.keys(expected).sort());
        for (const [sid, statement] of bySid) {
          assert.equal(statement.Effect, "Allow", sid);
          assert.deepEqual(
            { Action: statement.Action, Resource: statement.Resource, Condition: statement.Condition },
            { Condition: undefined, ...expected[sid] },
            sid,
          );
        }
      });
    });
  }

  it("does not depend on the split or the stable colour: a traffic step leaves it unchanged", async () => {
    const inputsAt = async (stack: string, overrides: Record<string, unknown>) => {
      resetResources();
      loadStack(stack, overrides);
      await runProgram(stack);
      const fn = guardianFunction();
      const policy = JSON.parse(
        await valueOf<string>(
          resourcesOfType(POLICY).find((p) => p.name.endsWith("-guardian-policy"))!.inputs.policy,
        ),
      );
      const rules = resourcesOfType(RULE).map((rule) => rule.inputs);
      return { environment: fn.inputs.environment, code: await codeOf(fn), policy, rules };
    };
    for (const stack of ["dev", "orders-dev", "eks-dev"]) {
      const before = await inputsAt(stack, {});
      const during = await inputsAt(stack, {
        "bluegreen:traffic": { blue: 75, green: 25 },
        "bluegreen:stable": "blue",
      });
      const promoted = await inputsAt(stack, {
        "bluegreen:traffic": { blue: 0, green: 100 },
        "bluegreen:stable": "green",
      });
      assert.deepEqual(during, before, `${stack}: a traffic step changed the guardian`);
      assert.deepEqual(promoted, before, `${stack}: a promotion changed the guardian`);
    }
  });

  const absent: { name: string; stack: string; overrides: Record<string, unknown> }[] = [
    { name: "in Kubernetes gateway mode", stack: "gateway-dev", overrides: {} },
    { name: "on the file channel", stack: "dev", overrides: { "bluegreen:control": { channel: "file" } } },
    { name: "turned off", stack: "orders-dev", overrides: { "bluegreen:guardian": { enabled: false } } },
  ];
  for (const { name, stack, overrides } of absent) {
    it(`is not declared, nor exported, ${name}`, async () => {
      loadStack(stack, overrides);
      const outputs = await runProgram(stack);
      assert.deepEqual(
        resourcesOfType(FUNCTION).filter((fn) => fn.name.endsWith("-guardian")),
        [],
      );
      assert.deepEqual(resourcesOfType(RULE), []);
      assert.equal(outputs.guardian, undefined);
      assert.equal("guardian" in outputs, false);
    });
  }

  it("announces nowhere without a notification topic, nor with notifications turned off", async () => {
    loadStack("dev", { "bluegreen:notifications": { snsTopicArn: TOPIC, enabled: false } });
    await runProgram("dev");
    assert.equal((await statements()).has("AnnounceTrip"), false);
    assert.equal(targetOf(guardianFunction()).notificationTopicArn, undefined);
  });

  it("hands its timeout to the handler", async () => {
    loadStack("prod", { "bluegreen:guardian": { driverTimeout: "10m" } });
    await runProgram("prod");
    assert.equal(targetOf(guardianFunction()).driverTimeoutSeconds, 600);
  });

  it("bundles under ts-node in transpile-only mode, as Pulumi's language host runs the program", function () {
    // The type-checked mode compiles the same sources with the same tsconfig (`npm run typecheck`);
    // it takes half a minute on a busy machine, so only the bench loads the program that way.
    this.timeout(120_000);
    const script = [
      'require("ts-node").register({ transpileOnly: true, project: "tsconfig.json" });',
      'const pulumi = require("@pulumi/pulumi");',
      'const mocks = require("./test/support/pulumi-mocks.ts");',
      'const { parseStackFile, stackFilePath } = require("./infra/config/stackFile.ts");',
      'const parsed = parseStackFile(require("node:fs").readFileSync(stackFilePath(process.cwd(), "dev"), "utf8"));',
      "const values = Object.fromEntries(Object.entries(parsed.raw.values).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));",
      "pulumi.runtime.setAllConfig(values, []);",
      'const { readStackConfig } = require("./infra/programConfig.ts");',
      'const { defineStack } = require("./infra/program.ts");',
      'defineStack(readStackConfig(), { organization: "o", project: "bluegreen", stack: "dev" })',
      "  .then((outputs) => mocks.valueOf(outputs.guardian))",
      "  .then((guardian) => process.stdout.write(JSON.stringify(guardian)));",
    ].join("\n");
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const child = spawnSync(process.execPath, ["-e", script], { cwd: PROJECT_DIR, env, encoding: "utf8" });
    assert.equal(child.status, 0, child.stderr);
    const guardian = JSON.parse(child.stdout) as StackOutputs["guardian"];
    assert.match(guardian?.functionName ?? "", /^checkout-dev-guardian/);
  });
});
