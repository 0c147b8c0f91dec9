/**
 * The chart of a run's traffic: the candidate's weight over time as a step function, with the
 * moments of alarms and the revert. One model, drawn twice: as a Mermaid block for GitHub and as
 * a standalone SVG for everything else, so both show the same points.
 */
import type { RunSummary, WeightPoint } from "./runSummary";
import type { Colour } from "../../components/domain";

/** A moment the chart calls out with a vertical marker. */
export interface ChartMarker {
  readonly kind: "alarm" | "revert";
  /** Seconds since the run started. */
  readonly atSeconds: number;
  /** What happened, for the legend and captions: alarm names, or the revert reason. */
  readonly detail: string;
}

/** What both renderers draw. */
export interface TrafficChart {
  /** The colour whose weight is drawn. */
  readonly candidate: Colour;
  /** A one-line title: whose traffic, which version, which stack. */
  readonly title: string;
  /** The candidate's weight: each point holds until the next, the last until `runEndSeconds`. */
  readonly points: readonly WeightPoint[];
  /** When the run's last event happened. */
  readonly runEndSeconds: number;
  /** The x axis runs from 0 to here: a whole number of ticks, past the run's end. */
  readonly axisEndSeconds: number;
  /** Where the x axis has labelled ticks, in seconds. */
  readonly ticks: readonly number[];
  readonly markers: readonly ChartMarker[];
}

/**
 * Tick spacings the x axis may use, in seconds: minute-based, so a plan written in minutes lines
 * up with the labels.
 */
const TICK_SPACINGS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

/** At most this many tick intervals across the axis, so labels never crowd. */
const MAX_TICK_INTERVALS = 8;

/** Builds the chart of a run, or undefined when no traffic ever moved (a rejected run). */
export function buildTrafficChart(summary: RunSummary): TrafficChart | undefined {
  if (summary.candidate === undefined || summary.weights.length === 0) return undefined;
  const markers: ChartMarker[] = [];
  const alarmsByMoment = new Map<number, string[]>();
  for (const alarm of summary.alarms) {
    if (alarm.state !== "ALARM") continue;
    alarmsByMoment.set(alarm.atSeconds, [...(alarmsByMoment.get(alarm.atSeconds) ?? []), alarm.name]);
  }
  for (const [atSeconds, names] of alarmsByMoment)
    markers.push({ kind: "alarm", atSeconds, detail: names.join(", ") });
  if (summary.revert)
    markers.push({ kind: "revert", atSeconds: summary.revert.atSeconds, detail: summary.revert.reason });
  markers.sort((a, b) => a.atSeconds - b.atSeconds);

  const runEndSeconds = Math.max(summary.durationSeconds, summary.weights.at(-1)?.atSeconds ?? 0);
  // A marker at the very end would sit on the axis' edge; leave room for the line after it.
  const markerAtEnd = markers.some((marker) => marker.atSeconds >= runEndSeconds);
  const { axisEndSeconds, tickSeconds } = xAxis(runEndSeconds + (markerAtEnd ? 1 : 0));
  const ticks: number[] = [];
  for (let at = 0; at <= axisEndSeconds; at += tickSeconds) ticks.push(at);

  const what = summary.version ? `${summary.version} on ${summary.candidate}` : summary.candidate;
  const where = summary.stack ? `, stack ${summary.stack}` : "";
  return {
    candidate: summary.candidate,
    title: `Traffic to ${what}${where}`,
    points: summary.weights,
    runEndSeconds,
    axisEndSeconds,
    ticks,
    markers,
  };
}

/** The candidate's weight at a moment: the last point at or before it (a change counts at once). */
export function weightAt(points: readonly WeightPoint[], atSeconds: number): number {
  let weight = 0;
  for (const point of points) {
    if (point.atSeconds > atSeconds) break;
    weight = point.weight;
  }
  return weight;
}

/**
 * The vertices of the step-shaped line, in (seconds, percent): along each weight until the next
 * change, straight up or down, and on to the run's end.
 */
export function stepVertices(chart: TrafficChart): [number, number][] {
  const vertices: [number, number][] = [];
  chart.points.forEach((point, index) => {
    const previous = vertices.at(-1);
    if (previous) vertices.push([point.atSeconds, previous[1]]);
    vertices.push([point.atSeconds, point.weight]);
    const next = chart.points[index + 1];
    if (!next) vertices.push([chart.runEndSeconds, point.weight]);
  });
  return dropRepeats(vertices);
}

/** Minutes as an axis label: whole minutes plain, half minutes with one decimal. */
export function minutesLabel(seconds: number): string {
  const minutes = seconds / 60;
  return Number.isInteger(minutes) ? String(minutes) : minutes.toFixed(1);
}

function xAxis(endSeconds: number): { axisEndSeconds: number; tickSeconds: number } {
  const span = Math.max(endSeconds, 1);
  const tickSeconds =
    TICK_SPACINGS.find((spacing) => Math.ceil(span / spacing) <= MAX_TICK_INTERVALS) ??
    Math.ceil(span / MAX_TICK_INTERVALS / 86_400) * 86_400;
  return { axisEndSeconds: Math.ceil(span / tickSeconds) * tickSeconds, tickSeconds };
}

function dropRepeats(vertices: [number, number][]): [number, number][] {
  return vertices.filter((vertex, index) => {
    const previous = vertices[index - 1];
    return !previous || previous[0] !== vertex[0] || previous[1] !== vertex[1];
  });
}
