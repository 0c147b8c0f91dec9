/**
 * Pipeline reporting: a rollout's events rendered as a run report (Markdown with a Mermaid chart
 * for GitHub job summaries, or a standalone SVG chart for other CI systems), and DORA metrics over
 * the audit log. Pure functions: the caller reads the files and writes the output.
 */
import { parseEventStream } from "./eventStream";
import { renderMarkdownReport } from "./markdown";
import { summariseRun } from "./runSummary";
import { renderSvgChart } from "./svgChart";
import { buildTrafficChart } from "./trafficChart";

export { EventStreamError, isKnownEvent, parseEventStream } from "./eventStream";
export type { EventStamp, StreamEvent, StreamLine, UnknownStreamEvent } from "./eventStream";
export { summariseRun } from "./runSummary";
export type { AlarmSighting, RevertSummary, RunSummary, StepSummary, WeightPoint } from "./runSummary";
export { buildTrafficChart, minutesLabel, stepVertices, weightAt } from "./trafficChart";
export type { ChartMarker, TrafficChart } from "./trafficChart";
export { MERMAID_SAMPLE_INTERVALS, mermaidSeries, renderMermaidChart } from "./mermaidChart";
export type { MermaidSeries } from "./mermaidChart";
export { SVG_LAYOUT, escapeXml, renderSvgChart, svgPoint } from "./svgChart";
export { OUTCOME_WORDS, renderMarkdownReport } from "./markdown";
export * from "./dora";
export * from "./doraRender";
export * from "./auditLog";
export * from "./history";

/** The formats `renderRunReport` writes. */
export const REPORT_FORMATS = ["markdown", "svg"] as const;

/** A format `renderRunReport` writes. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Options of `renderRunReport`. */
export interface RunReportOptions {
  /** `markdown` (the default): the whole report; `svg`: the traffic chart alone. */
  readonly format?: ReportFormat;
  /** The events file's name, for error messages. */
  readonly fileName?: string;
}

/** The run never moved traffic (a rejected run): there is no chart to draw. */
export class NoTrafficChartError extends Error {
  override readonly name = "NoTrafficChartError";
}

/**
 * Renders the report of one run from its NDJSON events (`bluegreen rollout --json`): the entry
 * point of `bluegreen report --events <file> [--format markdown|svg]`.
 *
 * @throws EventStreamError on malformed input, naming the line.
 * @throws NoTrafficChartError for `svg` when the run never moved traffic.
 */
export function renderRunReport(eventsText: string, options: RunReportOptions = {}): string {
  const summary = summariseRun(parseEventStream(eventsText, options.fileName));
  if ((options.format ?? "markdown") === "markdown") return renderMarkdownReport(summary);
  const chart = buildTrafficChart(summary);
  if (!chart) {
    throw new NoTrafficChartError(
      `the run ${summary.outcome ? `was ${summary.outcome}` : "ended"} before any traffic moved: there is no chart to draw`,
    );
  }
  return renderSvgChart(chart);
}
