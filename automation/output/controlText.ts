/**
 * The text of the control record in `bluegreen status`: the live run (step, weights, bake, pause,
 * alarms), the driver's heartbeat, the pending request and a guardian's trip; and, for
 * `status --watch` in a log, one line per change between two reads.
 */
import { formatDuration } from "../../infra/config/duration";
import type { ControlView, RunView } from "../rollout/runStatus";

/** The control record as lines of text, ending with a newline. */
export function formatControlView(view: ControlView): string {
  const lines = [`${view.source}:`];
  const { run } = view;
  if (run) {
    lines.push(
      `  ${run.rehearsal ? "rehearsal" : "run"} ${run.runId}: ${run.version} on ${run.candidate}, ${run.stable} stable${run.rehearsal ? " (a drill: nothing real changes)" : ""}`,
      `  started by ${run.startedBy} at ${run.startedAt}${run.reason ? `: ${run.reason}` : ""}`,
      `  ${describeStep(run)}`,
    );
    if (run.plan) lines.push(`  plan: ${run.plan.map((weight) => `${weight}%`).join(" -> ")}`);
    if (run.bakeRemainingSeconds !== undefined) {
      lines.push(`  bake: ${formatDuration(run.bakeRemainingSeconds)} left (ends ${run.bakeEndsAt})`);
    }
    if (run.paused) lines.push(`  ${describePause(run.paused)}`);
    const alarms = Object.entries(run.alarms ?? {});
    if (alarms.length > 0) {
      lines.push("  alarms as the driver last read them:");
      for (const [name, state] of alarms) lines.push(`    ${state.padEnd(17)}  ${name}`);
    }
  } else {
    lines.push("  no run recorded");
  }
  lines.push(`  ${describeHeartbeatView(view)}`);
  if (view.request) {
    lines.push(
      `  pending request: ${view.request.kind} from ${view.request.by} at ${view.request.at}, not taken by the driver yet`,
    );
  }
  if (view.trip) {
    const trip = view.trip;
    lines.push(
      `  guardian: ${trip.revertedAt ? `reverted run ${trip.runId} at ${trip.revertedAt}` : `reverting run ${trip.runId}`} (blue ${trip.weights.blue}%, green ${trip.weights.green}%): ${trip.reason}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** "step 2 of 6 (25%): blue 75%, green 25%", or "promoted" once past the last step. */
export function describeStep(run: RunView): string {
  const weights = `blue ${run.weights.blue}%, green ${run.weights.green}%`;
  const planned = run.stepWeight === undefined ? "" : ` (${run.stepWeight}%)`;
  return `step ${run.step} of ${run.of}${planned}: ${weights}`;
}

function describePause(paused: NonNullable<RunView["paused"]>): string {
  const timeout = paused.timeoutAt
    ? `; at ${paused.timeoutAt} its timeout ${paused.onTimeout === "promote" ? "goes on" : "aborts"}`
    : "; no timeout: it waits for `bluegreen resume`";
  return `paused by ${paused.by} since ${paused.since}${timeout}`;
}

/** The heartbeat as one phrase: its age, and whether a driver is watching. */
export function describeHeartbeatView(view: Pick<ControlView, "heartbeat">): string {
  const beat = view.heartbeat;
  if (!beat) return "heartbeat: none: no driver is watching the stack";
  const age = `heartbeat ${formatDuration(beat.ageSeconds)} ago`;
  if (beat.stale) return `${age}: stale: no driver is watching and another run may take the stack over`;
  if (!beat.watched) return `${age}: late: \`bluegreen abort\` would revert directly`;
  return `${age}: a driver is watching`;
}

/**
 * What changed between two reads of the record, one line each, prefixed with `at`: a run started
 * or ended, its step or weights, a pause, the pending request, the heartbeat turning late or
 * fresh, a guardian's trip. The first read (no `before`) is one line saying where things stand.
 */
export function watchLines(before: ControlView | undefined, after: ControlView, at: string): string[] {
  const lines: string[] = [];
  const say = (text: string): void => void lines.push(`${at}  ${text}`);
  const run = after.run;
  const was = before?.run ?? null;
  if (before === undefined) {
    say(run ? `${describeRun(run)}; ${describeStep(run)}` : `no run recorded in the ${after.source}`);
  } else if (run && (!was || was.runId !== run.runId)) {
    say(`${describeRun(run)}; ${describeStep(run)}`);
  } else if (run && was && (run.step !== was.step || !sameWeights(run, was))) {
    say(describeStep(run));
  }
  if (was && (!run || run.runId !== was.runId)) say(`run ${was.runId} ended: the record is released`);
  if (run?.paused && !was?.paused) say(describePause(run.paused));
  if (run && !run.paused && was?.paused && was.runId === run.runId) say("resumed");
  const request = after.request;
  const previous = before?.request ?? null;
  if (request && (!previous || previous.kind !== request.kind || previous.at !== request.at)) {
    say(`pending request: ${request.kind} from ${request.by}`);
  }
  if (!request && previous) say(`the ${previous.kind} request was taken`);
  if (before !== undefined && watching(before) !== watching(after)) say(describeHeartbeatView(after));
  if (after.trip && (!before?.trip || before.trip.revertedAt !== after.trip.revertedAt)) {
    say(`guardian: run ${after.trip.runId}: ${after.trip.reason}`);
  }
  return lines;
}

function describeRun(run: RunView): string {
  return `${run.rehearsal ? "rehearsal" : "run"} ${run.runId}: ${run.version} on ${run.candidate} (started by ${run.startedBy})`;
}

function sameWeights(a: RunView, b: RunView): boolean {
  return a.weights.blue === b.weights.blue && a.weights.green === b.weights.green;
}

/** Whether the heartbeat says a driver watches: what an operator acts on. */
function watching(view: ControlView): boolean {
  return view.heartbeat?.watched === true;
}
