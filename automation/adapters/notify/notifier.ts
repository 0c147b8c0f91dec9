/**
 * The notification port: where messages about a rollout go (a chat channel, an SNS topic that
 * fans out to e-mail and pagers). The SOP's communication plan asks for word at the start, at
 * every step, every 15 minutes during long bakes, on a revert and on completion.
 */

/** How urgent a message is; adapters map it to colours, prefixes or message attributes. */
export type NotificationSeverity = "info" | "success" | "warning" | "critical";

/** What a message is about. */
export type NotificationKind = "started" | "step" | "progress" | "reverted" | "completed";

/** One message about a rollout, in words, independent of where it goes. */
export interface Notification {
  readonly kind: NotificationKind;
  readonly severity: NotificationSeverity;
  /** One line that says it all: a chat message's headline, an e-mail's subject. */
  readonly subject: string;
  /** The detail, plain text; may span lines. */
  readonly text: string;
  /** The stack the rollout runs on, when known. */
  readonly stack?: string;
  /** When it happened: seconds since the rollout started. */
  readonly elapsedSeconds: number;
}

/** Sends messages somewhere. */
export interface Notifier {
  /**
   * How messages name this destination: "the Slack webhook", "the SNS topic arn:...". Never a
   * secret: it appears in warnings and logs.
   */
  readonly name: string;
  /**
   * Sends one message. Rejects with a `NotifyError` when the destination refused or could not be
   * reached; the signal cancels a send that takes too long.
   */
  send(notification: Notification, signal?: AbortSignal): Promise<void>;
}

/** A message that did not get through. The message is safe to log: it never carries a secret. */
export class NotifyError extends Error {
  override readonly name = "NotifyError";
}
