/**
 * The guardian's Lambda entry point: a placeholder, replaced by the real handler (its decision on
 * an alarm event or a scheduled check, the revert and its read-back). The program bundles this
 * file into the guardian's function; until the real handler is in the build, every invocation
 * fails loudly rather than pretending to watch the stack.
 */

/** Handles one EventBridge event (an alarm state change or the schedule). */
export async function handler(event: unknown): Promise<never> {
  void event;
  throw new Error("the guardian handler is not in this build");
}
