/**
 * A StackPort that remembers the outputs it last saw, so the routers can find the listener or the
 * alias without a Pulumi CLI call on every poll. The driver's own reads always go to the stack:
 * only the routers use the remembered outputs, which every read and every update refreshes.
 */
import type { ReleaseValues, StackLock, StackPort, UpdateOptions, UpdateResult } from "../ports";
import type { StackOutputs } from "../../components/domain";

/** Passes every call through and keeps the latest outputs. */
export class TrackedStack implements StackPort {
  readonly name: string;
  private latest?: StackOutputs;

  constructor(private readonly inner: StackPort) {
    this.name = inner.name;
  }

  /** Reads the outputs from the stack and remembers them. */
  async outputs(signal?: AbortSignal): Promise<StackOutputs | undefined> {
    const outputs = await this.inner.outputs(signal);
    this.latest = outputs;
    return outputs;
  }

  /** The outputs last seen, read once when none were. */
  async current(signal?: AbortSignal): Promise<StackOutputs | undefined> {
    return this.latest ?? this.outputs(signal);
  }

  /** Passed through. */
  readValues(): Promise<ReleaseValues> {
    return this.inner.readValues();
  }

  /** Passed through. */
  writeValues(values: ReleaseValues): Promise<void> {
    return this.inner.writeValues(values);
  }

  /**
   * Runs the update and remembers its outputs. A failed update may or may not have been saved, so
   * the remembered outputs are dropped and the next use reads them again.
   */
  async update(options: UpdateOptions): Promise<UpdateResult> {
    try {
      const result = await this.inner.update(options);
      this.latest = result.outputs;
      return result;
    } catch (error) {
      this.latest = undefined;
      throw error;
    }
  }

  /** Passed through. */
  previewChanges(signal?: AbortSignal): Promise<number> {
    return this.inner.previewChanges(signal);
  }

  /** Passed through. */
  lock(): Promise<StackLock | undefined> {
    return this.inner.lock();
  }
}
