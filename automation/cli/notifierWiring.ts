/**
 * The notifiers of a real rollout, from the stack's config: the Slack-compatible webhook, whose
 * URL is read from the stack's secret `bluegreen:slackWebhookUrl` through the Automation API, and
 * the SNS topic of `bluegreen:notifications.snsTopicArn`. Loaded only when a stack asks for
 * notifications: the Automation API and the SNS client take time to load.
 *
 * A destination that cannot be set up (the secret cannot be read, the URL is not https) is a
 * problem for the run's warnings, never a reason to stop the rollout; no problem carries the URL.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { awsClient } from "../adapters/aws/clients";
import { SlackWebhookNotifier, SnsTopicNotifier, type Notifier } from "../adapters/notify";
import { SLACK_WEBHOOK_KEY } from "../../infra/config/notifications";
import { NAMESPACE } from "../../infra/config/validate";
import type { NotifierRequest, NotifierSetup } from "./notifications";
import type { LoadedStack } from "./stacks";
import { readStackSecret } from "./wiring";

/** The full key of the webhook secret. */
export const SLACK_WEBHOOK_CONFIG_KEY = `${NAMESPACE}:${SLACK_WEBHOOK_KEY}`;

/** Where the notifiers' secret and clients come from; tests replace them. */
export interface NotifierSources {
  /** The webhook URL, read from the stack's secret config. */
  webhookUrl(): Promise<string>;
  /** An SNS client for `region`, making one attempt per call. */
  snsClient(region: string): SNSClient;
}

/** The notifiers the stack's config names, reading the secret through the Automation API. */
export function stackNotifiers(request: NotifierRequest): Promise<NotifierSetup> {
  const { stack, io } = request;
  return buildNotifiers(stack, {
    webhookUrl: () => readStackSecret(io.cwd, stack.name, SLACK_WEBHOOK_CONFIG_KEY),
    snsClient: (region) => awsClient(SNSClient, region),
  });
}

/** The notifiers the stack's config names, over the given sources. */
export async function buildNotifiers(
  stack: Pick<LoadedStack, "config">,
  sources: NotifierSources,
): Promise<NotifierSetup> {
  const { config } = stack;
  const notifiers: Notifier[] = [];
  const problems: string[] = [];
  if (config.secretKeys.includes(SLACK_WEBHOOK_KEY)) {
    try {
      notifiers.push(new SlackWebhookNotifier({ url: await sources.webhookUrl() }));
    } catch (error) {
      problems.push(`no notifications to the Slack webhook in this run: ${(error as Error).message}`);
    }
  }
  const topicArn = config.notifications.snsTopicArn;
  if (topicArn !== undefined) {
    try {
      // A topic is published to in its own region, which need not be the stack's.
      notifiers.push(new SnsTopicNotifier({ client: sources.snsClient(topicRegion(topicArn)), topicArn }));
    } catch (error) {
      problems.push(`no notifications to the SNS topic ${topicArn} in this run: ${(error as Error).message}`);
    }
  }
  return { notifiers, problems, progressIntervalSeconds: config.notifications.progressInterval };
}

/** The region field of an SNS topic ARN: `arn:aws:sns:<region>:<account>:<name>`. */
export function topicRegion(topicArn: string): string {
  return topicArn.split(":")[3] ?? "";
}
