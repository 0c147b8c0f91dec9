import assert from "node:assert/strict";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import {
  MAX_SNS_SUBJECT_LENGTH,
  type Notification,
  NotifyError,
  SnsTopicNotifier,
  snsSubject,
} from "../../../../automation/adapters/notify";
import { awsError } from "../aws/helpers";

// Mocking the instance, not the class, leaves every other SNS client in the test run alone.
const client = new SNSClient({ region: "eu-west-1" });
const sns = mockClient(client);

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:checkout-prod-pager";

const NOTIFICATION: Notification = {
  kind: "completed",
  severity: "success",
  subject: "2.0.0 on prod: promoted",
  text: "Promoted after 25m (exit 0). 2.0.0 serves 100% on green.",
  stack: "prod",
  elapsedSeconds: 1500,
};

describe("notify: SNS topic", () => {
  beforeEach(() => sns.reset());

  it("publishes the subject and the text, with severity, kind and stack as message attributes", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    await new SnsTopicNotifier({ client, topicArn: TOPIC }).send(NOTIFICATION);
    const calls = sns.commandCalls(PublishCommand);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].args[0].input, {
      TopicArn: TOPIC,
      Subject: "2.0.0 on prod: promoted",
      Message: "2.0.0 on prod: promoted\n\nPromoted after 25m (exit 0). 2.0.0 serves 100% on green.",
      MessageAttributes: {
        severity: { DataType: "String", StringValue: "success" },
        kind: { DataType: "String", StringValue: "completed" },
        stack: { DataType: "String", StringValue: "prod" },
      },
    });
  });

  it("to a FIFO topic: one message group per stack and a deduplication id per message", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    const notifier = new SnsTopicNotifier({ client, topicArn: `${TOPIC}.fifo` });
    await notifier.send(NOTIFICATION);
    await notifier.send(NOTIFICATION);
    await notifier.send({ ...NOTIFICATION, kind: "reverted", elapsedSeconds: 720 });
    const inputs = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    assert.deepEqual(
      inputs.map((input) => input.MessageGroupId),
      ["bluegreen-prod", "bluegreen-prod", "bluegreen-prod"],
    );
    assert.equal(
      inputs[0].MessageDeduplicationId,
      inputs[1].MessageDeduplicationId,
      "a resend is deduplicated",
    );
    assert.notEqual(inputs[0].MessageDeduplicationId, inputs[2].MessageDeduplicationId);
    assert.match(inputs[0].MessageDeduplicationId ?? "", /^[0-9a-f]{64}$/);
  });

  it("a standard topic gets no FIFO fields", async () => {
    sns.on(PublishCommand).resolves({});
    await new SnsTopicNotifier({ client, topicArn: TOPIC }).send(NOTIFICATION);
    const [input] = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    assert.equal(input.MessageGroupId, undefined);
    assert.equal(input.MessageDeduplicationId, undefined);
  });

  it("a failed Publish: a NotifyError naming the topic and the service's error", async () => {
    sns.on(PublishCommand).rejects(
      awsError("AuthorizationErrorException", {
        message: "User is not authorized to perform: SNS:Publish",
      }),
    );
    await assert.rejects(
      new SnsTopicNotifier({ client, topicArn: TOPIC }).send(NOTIFICATION),
      (error: unknown) =>
        error instanceof NotifyError &&
        error.message ===
          `publishing to the SNS topic ${TOPIC} failed: AuthorizationErrorException: User is not authorized to perform: SNS:Publish`,
    );
  });

  it("an aborted send says so", async () => {
    sns
      .on(PublishCommand)
      .callsFake(
        () => new Promise((_resolve, reject) => setTimeout(() => reject(awsError("AbortError")), 20)),
      );
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      new SnsTopicNotifier({ client, topicArn: TOPIC }).send(NOTIFICATION, controller.signal),
      /publishing to the SNS topic .* was cancelled or timed out/,
    );
  });

  const badArns = [
    "checkout-prod-pager",
    "arn:aws:sqs:eu-west-1:123456789012:queue",
    "arn:aws:sns:eu-west-1:1234:topic",
    "",
  ];
  for (const arn of badArns) {
    it(`refuses ${JSON.stringify(arn)} as a topic ARN`, () => {
      assert.throws(
        () => new SnsTopicNotifier({ client, topicArn: arn }),
        /is not an SNS topic ARN; expected arn:aws:sns:<region>:<account>:<topic>/,
      );
    });
  }

  describe("the Subject SNS accepts", () => {
    const cases: [string, string, string][] = [
      ["a short subject as it is", "2.0.0 on prod: promoted", "2.0.0 on prod: promoted"],
      [
        "line breaks and control characters become spaces",
        "Reverted\non prod:\tall back\u0007",
        "Reverted on prod: all back",
      ],
      ["over 99 characters: cut with an ellipsis", "x".repeat(150), `${"x".repeat(98)}…`],
      ["exactly 99 characters: kept", "y".repeat(99), "y".repeat(99)],
      ["characters, not bytes, are counted", "é".repeat(120), `${"é".repeat(98)}…`],
    ];
    for (const [name, input, expected] of cases) {
      it(name, () => {
        const subject = snsSubject(input);
        assert.equal(subject, expected);
        assert.ok([...subject].length <= MAX_SNS_SUBJECT_LENGTH);
      });
    }
  });
});
