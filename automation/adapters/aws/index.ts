/**
 * The AWS SDK v3 adapters of the rollout driver's ports.
 */
export { AlbTrafficRouter, type AlbTrafficRouterOptions } from "./alb-traffic-router";
export {
  CloudWatchAlarmSource,
  type CloudWatchAlarmSourceOptions,
  MAX_ALARM_NAMES_PER_REQUEST,
} from "./cloudwatch-alarm-source";
export { type AwsClientConfig, awsClient, awsClientConfig } from "./clients";
export { checkAwsCredentials, type CredentialsCheckResult } from "./credentials";
export { type FetchLike, type HttpCheckDeps, runHttpChecks } from "./http-check";
export {
  LambdaTrafficRouter,
  type LambdaRouterTarget,
  type LambdaTrafficRouterOptions,
} from "./lambda-traffic-router";
export { type Resolvable, resolveValue } from "./resolvable";
