/**
 * What every traffic router takes besides its client and routing: the pre-traffic check from
 * config, and the knobs tests turn to run without real time.
 */
import type { RolloutConfig } from "../../infra/config/schema";
import type { RetryOptions } from "./aws/retry";

/** Options shared by the ALB, Lambda and Gateway API traffic routers. */
export interface TrafficRouterCommonOptions {
  /** The pre-traffic check from `bluegreen:rollout.preTrafficCheck`. */
  readonly preTrafficCheck: RolloutConfig["preTrafficCheck"];
  /** Retries of throttled and failed API calls; `sleep` also spaces pre-traffic check attempts. */
  readonly retry?: Partial<RetryOptions>;
  /** A signal that aborts after `ms`. @default AbortSignal.timeout */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
  /** The pause between two attempts of one pre-traffic check, in ms. @default 2000 */
  readonly checkRetryDelayMs?: number;
}
