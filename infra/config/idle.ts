/**
 * `bluegreen:idle`: what happens to the colour that serves nothing once a release is promoted.
 * It keeps its full capacity for a rollback window, so `bluegreen undo` is a weight change only;
 * after the window it is scaled down to `capacity` (0 by default), and the next rollout or undo
 * scales it up again before it takes traffic.
 */
import { z } from "zod";
import { describe } from "../../components/domain/traffic";
import { DURATION_PATTERN, formatDuration, parseDuration } from "./duration";
import { documented, integer } from "./fields";

/** The shortest rollback window: a scale-down must not race the promotion that started it. */
export const MIN_ROLLBACK_WINDOW_SECONDS = 60;

/** The longest rollback window: two days, the most CodeDeploy's terminationWait allows. */
export const MAX_ROLLBACK_WINDOW_SECONDS = 2 * 86_400;

/**
 * The default window. CodeDeploy's ECS blue/green keeps the original task set an hour by
 * default (its terminationWait); the SOP watches 10 minutes at 100% and an on-call engineer
 * notices most late regressions within the hour after that; Argo Rollouts' 30-second
 * scaleDownDelaySeconds protects only the switch itself, not a rollback. An hour of an idle
 * colour is cheap next to a rollback that waits minutes for tasks to start.
 */
export const DEFAULT_ROLLBACK_WINDOW = "1h";

/** The word that keeps the idle colour at full capacity for good. */
export const KEEP_WARM = "never";

const WINDOW_FORM = `a duration such as "30m" or "1h", or "${KEEP_WARM}"`;

/** `bluegreen:idle.rollbackWindow`: whole seconds, or `undefined` for never (kept warm). */
const rollbackWindowSchema = z
  .string({ error: (issue) => `expected ${WINDOW_FORM}, got ${describe(issue.input)}` })
  .refine((text) => text === KEEP_WARM || DURATION_PATTERN.test(text), {
    error: (issue) => `expected ${WINDOW_FORM}, got ${describe(issue.input)}`,
  })
  .transform((text, ctx): number | undefined => {
    if (text === KEEP_WARM) return undefined;
    const seconds = parseDuration(text) ?? 0;
    if (seconds < MIN_ROLLBACK_WINDOW_SECONDS || seconds > MAX_ROLLBACK_WINDOW_SECONDS) {
      ctx.addIssue({
        code: "custom",
        message: `must be between ${formatDuration(MIN_ROLLBACK_WINDOW_SECONDS)} and ${formatDuration(MAX_ROLLBACK_WINDOW_SECONDS)}, or "${KEEP_WARM}", got ${describe(text)}`,
      });
      return z.NEVER;
    }
    return seconds;
  });

/** `bluegreen:idle` */
export const idleSchema = z.strictObject({
  rollbackWindow: documented(
    rollbackWindowSchema.prefault(DEFAULT_ROLLBACK_WINDOW),
    `how long after a promotion the previous colour keeps its full capacity, so \`bluegreen undo\` only moves traffic (1m to 48h; the default matches CodeDeploy's terminationWait); \`${KEEP_WARM}\` keeps both colours warm for good`,
  ),
  capacity: documented(
    integer("a task or pod count", 0, 1_000).prefault(0),
    "tasks (ECS) or pods (Kubernetes) the idle colour keeps once the window closes; below the serving count, or nothing is scaled. Lambda has no idle cost",
  ),
});

/** `bluegreen:idle` after validation: the window in seconds, `undefined` when kept warm. */
export type IdleConfig = z.output<typeof idleSchema>;
