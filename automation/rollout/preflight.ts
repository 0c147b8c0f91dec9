/**
 * The preflight of a rollout: everything that must hold before anything is written. A failure
 * throws a `PreflightFailure` naming the check; each check that passes is reported as a
 * `preflight` event. Where the rollout stands is derived from the deployed outputs and the live
 * split, never from memory.
 */
import {
  colourAlarmNames,
  evaluateAlarms,
  preflightAlarms,
  uniqueNames,
  type WatchedState,
} from "../core/alarms";
import type { RevertCause } from "../core/decide";
import { assessStart, type Position } from "../core/position";
import { READ_RETRY } from "../core/retry";
import type { AlarmReading } from "../ports";
import type { Emitter } from "./emitter";
import { describeError, PreflightFailure, throwIfSignalled } from "./failures";
import { readSplit } from "./liveSplit";
import { retrying } from "./retrying";
import type { DriverDeps, RolloutRequest } from "./types";
import { type Colour, type StackOutputs, otherColour } from "../../components/domain";
import { judgingAlarms, unjudgedReason } from "../../infra/config/judging";
import { platformProfile } from "../../infra/config/schema";

/** What the preflight established. */
export interface Prepared {
  readonly outputs: StackOutputs;
  readonly stable: Colour;
  readonly candidate: Colour;
  readonly watched: readonly string[];
  readonly initialStates: Readonly<Record<string, WatchedState>>;
  readonly from: Exclude<Position, { kind: "inconsistent" }>;
  readonly resumed: boolean;
  /** The highest revision deployed or in the stack file: the next write raises it. */
  readonly revision: number;
  /** Set when a resumed run found the candidate serving in a state that must be reverted at once. */
  readonly revertAtOnce?: { readonly cause: RevertCause; readonly reason: string };
}

/** Runs every check in order; throws a `PreflightFailure` at the first that fails. */
export async function preflight(
  deps: DriverDeps,
  request: RolloutRequest,
  emitter: Emitter,
): Promise<Prepared> {
  const { signal, config } = request;
  const plan = config.rollout.plan;
  const passed = (check: string, detail: string) =>
    emitter.emit({ type: "preflight", check, ok: true, detail });
  const now = () => deps.clock.now();
  const read = <T>(operation: () => Promise<T>) => retrying(deps, READ_RETRY, signal, operation);

  for (const check of deps.preflightChecks ?? []) {
    let answer: { ok: boolean; detail: string };
    try {
      answer = await check.run(signal);
    } catch (error) {
      throwIfSignalled(signal, now);
      answer = { ok: false, detail: describeError(error) };
    }
    if (!answer.ok) throw new PreflightFailure(check.name, answer.detail);
    passed(check.name, answer.detail);
  }

  const lock = await deps.stack.lock();
  if (lock) {
    throw new PreflightFailure(
      "lock",
      lock.alive
        ? `stack ${deps.stack.name} is locked by ${lock.holder}, a process that is still running: wait for it to finish; the lock was left alone`
        : `stack ${deps.stack.name} holds a stale lock from ${lock.holder}, a process that no longer runs: once you are sure nothing else updates the stack, clear it with \`pulumi cancel --stack ${deps.stack.name}\` and run again`,
    );
  }
  passed("lock", `stack ${deps.stack.name} is not locked`);

  const outputs = await read(() => deps.stack.outputs(signal));
  if (!outputs) {
    throw new PreflightFailure(
      "outputs",
      `stack ${deps.stack.name} has never been deployed: deploy it with \`pulumi up\` first`,
    );
  }
  const stable = outputs.stableColour;
  const candidate = otherColour(stable);
  passed(
    "outputs",
    `revision ${outputs.revision}: ${stable} runs ${outputs.slots[stable].version} at ${outputs.traffic[stable]}%`,
  );

  const live = await read(() => readSplit(deps.router, signal));
  const start = assessStart(plan, outputs, live, request.version, request.resume);
  if (start.kind === "reject") throw new PreflightFailure(start.check, start.reason);

  // A composite over no members judges nothing, so it is not counted as watching the candidate.
  const deployed = outputs.alarms[candidate];
  const judged = deployed.members.length > 0;
  const watched = uniqueNames([...(judged ? colourAlarmNames(deployed) : []), ...outputs.alarms.extra]);
  const base = { outputs, stable, candidate, watched, revision: Math.max(outputs.revision, config.revision) };
  if (start.kind === "revert") {
    passed("position", `resuming: ${start.reason}; reverting`);
    return {
      ...base,
      initialStates: {},
      from: { kind: "readiness" },
      resumed: true,
      revertAtOnce: { cause: "inconsistent", reason: `cannot resume: ${start.reason}` },
    };
  }
  passed(
    "position",
    start.from.kind === "step"
      ? `resuming at step ${start.from.step + 1} of ${plan.length} (${plan[start.from.step].weight}% live on ${candidate})`
      : start.from.kind === "readiness"
        ? `resuming: ${request.version} is deployed to ${candidate} with no traffic`
        : `${candidate} gets ${request.version}; ${stable} keeps serving ${outputs.slots[stable].version}`,
  );

  const unjudged = unjudgedBy(config, candidate, judged ? undefined : deployed.composite);
  if (unjudged !== undefined && !config.alarms.allowNone) {
    throw new PreflightFailure(
      "alarms",
      `no alarm judges ${candidate}: ${unjudged}; enable a built-in alarm in bluegreen:alarms, or set bluegreen:alarms.allowNone: true to roll out with nothing judging it`,
    );
  }

  let readings: AlarmReading[];
  try {
    readings = await read(() => deps.alarms.read(watched, signal));
  } catch (error) {
    throwIfSignalled(signal, now);
    throw new PreflightFailure(
      "alarms",
      `could not read the watched alarms (${watched.join(", ")}): ${describeError(error)}`,
    );
  }
  const found = preflightAlarms(watched, readings);
  const states = evaluateAlarms(watched, readings, { policy: "ignore", deadlineSeconds: 0 }, {}, 0).states;
  const serving = start.from.kind === "step";
  const problem =
    found.missing.length > 0
      ? `watched alarm${found.missing.length > 1 ? "s" : ""} ${found.missing.join(", ")} not found: the alarm source returns no alarm by that name; create it, or fix bluegreen:alarms.extra`
      : found.firing.length > 0
        ? `alarm${found.firing.length > 1 ? "s" : ""} ${found.firing.join(", ")} ${found.firing.length > 1 ? "are" : "is"} in ALARM: refusing to start while an alarm fires`
        : undefined;
  if (problem && !serving) throw new PreflightFailure("alarms", problem);
  if (problem) {
    // The candidate already takes traffic: refusing to start would leave it serving with nobody watching.
    emitter.emit({ type: "preflight", check: "alarms", ok: false, detail: `${problem}; reverting` });
    return {
      ...base,
      initialStates: states,
      from: start.from,
      resumed: true,
      revertAtOnce: { cause: "alarm", reason: problem },
    };
  }
  passed(
    "alarms",
    `${watched.length} watched alarms: ${describeStates(states)}${unjudged === undefined ? "" : `; none judges ${candidate} (${unjudged}; bluegreen:alarms.allowNone is true)`}`,
  );
  return { ...base, initialStates: states, from: start.from, resumed: start.resumed };
}

/**
 * Why nothing judges the candidate, or undefined when something does: the config it is deployed
 * with (the schema's rule, held again here for a config that never went through it), or the
 * deployed stack, whose composite may have no members.
 */
function unjudgedBy(
  config: RolloutRequest["config"],
  candidate: Colour,
  emptyComposite: string | undefined,
): string | undefined {
  const platformAlarms = platformProfile(config.service.platform, config.kubernetes?.routing.mode).alarms;
  if (judgingAlarms(platformAlarms, config.alarms, candidate).length === 0) {
    return unjudgedReason(config.service.platform, platformAlarms);
  }
  return emptyComposite === undefined
    ? undefined
    : `the deployed composite alarm ${emptyComposite} has no member alarms`;
}

function describeStates(states: Readonly<Record<string, WatchedState>>): string {
  const counts = new Map<string, number>();
  for (const state of Object.values(states)) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts.entries()].map(([state, count]) => `${count} ${state}`).join(", ") || "none";
}
