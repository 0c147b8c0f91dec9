/**
 * Shared fixtures of the AWS adapter tests: SDK-shaped errors and a sleep that records instead of
 * waiting.
 */

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

/** Retry options that never wait: each delay is recorded in `sleeps`. */
export function instantRetries(random = () => 0.5) {
  const sleeps: number[] = [];
  return {
    sleeps,
    options: {
      attempts: 3,
      baseMs: 100,
      maxMs: 1_000,
      random,
      sleep: async (ms: number) => void sleeps.push(ms),
    },
  };
}
