/**
 * An SNS topic as a notification destination: one Publish per message, so the topic's
 * subscriptions (e-mail, chat relays, pagers through a Lambda) decide who hears about a rollout.
 * Often the same topic the alarms notify (`bluegreen:alarms.notifications.topicArn`).
 */
import { createHash } from "node:crypto";
import { PublishCommand, type PublishCommandInput, type SNSClient } from "@aws-sdk/client-sns";
import { type Notification, type Notifier, NotifyError } from "./notifier";

/** SNS refuses a Subject of 100 characters or more. */
export const MAX_SNS_SUBJECT_LENGTH = 99;

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Options of the SNS adapter. */
export interface SnsTopicOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
}

/**
 * The Publish request for a notification. FIFO topics need a message group (one per stack, so a
 * stack's messages stay in order) and a deduplication id (the same message sent twice, such as a
 * retried send, is delivered once).
 */
export function snsPublishInput(topicArn: string, notification: Notification): PublishCommandInput {
  const input: PublishCommandInput = {
    TopicArn: topicArn,
    Subject: snsSubject(notification.subject),
    Message: `${notification.subject}\n\n${notification.text}`,
    MessageAttributes: {
      severity: { DataType: "String", StringValue: notification.severity },
      kind: { DataType: "String", StringValue: notification.kind },
      ...(notification.stack ? { stack: { DataType: "String", StringValue: notification.stack } } : {}),
    },
  };
  if (topicArn.endsWith(".fifo")) {
    input.MessageGroupId = `bluegreen-${(notification.stack ?? "rollout").replace(/[^A-Za-z0-9_-]/g, "-")}`;
    input.MessageDeduplicationId = createHash("sha256")
      .update(
        JSON.stringify([
          notification.kind,
          notification.stack,
          notification.elapsedSeconds,
          notification.subject,
        ]),
      )
      .digest("hex");
  }
  return input;
}

/** A Subject SNS accepts: one line, no control characters, under 100 characters. */
export function snsSubject(subject: string): string {
  const line = [...subject]
    .map((char) => (isControl(char) ? " " : char))
    .join("")
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...line];
  return chars.length > MAX_SNS_SUBJECT_LENGTH
    ? `${chars.slice(0, MAX_SNS_SUBJECT_LENGTH - 1).join("")}…`
    : line;
}

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 32 || code === 127;
}

/** Publishes notifications to an SNS topic. */
export class SnsTopicNotifier implements Notifier {
  readonly name: string;
  readonly #client: SNSClient;
  readonly #topicArn: string;

  /** @throws NotifyError when the topic ARN is not an SNS topic ARN. */
  constructor(options: SnsTopicOptions) {
    if (!TOPIC_ARN.test(options.topicArn)) {
      throw new NotifyError(
        `${JSON.stringify(options.topicArn)} is not an SNS topic ARN; expected arn:aws:sns:<region>:<account>:<topic>`,
      );
    }
    this.#client = options.client;
    this.#topicArn = options.topicArn;
    this.name = `the SNS topic ${options.topicArn}`;
  }

  /**
   * Publishes one message, in one attempt (the client is built with `maxAttempts: 1`): a message
   * that does not get through is reported, and the rollout goes on without it.
   */
  async send(notification: Notification, signal?: AbortSignal): Promise<void> {
    try {
      await this.#client.send(new PublishCommand(snsPublishInput(this.#topicArn, notification)), {
        abortSignal: signal,
      });
    } catch (error) {
      if (signal?.aborted) throw new NotifyError(`publishing to ${this.name} was cancelled or timed out`);
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new NotifyError(`publishing to ${this.name} failed: ${detail}`);
    }
  }
}
