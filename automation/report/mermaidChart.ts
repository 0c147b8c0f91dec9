/**
 * The traffic chart as a Mermaid `xychart-beta` block, which GitHub renders in Markdown (job
 * summaries, issues, pull requests).
 *
 * xychart spaces a line's values evenly across a numeric x axis, so the weight is sampled on a
 * fine regular grid: a change shows as a near-vertical edge one sample wide. xychart has no
 * vertical rules, and its bars are as wide as a tick interval on a numeric axis, so a marker is a
 * second line that follows the weight and spikes to 100% at the marked sample; the weight line is
 * drawn last, over it, so only the spike shows. Only syntax every xychart-beta release parses is
 * used (a title, two axes, titled lines), because GitHub's Mermaid is not the newest.
 */
import { minutesLabel, type TrafficChart, weightAt } from "./trafficChart";

/** Sample intervals across the x axis: fine enough that a step edge looks vertical. */
export const MERMAID_SAMPLE_INTERVALS = 120;

/** Line colours: revert marker, alarm marker, weight (xychart takes them in series order). */
const PALETTE = { revert: "#f59e0b", alarm: "#dc2626", weight: "#2563eb" } as const;

/** A series of the block, in drawing order. */
export interface MermaidSeries {
  readonly title: string;
  readonly kind: "weight" | "alarm" | "revert";
  readonly values: readonly number[];
}

/** The sampled series the block draws, exported so tests can hold them against the events. */
export function mermaidSeries(chart: TrafficChart): { sampleSeconds: number; series: MermaidSeries[] } {
  const sampleSeconds = chart.axisEndSeconds / MERMAID_SAMPLE_INTERVALS;
  const weights: number[] = [];
  for (let index = 0; index <= MERMAID_SAMPLE_INTERVALS; index++) {
    weights.push(weightAt(chart.points, index * sampleSeconds));
  }
  const series: MermaidSeries[] = [];
  for (const kind of ["revert", "alarm"] as const) {
    const moments = chart.markers.filter((marker) => marker.kind === kind);
    if (moments.length === 0) continue;
    const values = [...weights];
    for (const marker of moments) values[Math.round(marker.atSeconds / sampleSeconds)] = 100;
    series.push({ title: kind, kind, values });
  }
  series.push({ title: `${chart.candidate} weight (%)`, kind: "weight", values: weights });
  return { sampleSeconds, series };
}

/** The Mermaid source (without the Markdown fence). */
export function renderMermaidChart(chart: TrafficChart): string {
  const { series } = mermaidSeries(chart);
  const palette = series.map((entry) => PALETTE[entry.kind]).join(", ");
  return [
    "---",
    "config:",
    "  xyChart:",
    "    width: 900",
    "    height: 420",
    "  themeVariables:",
    "    xyChart:",
    `      plotColorPalette: "${palette}"`,
    "---",
    "xychart-beta",
    `  title ${quote(chart.title)}`,
    `  x-axis "minutes since start" 0 --> ${minutesLabel(chart.axisEndSeconds)}`,
    `  y-axis "${chart.candidate} weight (%)" 0 --> 100`,
    ...series.map((entry) => `  line ${quote(entry.title)} [${entry.values.join(", ")}]`),
  ].join("\n");
}

/** A Mermaid string literal: it has no escapes, so quotes and line breaks are replaced. */
function quote(text: string): string {
  const oneLine = [...text].map((char) =>
    char.charCodeAt(0) < 32 || char.charCodeAt(0) === 127 ? " " : char,
  );
  return `"${oneLine.join("").replace(/["\\]/g, "'")}"`;
}
