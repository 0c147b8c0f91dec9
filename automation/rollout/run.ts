/**
 * One rollout, in phase order: preflight; deploy, readiness and the pre-traffic check; the steps;
 * the promotion; or, when anything stops it, the revert. The phases live in their own modules;
 * this one only orders them and turns every ending into a result.
 *
 * Safety rules it keeps whatever happens: nothing is written before the preflight passes; traffic
 * goes back to the stable colour through the direct path first (seconds) and through the stack
 * second (minutes); a revert runs even when the run's signal is aborted; it never re-advances after
 * a revert; where a rollout stands is read from the deployed outputs and the live split, never
 * from memory.
 */
import type { ControlRun } from "../core/controlRecord";
import { outcomeOf } from "../core/decide";
import type { EventSink } from "../events";
import { awaitReadiness, checkBeforeTraffic, deployCandidate } from "./candidate";
import { scaleUpCandidate } from "./capacity";
import { RunContext } from "./context";
import { Emitter } from "./emitter";
import { describeError, interruption, PreflightFailure, RolloutStop } from "./failures";
import { PollObserver } from "./observer";
import { OperatorChannel } from "./operator";
import { preflight, type Prepared } from "./preflight";
import { recordPromotion } from "./promotion";
import { ReleaseWriter } from "./release";
import { revertTraffic, stickinessSeconds } from "./revert";
import { promote, runSteps } from "./steps";
import { result, type DriverDeps, type RolloutRequest, type RolloutResult } from "./types";
import { splitFor } from "../../components/domain";

/**
 * Runs one rollout to its end. Never rejects for expected failures: every outcome, rejections
 * included, comes back as a result, and `completed` is always the last event.
 */
export async function runRollout(deps: DriverDeps, request: RolloutRequest): Promise<RolloutResult> {
  return new RolloutRun(deps, request).run();
}

/** One run of `runRollout`. */
class RolloutRun {
  private readonly emitter: Emitter;
  private readonly operator: OperatorChannel;
  private watching = false;

  constructor(
    private readonly deps: DriverDeps,
    private readonly request: RolloutRequest,
  ) {
    // Every event passes the operator channel first: a shift or a bake poll is the run's progress,
    // which its next heartbeat records for `bluegreen status` on other machines.
    const events: EventSink = {
      emit: (event) => {
        this.operator.note(event);
        deps.events.emit(event);
      },
    };
    this.emitter = new Emitter(events, deps.clock, deps.clock.now());
    this.operator = new OperatorChannel(deps.control, this.emitter, () => deps.clock.now());
  }

  async run(): Promise<RolloutResult> {
    let outcome: RolloutResult;
    try {
      outcome = await this.runPrepared();
    } catch (error) {
      // runPrepared turns every failure into a result; this is the net under that promise.
      outcome = result("failed", `unexpected error: ${describeError(error)}`, {
        toVersion: this.request.version,
      });
    }
    if (this.watching || this.operator.claimed) await this.operator.clear();
    this.emitter.emit({
      type: "completed",
      outcome: outcome.outcome,
      exitCode: outcome.exitCode,
      reason: outcome.reason,
    });
    return outcome;
  }

  private async runPrepared(): Promise<RolloutResult> {
    const { signal, version } = this.request;
    let prepared: Prepared;
    try {
      prepared = await preflight(this.deps, this.request, this.emitter);
      // The last check: a stack another driver holds is refused before anything is written.
      await this.operator.claim(this.runRecord(prepared));
    } catch (error) {
      return this.rejected(error);
    }
    const { stable, candidate, outputs } = prepared;
    const names = { stable, candidate, fromVersion: outputs.slots[stable].version, toVersion: version };
    if (signal.aborted) {
      // Nothing has been written yet: there is nothing of this run's to revert.
      return result("aborted", `${interruption(signal)} before anything was changed`, names);
    }
    const release = new ReleaseWriter(this.deps.stack, this.deps, this.emitter, prepared.revision, {
      clock: this.deps.clock,
      intervalMs: this.request.config.rollout.pollInterval * 1000,
      beat: () => this.operator.heartbeat(),
    });
    const run = new RunContext(this.deps, this.request, prepared, this.emitter, this.operator, release);
    this.emitter.emit({
      type: "started",
      stack: this.deps.stack.name,
      version,
      candidate,
      stable,
      steps: run.plan.map((step) => ({
        weight: step.weight,
        bakeSeconds: step.bakeSeconds,
        ...(step.pause ? { pause: step.pause } : {}),
      })),
      resumed: prepared.resumed,
    });
    this.watching = true;
    try {
      await this.advance(run);
      return result("promoted", `${version} serves 100% on ${candidate}`, names);
    } catch (error) {
      const stop = this.toStop(error);
      try {
        return { ...(await this.revert(run, stop)), ...names };
      } catch (revertError) {
        return result(
          "failed",
          `${stop.reason}; the revert itself failed: ${describeError(revertError)}`,
          names,
        );
      }
    }
  }

  /** The phases from where the preflight found the rollout, to the promotion. */
  private async advance(run: RunContext): Promise<void> {
    // Discarded before the first heartbeat: a request sent after it is meant for this run.
    await this.operator.discardStale();
    await this.operator.heartbeat();
    const { from, revertAtOnce } = run.prepared;
    if (revertAtOnce) throw new RolloutStop(revertAtOnce.cause, revertAtOnce.reason, run.now());
    if (from.kind === "deploy") await deployCandidate(run);
    if (from.kind === "deploy" || from.kind === "readiness") {
      await scaleUpCandidate(run);
      await awaitReadiness(run);
      await checkBeforeTraffic(run);
    }
    const observer = new PollObserver({
      alarms: this.deps.alarms,
      router: this.deps.router,
      time: this.deps,
      emitter: this.emitter,
      operator: this.operator,
      signal: run.signal,
      watched: run.prepared.watched,
      initialStates: run.prepared.initialStates,
      unknownPolicy: {
        policy: run.config.rollout.insufficientData.policy,
        deadlineSeconds: run.config.rollout.insufficientData.deadline,
      },
      maxReadFailures: run.config.rollout.maxAlarmReadFailures,
    });
    const early = await runSteps(run, observer, from.kind === "step" ? from.step : 0);
    await promote(run, early);
    await recordPromotion(run);
  }

  /** The run as the control record names it, at the position the preflight found. */
  private runRecord(prepared: Prepared): ControlRun {
    const { request } = this;
    const of = request.config.rollout.plan.length;
    const step = prepared.from.kind === "step" ? prepared.from.step : 0;
    return {
      runId: request.runId ?? `run-${this.deps.clock.now()}`,
      version: request.version,
      candidate: prepared.candidate,
      stable: prepared.stable,
      position: { step, of },
      weights: prepared.outputs.traffic,
      startedBy: request.startedBy ?? "unknown",
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.rehearsal ? { rehearsal: true as const } : {}),
      startedAt: this.deps.clock.now(),
    };
  }

  /** A preflight that did not pass: nothing was written. */
  private rejected(error: unknown): RolloutResult {
    const { signal, version } = this.request;
    if (error instanceof PreflightFailure) {
      this.emitter.emit({ type: "preflight", check: error.check, ok: false, detail: error.detail });
      return result("rejected", `preflight ${error.check}: ${error.detail}`, { toVersion: version });
    }
    if (signal.aborted) {
      return result("aborted", `${interruption(signal)} during the preflight; nothing was changed`, {
        toVersion: version,
      });
    }
    this.emitter.emit({ type: "preflight", check: "unexpected", ok: false, detail: describeError(error) });
    return result("rejected", `preflight failed: ${describeError(error)}; nothing was changed`, {
      toVersion: version,
    });
  }

  private async revert(run: RunContext, stop: RolloutStop): Promise<RolloutResult> {
    const { stable, candidate, outputs } = run.prepared;
    const revert = await revertTraffic(this.deps, this.emitter, run.config, {
      stable,
      candidate,
      // What was deployed before this run, with the candidate at 0%; a resumed run never saw the
      // candidate's previous version, so its slot keeps what is deployed.
      restore: { traffic: splitFor(candidate, 0), slots: outputs.slots, stable },
      release: run.release,
      reason: stop.reason,
      at: stop.at,
      stickinessSeconds: stickinessSeconds(outputs),
      heartbeat: () => this.operator.heartbeat(),
    });
    if (!revert.reverted) return result("failed", `${stop.reason}; ${revert.detail}`);
    return result(outcomeOf(stop.cause), revert.detail ? `${stop.reason}; ${revert.detail}` : stop.reason);
  }

  private toStop(error: unknown): RolloutStop {
    if (error instanceof RolloutStop) return error;
    const now = this.deps.clock.now();
    if (this.request.signal.aborted) return new RolloutStop("signal", interruption(this.request.signal), now);
    return new RolloutStop("unexpected", `unexpected error: ${describeError(error)}`, now);
  }
}
