/**
 * `bluegreen:guardian`: the guardian in the cloud, a small Lambda function that reverts a split
 * when a colour alarm fires or the driver that holds the split stops beating, so a rollout whose
 * driver died (a CI runner killed, a laptop closed) is not left serving the candidate unwatched.
 *
 * It needs the stack's DynamoDB control table (it reads who runs the rollout and records its trip
 * there) and a router it can reach from Lambda (an ALB listener or a Lambda alias): Kubernetes in
 * gateway mode would need the cluster's API, so there it is absent.
 */
import { z } from "zod";
import { heartbeatStaleAfterMs } from "../../automation/core/controlRecord";
import type { Platform } from "../../components/domain/outputs";
import type { ControlChannelKind } from "./control";
import type { KubernetesRoutingMode } from "./platforms";
import { formatDuration } from "./duration";
import { documented, duration } from "./fields";

/**
 * The default time a driver may go without a heartbeat before the guardian takes it for lost: five
 * minutes. It must exceed the heartbeat staleness of the poll interval (six polls, at least 60s;
 * `heartbeatStaleAfterMs`), plus a margin for a driver whose AWS access blips for a few polls: a
 * driver that still runs must never be reverted under. It also bounds how long a split can stay
 * unwatched after its driver dies: this timeout plus one period of the guardian's schedule.
 */
export const DEFAULT_DRIVER_TIMEOUT = "5m";

/** The longest driver timeout: past two hours a split whose driver died is as good as unwatched. */
export const MAX_DRIVER_TIMEOUT_SECONDS = 2 * 3_600;

/** `bluegreen:guardian` */
export const guardianSchema = z.strictObject({
  enabled: documented(
    z.boolean({ error: "expected true or false" }).prefault(true),
    "declare the guardian: a Lambda function that reverts the split when a colour alarm fires or the driver stops beating (needs `control.channel: dynamodb`; not in Kubernetes gateway mode)",
  ),
  driverTimeout: documented(
    duration({ min: 60, max: MAX_DRIVER_TIMEOUT_SECONDS }).prefault(DEFAULT_DRIVER_TIMEOUT),
    "a split whose driver has not beaten for this long is reverted; at least the heartbeat staleness of `rollout.pollInterval` (6 polls, at least 1m), with a margin for a driver whose AWS access blips. A split stays unwatched at most this plus one minute",
  ),
});

/** `bluegreen:guardian` after validation, the timeout in seconds. */
export type GuardianConfig = z.output<typeof guardianSchema>;

/** What a stack file that leaves the block out gets (a test holds it equal to the schema's `{}`). */
export const GUARDIAN_DEFAULTS: GuardianConfig = { enabled: true, driverTimeout: 300 };

/** What decides whether a stack has a guardian, from its validated config. */
export interface GuardianSetting {
  readonly guardian: GuardianConfig;
  readonly control: { readonly channel: ControlChannelKind };
  readonly service: { readonly platform: Platform };
  readonly kubernetes?: { readonly routing: { readonly mode: KubernetesRoutingMode } };
}

/** Why an enabled guardian cannot be declared for the stack, or undefined when it can (or is off). */
export function guardianAbsence(config: GuardianSetting): string | undefined {
  if (!config.guardian.enabled) return undefined;
  if (config.service.platform === "kubernetes" && config.kubernetes?.routing.mode === "gateway") {
    return "no guardian watches this stack: in Kubernetes gateway mode reverting the split needs the cluster's API, which the guardian's Lambda function does not reach; a split whose driver dies stays as it is until a driver runs again (set guardian.enabled: false to say so)";
  }
  if (config.control.channel === "file") {
    return "no guardian watches this stack: it needs the DynamoDB control table, and bluegreen:control.channel is file; a split whose driver dies stays as it is until a driver runs again (set control.channel: dynamodb to have one, or guardian.enabled: false to say so)";
  }
  return undefined;
}

/**
 * The warning of a stack the guardian cannot watch although it is enabled (gateway mode, or the
 * file channel), as `validate` and `pulumi up` give it. Not among the validation's own warnings:
 * every other command that reads the stack file (`rollout`, `rehearse`, `status`) would repeat it.
 */
export function guardianWarnings(config: GuardianSetting): { path: string; message: string }[] {
  const absence = guardianAbsence(config);
  return absence === undefined ? [] : [{ path: "bluegreen:guardian", message: absence }];
}

/** Whether the program declares the guardian for the stack. */
export function guardianDeclared(config: GuardianSetting): boolean {
  return config.guardian.enabled && guardianAbsence(config) === undefined;
}

/**
 * The rule across keys for a guardian block the stack file writes: refused with the file channel,
 * since the author asked for a guardian that cannot exist (an unwritten block only warns, so a
 * stack on the file channel keeps validating as before).
 */
export function guardianChannelProblem(
  written: GuardianConfig | undefined,
  channel: ControlChannelKind | undefined,
): string | undefined {
  if (written === undefined || !written.enabled || channel !== "file") return undefined;
  return "the guardian needs the DynamoDB control table, but bluegreen:control.channel is file: set control.channel: dynamodb, or set guardian.enabled: false";
}

/**
 * The rule across keys for the timeout: a driver that still runs is never taken for lost, so the
 * timeout is at least the heartbeat staleness of the stack's poll interval.
 */
export function driverTimeoutProblem(
  guardian: GuardianConfig,
  pollIntervalSeconds: number,
): string | undefined {
  if (!guardian.enabled) return undefined;
  const staleSeconds = heartbeatStaleAfterMs(pollIntervalSeconds) / 1_000;
  if (guardian.driverTimeout >= staleSeconds) return undefined;
  return `a driver timeout of ${formatDuration(guardian.driverTimeout)} is shorter than the heartbeat staleness of bluegreen:rollout.pollInterval ${formatDuration(pollIntervalSeconds)} (6 polls, ${formatDuration(staleSeconds)}): the guardian would revert under a driver that still runs. Set guardian.driverTimeout to at least ${formatDuration(staleSeconds)} (with a margin), or shorten rollout.pollInterval`;
}
