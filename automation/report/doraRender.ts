/**
 * DORA metrics as a terminal table, Markdown or JSON: the value, the SOP's target and acceptable
 * level beside it, the rating, and what the value rests on.
 */
import { formatDuration } from "../../infra/config/duration";
import type { DoraMetric, DoraReport } from "./dora";

/** The formats `renderDora` writes. */
export const DORA_FORMATS = ["table", "markdown", "json"] as const;

/** A format `renderDora` writes. */
export type DoraFormat = (typeof DORA_FORMATS)[number];

const HEADERS = ["metric", "value", "SOP target", "acceptable", "rating", "based on"] as const;

/** The report's rows, as text cells, in the table's column order. */
export function doraRows(report: DoraReport): string[][] {
  const metrics: [string, DoraMetric, (value: number) => string][] = [
    ["deployment frequency", report.deploymentFrequency, formatFrequency],
    ["lead time for changes", report.leadTime, formatDuration],
    ["change failure rate", report.changeFailureRate, formatPercent],
    ["mean time to recovery", report.meanTimeToRecovery, formatDuration],
  ];
  return metrics.map(([name, metric, format]) => [
    name,
    metric.value === undefined ? "n/a" : format(metric.value),
    metric.target,
    metric.acceptable,
    metric.rating,
    metric.note,
  ]);
}

/** Renders the report in a format. */
export function renderDora(report: DoraReport, format: DoraFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report)}\n`;
    case "markdown":
      return renderMarkdown(report);
    case "table":
      return renderTable(report);
  }
}

function heading(report: DoraReport): string {
  const stacks = report.stacks === "all" ? "all stacks" : `stacks ${report.stacks.join(", ")}`;
  const from = report.window.from.slice(0, 10);
  const to = report.window.to.slice(0, 10);
  return `DORA metrics, ${stacks}, ${from} to ${to} (${report.window.days} days): ${report.attempts} ${report.attempts === 1 ? "rollout" : "rollouts"}, ${report.promoted} promoted, ${report.failed} rolled back or failed, ${report.aborted} aborted`;
}

function renderTable(report: DoraReport): string {
  const rows = [HEADERS.map(String), ...doraRows(report)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join("  ")
      .trimEnd(),
  );
  return `${heading(report)}\n${sourceLine(report)}\n${lines.join("\n")}\n`;
}

/** "read from <source>" and a newline, or nothing when the report does not know its source. */
function sourceLine(report: DoraReport): string {
  return report.source === undefined ? "" : `read from ${report.source}\n`;
}

function renderMarkdown(report: DoraReport): string {
  const lines = [
    `### ${heading(report)}`,
    "",
    ...(report.source === undefined ? [] : [`Read from ${report.source}.`, ""]),
    `| ${HEADERS.join(" | ")} |`,
    "| --- | ---: | --- | --- | --- | --- |",
    ...doraRows(report).map((row) => `| ${row.map((cell) => cell.replace(/\|/g, "\\|")).join(" | ")} |`),
  ];
  return `${lines.join("\n")}\n`;
}

function formatFrequency(perDay: number): string {
  if (perDay >= 1) return `${trim(perDay)} per day`;
  if (perDay * 7 >= 1) return `${trim(perDay * 7)} per week`;
  return `${trim(perDay * 30)} per 30 days`;
}

function formatPercent(rate: number): string {
  return `${trim(rate * 100)}%`;
}

function trim(value: number): string {
  return String(Math.round(value * 10) / 10);
}
