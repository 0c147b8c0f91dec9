/**
 * The pause of a plan step (`bluegreen:rollout.steps[].pause`): an approval gate after the step's
 * bake, as Argo Rollouts' `pause: {}`, Flagger's confirm webhooks and CodeDeploy's wait for ready
 * offer. `true` waits until an operator answers; an object sets a timeout and what happens then.
 */
import { z } from "zod";
import { PAUSE_TIMEOUT_ACTIONS, type PlanPause, describe } from "../../components/domain/traffic";
import { documented, duration } from "./fields";

/** The longest a pause may wait: a week, past which a split rollout is forgotten rather than gated. */
export const MAX_PAUSE_SECONDS = 7 * 86_400;

const pauseObject = z.strictObject({
  timeout: documented(
    duration({ min: 60, max: MAX_PAUSE_SECONDS }).optional(),
    "how long to wait for an answer",
    { default: "until one comes" },
  ),
  onTimeout: documented(
    z
      .enum(["abort", "promote"], {
        error: (issue) => `expected "abort" or "promote", got ${describe(issue.input)}`,
      })
      .prefault("abort"),
    "at the timeout: `abort` (revert) or `promote` (go on with the plan, as if approved)",
  ),
});

/**
 * `pause: true`, or `pause: { timeout, onTimeout }`, resolved to a PlanPause; `false` or no key
 * means no pause.
 */
export const pauseSchema = z
  .union([z.boolean({ error: (issue) => pauseMessage(issue.input) }), pauseObject], {
    error: (issue) => pauseMessage(issue.input),
  })
  .transform((pause): PlanPause | undefined => {
    if (pause === false) return undefined;
    if (pause === true) return { onTimeout: "abort" };
    return pause.timeout === undefined
      ? { onTimeout: pause.onTimeout }
      : { timeoutSeconds: pause.timeout, onTimeout: pause.onTimeout };
  });

function pauseMessage(input: unknown): string {
  return `expected true, or { timeout: "2h", onTimeout: ${PAUSE_TIMEOUT_ACTIONS.map((action) => `"${action}"`).join(" | ")} }, got ${describe(input)}`;
}
