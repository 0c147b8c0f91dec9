/**
 * How every AWS SDK client of the driver is built: for the stack's region, with the SDK's own
 * retries turned off. The driver retries in exactly one layer, its own, under `core/retry`'s
 * policy; the SDK retrying underneath would multiply the attempts and make the worst-case time
 * from an alarm to a verified revert impossible to state.
 */

/** What every client gets. */
export interface AwsClientConfig {
  readonly region: string;
  /** One call per attempt: the SDK never retries on top of the driver. */
  readonly maxAttempts: 1;
}

/** The config of every AWS SDK client the driver builds. */
export function awsClientConfig(region: string): AwsClientConfig {
  return { region, maxAttempts: 1 };
}

/**
 * An SDK client of `Client` for `region` that makes one attempt per call:
 * `awsClient(CloudWatchClient, "eu-west-1")`.
 */
export function awsClient<C>(Client: new (config: AwsClientConfig) => C, region: string): C {
  return new Client(awsClientConfig(region));
}
