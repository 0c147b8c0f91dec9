import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { run } from "../../../automation/cli/main";
import type { ConnectRequest } from "../../../automation/cli/connection";
import { type NotifierRequest, notificationsWanted } from "../../../automation/cli/notifications";
import { buildNotifiers, topicRegion } from "../../../automation/cli/notifierWiring";
import { loadStack } from "../../../automation/cli/stacks";
import type { DriverDeps } from "../../../automation/rollout";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { type Receiver, refusedUrl, startReceiver } from "../adapters/notify/receiver";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

/** The path of a real Slack webhook is its credential: it must never show anywhere but in the post. */
const SECRET_PATH = "/services/T0A1B2C3D/B4E5F6G7H/s3cr3tW3bh00kT0k3nXYZ";
const SECRET_TOKEN = "s3cr3tW3bh00kT0k3nXYZ";
const MINUTE = 60_000;

/** A stack file line that stands for `pulumi config set --secret bluegreen:slackWebhookUrl …`. */
const WEBHOOK_SECRET = "  bluegreen:slackWebhookUrl:\n    secure: AAABAKxyzEncryptedByTheSecretsProvider";

describe("bluegreen rollout: notifications", () => {
  let project: ReturnType<typeof makeProject>;
  let clock: VirtualClock;
  let receiver: Receiver;
  let world: SimulatedWorld;
  /** The webhook URL the stack's secret holds in each test. */
  let webhookUrl: string;

  beforeEach(async () => {
    receiver = await startReceiver();
    webhookUrl = receiver.url(SECRET_PATH);
    clock = new VirtualClock(1_700_000_000_000);
  });
  afterEach(async () => {
    project.cleanup();
    await receiver.close();
  });

  function useStack(extra?: string): void {
    project = makeProject({ dev: ecsStack({ extra }) });
    world = new SimulatedWorld({ config: loadStack(project.dir, "dev").config, stackName: "dev", clock });
  }

  /** The test services, with the webhook secret read from `webhookUrl` and a mocked SNS client. */
  function services(sns = new SNSClient({ region: "eu-west-1", maxAttempts: 1 })) {
    return testServices({
      clock,
      connect: async (request: ConnectRequest): Promise<DriverDeps> =>
        world.driverDeps(request.events, { clock, control: request.control, preflightChecks: [] }),
      notifiers: async ({ stack }: NotifierRequest) =>
        notificationsWanted(stack.config)
          ? buildNotifiers(stack, { webhookUrl: async () => webhookUrl, snsClient: () => sns })
          : undefined,
    });
  }

  async function rollout(extraArgs: string[] = [], sns?: SNSClient) {
    const t = testIo(project.dir);
    const code = await run(
      ["rollout", "--stack", "dev", "--version", "1.5.0", ...extraArgs],
      t.io,
      services(sns),
    );
    const auditFile = path.join(project.dir, "audit.ndjson");
    const audit = fs.existsSync(auditFile) ? fs.readFileSync(auditFile, "utf8") : "";
    return { code, stdout: t.stdout(), stderr: t.stderr(), audit };
  }

  function subjects(): string[] {
    return receiver.posts.map((post) => (JSON.parse(post.body) as { text: string }).text.split(": ")[0]);
  }

  function texts(): string[] {
    return receiver.posts.map((post) => (JSON.parse(post.body) as { text: string }).text);
  }

  function assertNoSecret({
    stdout,
    stderr,
    audit,
  }: {
    stdout: string;
    stderr: string;
    audit: string;
  }): void {
    for (const [where, text] of Object.entries({ stdout, stderr, audit })) {
      assert.ok(!text.includes(SECRET_TOKEN), `the webhook's token appears in ${where}`);
      assert.ok(!text.includes(webhookUrl), `the webhook URL appears in ${where}`);
    }
  }

  it("posts the start, each step and the outcome of a promoted rollout, and the URL shows nowhere", async () => {
    useStack(WEBHOOK_SECRET);
    const result = await rollout(["--json"]);
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(subjects(), [
      "Rolling out 1.5.0 on dev",
      "Step 1/4 on dev",
      "Step 2/4 on dev",
      "Step 3/4 on dev",
      "Step 4/4 on dev",
      "1.5.0 on dev",
    ]);
    assert.match(texts().at(-1) ?? "", /^1\.5\.0 on dev: promoted: Promoted after /);
    assert.ok(receiver.posts.every((post) => post.path === SECRET_PATH && post.method === "POST"));
    const events = ndjson(result.stdout);
    assert.equal(events.filter((event) => event.type === "warning").length, 0);
    assert.equal(events.at(-1)?.type, "completed");
    assertNoSecret(result);
  });

  it("posts a revert with its reason when an alarm rolls the rollout back", async () => {
    useStack(WEBHOOK_SECRET);
    world.inject({ at: 12 * MINUTE, alarm: "errorRate", state: "ALARM", reason: "5XX rate 12% > 5%" });
    const result = await rollout();
    assert.equal(result.code, 3, result.stdout);
    const revert = texts().find((text) => text.startsWith("Reverted on dev: all traffic back on blue"));
    assert.ok(revert, `no revert message in ${JSON.stringify(subjects())}`);
    assert.match(revert, /Reason: alarm checkout-dev-green is ALARM: .*5XX rate 12% > 5%$/);
    assert.match(texts().at(-1) ?? "", /^1\.5\.0 on dev: rolled back: /);
    assertNoSecret(result);
  });

  it("sends a progress message at most every progressInterval during a bake", async () => {
    useStack(`${WEBHOOK_SECRET}\n  bluegreen:notifications:\n    progressInterval: 2m`);
    const result = await rollout();
    assert.equal(result.code, 0, result.stdout);
    const progress = texts().filter((text) => /^Step \d\/4 on dev: baking at /.test(text));
    // Each 5-minute bake of the SOP plan and the 10-minute last one: a message 2 minutes and 4
    // minutes after the step's own (and 6 and 8 in the last).
    assert.equal(progress.length, 2 + 2 + 2 + 4, JSON.stringify(subjects()));
  });

  const failures: { name: string; setUp: () => Promise<void> }[] = [
    { name: "a receiver answering 500", setUp: async () => receiver.answer(500) },
    {
      name: "a receiver refusing connections",
      setUp: async () => {
        webhookUrl = await refusedUrl(SECRET_PATH);
      },
    },
  ];
  for (const failure of failures) {
    it(`${failure.name}: warnings, the same exit code, completed last, no URL`, async () => {
      useStack(WEBHOOK_SECRET);
      await failure.setUp();
      const result = await rollout(["--json"]);
      assert.equal(result.code, 0, result.stdout);
      const events = ndjson(result.stdout);
      const warnings = events.filter((event) => event.type === "warning").map((event) => event.message);
      assert.equal(warnings.length, 6, JSON.stringify(warnings));
      assert.match(
        String(warnings[0]),
        /^notification "Rolling out 1\.5\.0 on dev" to the Slack webhook failed: /,
      );
      assert.equal(events.at(-1)?.type, "completed");
      assert.equal(events.at(-1)?.outcome, "promoted");
      assert.equal(ndjson(result.audit)[0]?.exitCode, 0);
      assertNoSecret(result);
    });
  }

  it("a rolled-back run keeps its exit code when notifications fail, in plain output too", async () => {
    useStack(WEBHOOK_SECRET);
    receiver.answer(500);
    world.inject({ at: 12 * MINUTE, alarm: "errorRate", state: "ALARM" });
    const result = await rollout();
    assert.equal(result.code, 3);
    assert.match(result.stdout, /to the Slack webhook failed: the Slack webhook answered HTTP 500/);
    assertNoSecret(result);
  });

  it("a webhook secret that cannot be read is a warning, and the rollout goes on", async () => {
    useStack(WEBHOOK_SECRET);
    webhookUrl = "ftp://hooks.example/services/T0A1B2C3D/B4E5F6G7H/s3cr3tW3bh00kT0k3nXYZ";
    const result = await rollout(["--json"]);
    assert.equal(result.code, 0);
    const warnings = ndjson(result.stdout).filter((event) => event.type === "warning");
    assert.deepEqual(
      warnings.map((event) => event.message),
      ["no notifications to the Slack webhook in this run: the Slack webhook URL must be an https:// URL"],
    );
    assert.equal(receiver.posts.length, 0);
    assertNoSecret(result);
  });

  it("publishes to the SNS topic in the topic's region, one attempt per message", async () => {
    useStack("  bluegreen:notifications:\n    snsTopicArn: arn:aws:sns:us-east-1:123456789012:releases");
    const client = new SNSClient({ region: "us-east-1", maxAttempts: 1 });
    const sns = mockClient(client);
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    const result = await rollout([], client);
    assert.equal(result.code, 0);
    const published = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    assert.equal(published.length, 6);
    assert.ok(published.every((input) => input.TopicArn === "arn:aws:sns:us-east-1:123456789012:releases"));
    assert.equal(published[0]?.Subject, "Rolling out 1.5.0 on dev");
    assert.equal(receiver.posts.length, 0);
    assert.equal(topicRegion("arn:aws:sns:us-east-1:123456789012:releases"), "us-east-1");
  });

  it("sends nothing when the stack names no destination, or turns notifications off", async () => {
    for (const extra of [undefined, `${WEBHOOK_SECRET}\n  bluegreen:notifications:\n    enabled: false`]) {
      useStack(extra);
      const result = await rollout();
      assert.equal(result.code, 0);
      project.cleanup();
    }
    useStack();
    assert.equal(receiver.posts.length, 0);
  });
});
