import assert from "node:assert/strict";
import { NOTIFICATIONS_DEFAULTS, notificationsSchema } from "../../infra/config/notifications";
import { type BluegreenConfig, validateConfig } from "../../infra/config/validate";

const WEBHOOK = "bluegreen:slackWebhookUrl";
const TOKEN = "https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/s3cr3tW3bh00kT0k3nXYZ";

/** A minimal valid ECS stack; each case adds or changes keys. */
function ecsStack(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "bluegreen:service": { name: "checkout", platform: "ecs" },
    "bluegreen:slots": { blue: { version: "1.0.0" }, green: { version: "1.0.0" } },
    "bluegreen:traffic": { blue: 100, green: 0 },
    "bluegreen:network": {
      vpcId: "vpc-0abc1234",
      publicSubnetIds: ["subnet-0abc1234", "subnet-0def5678"],
      privateSubnetIds: ["subnet-0aaa1111"],
    },
    "bluegreen:ecs": { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout" },
    ...overrides,
  };
}

function validate(values: Record<string, unknown>, secretKeys: string[] = []) {
  return validateConfig({ values, secretKeys: new Set(secretKeys) });
}

describe("config: bluegreen:notifications and bluegreen:slackWebhookUrl", () => {
  describe("valid", () => {
    const cases: {
      name: string;
      values: Record<string, unknown>;
      secretKeys?: string[];
      expect: Pick<BluegreenConfig, "notifications" | "secretKeys">;
    }[] = [
      {
        name: "neither key: the defaults, nowhere to send to",
        values: ecsStack(),
        expect: { notifications: { progressInterval: 900, enabled: true }, secretKeys: [] },
      },
      {
        name: "the webhook as a secret alone: on, every 15 minutes",
        values: ecsStack({ [WEBHOOK]: "[secret]" }),
        secretKeys: [WEBHOOK],
        expect: { notifications: { progressInterval: 900, enabled: true }, secretKeys: ["slackWebhookUrl"] },
      },
      {
        name: "an SNS topic and a progress interval",
        values: ecsStack({
          "bluegreen:notifications": {
            snsTopicArn: "arn:aws:sns:eu-west-1:123456789012:releases",
            progressInterval: "30m",
          },
        }),
        expect: {
          notifications: {
            snsTopicArn: "arn:aws:sns:eu-west-1:123456789012:releases",
            progressInterval: 1800,
            enabled: true,
          },
          secretKeys: [],
        },
      },
      {
        name: "a FIFO topic in another partition",
        values: ecsStack({
          "bluegreen:notifications": {
            snsTopicArn: "arn:aws-us-gov:sns:us-gov-west-1:123456789012:rel.fifo",
          },
        }),
        expect: {
          notifications: {
            snsTopicArn: "arn:aws-us-gov:sns:us-gov-west-1:123456789012:rel.fifo",
            progressInterval: 900,
            enabled: true,
          },
          secretKeys: [],
        },
      },
      {
        name: "turned off with no destination",
        values: ecsStack({ "bluegreen:notifications": { enabled: false } }),
        expect: { notifications: { progressInterval: 900, enabled: false }, secretKeys: [] },
      },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        const result = validate(testCase.values, testCase.secretKeys);
        assert.ok(result.ok, result.ok ? "" : result.errors.map((error) => error.message).join("\n"));
        assert.deepEqual(result.config.notifications, testCase.expect.notifications);
        assert.deepEqual(result.config.secretKeys, testCase.expect.secretKeys);
      });
    }
  });

  describe("invalid: the key, the value and the fix", () => {
    const cases: {
      name: string;
      values: Record<string, unknown>;
      secretKeys?: string[];
      expect: string[];
    }[] = [
      {
        name: "the webhook URL in plain text: refused with the command that sets it as a secret, and only that",
        values: ecsStack({ [WEBHOOK]: TOKEN, "bluegreen:notifications": { progressInterval: "5m" } }),
        expect: [
          "bluegreen:slackWebhookUrl: must be a secret: set it with `pulumi config set --secret bluegreen:slackWebhookUrl`",
        ],
      },
      {
        name: "a topic ARN of another service",
        values: ecsStack({
          "bluegreen:notifications": { snsTopicArn: "arn:aws:sqs:eu-west-1:123456789012:releases" },
        }),
        expect: [
          'bluegreen:notifications.snsTopicArn: expected an SNS topic ARN such as "arn:aws:sns:eu-west-1:123456789012:releases", got "arn:aws:sqs:eu-west-1:123456789012:releases"',
        ],
      },
      {
        name: "a progress interval under a minute",
        values: ecsStack({ [WEBHOOK]: "[secret]", "bluegreen:notifications": { progressInterval: "30s" } }),
        secretKeys: [WEBHOOK],
        expect: ['bluegreen:notifications.progressInterval: must be between 60s and 86400s, got "30s" (30s)'],
      },
      {
        name: "enabled as text",
        values: ecsStack({ [WEBHOOK]: "[secret]", "bluegreen:notifications": { enabled: "yes" } }),
        secretKeys: [WEBHOOK],
        expect: ['bluegreen:notifications.enabled: expected boolean, got "yes"'],
      },
      {
        name: "a typo in the block",
        values: ecsStack({ [WEBHOOK]: "[secret]", "bluegreen:notifications": { progresInterval: "5m" } }),
        secretKeys: [WEBHOOK],
        expect: [
          'bluegreen:notifications: unknown key "progresInterval"; did you mean "progressInterval"? this block takes snsTopicArn, progressInterval, enabled',
        ],
      },
      {
        name: "a block that is on but names nowhere to send to",
        values: ecsStack({ "bluegreen:notifications": { progressInterval: "10m" } }),
        expect: [
          "bluegreen:notifications: names nowhere to send to: set the webhook with `pulumi config set --secret bluegreen:slackWebhookUrl <url>` or set notifications.snsTopicArn, or set notifications.enabled: false",
        ],
      },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        const result = validate(testCase.values, testCase.secretKeys);
        assert.equal(result.ok, false, "expected the config to be rejected");
        const errors = result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
        assert.deepEqual(errors, testCase.expect);
        assert.ok(!JSON.stringify(result).includes("s3cr3tW3bh00kT0k3nXYZ"), "the webhook URL is echoed");
      });
    }
  });

  it("the defaults stated as data are what the schema makes of an empty block", () => {
    assert.deepEqual(notificationsSchema.parse({}), NOTIFICATIONS_DEFAULTS);
  });
});
