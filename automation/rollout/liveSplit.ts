/**
 * The live split as the driver trusts it.
 */
import type { TrafficRouter } from "../ports";
import { type TrafficSplit, isSplit } from "../../components/domain";

/**
 * The live split, checked: an answer that is not a split counts as a failed read, so a broken
 * adapter can neither pass for "verified" nor hold a bake forever.
 */
export async function readSplit(router: TrafficRouter, signal?: AbortSignal): Promise<TrafficSplit> {
  const split: unknown = await router.read(signal);
  if (!isSplit(split)) {
    throw new Error(
      `the router returned ${JSON.stringify(split) ?? "nothing"}, not a split of whole percents summing to 100`,
    );
  }
  return split;
}
