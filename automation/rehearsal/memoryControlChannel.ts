/**
 * An in-memory control channel: how scenario operator events reach a rehearsed rollout, and the
 * channel every test uses, with the same take-and-clear semantics and the same rule for combining
 * requests (`combineRequests`) as the file-based channel.
 */
import { combineRequests } from "../core/control";
import type { ControlChannel, ControlRequest } from "../ports";

/** A control channel held in memory. */
export class MemoryControlChannel implements ControlChannel {
  private waiting: ControlRequest | undefined;
  private heartbeatAt: number | undefined;
  private readonly history: ControlRequest[] = [];

  /** Returns and clears the pending request, if any. */
  async take(): Promise<ControlRequest | undefined> {
    const request = this.waiting;
    this.waiting = undefined;
    return request;
  }

  /** The pending request, left in place: how a sender sees whether the driver took it. */
  async pending(): Promise<ControlRequest | undefined> {
    return this.waiting;
  }

  /** Whether a request waits to be taken, synchronously (for the world, inside a clock callback). */
  hasPending(): boolean {
    return this.waiting !== undefined;
  }

  /** Leaves a request for the watching driver. */
  async send(request: ControlRequest): Promise<void> {
    this.post(request);
  }

  /**
   * Leaves a request synchronously (scenario events fire inside a clock callback), combined with
   * any pending one as every channel does (`combineRequests`: a pending abort is never replaced).
   */
  post(request: ControlRequest): void {
    this.history.push(request);
    this.waiting = combineRequests(this.waiting, request);
  }

  /** Records that a driver is watching the stack now. */
  async heartbeat(at: number): Promise<void> {
    this.heartbeatAt = at;
  }

  /** When a driver last said it was watching, or undefined. */
  async lastHeartbeat(): Promise<number | undefined> {
    return this.heartbeatAt;
  }

  /** Removes the heartbeat when the driver stops watching. */
  async clearHeartbeat(): Promise<void> {
    this.heartbeatAt = undefined;
  }

  /** Every request sent so far, taken or not, in order. */
  sent(): readonly ControlRequest[] {
    return [...this.history];
  }
}
