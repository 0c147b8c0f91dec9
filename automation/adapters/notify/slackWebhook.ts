/**
 * A Slack-compatible incoming webhook (Slack, and the chat tools that accept its payload, such as
 * Mattermost and Rocket.Chat): an HTTPS POST of `{ text, blocks }`.
 *
 * The webhook URL is the credential: anyone holding it can post to the channel. It is kept in a
 * private field, never put in a message, an error or a log line, and hidden from `util.inspect`
 * and `JSON.stringify`; errors name "the Slack webhook" and, at most, the HTTP status.
 */
import { inspect } from "node:util";
import { formatDuration } from "../../../infra/config/duration";
import { type Notification, type Notifier, NotifyError, type NotificationSeverity } from "./notifier";

/** How long a post may take by default. Slack answers in well under a second. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** Slack's limit on a section block's text. */
const SECTION_TEXT_LIMIT = 3000;

/** Hosts where plain HTTP is allowed: a receiver on the same machine (tests, a local relay). */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

const SEVERITY_PREFIX: Record<NotificationSeverity, string> = {
  info: ":information_source:",
  success: ":white_check_mark:",
  warning: ":warning:",
  critical: ":rotating_light:",
};

/** Options of the webhook adapter. */
export interface SlackWebhookOptions {
  /** The incoming webhook URL: a secret. */
  readonly url: string;
  /** @default 10 000 ms */
  readonly timeoutMs?: number;
  /** The fetch to use. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The payload posted for a notification: `text` is the fallback for notifications and old clients. */
export function slackPayload(notification: Notification): {
  text: string;
  blocks: { type: string; text: { type: string; text: string } }[];
} {
  const headline = `${SEVERITY_PREFIX[notification.severity]} *${escapeMrkdwn(notification.subject)}*`;
  const body = truncate(`${headline}\n${escapeMrkdwn(notification.text)}`, SECTION_TEXT_LIMIT);
  return {
    text: `${notification.subject}: ${notification.text}`,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: body } }],
  };
}

/** Posts notifications to a Slack-compatible incoming webhook. */
export class SlackWebhookNotifier implements Notifier {
  readonly name = "the Slack webhook";
  readonly #url: URL;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  /** @throws NotifyError when the URL is not an https URL (http only for a loopback host). */
  constructor(options: SlackWebhookOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new NotifyError("the Slack webhook URL is not a valid URL");
    }
    const loopback = LOOPBACK_HOSTS.has(url.hostname);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
      throw new NotifyError("the Slack webhook URL must be an https:// URL");
    }
    this.#url = url;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Posts one message; rejects with a NotifyError that never contains the URL. */
  async send(notification: Notification, signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(slackPayload(notification)),
        signal: combined,
        // A redirect would send the payload somewhere the operator did not configure.
        redirect: "error",
      });
    } catch (error) {
      if (timeout.aborted) {
        throw new NotifyError(`the Slack webhook did not answer within ${formatTimeout(this.#timeoutMs)}`);
      }
      if (signal?.aborted) throw new NotifyError("the Slack webhook post was cancelled");
      const code = errorCode(error);
      throw new NotifyError(`the Slack webhook could not be reached${code ? ` (${code})` : ""}`);
    }
    // The body is read and dropped: a connection with an unread body is not reused, and an error
    // carries the status only, so nothing a receiver echoes back can reach a log.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new NotifyError(`the Slack webhook answered HTTP ${response.status}`);
  }

  /** What JSON.stringify shows: the name, never the URL. */
  toJSON(): { name: string } {
    return { name: this.name };
  }

  /** What console.log and util.inspect show: the name, never the URL. */
  [inspect.custom](): string {
    return `SlackWebhookNotifier { ${this.name} }`;
  }
}

/**
 * The system error code behind a failed fetch (`ECONNREFUSED`, `ENOTFOUND`): undici wraps it as the
 * cause. Only the code is kept; the cause's message names the host and port.
 */
function errorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error as Error & { cause?: unknown }).cause : undefined;
  for (const candidate of [cause, error]) {
    const code = (candidate as { code?: unknown } | undefined)?.code;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return undefined;
}

function formatTimeout(ms: number): string {
  return ms < 1000 ? `${ms}ms` : formatDuration(ms / 1000);
}

/** Slack's mrkdwn reserves `&`, `<` and `>`; everything else shows as written. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
