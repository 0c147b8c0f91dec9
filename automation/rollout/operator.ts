/**
 * The operator channel of a run: requests taken from `bluegreen abort` / `bluegreen promote`, and
 * the heartbeat that tells those commands a driver is watching. The channel is best effort: a
 * failure to reach it is a warning, never a reason to stop or to skip a revert.
 */
import type { ControlChannel, ControlRequest } from "../ports";
import type { Emitter } from "./emitter";
import { describeError, RolloutStop } from "./failures";

/** Takes requests and beats the heartbeat for one run. */
export class OperatorChannel {
  constructor(
    private readonly control: ControlChannel,
    private readonly emitter: Emitter,
    private readonly now: () => number,
  ) {}

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

  /** Records that this run watches the stack now. */
  async heartbeat(): Promise<void> {
    await this.quietly(() => this.control.heartbeat(this.now()));
  }

  /** Removes the heartbeat when the run stops watching. */
  async clear(): Promise<void> {
    await this.quietly(() => this.control.clearHeartbeat());
  }

  private async quietly(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.emitter.warn(`the control channel failed: ${describeError(error)}`);
    }
  }
}
