/**
 * `bluegreen:rollout`: the plan the driver follows and how it watches each step.
 */
import { z } from "zod";
import {
  DEFAULT_ROLLOUT_PRESET,
  PlanStep,
  ROLLOUT_PRESETS,
  ROLLOUT_PRESET_NAMES,
  RolloutPreset,
  describe,
  planProblems,
  presetPlan,
} from "../../components/domain";
import { documented } from "./docs";
import { formatDuration } from "./duration";
import { duration, integer, matching } from "./fields";

/** One step of a rollout plan: send `weight` percent to the new colour, then watch it for `bake`. */
const stepSchema = z.strictObject({
  weight: documented(integer("a percent to the new colour", 1, 100), "percent to the new colour"),
  bake: documented(duration({ min: 1, max: 86_400 }), "how long to watch the step before the next"),
});

function presetText(name: RolloutPreset): string {
  const steps = ROLLOUT_PRESETS[name].map((step) => `${step.weight}% ${formatDuration(step.bakeSeconds)}`);
  return `\`${name}\` (${steps.join(", ")})`;
}

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

const httpCheckPath = z.strictObject({
  path: documented(matching(/^\//, 'a path starting with "/"'), "the path requested"),
  expectStatus: documented(integer("an HTTP status", 100, 599).prefault(200), "the status it must answer"),
});

const preTrafficCheckSchema = z.strictObject({
  paths: documented(
    z
      .array(httpCheckPath)
      .min(1)
      .prefault([{ path: "/health", expectStatus: 200 }]),
    "requests to the test listener before the candidate gets traffic (ECS, Kubernetes alb mode), or through the API server's service proxy (Kubernetes gateway mode)",
  ),
  payload: documented(z.string().prefault("{}"), "the test invocation's payload (Lambda)"),
  host: documented(
    matching(HOST_NAME, 'a host name such as "checkout.example.com"').optional(),
    "the host name the service's certificate names, sent as TLS SNI and Host header to the HTTPS test listener (verification stays on)",
    { required: "with HTTPS", default: "none" },
  ),
  timeout: documented(duration({ min: 1, max: 60 }).prefault("5s"), "limit for one check request"),
  attempts: documented(
    integer("a number of attempts", 1, 20).prefault(3),
    "tries of the whole check before the candidate counts as failed",
  ),
  enabled: documented(z.boolean().prefault(true), "run the pre-traffic check at all"),
});

/** `bluegreen:rollout` */
export const rolloutSchema = z
  .strictObject({
    preset: documented(
      z
        .enum(ROLLOUT_PRESET_NAMES, {
          error: (issue) =>
            `expected one of ${ROLLOUT_PRESET_NAMES.join(", ")}, got ${describe(issue.input)}`,
        })
        .optional(),
      ROLLOUT_PRESET_NAMES.map(presetText).join(", "),
      { default: `\`${DEFAULT_ROLLOUT_PRESET}\`` },
    ),
    steps: documented(
      z.array(stepSchema).optional(),
      "instead of a preset: `[{ weight, bake }]`, weights strictly increasing and ending at 100, each bake at least as long as the alarms can evaluate (period × evaluation periods + metric lag: 1m for ALB metrics, 2m for Lambda)",
    ),
    pollInterval: documented(
      duration({ min: 1, max: 300 }).prefault("10s"),
      "how often alarms and weights are read during a bake",
    ),
    insufficientData: documented(
      z
        .strictObject({
          policy: documented(
            z
              .enum(["wait", "fail", "ignore"], {
                error: (issue) => `expected "wait", "fail" or "ignore", got ${describe(issue.input)}`,
              })
              .prefault("wait"),
            "INSUFFICIENT_DATA is never healthy by default: `wait` (tolerate until the deadline, then revert), `fail` (revert at once), `ignore` (count as OK)",
          ),
          deadline: documented(
            duration({ min: 1, max: 3_600 }).prefault("5m"),
            "how long `wait` tolerates it within a step",
          ),
        })
        .prefault({}),
      "what an alarm without data means during a bake",
    ),
    maxAlarmReadFailures: documented(
      integer("a count of consecutive failed alarm reads", 1, 100).prefault(4),
      "consecutive failed alarm reads (after retries) before reverting",
    ),
    operationTimeout: documented(
      duration({ min: 60, max: 7_200 }).prefault("30m"),
      "limit for one Pulumi update or readiness wait",
    ),
    preTrafficCheck: documented(
      preTrafficCheckSchema.prefault({}),
      "the check the candidate must pass before it gets traffic",
    ),
  })
  .superRefine((rollout, ctx) => {
    if (rollout.preset !== undefined && rollout.steps !== undefined) {
      ctx.addIssue({ code: "custom", message: "give either preset or steps, not both" });
    }
    if (rollout.steps === undefined) return;
    for (const problem of planProblems(rollout.steps.map((step) => step.weight))) {
      ctx.addIssue({
        code: "custom",
        path: problem.step === undefined ? ["steps"] : ["steps", problem.step, "weight"],
        message: problem.message,
      });
    }
  });

/** `bluegreen:rollout` after validation, with every default applied. */
export type RolloutSettings = z.output<typeof rolloutSchema>;

/** The plan a rollout config resolves to, and its name for plans and events. */
export function resolvePlan(rollout: RolloutSettings): { plan: PlanStep[]; planName: string } {
  if (rollout.steps !== undefined) {
    return {
      plan: rollout.steps.map((step) => ({ weight: step.weight, bakeSeconds: step.bake })),
      planName: "custom",
    };
  }
  const name = rollout.preset ?? DEFAULT_ROLLOUT_PRESET;
  return { plan: presetPlan(name), planName: name };
}
