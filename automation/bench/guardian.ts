/**
 * The guardian's own time, from an alarm event to a verified revert, as its function would spend
 * it: the handler bundled as the program bundles it, loaded by a fresh Node process (a cold start)
 * and invoked once with an alarm state change, against a real DynamoDB API (dynalite) holding a
 * run at 90/10 and a fake Elastic Load Balancing endpoint holding the production listener. The
 * SDK inside the bundle reaches both through `AWS_ENDPOINT_URL_*`, as it would reach AWS.
 * EventBridge's delivery is not in it: README "Guardian in the cloud" puts the two side by side.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import {
  CONTROL_TABLE_SCHEMA,
  GUARDIAN_TARGET_ENV,
  GuardianTarget,
  TrafficSplit,
} from "../../components/domain";
import { buildGuardianBundle } from "../../components/guardianBundle";
import { DynamoControlChannel } from "../adapters/control/dynamoControlChannel";

/** What the bench measured of the guardian. */
export interface GuardianBenchResult {
  /** Milliseconds esbuild took to bundle the handler, and the bundle's size in bytes. */
  readonly bundleMs: number;
  readonly bundleBytes: number;
  /** Milliseconds a fresh process took to `require` the bundle. */
  readonly requireMs: number;
  /** Milliseconds of the one invocation, from the event to the handler's answer. */
  readonly invokeMs: number;
  /** The split the listener serves after the invocation, and the control record's trip. */
  readonly listenerAfter: TrafficSplit;
  readonly tripRecorded: boolean;
}

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const LISTENER = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/checkout/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const GROUPS = {
  blue: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/checkout-blue/73e2d6bc24d8a067`,
  green: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/checkout-green/73e2d6bc24d8a068`,
} as const;

/** Bundles `entryFile`, sets up the fakes, runs one cold invocation and reads what it left. */
export async function benchGuardian(entryFile: string): Promise<GuardianBenchResult> {
  const started = performance.now();
  const code = buildGuardianBundle(entryFile);
  const bundleMs = performance.now() - started;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-guardian-"));
  const dynamo = dynalite({ createTableMs: 0 });
  const listener = { weights: { blue: 90, green: 10 } as TrafficSplit };
  const elb = http.createServer((request, response) => answerAws(request, response, listener));
  try {
    fs.writeFileSync(path.join(directory, "index.js"), code);
    const dynamoUrl = await listen(dynamo);
    const elbUrl = await listen(elb);
    const table = "bluegreen-checkout-dev";
    const client = new DynamoDBClient({
      endpoint: dynamoUrl,
      region: REGION,
      credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    });
    await client.send(
      new CreateTableCommand({
        TableName: table,
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
    const channel = new DynamoControlChannel({ client, table });
    const now = Date.now();
    await channel.claimRun(
      {
        runId: "bench-run",
        version: "2.0.0",
        candidate: "green",
        stable: "blue",
        position: { step: 1, of: 4 },
        weights: listener.weights,
        startedBy: "bench",
        startedAt: now - 60_000,
      },
      now,
    );
    const child = await invokeCold(directory, target(table), alarmEvent(), {
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbUrl,
      AWS_ENDPOINT_URL_CLOUDWATCH: elbUrl,
      AWS_ENDPOINT_URL_SNS: elbUrl,
    });
    const record = await channel.readRecord();
    client.destroy();
    const measured = {
      bundleMs,
      bundleBytes: Buffer.byteLength(code),
      requireMs: child.requireMs,
      listenerAfter: { ...listener.weights },
      tripRecorded: record.trip !== undefined,
    };
    if (child.error !== undefined || child.invokeMs === undefined) {
      throw new Error(`the guardian's handler failed: ${child.error ?? "no answer"}`);
    }
    if (listener.weights.blue !== 100 || !measured.tripRecorded) {
      throw new Error(
        `the guardian's handler answered but did not revert: the listener serves blue ${listener.weights.blue}, green ${listener.weights.green}; trip recorded: ${measured.tripRecorded}`,
      );
    }
    return { ...measured, invokeMs: child.invokeMs };
  } finally {
    await Promise.all([close(dynamo), close(elb)]);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** The target the program would hand the dev stack's guardian. */
function target(controlTableName: string): GuardianTarget {
  const alarms = (colour: string) => ({
    composite: `checkout-dev-${colour}`,
    members: [`checkout-dev-${colour}-error-rate`, `checkout-dev-${colour}-latency-p95`],
  });
  return {
    stack: "dev",
    service: "checkout",
    platform: "ecs",
    region: REGION,
    routing: {
      kind: "alb",
      loadBalancerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/checkout/50dc6c495c0c9188`,
      listenerArn: LISTENER,
      testListenerArn: `${LISTENER}-test`,
      targetGroupArns: GROUPS,
      testEndpoint: "http://checkout.example.com:8080",
    },
    alarms: { blue: alarms("blue"), green: alarms("green") },
    controlTableName,
    driverTimeoutSeconds: 300,
  };
}

/** The event EventBridge delivers when the candidate's composite alarm enters ALARM. */
function alarmEvent(): Record<string, unknown> {
  return {
    version: "0",
    id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:checkout-dev-green`],
    detail: {
      alarmName: "checkout-dev-green",
      state: { value: "ALARM", reason: "bench", timestamp: new Date().toISOString() },
      previousState: { value: "OK", reason: "bench", timestamp: new Date().toISOString() },
    },
  };
}

/**
 * A fresh Node process that requires the bundle and invokes it once, as Lambda's runtime does on a
 * cold start; each part timed inside the child, since the process start is Lambda's, not ours.
 * Spawned asynchronously: the fake endpoints answer from this process's event loop.
 */
async function invokeCold(
  directory: string,
  guardianTarget: GuardianTarget,
  event: Record<string, unknown>,
  endpoints: Record<string, string>,
): Promise<{ requireMs: number; invokeMs?: number; error?: string }> {
  const script = [
    "const { performance } = require('node:perf_hooks');",
    "const started = performance.now();",
    "const { handler } = require('./index.js');",
    "const loaded = performance.now();",
    "const event = JSON.parse(process.env.BENCH_EVENT);",
    "Promise.resolve().then(() => handler(event)).then(",
    "  () => process.stdout.write(JSON.stringify({ requireMs: loaded - started, invokeMs: performance.now() - loaded })),",
    "  (error) => process.stdout.write(JSON.stringify({ requireMs: loaded - started, error: String(error && error.message || error) })),",
    ");",
  ].join("\n");
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ["-e", script], {
    cwd: directory,
    env: {
      PATH: inherited.PATH,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      // A fake that does not answer must fail the bench, not hang it.
      AWS_MAX_ATTEMPTS: "2",
      [GUARDIAN_TARGET_ENV]: JSON.stringify(guardianTarget),
      BENCH_EVENT: JSON.stringify(event),
      ...endpoints,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const timer = setTimeout(() => child.kill(), 60_000);
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  if (status !== 0) throw new Error(`the guardian's cold start exited ${status}: ${stderr}`);
  // The handler logs its own JSON line first; the bench's measurement is the last line.
  const measured = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(measured) as { requireMs: number; invokeMs?: number; error?: string };
}

/**
 * Elastic Load Balancing's query API for the production listener (DescribeListeners and
 * ModifyListener), CloudWatch's DescribeAlarms (the candidate's alarms in ALARM) and SNS's
 * Publish; anything else is refused as AWS refuses an unknown action.
 */
function answerAws(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  listener: { weights: TrafficSplit },
): void {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const target = String(request.headers["x-amz-target"] ?? "");
    if (target.endsWith(".DescribeAlarms")) {
      const state = (name: string) => ({
        AlarmName: name,
        StateValue: name.includes("-green") ? "ALARM" : "OK",
      });
      const names = ["blue", "green"].map((colour) => `checkout-dev-${colour}`);
      respond(
        response,
        200,
        "application/x-amz-json-1.0",
        JSON.stringify({ CompositeAlarms: names.map(state), MetricAlarms: [] }),
      );
      return;
    }
    const form = new URLSearchParams(body);
    const action = form.get("Action");
    if (action === "DescribeListeners") {
      respond(response, 200, "text/xml", listenerXml(listener.weights));
    } else if (action === "ModifyListener") {
      const weights: Partial<Record<string, number>> = {};
      for (const [key, value] of form) {
        const match =
          /^DefaultActions\.member\.1\.ForwardConfig\.TargetGroups\.member\.(\d+)\.TargetGroupArn$/.exec(key);
        if (match)
          weights[value] = Number(
            form.get(`DefaultActions.member.1.ForwardConfig.TargetGroups.member.${match[1]}.Weight`) ?? 1,
          );
      }
      listener.weights = { blue: weights[GROUPS.blue] ?? 0, green: weights[GROUPS.green] ?? 0 };
      respond(
        response,
        200,
        "text/xml",
        xml("ModifyListener", `<Listeners>${listenerMember(listener.weights)}</Listeners>`),
      );
    } else if (action === "Publish") {
      respond(
        response,
        200,
        "text/xml",
        xml("Publish", "<MessageId>bench</MessageId>", "http://sns.amazonaws.com/doc/2010-03-31/"),
      );
    } else {
      respond(
        response,
        400,
        "text/xml",
        `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the bench does not answer ${action ?? target}</Message></Error><RequestId>bench</RequestId></ErrorResponse>`,
      );
    }
  });
}

function respond(response: http.ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "content-type": type, "x-amzn-requestid": "bench" });
  response.end(body);
}

const ELB_NAMESPACE = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

function xml(action: string, result: string, namespace = ELB_NAMESPACE): string {
  return `<${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></${action}Response>`;
}

function listenerMember(weights: TrafficSplit): string {
  const group = (colour: "blue" | "green") =>
    `<member><TargetGroupArn>${GROUPS[colour]}</TargetGroupArn><Weight>${weights[colour]}</Weight></member>`;
  return `<member><ListenerArn>${LISTENER}</ListenerArn><Port>80</Port><Protocol>HTTP</Protocol><DefaultActions><member><Type>forward</Type><ForwardConfig><TargetGroups>${group("blue")}${group("green")}</TargetGroups></ForwardConfig></member></DefaultActions></member>`;
}

function listenerXml(weights: TrafficSplit): string {
  return xml("DescribeListeners", `<Listeners>${listenerMember(weights)}</Listeners>`);
}

function listen(server: http.Server | ReturnType<typeof dynalite>): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function close(server: http.Server | ReturnType<typeof dynalite>): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}
