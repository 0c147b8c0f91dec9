/**
 * The deployment SOP's automatic rollback triggers, as limits an alarm must be no looser than.
 *
 * The SOP reverts when the error rate is above 5% sustained for 2 minutes, and when p95 response
 * time is above 3 seconds. The latency trigger states no duration, so it is read as "as soon as it
 * is seen": one 1-minute period, the finest resolution ALB and Lambda metrics have. These are also
 * the program's alarm defaults (`bluegreen:alarms.errorRate` and `latencyP95`, and their Lambda
 * counterparts), so a stack at its defaults complies.
 */

/** Limits an alarm that judges a colour must be no looser than. */
export interface SopLimits {
  /** The highest error-rate threshold, in percent of requests. */
  readonly maxErrorRatePercent: number;
  /** The longest breach an error-rate alarm may need before it fires, in seconds. */
  readonly maxErrorRateWindowSeconds: number;
  /** The highest latency threshold, in seconds. */
  readonly maxLatencySeconds: number;
  /** The longest breach a latency alarm may need before it fires, in seconds. */
  readonly maxLatencyWindowSeconds: number;
  /** The lowest percentile a latency alarm may judge: a lower one (or an average) hides the slow tail. */
  readonly minLatencyPercentile: number;
}

/** The SOP's own limits: error rate above 5% for 2 minutes, p95 above 3 s. */
export const SOP_LIMITS: SopLimits = {
  maxErrorRatePercent: 5,
  maxErrorRateWindowSeconds: 120,
  maxLatencySeconds: 3,
  maxLatencyWindowSeconds: 60,
  minLatencyPercentile: 95,
};
