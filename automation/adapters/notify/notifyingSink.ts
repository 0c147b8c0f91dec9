/**
 * An event sink that tells people about a rollout through notifiers, without ever getting in its
 * way: `emit` returns at once and never throws, deliveries run in the background, one queue per
 * notifier (so each destination gets messages in order), each bounded by a timeout. A failed or
 * slow delivery becomes a warning through a callback; the rollout never waits for a chat server.
 */
import type { EventSink, RolloutEvent } from "../../events";
import {
  initialNotificationState,
  type NotificationPlanOptions,
  type NotificationState,
  planNotifications,
} from "./messages";
import type { Notification, Notifier } from "./notifier";

/** How long one delivery may take before it is given up, by default. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;

/** Options of the sink. */
export interface NotifyingSinkOptions extends NotificationPlanOptions {
  readonly notifiers: readonly Notifier[];
  /** Receives a line for every delivery that failed; never a secret (notifier errors carry none). */
  readonly onWarning: (message: string) => void;
  /** The stack, for messages before a `started` event names it (a rejected run). */
  readonly stack?: string;
  /** @default 15 000 ms */
  readonly deliveryTimeoutMs?: number;
}

/** Forwards rollout events, as messages, to notifiers. */
export class NotifyingSink implements EventSink {
  readonly #options: NotifyingSinkOptions;
  readonly #queues = new Map<Notifier, Promise<void>>();
  #state: NotificationState;
  #inFlight = 0;

  constructor(options: NotifyingSinkOptions) {
    this.#options = options;
    this.#state = initialNotificationState(options.stack);
  }

  /** Plans the event's messages and queues them; returns at once and never throws. */
  emit(event: RolloutEvent): void {
    try {
      const { state, notifications } = planNotifications(this.#state, event, this.#options);
      this.#state = state;
      for (const notification of notifications) {
        for (const notifier of this.#options.notifiers) this.#enqueue(notifier, notification);
      }
    } catch (error) {
      this.#warn(`notifications skipped for a ${event.type} event: ${describe(error)}`);
    }
  }

  /** Deliveries queued or running. */
  get pending(): number {
    return this.#inFlight;
  }

  /**
   * Waits for the queued deliveries, at most `timeoutMs`; for the end of a command, so the last
   * message (the outcome) goes out before the process exits. Never rejects.
   */
  async flush(timeoutMs = this.#options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS): Promise<void> {
    const all = Promise.allSettled([...this.#queues.values()]).then(() => undefined);
    await withDeadline(all, timeoutMs).catch(() => {
      this.#warn(
        `${this.#inFlight} notification(s) still undelivered after ${describeMs(timeoutMs)}; not waiting longer`,
      );
    });
  }

  #enqueue(notifier: Notifier, notification: Notification): void {
    this.#inFlight += 1;
    const previous = this.#queues.get(notifier) ?? Promise.resolve();
    const next = previous
      .then(() => this.#deliver(notifier, notification))
      .finally(() => {
        this.#inFlight -= 1;
      });
    this.#queues.set(notifier, next);
  }

  /** Resolves whatever happens: a failure is reported, never thrown. */
  async #deliver(notifier: Notifier, notification: Notification): Promise<void> {
    const timeoutMs = this.#options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    const controller = new AbortController();
    try {
      // The deadline also covers a notifier that ignores its signal.
      await withDeadline(
        Promise.resolve().then(() => notifier.send(notification, controller.signal)),
        timeoutMs,
        () => controller.abort(),
      );
    } catch (error) {
      const why =
        error instanceof DeadlineError ? `no answer within ${describeMs(timeoutMs)}` : describe(error);
      this.#warn(`notification "${notification.subject}" to ${notifier.name} failed: ${why}`);
    }
  }

  #warn(message: string): void {
    try {
      this.#options.onWarning(message);
    } catch {
      // A warning callback that throws must not take the rollout down with it.
    }
  }
}

class DeadlineError extends Error {
  override readonly name = "DeadlineError";
}

/** The promise, or a DeadlineError after `ms`; the timer never keeps the process alive. */
function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new DeadlineError(`no answer within ${ms} ms`));
    }, ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function describeMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
