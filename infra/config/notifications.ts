/**
 * `bluegreen:notifications` and `bluegreen:slackWebhookUrl`: who hears about a rollout, as the SOP's
 * communication plan asks ("deployment started, progress updates every 15 minutes, any issues
 * encountered", "deployment complete"). The webhook URL is the credential to post to a channel, so
 * it is a secret key of its own; this block holds only what may be reviewed in a pull request.
 */
import { z } from "zod";
import { SNS_TOPIC_ARN_PATTERN } from "../../components/domain/rules";
import { describe } from "../../components/domain/traffic";
import { checkedText, documented, duration } from "./fields";

/** The SOP's cadence: "progress updates every 15 minutes" during long bakes. */
export const DEFAULT_PROGRESS_INTERVAL = "15m";

/** FIFO topics end in `.fifo`; the rest of the ARN follows the domain's rule for a topic. */
const FIFO_SUFFIX = ".fifo";

/**
 * What is wrong with `value` as the topic the driver publishes to, or undefined. A FIFO topic is
 * accepted here, unlike as an alarm action: the notifier keeps a stack's messages in order on one.
 */
export function notificationTopicProblem(value: string): string | undefined {
  const standard = value.endsWith(FIFO_SUFFIX) ? value.slice(0, -FIFO_SUFFIX.length) : value;
  if (SNS_TOPIC_ARN_PATTERN.test(standard)) return undefined;
  return `expected an SNS topic ARN such as "arn:aws:sns:eu-west-1:123456789012:releases", got ${describe(value)}`;
}

/** `bluegreen:notifications` */
export const notificationsSchema = z.strictObject({
  snsTopicArn: documented(
    checkedText(notificationTopicProblem).optional(),
    "an SNS topic the driver publishes each message to (its subscriptions decide who hears); the driver's credentials need `sns:Publish` on it",
    { default: "none" },
  ),
  progressInterval: documented(
    duration({ min: 60, max: 86_400 }).prefault(DEFAULT_PROGRESS_INTERVAL),
    "during a bake, a progress message at most this often (the SOP's every 15 minutes)",
  ),
  enabled: documented(
    z.boolean().prefault(true),
    "send notifications at all; `false` keeps the destinations configured but silent",
  ),
});

/** `bluegreen:notifications` after validation, the interval in seconds. */
export type NotificationsConfig = z.output<typeof notificationsSchema>;

/**
 * What a stack file that leaves the block out gets: what the schema makes of `{}`, stated as data
 * so the schema is not run at start-up (a test holds the two equal).
 */
export const NOTIFICATIONS_DEFAULTS: NotificationsConfig = { progressInterval: 15 * 60, enabled: true };

/** The secret key that holds the Slack-compatible incoming webhook URL. */
export const SLACK_WEBHOOK_KEY = "slackWebhookUrl";

/** The description of `bluegreen:slackWebhookUrl`, for the config reference. */
export const SLACK_WEBHOOK_DESCRIPTION =
  "a Slack-compatible incoming webhook URL the driver posts each message to, a secret: `pulumi config set --secret bluegreen:slackWebhookUrl https://hooks.slack.com/services/…`";

/**
 * The rule across keys: a notifications block that is written and on must name somewhere to send
 * to. Without it, a stack file that asked for notifications would silently send none.
 */
export function notificationDestinationProblem(
  written: NotificationsConfig | undefined,
  slackWebhookSet: boolean,
): string | undefined {
  if (written === undefined || !written.enabled) return undefined;
  if (slackWebhookSet || written.snsTopicArn !== undefined) return undefined;
  return `names nowhere to send to: set the webhook with \`pulumi config set --secret bluegreen:${SLACK_WEBHOOK_KEY} <url>\` or set notifications.snsTopicArn, or set notifications.enabled: false`;
}
