/**
 * Shared fixtures of the AWS adapter tests: SDK-shaped errors, a clock whose sleeps record instead
 * of waiting, and the driver's retry loop over it.
 */
import type { RetryPolicy } from "../../../../automation/core/retry";
import type { Clock } from "../../../../automation/ports";
import { retrying } from "../../../../automation/rollout/retrying";

/** An error shaped like the ones AWS SDK v3 clients throw. */
export function awsError(
  name: string,
  options: { message?: string; status?: number; fault?: "client" | "server" } = {},
): Error {
  const error = new Error(options.message ?? `${name} from the service`);
  error.name = name;
  return Object.assign(error, {
    $fault: options.fault ?? ((options.status ?? 400) >= 500 ? "server" : "client"),
    $metadata: { httpStatusCode: options.status ?? 400 },
  });
}

/** A clock whose sleeps return at once: each pause is recorded in `sleeps`. */
export function instantClock(): { sleeps: number[]; clock: Clock } {
  const sleeps: number[] = [];
  return { sleeps, clock: { now: () => 0, sleep: async (ms: number) => void sleeps.push(ms) } };
}

/** The driver's retry loop, on a clock that never waits: what a router call gets in a real run. */
export function asTheDriverRetries<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy = { attempts: 3, baseMs: 100, capMs: 1_000 },
): Promise<T> {
  return retrying({ clock: instantClock().clock, random: () => 0.5 }, policy, undefined, operation);
}
