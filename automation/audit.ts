/**
 * The audit trail: one NDJSON line per rollout (real or rehearsed), appended to
 * `.bluegreen/audit.ndjson`. The record has a fixed shape with two free-form fields, the operator's
 * reason and the revert's reason (which quotes an abort's), and both are scrubbed of anything that
 * looks like a credential before they are written.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Outcome } from "./events";

/** Where the audit log lives under the project directory, unless BLUEGREEN_AUDIT_LOG says otherwise. */
export const DEFAULT_AUDIT_LOG = path.join(".bluegreen", "audit.ndjson");

/** The longest reason kept; a reason is a sentence, not a log dump. */
export const MAX_REASON_LENGTH = 500;

/** What replaces a credential-like string in a reason. */
export const REDACTED = "[redacted]";

/** One audit line. */
/**
 * What a record says happened: a run's outcome, or `scaled-down` for the idle colour's
 * scale-down after its rollback window (command `idle`), which is not a run and no deployment.
 */
export type AuditOutcome = Outcome | "scaled-down";

export interface AuditRecord {
  /** When the command started, ISO 8601 UTC. */
  readonly at: string;
  readonly stack: string;
  /** `rollout`, `rehearse` or `abort`. */
  readonly command: string;
  /** Who ran it: a CI user, a git e-mail or the OS user. */
  readonly who: string;
  readonly versions: { readonly from?: string; readonly to?: string };
  readonly reason?: string;
  readonly outcome: AuditOutcome;
  readonly exitCode: number;
  /** Seconds on the driver's clock: virtual seconds in a rehearsal. */
  readonly elapsedSeconds: number;
  readonly rehearsal: boolean;
  /** The command's run id, as its `--json` events carry it. Absent in records from before run ids. */
  readonly runId?: string;
  /**
   * From what triggered the revert (an alarm seen, a failed check, an abort) to traffic verified
   * back on the stable colour: the `secondsSinceTrigger` of the run's `reverted` event. Only on
   * runs that reverted; mean time to recovery is their mean.
   */
  readonly secondsToRevert?: number;
  /** When the released change was committed, ISO 8601 UTC (`--commit-time`): lead time starts here. */
  readonly commitAt?: string;
  /** The stack's service (`bluegreen:service.name`). Absent in records from before it was kept. */
  readonly service?: string;
  /** The AWS region the run acted in, when it acted on AWS. Absent in a rehearsal. */
  readonly region?: string;
  /** When the command ended, ISO 8601 UTC. Absent in records from before it was kept. */
  readonly endedAt?: string;
  /**
   * Why the run reverted: the `reverted` event's reason (the alarm, the failed check, the abort
   * and who asked), scrubbed like `reason`. Only on runs that reverted.
   */
  readonly revertReason?: string;
}

/**
 * Environment variables CI systems set to the person who triggered the job, in the order they are
 * trusted. The generic ones come last because many systems set them to a service account.
 */
export const CI_USER_VARIABLES = [
  "GITHUB_ACTOR",
  "GITLAB_USER_LOGIN",
  "BUILDKITE_BUILD_CREATOR_EMAIL",
  "BUILDKITE_BUILD_CREATOR",
  "CIRCLE_USERNAME",
  "BITBUCKET_STEP_TRIGGERER_UUID",
  "BUILD_REQUESTEDFOREMAIL",
  "BUILD_REQUESTEDFOR",
  "CODEBUILD_INITIATOR",
  "JENKINS_USER_ID",
  "BUILD_USER_ID",
  "CI_USER",
] as const;

/** Fallbacks for `who` outside CI, evaluated lazily because they run a command or ask the OS. */
export interface WhoFallbacks {
  readonly gitEmail?: () => string | undefined;
  readonly osUser?: () => string | undefined;
}

/** Who runs the command: the CI's triggering user, else `git config user.email`, else the OS user. */
export function detectWho(
  env: Readonly<Record<string, string | undefined>>,
  fallbacks: WhoFallbacks = {},
): string {
  for (const name of CI_USER_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  const email = safeCall(fallbacks.gitEmail);
  if (email) return email;
  const user = safeCall(fallbacks.osUser);
  if (user) return user;
  return "unknown";
}

/**
 * Patterns of credentials people paste by accident. Each is replaced whole; the key=value form
 * keeps the key so the reader still sees that something was there.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\bpul-[a-f0-9]{40}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@]+@/gi,
];

/** `password=...`, `token: ...`, `Authorization: Bearer ...`: keep the key, drop the value. */
const KEY_VALUE_SECRET =
  /\b((?:aws_)?(?:secret(?:_access)?_key|secret|password|passwd|pwd|token|api[_-]?key|access[_-]?key|session[_-]?token|authorization|auth|credentials?|private[_-]?key|passphrase)\s*[:=]\s*)(?:bearer\s+|basic\s+)?("[^"]*"|'[^']*'|\S+)/gi;

/** `Bearer <token>` without a key in front. */
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{12,}/gi;

/**
 * A 40-character base64 run is the shape of an AWS secret access key. Hex-only runs are left
 * alone: a 40-character hex string is far more often a git commit hash.
 */
const AWS_SECRET_SHAPE =
  /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+=]*[A-Z])(?=[A-Za-z0-9/+=]*[a-z])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/g;

/** A reason safe to record: credentials replaced, control characters dropped, length capped. */
export function redactReason(reason: string): string {
  let text = [...reason]
    .map((char) => (char.charCodeAt(0) < 32 || char.charCodeAt(0) === 127 ? " " : char))
    .join("");
  for (const pattern of SECRET_PATTERNS) text = text.replace(pattern, REDACTED);
  text = text.replace(KEY_VALUE_SECRET, (_match, key: string) => `${key}${REDACTED}`);
  text = text.replace(BEARER, (_match, word: string) => `${word} ${REDACTED}`);
  text = text.replace(AWS_SECRET_SHAPE, REDACTED);
  text = text.replace(/\s+/g, " ").trim();
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}

/** The record as written: only the known fields, in a fixed order, the reason redacted. */
export function buildAuditRecord(input: AuditRecord): AuditRecord {
  const reason = input.reason === undefined ? undefined : redactReason(input.reason);
  // The revert's reason quotes an operator's abort reason: scrubbed as that was.
  const revertReason = input.revertReason === undefined ? undefined : redactReason(input.revertReason);
  return {
    at: input.at,
    stack: input.stack,
    command: input.command,
    who: input.who,
    versions: { from: input.versions.from, to: input.versions.to },
    ...(reason ? { reason } : {}),
    outcome: input.outcome,
    exitCode: input.exitCode,
    elapsedSeconds: roundMs(input.elapsedSeconds),
    rehearsal: input.rehearsal,
    ...(input.runId === undefined ? {} : { runId: input.runId }),
    ...(input.secondsToRevert === undefined ? {} : { secondsToRevert: roundMs(input.secondsToRevert) }),
    ...(input.commitAt === undefined ? {} : { commitAt: input.commitAt }),
    ...(input.service === undefined ? {} : { service: input.service }),
    ...(input.region === undefined ? {} : { region: input.region }),
    ...(input.endedAt === undefined ? {} : { endedAt: input.endedAt }),
    ...(revertReason ? { revertReason } : {}),
  };
}

/** Seconds to the millisecond: the clock's own resolution, without float noise. */
function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** The audit log's path: BLUEGREEN_AUDIT_LOG (relative to the project) or the default. */
export function auditLogPath(projectDir: string, override?: string): string {
  return path.resolve(projectDir, override && override.trim() !== "" ? override : DEFAULT_AUDIT_LOG);
}

/**
 * Appends one record. A single append of one line: concurrent writers (two pipelines on one
 * shared volume) interleave whole lines, never parts of them, for lines this short.
 */
export async function appendAuditRecord(file: string, input: AuditRecord): Promise<AuditRecord> {
  const record = buildAuditRecord(input);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.appendFile(file, `${JSON.stringify(record)}\n`, { encoding: "utf8", flag: "a" });
  return record;
}

function safeCall(fn: (() => string | undefined) | undefined): string | undefined {
  if (!fn) return undefined;
  try {
    const value = fn()?.trim();
    return value ? value : undefined;
  } catch {
    return undefined;
  }
}
