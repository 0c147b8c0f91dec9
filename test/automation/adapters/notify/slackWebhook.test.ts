import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  type Notification,
  NotifyError,
  SlackWebhookNotifier,
  slackPayload,
} from "../../../../automation/adapters/notify";
import { refusedUrl, type Receiver, startReceiver } from "./receiver";

/** The part of a webhook URL that is the credential. */
const SECRET_PATH = "/services/T0A1B2C3D/B4E5F6G7H/s3cr3tW3bh00kT0k3nXYZ";

const NOTIFICATION: Notification = {
  kind: "reverted",
  severity: "critical",
  subject: "Reverted on prod: all traffic back on blue",
  text: "Traffic is back on blue. Reason: alarm <checkout-prod-green> is ALARM & paging",
  stack: "prod",
  elapsedSeconds: 730,
};

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail("expected the send to fail");
}

function assertNoSecret(text: string): void {
  assert.doesNotMatch(text, /s3cr3tW3bh00kT0k3nXYZ|T0A1B2C3D|B4E5F6G7H|\/services\//);
}

describe("notify: Slack-compatible incoming webhook", () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it("POSTs JSON { text, blocks } to the webhook", async () => {
    await new SlackWebhookNotifier({ url: receiver.url(SECRET_PATH) }).send(NOTIFICATION);
    assert.equal(receiver.posts.length, 1);
    const [post] = receiver.posts;
    assert.equal(post.method, "POST");
    assert.equal(post.path, SECRET_PATH);
    assert.match(post.contentType, /^application\/json/);
    const body = JSON.parse(post.body) as ReturnType<typeof slackPayload>;
    assert.deepEqual(body, slackPayload(NOTIFICATION));
    assert.equal(
      body.text,
      "Reverted on prod: all traffic back on blue: Traffic is back on blue. Reason: alarm <checkout-prod-green> is ALARM & paging",
    );
    assert.equal(
      body.blocks[0].text.text,
      ":rotating_light: *Reverted on prod: all traffic back on blue*\nTraffic is back on blue. Reason: alarm &lt;checkout-prod-green&gt; is ALARM &amp; paging",
    );
  });

  it("keeps a section within Slack's 3000-character limit", () => {
    const long = slackPayload({ ...NOTIFICATION, text: "x".repeat(5000) });
    assert.equal(long.blocks[0].text.text.length, 3000);
    assert.ok(long.blocks[0].text.text.endsWith("…"));
  });

  it("a 500 from the receiver: an error naming the webhook and the status only", async () => {
    receiver.answer(500);
    const error = await rejection(
      new SlackWebhookNotifier({ url: receiver.url(SECRET_PATH) }).send(NOTIFICATION),
    );
    assert.ok(error instanceof NotifyError);
    assert.equal(error.message, "the Slack webhook answered HTTP 500");
    assertNoSecret(inspect(error));
  });

  it("a 403: the receiver's body (which may echo the URL) is not passed on", async () => {
    receiver.answer(403);
    const error = await rejection(
      new SlackWebhookNotifier({ url: receiver.url(SECRET_PATH) }).send(NOTIFICATION),
    );
    assert.equal(error.message, "the Slack webhook answered HTTP 403");
    assert.doesNotMatch(error.message, /invalid_token|secret-in-body/);
  });

  it("a refused connection: an error with the system code, no address and no URL", async () => {
    const url = await refusedUrl(SECRET_PATH);
    const error = await rejection(new SlackWebhookNotifier({ url }).send(NOTIFICATION));
    assert.equal(error.message, "the Slack webhook could not be reached (ECONNREFUSED)");
    assertNoSecret(inspect(error));
    assert.doesNotMatch(inspect(error), /127\.0\.0\.1/);
  });

  it("a receiver that never answers: given up after the timeout", async () => {
    receiver.answer("hang");
    const started = Date.now();
    const error = await rejection(
      new SlackWebhookNotifier({ url: receiver.url(SECRET_PATH), timeoutMs: 300 }).send(NOTIFICATION),
    );
    assert.equal(error.message, "the Slack webhook did not answer within 300ms");
    assert.ok(Date.now() - started < 5000);
  });

  it("a cancelled send says it was cancelled", async () => {
    receiver.answer("hang");
    const controller = new AbortController();
    const sending = new SlackWebhookNotifier({ url: receiver.url(SECRET_PATH) }).send(
      NOTIFICATION,
      controller.signal,
    );
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(sending);
    assert.equal(error.message, "the Slack webhook post was cancelled");
  });

  it("never shows the URL when logged or serialised", () => {
    const notifier = new SlackWebhookNotifier({ url: `https://hooks.slack.com${SECRET_PATH}` });
    assertNoSecret(inspect(notifier));
    assertNoSecret(inspect(notifier, { showHidden: true, depth: 5 }));
    assertNoSecret(JSON.stringify(notifier));
    assertNoSecret(JSON.stringify({ notifiers: [notifier] }));
    assertNoSecret(String(notifier));
    assertNoSecret(Object.values(notifier).map(String).join(" "));
    assert.equal(notifier.name, "the Slack webhook");
  });

  const badUrls: [string, string, string][] = [
    [
      "not a URL",
      "hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/s3cr3tW3bh00kT0k3nXYZ",
      "the Slack webhook URL is not a valid URL",
    ],
    [
      "plain http to a remote host",
      `http://hooks.slack.com${SECRET_PATH}`,
      "the Slack webhook URL must be an https:// URL",
    ],
    [
      "another scheme",
      `ftp://hooks.slack.com${SECRET_PATH}`,
      "the Slack webhook URL must be an https:// URL",
    ],
  ];
  for (const [name, url, message] of badUrls) {
    it(`refuses ${name}, without repeating the URL`, () => {
      assert.throws(
        () => new SlackWebhookNotifier({ url }),
        (error: unknown) => error instanceof NotifyError && error.message === message,
      );
    });
  }
});
