/**
 * The rollout driver: the loop around the pure core. It reaches the world only through the ports,
 * asks the core what to do at every poll, carries it out and reports every step as an event. It
 * never touches `process` and never logs; the CLI maps the result to an exit code.
 *
 * Safety rules it keeps whatever happens: nothing is written before the preflight passes; traffic
 * goes back to the stable colour through the direct path first (seconds) and through the stack
 * second (minutes); a revert runs even when the run's signal is aborted; it never re-advances after
 * a revert; where a rollout stands is read from the deployed outputs and the live split, never
 * from memory.
 */
import type { Colour, SlotsConfig, TrafficSplit } from "../infra/config/schema";
import type { BluegreenConfig } from "../infra/config/validate";
import type { StackOutputs } from "../infra/outputs";
import { evaluateAlarms, preflightAlarms, uniqueNames, WatchedState } from "./core/alarms";
import { decide, Decision, Observation, outcomeOf, RevertCause } from "./core/decide";
import { nextPollAt } from "./core/plan";
import { assessStart, isInProgress, Position } from "./core/position";
import { READ_RETRY, RetryPolicy, REVERT_RETRY, retryDelay } from "./core/retry";
import { formatSplit, isSplit, other, sameSplit, splitFor } from "./core/split";
import { EXIT_CODES, EventSink, Outcome, RolloutEventBody } from "./events";
import type {
  AlarmReading,
  AlarmSource,
  AlarmStateValue,
  Clock,
  ControlChannel,
  ControlRequest,
  Random,
  ReleaseValues,
  StackPort,
  TrafficRouter,
} from "./ports";

/** What the driver runs against: the ports, the event sink and the sources of time and chance. */
export interface DriverDeps {
  readonly stack: StackPort;
  readonly router: TrafficRouter;
  readonly alarms: AlarmSource;
  readonly control: ControlChannel;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly random: Random;
  /** Extra preflight checks from the wiring (Pulumi CLI version, AWS credentials); run first. */
  readonly preflightChecks?: readonly PreflightCheck[];
}

/** A check that must pass before anything is written. */
export interface PreflightCheck {
  readonly name: string;
  run(signal?: AbortSignal): Promise<{ ok: boolean; detail: string }>;
}

/** One rollout to run. */
export interface RolloutRequest {
  /** The stack's validated config. */
  readonly config: BluegreenConfig;
  /** The new version for the candidate colour. */
  readonly version: string;
  readonly reason?: string;
  /** Continue a rollout a crashed run left behind, from where the live split shows it. */
  readonly resume: boolean;
  /** Aborted on SIGINT/SIGTERM: the driver reverts, then ends "aborted". */
  readonly signal: AbortSignal;
}

/** How a run ended. */
export interface RolloutResult {
  readonly outcome: Outcome;
  /** EXIT_CODES[outcome]. */
  readonly exitCode: number;
  readonly reason: string;
  readonly stable?: Colour;
  readonly candidate?: Colour;
  readonly fromVersion?: string;
  readonly toVersion?: string;
}

/** What `bluegreen status` shows. */
export interface StatusReport {
  stack: string;
  platform: string;
  stable: Colour;
  candidate: Colour;
  versions: Record<Colour, string>;
  /** What the stack's last update applied (outputs.traffic). */
  configured: TrafficSplit;
  /** What the router reads live. */
  actual: TrafficSplit;
  /** Whether configured and actual differ. */
  drift: boolean;
  /** The candidate has weight (configured or actual), or the live split is not the applied one. */
  inProgress: boolean;
  /** A driver beat its heartbeat within the last WATCHED_WITHIN_POLLS poll intervals. */
  watched: boolean;
  alarms: { name: string; state: AlarmStateValue | "MISSING"; evaluationState?: string }[];
  revision: number;
}

/** A heartbeat older than this many poll intervals means no driver watches the stack. */
export const WATCHED_WITHIN_POLLS = 3;

/** Restoring the stack is retried this many times once traffic is safely back on the stable colour. */
const RESTORE_ATTEMPTS = 3;

/** Pauses between revert rounds when both the direct path and the stack failed. */
const REVERT_ROUND_RETRY: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseMs: 5_000, capMs: 30_000 };

/** A stop of the rollout: the cause, what happened, and when it was seen (epoch ms). */
class RolloutStop extends Error {
  constructor(
    readonly cause: RevertCause,
    readonly reason: string,
    readonly at: number,
  ) {
    super(reason);
    this.name = "RolloutStop";
  }
}

/** A preflight check that failed: nothing has been written. */
class PreflightFailure extends Error {
  constructor(
    readonly check: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "PreflightFailure";
  }
}

/** Stamps events with the elapsed time and keeps a failing renderer from stopping a revert. */
class Emitter {
  constructor(
    private readonly sink: EventSink,
    private readonly clock: Clock,
    private readonly start: number,
  ) {}

  emit(body: RolloutEventBody): void {
    try {
      this.sink.emit({ ...body, elapsedSeconds: (this.clock.now() - this.start) / 1000 });
    } catch {
      // A renderer that throws must not cut a revert short; the result still reports the outcome.
    }
  }
}

/**
 * Runs one rollout to its end. Never rejects for expected failures: every outcome, rejections
 * included, comes back as a result, and `completed` is always the last event.
 */
export async function runRollout(deps: DriverDeps, request: RolloutRequest): Promise<RolloutResult> {
  return new RolloutRun(deps, request).run();
}

/**
 * Reverts the rollout in progress now, for `bluegreen abort` when no driver takes the request:
 * traffic back to the stable colour through the direct path, then the stack restored to the
 * deployed values with the candidate at 0% (the candidate's slot keeps what is deployed: nothing
 * here remembers what it ran before). Outcome "aborted" (4), "rejected" (2) when no rollout is in
 * progress, "failed" (1) when traffic could not be moved back.
 */
export async function abortRollout(
  deps: DriverDeps,
  request: { config: BluegreenConfig; reason?: string; by: string },
): Promise<RolloutResult> {
  const start = deps.clock.now();
  const emitter = new Emitter(deps.events, deps.clock, start);
  const finish = (result: RolloutResult): RolloutResult => {
    emitter.emit({
      type: "completed",
      outcome: result.outcome,
      exitCode: result.exitCode,
      reason: result.reason,
    });
    return result;
  };
  const signal = new AbortController().signal;
  let outputs: StackOutputs | undefined;
  let live: TrafficSplit;
  try {
    outputs = await retrying(deps, READ_RETRY, signal, () => deps.stack.outputs(signal));
    if (!outputs) {
      return finish(
        result("rejected", `stack ${deps.stack.name} has never been deployed: there is nothing to abort`),
      );
    }
    live = await retrying(deps, READ_RETRY, signal, () => readSplit(deps.router, signal));
  } catch (error) {
    return finish(result("failed", `could not read where the rollout stands: ${message(error)}`));
  }
  const stable = outputs.stableColour;
  const candidate = other(stable);
  const versions = {
    stable,
    candidate,
    fromVersion: outputs.slots[stable].version,
    toVersion: outputs.slots[candidate].version,
  };
  if (!isInProgress(outputs, live)) {
    return finish({
      ...result(
        "rejected",
        `no rollout is in progress on stack ${deps.stack.name}: ${stable} serves ${formatSplit(live)} as the stack applied`,
      ),
      ...versions,
    });
  }
  const why = `aborted by ${request.by}${request.reason ? `: ${request.reason}` : ""}`;
  let revision = Math.max(outputs.revision, request.config.revision);
  const revert = await revertTraffic(deps, emitter, request.config, {
    stable,
    candidate,
    restore: { traffic: splitFor(candidate, 0), slots: outputs.slots, stable },
    nextRevision: () => ++revision,
    reason: why,
    at: deps.clock.now(),
    stickinessSeconds: stickiness(outputs),
  });
  if (!revert.reverted) return finish({ ...result("failed", `${why}; ${revert.detail}`), ...versions });
  return finish({ ...result("aborted", revert.detail ? `${why}; ${revert.detail}` : why), ...versions });
}

/**
 * What is deployed, what is live, whether a rollout is in progress and whether a driver watches it.
 * Throws when the stack was never deployed or a read fails, with the reason in the message.
 */
export async function readStatus(
  deps: Pick<DriverDeps, "stack" | "router" | "alarms" | "control" | "clock">,
  config: BluegreenConfig,
): Promise<StatusReport> {
  const outputs = await deps.stack.outputs();
  if (!outputs) {
    throw new Error(`stack ${deps.stack.name} has no outputs: deploy it with \`pulumi up\` first`);
  }
  const actual = await readSplit(deps.router);
  const stable = outputs.stableColour;
  const candidate = other(stable);
  const names = uniqueNames([
    outputs.alarms[stable].composite,
    ...outputs.alarms[stable].members,
    outputs.alarms[candidate].composite,
    ...outputs.alarms[candidate].members,
    ...outputs.alarms.extra,
  ]);
  const readings = await deps.alarms.read(names);
  const byName = new Map(readings.map((reading) => [reading.name, reading]));
  const last = await deps.control.lastHeartbeat();
  return {
    stack: deps.stack.name,
    platform: outputs.platform,
    stable,
    candidate,
    versions: { blue: outputs.slots.blue.version, green: outputs.slots.green.version },
    configured: outputs.traffic,
    actual,
    drift: !sameSplit(outputs.traffic, actual),
    inProgress: isInProgress(outputs, actual),
    watched:
      last !== undefined &&
      deps.clock.now() - last <= WATCHED_WITHIN_POLLS * config.rollout.pollInterval * 1000,
    alarms: names.map((name) => {
      const reading = byName.get(name);
      return reading?.evaluationState
        ? { name, state: reading.state, evaluationState: reading.evaluationState }
        : { name, state: reading?.state ?? "MISSING" };
    }),
    revision: outputs.revision,
  };
}

/** What the preflight established. */
interface Prepared {
  readonly outputs: StackOutputs;
  readonly stable: Colour;
  readonly candidate: Colour;
  readonly watched: readonly string[];
  readonly initialStates: Readonly<Record<string, WatchedState>>;
  readonly from: Exclude<Position, { kind: "inconsistent" }>;
  readonly resumed: boolean;
  /** Set when a resumed run found the candidate serving in a state that must be reverted at once. */
  readonly revertAtOnce?: { readonly cause: RevertCause; readonly reason: string };
}

/** One run of `runRollout`. */
class RolloutRun {
  private readonly config: BluegreenConfig;
  private readonly plan: BluegreenConfig["rollout"]["plan"];
  private readonly signal: AbortSignal;
  private readonly emitter: Emitter;
  private readonly pollSeconds: number;
  private prepared!: Prepared;
  private revision = 0;
  private alarmStates: Record<string, WatchedState> = {};
  private watching = false;

  constructor(
    private readonly deps: DriverDeps,
    private readonly request: RolloutRequest,
  ) {
    this.config = request.config;
    this.plan = request.config.rollout.plan;
    this.signal = request.signal;
    this.pollSeconds = request.config.rollout.pollInterval;
    this.emitter = new Emitter(deps.events, deps.clock, deps.clock.now());
  }

  async run(): Promise<RolloutResult> {
    let outcome: RolloutResult;
    try {
      outcome = await this.runPrepared();
    } catch (error) {
      // runPrepared turns every failure into a result; this is the net under that promise.
      outcome = result("failed", `unexpected error: ${message(error)}`, { toVersion: this.request.version });
    }
    if (this.watching) await this.quietly(() => this.deps.control.clearHeartbeat());
    this.emitter.emit({
      type: "completed",
      outcome: outcome.outcome,
      exitCode: outcome.exitCode,
      reason: outcome.reason,
    });
    return outcome;
  }

  private async runPrepared(): Promise<RolloutResult> {
    try {
      this.prepared = await this.preflight();
    } catch (error) {
      if (error instanceof PreflightFailure) {
        this.emitter.emit({ type: "preflight", check: error.check, ok: false, detail: error.detail });
        return result("rejected", `preflight ${error.check}: ${error.detail}`, {
          toVersion: this.request.version,
        });
      }
      if (this.signal.aborted) {
        return result("aborted", `${interruption(this.signal)} during the preflight; nothing was changed`, {
          toVersion: this.request.version,
        });
      }
      this.emitter.emit({ type: "preflight", check: "unexpected", ok: false, detail: message(error) });
      return result("rejected", `preflight failed: ${message(error)}; nothing was changed`, {
        toVersion: this.request.version,
      });
    }
    const { stable, candidate, outputs } = this.prepared;
    const names = {
      stable,
      candidate,
      fromVersion: outputs.slots[stable].version,
      toVersion: this.request.version,
    };
    if (this.signal.aborted) {
      // Nothing has been written yet: there is nothing of this run's to revert.
      return result("aborted", `${interruption(this.signal)} before anything was changed`, names);
    }
    this.emitter.emit({
      type: "started",
      stack: this.deps.stack.name,
      version: this.request.version,
      candidate,
      stable,
      steps: this.plan.map((step) => ({ weight: step.weight, bakeSeconds: step.bakeSeconds })),
      resumed: this.prepared.resumed,
    });
    this.watching = true;
    try {
      // Discarded before the first heartbeat: a request sent after it is meant for this run.
      await this.discardStaleRequest();
      await this.heartbeat();
      if (this.prepared.revertAtOnce) {
        throw new RolloutStop(
          this.prepared.revertAtOnce.cause,
          this.prepared.revertAtOnce.reason,
          this.deps.clock.now(),
        );
      }
      const from = this.prepared.from;
      if (from.kind === "deploy") await this.deploy();
      if (from.kind === "deploy" || from.kind === "readiness") {
        await this.awaitReadiness();
        await this.checkBeforeTraffic();
      }
      const early = await this.bake(from.kind === "step" ? from.step : 0);
      await this.promote(early);
      return result("promoted", `${this.request.version} serves 100% on ${candidate}`, names);
    } catch (error) {
      const stop = this.toStop(error);
      try {
        return { ...(await this.revert(stop)), ...names };
      } catch (revertError) {
        return result("failed", `${stop.reason}; the revert itself failed: ${message(revertError)}`, names);
      }
    }
  }

  private async preflight(): Promise<Prepared> {
    const { deps, request } = this;
    for (const check of deps.preflightChecks ?? []) {
      let answer: { ok: boolean; detail: string };
      try {
        answer = await check.run(this.signal);
      } catch (error) {
        this.throwIfSignalled();
        answer = { ok: false, detail: message(error) };
      }
      if (!answer.ok) throw new PreflightFailure(check.name, answer.detail);
      this.passed(check.name, answer.detail);
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
    this.passed("lock", `stack ${deps.stack.name} is not locked`);

    const outputs = await this.read(() => deps.stack.outputs(this.signal));
    if (!outputs) {
      throw new PreflightFailure(
        "outputs",
        `stack ${deps.stack.name} has never been deployed: deploy it with \`pulumi up\` first`,
      );
    }
    const stable = outputs.stableColour;
    const candidate = other(stable);
    this.passed(
      "outputs",
      `revision ${outputs.revision}: ${stable} runs ${outputs.slots[stable].version} at ${outputs.traffic[stable]}%`,
    );

    const live = await this.read(() => readSplit(deps.router, this.signal));
    const start = assessStart(this.plan, outputs, live, request.version, request.resume);
    if (start.kind === "reject") throw new PreflightFailure(start.check, start.reason);
    this.revision = Math.max(outputs.revision, this.config.revision);

    const watched = uniqueNames([
      outputs.alarms[candidate].composite,
      ...outputs.alarms[candidate].members,
      ...outputs.alarms.extra,
    ]);
    const base = { outputs, stable, candidate, watched };
    if (start.kind === "revert") {
      this.passed("position", `resuming: ${start.reason}; reverting`);
      return {
        ...base,
        initialStates: {},
        from: { kind: "readiness" },
        resumed: true,
        revertAtOnce: { cause: "inconsistent", reason: `cannot resume: ${start.reason}` },
      };
    }
    this.passed(
      "position",
      start.from.kind === "step"
        ? `resuming at step ${start.from.step + 1} of ${this.plan.length} (${this.plan[start.from.step].weight}% live on ${candidate})`
        : start.from.kind === "readiness"
          ? `resuming: ${request.version} is deployed to ${candidate} with no traffic`
          : `${candidate} gets ${request.version}; ${stable} keeps serving ${outputs.slots[stable].version}`,
    );

    let readings: AlarmReading[];
    try {
      readings = await this.read(() => deps.alarms.read(watched, this.signal));
    } catch (error) {
      this.throwIfSignalled();
      throw new PreflightFailure(
        "alarms",
        `could not read the watched alarms (${watched.join(", ")}): ${message(error)}`,
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
      this.emitter.emit({ type: "preflight", check: "alarms", ok: false, detail: `${problem}; reverting` });
      return {
        ...base,
        initialStates: states,
        from: start.from,
        resumed: true,
        revertAtOnce: { cause: "alarm", reason: problem },
      };
    }
    this.passed("alarms", `${watched.length} watched alarms: ${describeStates(states)}`);
    return { ...base, initialStates: states, from: start.from, resumed: start.resumed };
  }

  private passed(check: string, detail: string): void {
    this.emitter.emit({ type: "preflight", check, ok: true, detail });
  }

  /** The candidate's slots for this rollout: the deployed ones with the new version. */
  private rolloutSlots(): SlotsConfig {
    const { outputs, candidate } = this.prepared;
    return { ...outputs.slots, [candidate]: { version: this.request.version } };
  }

  private async deploy(): Promise<void> {
    const { candidate, stable } = this.prepared;
    const version = this.request.version;
    this.throwIfSignalled();
    await this.writeValues(
      { traffic: splitFor(candidate, 0), slots: this.rolloutSlots(), stable },
      "deploy-failed",
      `deploying ${version} to ${candidate}`,
    );
    let changed = 0;
    try {
      changed = (
        await this.deps.stack.update({ message: this.updateMessage(`deploy ${version} to ${candidate}`) })
      ).changed;
    } catch (error) {
      const outputs = await this.outputsAfterFailure();
      if (outputs?.slots[candidate].version !== version) {
        throw new RolloutStop(
          "deploy-failed",
          `deploying ${version} to ${candidate} failed: ${message(error)}`,
          this.deps.clock.now(),
        );
      }
      this.warn(
        `the deploy update reported an error after it was saved (${message(error)}); the deployed outputs show ${candidate} on ${version}, so the rollout continues`,
      );
    }
    this.emitter.emit({ type: "deployed", colour: candidate, version, changed });
    this.throwIfSignalled();
  }

  /** Waits for the candidate to be able to take traffic: it gets no weight before it can. */
  private async awaitReadiness(): Promise<void> {
    const { candidate } = this.prepared;
    const timeoutSeconds = this.config.rollout.operationTimeout;
    const deadline = this.deps.clock.now() + timeoutSeconds * 1000;
    for (;;) {
      this.throwIfSignalled();
      await this.heartbeat();
      await this.takeOutsideBake("while waiting for the candidate to become ready");
      let readiness: { ready: boolean; detail: string };
      try {
        readiness = await this.deps.router.readiness(candidate, this.signal);
      } catch (error) {
        this.throwIfSignalled();
        readiness = { ready: false, detail: `could not read readiness: ${message(error)}` };
      }
      if (readiness.ready) {
        this.emitter.emit({ type: "ready", colour: candidate, detail: readiness.detail });
        return;
      }
      const now = this.deps.clock.now();
      if (now >= deadline) {
        throw new RolloutStop(
          "not-ready",
          `${candidate} was not ready after ${timeoutSeconds}s (${readiness.detail}); it got no traffic`,
          now,
        );
      }
      await this.sleep(Math.min(this.pollSeconds * 1000, deadline - now));
    }
  }

  private async checkBeforeTraffic(): Promise<void> {
    if (!this.config.rollout.preTrafficCheck.enabled) return;
    const { candidate } = this.prepared;
    this.throwIfSignalled();
    let check: { ready: boolean; detail: string };
    try {
      check = await this.deps.router.preTrafficCheck(candidate, this.signal);
    } catch (error) {
      this.throwIfSignalled();
      check = { ready: false, detail: message(error) };
    }
    this.emitter.emit({ type: "checked", colour: candidate, ok: check.ready, detail: check.detail });
    if (!check.ready) {
      throw new RolloutStop(
        "check-failed",
        `the pre-traffic check of ${candidate} failed (${check.detail}); it got no traffic`,
        this.deps.clock.now(),
      );
    }
  }

  /**
   * Shifts and bakes each step from `first` on, asking the core at every poll. Returns who ended
   * the plan early, if someone did; throws a RolloutStop to revert.
   */
  private async bake(first: number): Promise<string | undefined> {
    let step = first;
    let early: string | undefined;
    for (;;) {
      await this.shift(step, early);
      const stepStartedAt = this.deps.clock.now();
      const tracking = { unknownSince: {} as Record<string, number>, alarmFailures: 0, liveFailures: 0 };
      let pollAt = stepStartedAt;
      let decision: Decision;
      let seenAt: number;
      for (;;) {
        await this.sleepUntil(pollAt);
        const observation = await this.observe(step, stepStartedAt, tracking);
        seenAt = observation.now;
        decision = decide(this.plan, observation);
        if (decision.kind !== "bake") break;
        this.emitter.emit({
          type: "baking",
          step: step + 1,
          of: this.plan.length,
          weight: this.plan[step].weight,
          remainingSeconds: Math.ceil(decision.remainingSeconds),
          alarms: { ...this.alarmStates },
        });
        if (decision.ignored) this.warn(decision.ignored);
        pollAt = nextPollAt(
          stepStartedAt,
          this.plan[step].bakeSeconds,
          this.pollSeconds,
          this.deps.clock.now(),
        );
      }
      if (decision.kind === "revert") throw new RolloutStop(decision.cause, decision.reason, seenAt);
      if (decision.kind === "complete") {
        if (decision.early) this.warn(`${decision.early} skipped the remaining bake; promoting now`);
        return decision.early;
      }
      if (decision.early) {
        this.warn(
          `${decision.early} ended the bake of step ${step + 1} early; shifting to ${decision.weight}%`,
        );
      }
      step = decision.step;
      early = decision.early;
    }
  }

  /** One poll: heartbeat, operator request, alarms and live split. */
  private async observe(
    step: number,
    stepStartedAt: number,
    tracking: { unknownSince: Record<string, number>; alarmFailures: number; liveFailures: number },
  ): Promise<Observation> {
    const { candidate, watched } = this.prepared;
    const expected = splitFor(candidate, this.plan[step].weight);
    const base = {
      step,
      stepStartedAt,
      expected,
      maxReadFailures: this.config.rollout.maxAlarmReadFailures,
    };
    if (this.signal.aborted) {
      return {
        ...base,
        now: this.deps.clock.now(),
        signalled: true,
        alarmReadFailures: 0,
        liveReadFailures: 0,
      };
    }
    await this.heartbeat();
    const request = await this.takeRequest();

    let alarms: Observation["alarms"];
    try {
      const readings = await this.read(() => this.deps.alarms.read(watched, this.signal));
      const evaluation = evaluateAlarms(
        watched,
        readings,
        {
          policy: this.config.rollout.insufficientData.policy,
          deadlineSeconds: this.config.rollout.insufficientData.deadline,
        },
        tracking.unknownSince,
        this.deps.clock.now(),
      );
      tracking.unknownSince = { ...evaluation.unknownSince };
      tracking.alarmFailures = 0;
      this.noteAlarmStates(evaluation.states, readings);
      alarms = evaluation.verdict;
    } catch (error) {
      if (!this.signal.aborted) {
        tracking.alarmFailures += 1;
        this.emitter.emit({
          type: "alarm-read-failed",
          consecutive: tracking.alarmFailures,
          limit: this.config.rollout.maxAlarmReadFailures,
          error: message(error),
        });
      }
    }

    let live: TrafficSplit | undefined;
    if (!this.signal.aborted) {
      try {
        live = await this.read(() => readSplit(this.deps.router, this.signal));
        tracking.liveFailures = 0;
      } catch (error) {
        if (!this.signal.aborted) {
          tracking.liveFailures += 1;
          this.warn(
            `could not read the live split (${tracking.liveFailures} of ${this.config.rollout.maxAlarmReadFailures} consecutive polls): ${message(error)}`,
          );
        }
      }
    }
    return {
      ...base,
      now: this.deps.clock.now(),
      signalled: this.signal.aborted,
      request: request ? { kind: request.kind, by: request.by } : undefined,
      alarms,
      alarmReadFailures: tracking.alarmFailures,
      live,
      liveReadFailures: tracking.liveFailures,
    };
  }

  /** Sets the step's split through the stack (routing resources only), then reads it back. */
  private async shift(step: number, early?: string): Promise<void> {
    const { candidate, stable, outputs } = this.prepared;
    const weight = this.plan[step].weight;
    const target = splitFor(candidate, weight);
    const what = `shifting to ${weight}% on ${candidate} (step ${step + 1} of ${this.plan.length})`;
    this.throwIfSignalled();
    await this.writeValues({ traffic: target, slots: this.rolloutSlots(), stable }, "shift-failed", what);
    let changed = 0;
    try {
      const update = await this.deps.stack.update({
        targets: outputs.routingUrns,
        message: this.updateMessage(
          `step ${step + 1}/${this.plan.length}: ${weight}% to ${candidate}${early ? ` (${early})` : ""}`,
        ),
      });
      changed = update.changed;
    } catch (error) {
      const after = await this.outputsAfterFailure();
      if (!after || !sameSplit(after.traffic, target)) {
        throw new RolloutStop("shift-failed", `${what} failed: ${message(error)}`, this.deps.clock.now());
      }
      this.warn(
        `the update for step ${step + 1} reported an error after it was saved (${message(error)}); the outputs show the new split`,
      );
    }
    let live: TrafficSplit;
    try {
      live = await this.read(() => readSplit(this.deps.router, this.signal));
    } catch (error) {
      this.throwIfSignalled();
      throw new RolloutStop(
        "shift-failed",
        `${what}: could not read the split back to verify it: ${message(error)}`,
        this.deps.clock.now(),
      );
    }
    if (!sameSplit(live, target)) {
      throw new RolloutStop(
        "shift-failed",
        `${what}: read back ${formatSplit(live)} instead of ${formatSplit(target)}; the write did not apply or someone else wrote the routing`,
        this.deps.clock.now(),
      );
    }
    this.emitter.emit({ type: "shifted", step: step + 1, of: this.plan.length, weights: live, changed });
  }

  /**
   * Makes the candidate the stable colour with a full update: the program derives more from the
   * stable colour than the split (the test listener's target, the code behind Lambda's $LATEST),
   * so a later plain `pulumi up` finds nothing to change.
   */
  private async promote(early: string | undefined): Promise<void> {
    const { candidate } = this.prepared;
    const version = this.request.version;
    const target = splitFor(candidate, 100);
    this.throwIfSignalled();
    await this.writeValues(
      { traffic: target, slots: this.rolloutSlots(), stable: candidate },
      "promote-failed",
      `promoting ${candidate}`,
    );
    try {
      await this.deps.stack.update({
        message: this.updateMessage(`promote ${version} on ${candidate}${early ? ` (${early})` : ""}`),
      });
    } catch (error) {
      const after = await this.outputsAfterFailure();
      if (!after || after.stableColour !== candidate || !sameSplit(after.traffic, target)) {
        throw new RolloutStop(
          "promote-failed",
          `promoting ${candidate} failed: ${message(error)}`,
          this.deps.clock.now(),
        );
      }
      this.warn(
        `the promoting update reported an error after it was saved (${message(error)}); the outputs show ${candidate} as stable`,
      );
    }
    let live: TrafficSplit;
    try {
      live = await retrying(this.deps, READ_RETRY, undefined, () => readSplit(this.deps.router));
    } catch (error) {
      throw new RolloutStop(
        "promote-failed",
        `could not verify the promoted split: ${message(error)}`,
        this.deps.clock.now(),
      );
    }
    if (!sameSplit(live, target)) {
      throw new RolloutStop(
        "promote-failed",
        `after promoting, read back ${formatSplit(live)} instead of ${formatSplit(target)}`,
        this.deps.clock.now(),
      );
    }
    this.emitter.emit({ type: "promoted", stable: candidate, version });
  }

  private async revert(stop: RolloutStop): Promise<RolloutResult> {
    const { stable, candidate, outputs } = this.prepared;
    const revert = await revertTraffic(this.deps, this.emitter, this.config, {
      stable,
      candidate,
      // What was deployed before this run, with the candidate at 0%; a resumed run never saw the
      // candidate's previous version, so its slot keeps what is deployed.
      restore: { traffic: splitFor(candidate, 0), slots: outputs.slots, stable },
      nextRevision: () => ++this.revision,
      reason: stop.reason,
      at: stop.at,
      stickinessSeconds: stickiness(outputs),
      heartbeat: () => this.heartbeat(),
    });
    if (!revert.reverted) return result("failed", `${stop.reason}; ${revert.detail}`);
    return result(outcomeOf(stop.cause), revert.detail ? `${stop.reason}; ${revert.detail}` : stop.reason);
  }

  private toStop(error: unknown): RolloutStop {
    if (error instanceof RolloutStop) return error;
    const now = this.deps.clock.now();
    if (this.signal.aborted) return new RolloutStop("signal", interruption(this.signal), now);
    return new RolloutStop("unexpected", `unexpected error: ${message(error)}`, now);
  }

  private throwIfSignalled(): void {
    if (this.signal.aborted)
      throw new RolloutStop("signal", interruption(this.signal), this.deps.clock.now());
  }

  private async writeValues(
    values: Omit<ReleaseValues, "revision">,
    cause: RevertCause,
    what: string,
  ): Promise<void> {
    try {
      await this.deps.stack.writeValues({ ...values, revision: ++this.revision });
    } catch (error) {
      throw new RolloutStop(
        cause,
        `${what}: could not write the stack's release values: ${message(error)}`,
        this.deps.clock.now(),
      );
    }
  }

  /** The deployed outputs after an update threw: whether it saved decides what happened. */
  private async outputsAfterFailure(): Promise<StackOutputs | undefined> {
    try {
      return await retrying(this.deps, READ_RETRY, undefined, () => this.deps.stack.outputs());
    } catch (error) {
      this.warn(`could not read the stack's outputs to see whether the update was saved: ${message(error)}`);
      return undefined;
    }
  }

  private updateMessage(what: string): string {
    return `bluegreen: ${what}${this.request.reason ? ` - ${this.request.reason}` : ""}`;
  }

  /** Emits `alarm` for every state that changed since the last reading. */
  private noteAlarmStates(
    states: Readonly<Record<string, WatchedState>>,
    readings: readonly AlarmReading[],
  ): void {
    for (const [name, state] of Object.entries(states)) {
      const previous = this.alarmStates[name] ?? this.prepared.initialStates[name];
      if (previous === state) {
        this.alarmStates[name] = state;
        continue;
      }
      const reason = readings.find((reading) => reading.name === name)?.reason;
      this.emitter.emit({
        type: "alarm",
        name,
        state,
        ...(previous !== undefined ? { previous } : {}),
        ...(reason ? { reason } : {}),
      });
      this.alarmStates[name] = state;
    }
  }

  /** Takes an operator request outside a bake: abort stops, a promote has nothing to end yet. */
  private async takeOutsideBake(where: string): Promise<void> {
    const request = await this.takeRequest();
    if (!request) return;
    if (request.kind === "abort") {
      throw new RolloutStop("abort", `aborted by ${request.by}`, this.deps.clock.now());
    }
    this.warn(`${request.kind} requested by ${request.by} ignored ${where}: there is no bake to end yet`);
  }

  private async takeRequest(): Promise<ControlRequest | undefined> {
    try {
      return await this.deps.control.take();
    } catch (error) {
      this.warn(`could not read operator requests: ${message(error)}`);
      return undefined;
    }
  }

  /** A request left before this run started was meant for a run that is gone; acting on it would surprise. */
  private async discardStaleRequest(): Promise<void> {
    const stale = await this.takeRequest();
    if (stale) {
      this.warn(`discarded a ${stale.kind} request from ${stale.by} that was sent before this run started`);
    }
  }

  private async heartbeat(): Promise<void> {
    await this.quietly(() => this.deps.control.heartbeat(this.deps.clock.now()));
  }

  private async quietly(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.warn(`the control channel failed: ${message(error)}`);
    }
  }

  private read<T>(operation: () => Promise<T>): Promise<T> {
    return retrying(this.deps, READ_RETRY, this.signal, operation);
  }

  private async sleep(ms: number): Promise<void> {
    try {
      await this.deps.clock.sleep(ms, this.signal);
    } catch (error) {
      this.throwIfSignalled();
      throw error;
    }
  }

  private async sleepUntil(at: number): Promise<void> {
    this.throwIfSignalled();
    const ms = at - this.deps.clock.now();
    if (ms > 0) await this.sleep(ms);
  }

  private warn(text: string): void {
    this.emitter.emit({ type: "warning", message: text });
  }
}

/** What a revert should do. */
interface RevertTask {
  readonly stable: Colour;
  readonly candidate: Colour;
  /** The release values to put back into the stack (the revision comes from nextRevision). */
  readonly restore: Omit<ReleaseValues, "revision">;
  readonly nextRevision: () => number;
  readonly reason: string;
  /** When the trigger was seen (epoch ms): `secondsSinceTrigger` counts from here. */
  readonly at: number;
  readonly heartbeat?: () => Promise<void>;
  /** How long ALB stickiness pins clients to a target group, when it is on. */
  readonly stickinessSeconds?: number;
}

/** Whether traffic is back on the stable colour, and what went wrong on the way ("" when nothing). */
interface RevertResult {
  readonly reverted: boolean;
  readonly detail: string;
}

type RestoreResult =
  | { readonly kind: "restored" }
  | { readonly kind: "blocked"; readonly detail: string }
  | { readonly kind: "failed"; readonly detail: string };

/**
 * Puts traffic back on the stable colour: the direct write first, read back and verified; then
 * the pre-rollout values into the stack with a full update, and a preview to prove that config,
 * state and cloud agree. When the direct path fails the update path is the revert. Both are
 * retried in rounds until `operationTimeout` has passed since the trigger. Runs on its own signal:
 * a cancelled run must still revert.
 */
async function revertTraffic(
  deps: DriverDeps,
  emitter: Emitter,
  config: BluegreenConfig,
  task: RevertTask,
): Promise<RevertResult> {
  const signal = new AbortController().signal;
  const target = splitFor(task.candidate, 0);
  const deadline = task.at + config.rollout.operationTimeout * 1000;
  const warn = (text: string) => emitter.emit({ type: "warning", message: text });
  const markReverted = (live: TrafficSplit) => {
    emitter.emit({
      type: "reverted",
      weights: live,
      reason: task.reason,
      secondsSinceTrigger: Math.max(0, (deps.clock.now() - task.at) / 1000),
    });
    if (task.stickinessSeconds) {
      warn(
        `clients pinned by ALB stickiness keep reaching ${task.candidate} for up to ${task.stickinessSeconds}s after the revert: keep its capacity until then`,
      );
    }
  };
  let reverted = false;
  let restored = false;
  let blocked: string | undefined;
  let restoreFailure: string | undefined;
  let directFailure: string | undefined;
  let restoreAttempts = 0;

  for (let round = 0; ; round++) {
    await task.heartbeat?.();
    if (!reverted) {
      try {
        const live = await retrying(deps, REVERT_RETRY, signal, async () => {
          await deps.router.write(target, signal);
          const readBack = await readSplit(deps.router, signal);
          if (!sameSplit(readBack, target)) {
            throw new Error(`read back ${formatSplit(readBack)} after writing ${formatSplit(target)}`);
          }
          return readBack;
        });
        reverted = true;
        markReverted(live);
      } catch (error) {
        directFailure = message(error);
        warn(
          `could not put traffic back on ${task.stable} directly: ${directFailure}; trying through the stack`,
        );
      }
    }
    // Before traffic is back the stack is one of the two ways to get it there, so it is retried
    // until the deadline; afterwards it only tidies up, and a few attempts are enough.
    if (!restored && blocked === undefined && restoreAttempts < RESTORE_ATTEMPTS) {
      if (reverted) restoreAttempts += 1;
      const restore = await restoreStack(deps, emitter, task, signal);
      if (restore.kind === "restored") {
        restored = true;
        restoreFailure = undefined;
      } else if (restore.kind === "blocked") {
        blocked = restore.detail;
        warn(restore.detail);
      } else {
        restoreFailure = restore.detail;
        warn(restore.detail);
      }
      if (restored && !reverted) {
        try {
          const live = await retrying(deps, READ_RETRY, signal, () => readSplit(deps.router, signal));
          if (sameSplit(live, target)) {
            reverted = true;
            markReverted(live);
          }
        } catch (error) {
          warn(`could not read the split back after restoring the stack: ${message(error)}`);
        }
      }
    }
    const restoreSettled = restored || blocked !== undefined || restoreAttempts >= RESTORE_ATTEMPTS;
    if (reverted && restoreSettled) break;
    if (deps.clock.now() >= deadline) break;
    await deps.clock.sleep(
      Math.max(1_000, retryDelay(Math.min(round, 10), deps.random, REVERT_ROUND_RETRY)),
      signal,
    );
  }

  if (!reverted) {
    return {
      reverted: false,
      detail: `could not revert: the direct write failed (${directFailure ?? "not attempted"}) and so did the stack (${
        blocked ?? restoreFailure ?? "not attempted"
      }); traffic may still reach ${task.candidate}: set it to ${formatSplit(target)} by hand`,
    };
  }
  if (blocked !== undefined) {
    return {
      reverted: true,
      detail: `traffic is back on ${task.stable} through the direct path, but ${blocked}`,
    };
  }
  if (!restored) {
    return {
      reverted: true,
      detail: `traffic is back on ${task.stable}, but the stack could not be restored (${restoreFailure}): run \`pulumi up\` on the stack to apply the restored values`,
    };
  }
  return { reverted: true, detail: "" };
}

/** Writes the pre-rollout values and runs a full update, unless someone holds the stack's lock. */
async function restoreStack(
  deps: DriverDeps,
  emitter: Emitter,
  task: RevertTask,
  signal: AbortSignal,
): Promise<RestoreResult> {
  const revision = task.nextRevision();
  const values: ReleaseValues = { ...task.restore, revision };
  try {
    await deps.stack.writeValues(values);
  } catch (error) {
    return {
      kind: "failed",
      detail: `could not write the pre-rollout values into the stack: ${message(error)}`,
    };
  }
  const locked = await lockHolder(deps);
  if (locked) return { kind: "blocked", detail: locked };
  let changed = 0;
  try {
    changed = (
      await deps.stack.update({
        message: `bluegreen: restore ${task.stable} after a revert - ${task.reason}`,
      })
    ).changed;
  } catch (error) {
    const after = await retrying(deps, READ_RETRY, signal, () => deps.stack.outputs(signal)).catch(
      () => undefined,
    );
    const saved =
      after !== undefined &&
      after.stableColour === values.stable &&
      sameSplit(after.traffic, values.traffic) &&
      after.slots.blue.version === values.slots.blue.version &&
      after.slots.green.version === values.slots.green.version;
    if (!saved) {
      const lockedNow = await lockHolder(deps);
      if (lockedNow) return { kind: "blocked", detail: lockedNow };
      return { kind: "failed", detail: `the restoring update failed: ${message(error)}` };
    }
    emitter.emit({
      type: "warning",
      message: `the restoring update reported an error after it was saved (${message(error)}); the outputs show the restored values`,
    });
  }
  let drift: number;
  try {
    drift = await deps.stack.previewChanges(signal);
  } catch (error) {
    drift = -1;
    emitter.emit({
      type: "warning",
      message: `could not preview the stack after restoring it (${message(error)}); drift unknown`,
    });
  }
  emitter.emit({ type: "restored", revision, changed, drift });
  if (drift > 0) {
    emitter.emit({
      type: "warning",
      message: `a preview after the restore still finds ${drift} change${drift > 1 ? "s" : ""}: config, state and cloud disagree; run \`pulumi preview --diff\` to see them`,
    });
  }
  return { kind: "restored" };
}

/** Who holds the stack's lock, as a sentence, or undefined when nobody does. Never breaks it. */
async function lockHolder(deps: DriverDeps): Promise<string | undefined> {
  let lock;
  try {
    lock = await deps.stack.lock();
  } catch {
    return undefined;
  }
  if (!lock) return undefined;
  return lock.alive
    ? `stack ${deps.stack.name} is locked by ${lock.holder}, a process that is still running: the lock was left alone and the stack was not updated; once it is released, run \`pulumi up\` on the stack to apply the restored values`
    : `stack ${deps.stack.name} holds a stale lock from ${lock.holder}, a process that no longer runs: the stack was not updated; once you are sure nothing else updates it, clear the lock with \`pulumi cancel --stack ${deps.stack.name}\` and run \`pulumi up\``;
}

/**
 * Runs `operation`, retrying failures after a jittered backoff; AbortErrors and anything thrown
 * once `signal` is aborted are not retried.
 */
async function retrying<T>(
  deps: Pick<DriverDeps, "clock" | "random">,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  operation: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (signal?.aborted || attempt + 1 >= policy.attempts) throw error;
    }
    await deps.clock.sleep(retryDelay(attempt, deps.random, policy), signal);
  }
}

/**
 * The live split, checked: an answer that is not a split counts as a failed read, so a broken
 * adapter can neither pass for "verified" nor hold a bake forever.
 */
async function readSplit(router: TrafficRouter, signal?: AbortSignal): Promise<TrafficSplit> {
  const split: unknown = await router.read(signal);
  if (!isSplit(split)) {
    throw new Error(
      `the router returned ${JSON.stringify(split) ?? "nothing"}, not a split of whole percents summing to 100`,
    );
  }
  return split;
}

function stickiness(outputs: StackOutputs): number | undefined {
  return outputs.routing.kind === "alb" ? outputs.routing.stickinessSeconds : undefined;
}

function result(outcome: Outcome, reason: string, extra: Partial<RolloutResult> = {}): RolloutResult {
  return { outcome, exitCode: EXIT_CODES[outcome], reason, ...extra };
}

function message(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

function interruption(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "";
  return `the run was interrupted${detail && !/aborted/i.test(detail) ? ` (${detail})` : " (SIGINT/SIGTERM)"}`;
}

function describeStates(states: Readonly<Record<string, WatchedState>>): string {
  const counts = new Map<string, number>();
  for (const state of Object.values(states)) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts.entries()].map(([state, count]) => `${count} ${state}`).join(", ") || "none";
}
