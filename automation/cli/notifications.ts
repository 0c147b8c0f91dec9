/**
 * Notifications around a real rollout: whether a stack asks for them, and the event sink that
 * hands the driver's events both to the renderer and to the notifiers. A notification never
 * changes a rollout: a delivery that fails is a `warning` event, the driver never waits for one,
 * and the command waits a bounded time at the end so the outcome's message goes out before the
 * process exits.
 *
 * The notifiers themselves (the webhook secret, the SNS client) are built in notifierWiring.ts,
 * loaded only when a stack asks for them; this module loads no SDK.
 */
import { NotifyingSink } from "../adapters/notify/notifyingSink";
import type { Notifier } from "../adapters/notify/notifier";
import type { EventSink, RolloutEvent } from "../events";
import type { Clock } from "../ports";
import type { CliIo } from "./io";
import type { LoadedStack } from "./stacks";

/** How long a command waits, at its end, for messages still being delivered. */
export const NOTIFICATION_FLUSH_MS = 10_000;

/** What building a stack's notifiers takes. */
export interface NotifierRequest {
  readonly stack: LoadedStack;
  readonly io: CliIo;
}

/** The notifiers of one run, and what kept any of them from being set up. */
export interface NotifierSetup {
  readonly notifiers: readonly Notifier[];
  /** One line per destination that could not be set up; never a secret. Become warnings. */
  readonly problems: readonly string[];
  /** `bluegreen:notifications.progressInterval`, in seconds. */
  readonly progressIntervalSeconds: number;
}

/** Whether the stack file asks for notifications: on, with a webhook secret or an SNS topic. */
export function notificationsWanted(config: LoadedStack["config"]): boolean {
  const { enabled, snsTopicArn } = config.notifications;
  return enabled && (config.secretKeys.includes("slackWebhookUrl") || snsTopicArn !== undefined);
}

/**
 * Passes events to the renderer and, as messages, to the notifiers. The `completed` event is held
 * back until `settle`, so the warnings of the last deliveries come before it and a `--json`
 * stream still ends with `completed`.
 */
export class NotificationRelay implements EventSink {
  readonly #inner: EventSink;
  readonly #clock: Clock;
  readonly #sink: NotifyingSink;
  /** The driver's start on the clock, from the first event: warnings are stamped like its events. */
  #startMs?: number;
  /** Warnings from before the first event (a destination that could not be set up). */
  readonly #early: string[];
  #held?: RolloutEvent;
  #settled = false;

  constructor(inner: EventSink, setup: NotifierSetup, options: { clock: Clock; stack: string }) {
    this.#inner = inner;
    this.#clock = options.clock;
    this.#early = [...setup.problems];
    this.#sink = new NotifyingSink({
      notifiers: setup.notifiers,
      progressIntervalSeconds: setup.progressIntervalSeconds,
      stack: options.stack,
      onWarning: (message) => this.#warn(message),
    });
  }

  /** Renders the event and queues its messages; never waits for a delivery. */
  emit(event: RolloutEvent): void {
    this.#startMs ??= Date.parse(event.time) - event.elapsedSeconds * 1000;
    this.#sink.emit(event);
    if (event.type === "completed" && !this.#settled) this.#held = event;
    else this.#inner.emit(event);
    for (const message of this.#early.splice(0)) this.#warn(message);
  }

  /**
   * Waits for the messages still being delivered, at most `timeoutMs`, then passes the held
   * `completed` event on. Later failures are not reported: the run has ended, and a delivery still
   * running at the deadline has been reported as undelivered. Never rejects.
   */
  async settle(timeoutMs = NOTIFICATION_FLUSH_MS): Promise<void> {
    await this.#sink.flush(timeoutMs);
    this.#settled = true;
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) this.#inner.emit(held);
  }

  #warn(message: string): void {
    if (this.#settled) return;
    if (this.#startMs === undefined) {
      this.#early.push(message);
      return;
    }
    const now = this.#clock.now();
    this.#inner.emit({
      type: "warning",
      message,
      elapsedSeconds: Math.max(0, now - this.#startMs) / 1000,
      time: new Date(now).toISOString(),
    });
  }
}
