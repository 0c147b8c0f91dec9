/**
 * What every traffic router takes besides its client and routing: the pre-traffic check from
 * config, and the knobs tests turn to run without real time.
 *
 * Routers make one attempt per call and throw what the API threw: the driver retries, under
 * `core/retry`'s one policy and classification, so nothing here retries on top.
 */
import type { RolloutConfig } from "../../infra/config/schema";
import type { Clock } from "../ports";

/** Options shared by the ALB, Lambda and Gateway API traffic routers. */
export interface TrafficRouterCommonOptions {
  /** The pre-traffic check from `bluegreen:rollout.preTrafficCheck`. */
  readonly preTrafficCheck: RolloutConfig["preTrafficCheck"];
  /** What the pauses between two attempts of one pre-traffic check sleep on. @default the system clock */
  readonly clock?: Pick<Clock, "sleep">;
  /** A signal that aborts after `ms`. @default AbortSignal.timeout */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
  /** The pause between two attempts of one pre-traffic check, in ms. @default 2000 */
  readonly checkRetryDelayMs?: number;
}
