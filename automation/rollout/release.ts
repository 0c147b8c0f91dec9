/**
 * The release writer: the one place that writes the driver's values into the stack (raising the
 * revision each time) and runs an update, and, when an update throws, reads the outputs to see
 * whether it saved anyway (`up()` can fail after the update was saved when its follow-up calls fail).
 */
import { READ_RETRY } from "../core/retry";
import type { ReleaseValues, StackPort } from "../ports";
import { type Beat, whileBeating } from "./beating";
import type { Emitter } from "./emitter";
import { describeError } from "./failures";
import { retrying, type RetryTime } from "./retrying";
import { type StackOutputs, sameSplit } from "../../components/domain";

/** How an update ended. */
export type UpdateOutcome =
  /** It ran and saved: `changed` resources. */
  | { readonly kind: "applied"; readonly changed: number }
  /** It threw, but the outputs show the values it applies: it was saved. */
  | { readonly kind: "saved-despite-error"; readonly error: unknown }
  /** It threw and the outputs do not show its values (or could not be read). */
  | { readonly kind: "failed"; readonly error: unknown };

/** What an update should run. */
export interface ReleaseUpdate {
  /** Why the update runs, recorded as the update's message. */
  readonly message: string;
  /** Update only these URNs: such an update applies the traffic and nothing else. */
  readonly targets?: readonly string[];
}

/** Writes the release values and applies them, counting revisions. */
export class ReleaseWriter {
  private lastWritten?: ReleaseValues;

  /**
   * `revision` is the highest revision already written or deployed; `beat`, when given, keeps the
   * run's heartbeat fresh while an update runs (minutes with no poll in them).
   */
  constructor(
    private readonly stack: StackPort,
    private readonly time: RetryTime,
    private readonly emitter: Emitter,
    private revision: number,
    private readonly beat?: Beat,
  ) {}

  /** Runs `operation` beside the heartbeat, when this writer has one. */
  beating<T>(operation: () => Promise<T>): Promise<T> {
    return this.beat ? whileBeating(this.beat, operation) : operation();
  }

  /**
   * Writes `values` with the next revision into the stack's config and returns that revision. The
   * revision is used up even when the write fails, so no two writes ever carry the same one.
   */
  async write(values: Omit<ReleaseValues, "revision">): Promise<number> {
    const written: ReleaseValues = { ...values, revision: ++this.revision };
    await this.stack.writeValues(written);
    this.lastWritten = written;
    return written.revision;
  }

  /**
   * Runs an update of the values last written. When it throws, the outputs decide: they show
   * those values (the traffic for a targeted update, traffic, slots and stable colour for a full
   * one) only when the update was saved.
   */
  async update(update: ReleaseUpdate): Promise<UpdateOutcome> {
    const values = this.lastWritten;
    if (!values) throw new Error("ReleaseWriter.update: write the values before updating");
    try {
      const { changed } = await this.beating(() =>
        this.stack.update({
          message: update.message,
          ...(update.targets ? { targets: update.targets } : {}),
        }),
      );
      return { kind: "applied", changed };
    } catch (error) {
      const after = await this.outputsAfterFailure();
      const saved = after !== undefined && shows(after, values, update.targets !== undefined);
      return saved ? { kind: "saved-despite-error", error } : { kind: "failed", error };
    }
  }

  /** The deployed outputs after an update threw; no signal, because a cancelled run must still reconcile. */
  private async outputsAfterFailure(): Promise<StackOutputs | undefined> {
    try {
      return await retrying(this.time, READ_RETRY, undefined, () => this.stack.outputs());
    } catch (error) {
      this.emitter.warn(
        `could not read the stack's outputs to see whether the update was saved: ${describeError(error)}`,
      );
      return undefined;
    }
  }
}

/** Whether the outputs show what an update of `values` applies. */
function shows(outputs: StackOutputs, values: ReleaseValues, targeted: boolean): boolean {
  if (!sameSplit(outputs.traffic, values.traffic)) return false;
  if (targeted) return true;
  return (
    outputs.stableColour === values.stable &&
    outputs.slots.blue.version === values.slots.blue.version &&
    outputs.slots.green.version === values.slots.green.version
  );
}
