/**
 * The operator channel of a run: the run's claim on the stack, requests taken from
 * `bluegreen abort` / `bluegreen promote`, and the heartbeat that tells those commands a driver is
 * watching, carrying how far the run got. The claim is the one hard step: a stack another driver
 * holds is refused before anything changes. After it the channel is best effort: a failure to
 * reach it is a warning, never a reason to stop or to skip a revert.
 */
import { type ControlRun, type ControlTrip, runProgress } from "../core/controlRecord";
import type { RolloutEvent } from "../events";
import type { ControlChannel, ControlRequest } from "../ports";
import type { Emitter } from "./emitter";
import { describeError, PreflightFailure, RolloutStop } from "./failures";

/** Takes requests, beats the heartbeat and records the run for one run. */
export class OperatorChannel {
  private run: ControlRun | undefined;

  constructor(
    private readonly control: ControlChannel,
    private readonly emitter: Emitter,
    private readonly now: () => number,
  ) {}

  /**
   * Claims the stack for `run`, when the channel records runs. Throws a PreflightFailure naming
   * the holder when another run holds the stack, or when the claim cannot be written: starting
   * without it could put two drivers on one stack.
   */
  async claim(run: ControlRun): Promise<void> {
    if (!this.control.claimRun) return;
    let replaced: ControlRun | undefined;
    try {
      ({ replaced } = await this.control.claimRun(run, this.now()));
    } catch (error) {
      throw new PreflightFailure(
        "control",
        `could not claim the stack for this run: ${describeError(error)}`,
      );
    }
    this.run = run;
    if (replaced) {
      this.emitter.warn(
        `took the stack over from run ${replaced.runId} (version ${replaced.version}, started by ${replaced.startedBy}): its driver stopped beating`,
      );
    }
  }

  /** Whether this run holds the stack in the channel's record. */
  get claimed(): boolean {
    return this.run !== undefined;
  }

  /** Notes what an event says about the run's progress; the next heartbeat records it. */
  note(event: RolloutEvent): void {
    if (this.run) this.run = runProgress(this.run, event, this.now());
  }

  /** The pending request, taken (read and cleared); undefined when none, or when the channel failed. */
  async take(): Promise<ControlRequest | undefined> {
    try {
      return await this.control.take();
    } catch (error) {
      this.emitter.warn(`could not read operator requests: ${describeError(error)}`);
      return undefined;
    }
  }

  /** A request left before this run started was meant for a run that is gone; acting on it would surprise. */
  async discardStale(): Promise<void> {
    const stale = await this.take();
    if (stale) {
      this.emitter.warn(
        `discarded a ${stale.kind} request from ${stale.by} that was sent before this run started`,
      );
    }
  }

  /** Takes a request outside a bake: abort stops, a promote has nothing to end yet. */
  async takeOutsideBake(where: string): Promise<void> {
    const request = await this.take();
    if (!request) return;
    if (request.kind === "abort") throw new RolloutStop("abort", `aborted by ${request.by}`, this.now());
    const why =
      request.kind === "pause"
        ? "there is no step to hold yet"
        : request.kind === "resume"
          ? "nothing is paused"
          : "there is no bake to end yet";
    this.emitter.warn(`${request.kind} requested by ${request.by} ignored ${where}: ${why}`);
  }

  /**
   * The guardian's trip of this run, when the guardian reverted it; undefined when none, when the
   * run is not recorded, or when the channel failed (the alarms and the live split still speak).
   */
  async guardianTrip(): Promise<ControlTrip | undefined> {
    const { run } = this;
    if (!run || !this.control.readTrip) return undefined;
    const read = this.control.readTrip.bind(this.control);
    try {
      return await read(run.runId);
    } catch (error) {
      this.emitter.warn(`could not read the guardian's trip: ${describeError(error)}`);
      return undefined;
    }
  }

  /** Records that this run watches the stack now, with how far it got when the channel records runs. */
  async heartbeat(): Promise<void> {
    const { run } = this;
    if (run && this.control.recordRun) {
      const record = this.control.recordRun.bind(this.control);
      await this.quietly(() => record(run, this.now()));
    } else {
      await this.quietly(() => this.control.heartbeat(this.now()));
    }
  }

  /** Releases the run (or removes the heartbeat) when the run stops watching. */
  async clear(): Promise<void> {
    const { run } = this;
    if (run && this.control.releaseRun) {
      const release = this.control.releaseRun.bind(this.control);
      await this.quietly(async () => void (await release(run.runId)));
    } else {
      await this.quietly(() => this.control.clearHeartbeat());
    }
  }

  private async quietly(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.emitter.warn(`the control channel failed: ${describeError(error)}`);
    }
  }
}
