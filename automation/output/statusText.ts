/**
 * The text of `bluegreen status`: colours and versions, configured against actual weights (drift
 * called out), alarm states, and whether a rollout is in progress and watched.
 */
import type { AlarmStateValue, ColourCapacity } from "../ports";
import { COLOURS, type Colour, type TrafficSplit } from "../../components/domain";

/** What status shows; the driver's StatusReport has this shape. */
export interface StatusView {
  readonly stack: string;
  readonly platform: string;
  readonly stable: Colour;
  readonly candidate: Colour;
  readonly versions: Readonly<Record<Colour, string>>;
  readonly configured: TrafficSplit;
  readonly actual: TrafficSplit;
  readonly drift: boolean;
  readonly inProgress: boolean;
  readonly watched: boolean;
  readonly alarms: readonly {
    readonly name: string;
    readonly state: AlarmStateValue | "MISSING";
    readonly evaluationState?: string;
  }[];
  readonly revision: number;
  /** Each colour's tasks or pods, when read. */
  readonly capacity?: Readonly<Record<Colour, ColourCapacity>>;
  /** The colour the last promotion left idle and its rollback window. */
  readonly idle?: {
    readonly colour: Colour;
    readonly version: string;
    readonly windowEndsAt?: number;
    readonly scaledDownAt?: number;
    readonly scaledTo?: number;
  };
}

/** Each colour's capacity and the idle colour's window, as lines; none when nothing was read. */
function idleLines(status: StatusView): string[] {
  const lines: string[] = [];
  if (status.capacity) {
    const unit = status.platform === "kubernetes" ? "pods" : "tasks";
    const of = (colour: Colour) => {
      const capacity = status.capacity![colour];
      return `${colour} ${capacity.ready}/${capacity.desired} ${unit} ready`;
    };
    lines.push(`capacity: ${of("blue")}, ${of("green")}`);
  }
  const idle = status.idle;
  if (idle) {
    const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    const state =
      idle.scaledDownAt !== undefined
        ? `scaled down to ${idle.scaledTo} at ${when(idle.scaledDownAt)}: \`bluegreen undo\` scales it up first`
        : idle.windowEndsAt === undefined
          ? "kept warm (no rollback window)"
          : `rollback window closes at ${when(idle.windowEndsAt)}`;
    lines.push(`idle: ${idle.colour} (${idle.version}), ${state}`);
  }
  return lines;
}

/** The status as lines of text, ending with a newline. */
export function formatStatus(status: StatusView): string {
  const lines = [`stack ${status.stack} (${status.platform}), revision ${status.revision}`];
  for (const colour of COLOURS) {
    const role = colour === status.stable ? "stable" : "candidate";
    const weights =
      status.configured[colour] === status.actual[colour]
        ? `${status.actual[colour]}%`
        : `${status.actual[colour]}% live, ${status.configured[colour]}% configured`;
    lines.push(`  ${colour.padEnd(5)}  ${role.padEnd(9)}  ${status.versions[colour].padEnd(20)}  ${weights}`);
  }
  if (status.drift) {
    lines.push(
      `drift: the live split (blue ${status.actual.blue}%, green ${status.actual.green}%) differs from the stack's last update (blue ${status.configured.blue}%, green ${status.configured.green}%)`,
    );
  }
  lines.push(
    status.inProgress
      ? `rollout: in progress, ${status.watched ? "watched by a running driver" : "NOT watched: run `bluegreen rollout --resume` or `bluegreen abort`"}`
      : "rollout: none in progress",
  );
  lines.push(...idleLines(status));
  lines.push("alarms:");
  if (status.alarms.length === 0) lines.push("  none watched");
  for (const alarm of status.alarms) {
    const evaluation = alarm.evaluationState ? ` (${alarm.evaluationState})` : "";
    lines.push(`  ${alarm.state.padEnd(17)}  ${alarm.name}${evaluation}`);
  }
  return `${lines.join("\n")}\n`;
}
