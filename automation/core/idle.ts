/**
 * The idle colour's capacity, decided from the control record and the live split: when the
 * previous release's colour may be scaled down (after the rollback window, never while anything
 * could need it), and what a promotion records about it. Pure: the guardian's schedule and
 * `bluegreen idle` read the record and the router, call these, and act.
 */
import type { Colour, TrafficSplit } from "../../components/domain";
import { COLOURS, SPLIT_TOTAL } from "../../components/domain";
import type { ControlPatch, ControlRecord } from "./controlRecord";
import { FieldReader } from "./fields";

/**
 * The colour the last promotion left serving nothing, and its capacity: written by the driver
 * when it promotes (replacing the previous promotion's), read by the scale-down after the
 * rollback window and by `bluegreen undo`.
 */
export interface ControlIdle {
  /** The colour that serves nothing since the promotion: the previous release's. */
  readonly colour: Colour;
  /** The version it runs, which `bluegreen undo` brings back. */
  readonly version: string;
  /** Epoch milliseconds of the promotion, on the driver's clock. */
  readonly promotedAt: number;
  /** When the rollback window closes, in epoch milliseconds; absent when the colour is kept warm. */
  readonly windowEndsAt?: number;
  /** Its full count (ECS tasks, Kubernetes pods) at the promotion: what a scale-up restores. */
  readonly capacity: number;
  /** When it was scaled down, in epoch milliseconds; absent while it keeps its full capacity. */
  readonly scaledDownAt?: number;
  /** The count it was scaled down to. */
  readonly scaledTo?: number;
}

/**
 * Seconds from a scale-up to every new task or pod ready, as plans and rehearsals count it: a
 * Fargate task is typically provisioned, pulls its image and passes the target group's health
 * checks (2 x 15 s at the program's defaults) in 45-90 s; a pod on a node with room is faster,
 * one that needs a new node slower. One minute is the middle.
 */
export const TYPICAL_SCALE_UP_SECONDS = 60;

/** Why the idle colour is left as it is. */
export type IdleHoldReason =
  /** No promotion is recorded: nothing is known to be idle. */
  | "no-promotion"
  /** A rollout owns the stack; its candidate may be the colour, and its revert needs the stable one. */
  | "run-in-progress"
  /** The guardian is reverting; the colour may be the one it brings back. */
  | "trip-in-progress"
  /** Traffic is split: both colours serve, whatever the record says. */
  | "split"
  /** The recorded colour serves all traffic (an undo or a revert moved it back). */
  | "serving"
  /** `bluegreen:idle.rollbackWindow` is `never`. */
  | "kept-warm"
  /** The rollback window is still open. */
  | "window-open"
  /** Already scaled down. */
  | "scaled-down"
  /** The idle capacity is not below the full count: scaling would save nothing. */
  | "nothing-to-save";

/** What the scale-down comes to. */
export type IdleDecision =
  | {
      readonly kind: "scale-down";
      readonly colour: Colour;
      /** The count the promotion recorded. */
      readonly from: number;
      readonly to: number;
      /** The record's idle field once the scale-down is done; written only after it succeeds. */
      readonly patch: ControlPatch;
    }
  | {
      readonly kind: "nothing";
      readonly reason: IdleHoldReason;
      /** When the window closes, for `window-open`. */
      readonly until?: number;
    };

/**
 * Whether the colour the last promotion left idle may be scaled down to `idleCapacity` at `now`:
 * only after its rollback window, while no run or guardian revert is in progress, and while the
 * live split gives every request to the other colour. The stable colour of a split is never
 * scaled down, so a revert never waits for a scale-up.
 */
export function decideIdle(
  record: ControlRecord,
  liveSplit: TrafficSplit,
  now: number,
  idleCapacity: number,
): IdleDecision {
  const idle = record.idle;
  const hold = (reason: IdleHoldReason, until?: number): IdleDecision =>
    until === undefined ? { kind: "nothing", reason } : { kind: "nothing", reason, until };
  if (idle === undefined) return hold("no-promotion");
  if (record.run !== undefined) return hold("run-in-progress");
  if (record.trip !== undefined && record.trip.revertedAt === undefined) return hold("trip-in-progress");
  if (liveSplit.blue !== SPLIT_TOTAL && liveSplit.green !== SPLIT_TOTAL) return hold("split");
  if (liveSplit[idle.colour] > 0) return hold("serving");
  if (idle.scaledDownAt !== undefined) return hold("scaled-down");
  if (idle.windowEndsAt === undefined) return hold("kept-warm");
  if (now < idle.windowEndsAt) return hold("window-open", idle.windowEndsAt);
  if (idleCapacity >= idle.capacity) return hold("nothing-to-save");
  return {
    kind: "scale-down",
    colour: idle.colour,
    from: idle.capacity,
    to: idleCapacity,
    patch: { idle: { ...idle, scaledDownAt: now, scaledTo: idleCapacity } },
  };
}

/** What a promotion knows about the colour it leaves idle. */
export interface Promotion {
  /** The colour that served before the promotion. */
  readonly previous: Colour;
  /** The version it runs. */
  readonly version: string;
  /** Epoch milliseconds of the promotion. */
  readonly at: number;
  /** `bluegreen:idle.rollbackWindow` in seconds; undefined when kept warm. */
  readonly rollbackWindowSeconds: number | undefined;
  /** The colour's full count. */
  readonly capacity: number;
  /**
   * How long ALB stickiness pins clients to a colour, when it is on: clients pinned to the previous
   * colour keep reaching it that long after the switch, so its window never closes sooner.
   */
  readonly stickinessSeconds?: number;
}

/** The record's idle field after a promotion: it replaces the previous promotion's. */
export function idleAfterPromotion(promotion: Promotion): ControlIdle {
  const base = {
    colour: promotion.previous,
    version: promotion.version,
    promotedAt: promotion.at,
    capacity: promotion.capacity,
  };
  return promotion.rollbackWindowSeconds === undefined
    ? base
    : {
        ...base,
        windowEndsAt:
          promotion.at + Math.max(promotion.rollbackWindowSeconds, promotion.stickinessSeconds ?? 0) * 1000,
      };
}

/** What `bluegreen undo` comes to, from the record, the deployed outputs and the live split. */
export type UndoDecision =
  | { readonly kind: "refuse"; readonly reason: string }
  | {
      readonly kind: "undo";
      /** The colour that gets all traffic back, and the version it runs. */
      readonly colour: Colour;
      readonly version: string;
      /** The colour that serves now, and its version. */
      readonly from: Colour;
      readonly fromVersion: string;
      /** Whether the record says the colour was scaled down (the live capacity decides in the end). */
      readonly scaledDown: boolean;
      /** The count the promotion recorded for the colour. */
      readonly capacity: number;
    };

/** What `bluegreen undo` checks the record against. */
export interface UndoObservation {
  /** The deployed outputs' stable colour and slots. */
  readonly stable: Colour;
  readonly slots: Readonly<Record<Colour, { readonly version: string }>>;
  /** The split the platform serves now. */
  readonly live: TrafficSplit;
}

/**
 * Whether the last promotion can be undone: the record names the previous colour and version,
 * no run holds the stack, the live split gives everything to the other colour, and the deployed
 * stack agrees (the other colour is stable, the previous colour's slot still runs the recorded
 * version: a deploy since would have replaced it).
 */
export function decideUndo(record: ControlRecord, seen: UndoObservation): UndoDecision {
  const idle = record.idle;
  const refuse = (reason: string): UndoDecision => ({ kind: "refuse", reason });
  if (idle === undefined) {
    return refuse("no promotion is recorded in the control record: there is nothing to undo");
  }
  if (record.run !== undefined) {
    const run = record.run;
    return refuse(
      `run ${run.runId} (${run.version} to ${run.candidate}, started by ${run.startedBy}) is in progress: abort it instead`,
    );
  }
  const from: Colour = idle.colour === "blue" ? "green" : "blue";
  if (seen.live[from] !== SPLIT_TOTAL) {
    return refuse(
      `${from} does not serve all traffic (blue ${seen.live.blue}%, green ${seen.live.green}%): the last promotion was already undone or traffic was moved since`,
    );
  }
  if (seen.stable !== from) {
    return refuse(
      `the deployed stack has ${seen.stable} as stable, not ${from}: the stack changed since the promotion`,
    );
  }
  const deployed = seen.slots[idle.colour].version;
  if (deployed !== idle.version) {
    return refuse(
      `${idle.colour} runs ${deployed} in the deployed stack, not ${idle.version} as the promotion recorded: a deploy replaced it; roll out ${idle.version} instead`,
    );
  }
  return {
    kind: "undo",
    colour: idle.colour,
    version: idle.version,
    from,
    fromVersion: seen.slots[from].version,
    scaledDown: idle.scaledDownAt !== undefined,
    capacity: idle.capacity,
  };
}

/** The idle field of a stored control record, checked field by field (InvalidFieldError names the first bad one). */
export function parseIdle(fields: FieldReader): ControlIdle {
  const EPOCH_MS = { min: 0 } as const;
  const count = { integer: true, min: 0 } as const;
  const windowEndsAt = fields.optionalNumber("windowEndsAt", EPOCH_MS);
  const scaledDownAt = fields.optionalNumber("scaledDownAt", EPOCH_MS);
  const scaledTo = fields.optionalNumber("scaledTo", count);
  if ((scaledDownAt === undefined) !== (scaledTo === undefined)) {
    throw fields.invalid(
      scaledDownAt === undefined ? "scaledDownAt" : "scaledTo",
      "must be recorded together",
    );
  }
  return {
    colour: fields.oneOf("colour", COLOURS),
    version: fields.string("version"),
    promotedAt: fields.number("promotedAt", EPOCH_MS),
    ...(windowEndsAt !== undefined ? { windowEndsAt } : {}),
    capacity: fields.number("capacity", count),
    ...(scaledDownAt !== undefined ? { scaledDownAt, scaledTo } : {}),
  };
}
