/**
 * The guardian's Lambda entry, bundled by esbuild into one file for Node.js 22. It reads its
 * target from `BLUEGREEN_GUARDIAN_TARGET` (the program sets it), parses the EventBridge event
 * (an alarm's state change, or the schedule), runs the guardian once and prints its result as one
 * JSON log line. A run that could not reach the control record or the router throws after
 * logging, so the invocation fails and EventBridge's retry runs it again.
 *
 * The only module of the guardian that touches `process`; it imports no Pulumi and loads no
 * project file at run time, so the bundle holds everything.
 */
import { z } from "zod";
import type { GuardianTrigger } from "../core/guardian";
import { type GuardianResult, guardianLogLine, runGuardian } from "./guardian";
import { guardianDeps } from "./wiring";
import {
  GUARDIAN_TARGET_ENV,
  type GuardianTarget,
  guardianTargetSchema,
} from "../../components/domain/guardian";

const alarmStateChangeSchema = z.object({
  "detail-type": z.literal("CloudWatch Alarm State Change"),
  time: z.string().optional(),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: z.string().min(1), timestamp: z.string().optional() }),
  }),
});

const scheduledEventSchema = z.object({
  "detail-type": z.literal("Scheduled Event"),
  time: z.string().optional(),
});

const eventSchema = z.discriminatedUnion("detail-type", [alarmStateChangeSchema, scheduledEventSchema]);

/** The trigger an EventBridge event stands for; throws naming what is wrong with an unknown event. */
export function triggerOf(event: unknown, now: number): GuardianTrigger {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const type = (event as { "detail-type"?: unknown } | undefined)?.["detail-type"];
    throw new Error(
      `the guardian takes "CloudWatch Alarm State Change" and "Scheduled Event" events, got ${JSON.stringify(type ?? null)}: ${z.prettifyError(parsed.error)}`,
    );
  }
  const value = parsed.data;
  if (value["detail-type"] === "Scheduled Event") return { kind: "schedule", at: instant(value.time, now) };
  return {
    kind: "alarm",
    alarmName: value.detail.alarmName,
    state: value.detail.state.value,
    at: instant(value.detail.state.timestamp ?? value.time, now),
  };
}

/** The target in `env`; throws naming the variable when it is missing or wrong. */
export function targetFromEnv(env: Readonly<Record<string, string | undefined>>): GuardianTarget {
  const text = env[GUARDIAN_TARGET_ENV];
  if (text === undefined || text === "") {
    throw new Error(`${GUARDIAN_TARGET_ENV} is not set: the guardian's function needs its target (JSON)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${GUARDIAN_TARGET_ENV} is not JSON: ${(error as Error).message}`);
  }
  const parsed = guardianTargetSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${GUARDIAN_TARGET_ENV} is not a guardian target: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * One guardian run for an EventBridge event, with the target from `env`; the result goes to `log`
 * as one JSON line. Throws, after logging, when the run could not finish its job.
 */
export async function handleEvent(
  event: unknown,
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<GuardianResult> {
  const target = targetFromEnv(env);
  const result = await runGuardian(guardianDeps(target), triggerOf(event, Date.now()));
  log(guardianLogLine(result));
  if (result.outcome === "error" || result.outcome === "failed") throw new Error(result.detail);
  return result;
}

/** The Lambda handler: one guardian run per EventBridge event. */
export function handler(event: unknown): Promise<GuardianResult> {
  return handleEvent(event, process.env, (line) => console.log(line));
}

function instant(text: string | undefined, fallback: number): number {
  const parsed = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isFinite(parsed) ? parsed : fallback;
}
