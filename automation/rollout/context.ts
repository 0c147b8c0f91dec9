/**
 * What the phases of one run share: its request and ports, the event emitter, the operator
 * channel, the release writer and what the preflight established, with the small helpers every
 * phase needs (reads under the read policy, sleeps that end on the run's signal).
 */
import type { SlotsConfig } from "../../infra/config/schema";
import type { BluegreenConfig } from "../../infra/config/validate";
import { READ_RETRY } from "../core/retry";
import type { Emitter } from "./emitter";
import { throwIfSignalled } from "./failures";
import type { OperatorChannel } from "./operator";
import type { Prepared } from "./preflight";
import type { ReleaseWriter } from "./release";
import { retrying } from "./retrying";
import type { DriverDeps, RolloutRequest } from "./types";

/** One run's shared state, built once the preflight has passed. */
export class RunContext {
  readonly config: BluegreenConfig;
  readonly plan: BluegreenConfig["rollout"]["plan"];
  readonly signal: AbortSignal;
  /** `bluegreen:rollout.pollInterval`, in seconds. */
  readonly pollSeconds: number;

  constructor(
    readonly deps: DriverDeps,
    readonly request: RolloutRequest,
    readonly prepared: Prepared,
    readonly emitter: Emitter,
    readonly operator: OperatorChannel,
    readonly release: ReleaseWriter,
  ) {
    this.config = request.config;
    this.plan = request.config.rollout.plan;
    this.signal = request.signal;
    this.pollSeconds = request.config.rollout.pollInterval;
  }

  /** Milliseconds since the epoch on the run's clock. */
  now(): number {
    return this.deps.clock.now();
  }

  /** The candidate's slots for this rollout: the deployed ones with the new version. */
  rolloutSlots(): SlotsConfig {
    const { outputs, candidate } = this.prepared;
    return { ...outputs.slots, [candidate]: { version: this.request.version } };
  }

  /** An update's message: what it does and, when given, why the rollout runs. */
  updateMessage(what: string): string {
    return `bluegreen: ${what}${this.request.reason ? ` - ${this.request.reason}` : ""}`;
  }

  /** Runs a read under the read policy, stopping on the run's signal. */
  read<T>(operation: () => Promise<T>): Promise<T> {
    return retrying(this.deps, READ_RETRY, this.signal, operation);
  }

  /** Throws the run's stop once it is signalled. */
  throwIfSignalled(): void {
    throwIfSignalled(this.signal, () => this.now());
  }

  /** Sleeps until `at` (epoch ms); a signal ends the sleep with the run's stop. */
  async sleepUntil(at: number): Promise<void> {
    this.throwIfSignalled();
    const ms = at - this.now();
    if (ms > 0) await this.sleep(ms);
  }

  /** Sleeps `ms`; a signal ends the sleep with the run's stop. */
  async sleep(ms: number): Promise<void> {
    try {
      await this.deps.clock.sleep(ms, this.signal);
    } catch (error) {
      this.throwIfSignalled();
      throw error;
    }
  }

  /** Emits a `warning`. */
  warn(text: string): void {
    this.emitter.warn(text);
  }
}
