/**
 * The run report as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` (or a pull request
 * comment): the outcome first, then the facts a reviewer asks for (what, where, how long), the
 * steps as they happened, the revert, and the traffic chart as a Mermaid block.
 */
import { formatDuration } from "../../infra/config/duration";
import type { Outcome } from "../events";
import { renderMermaidChart } from "./mermaidChart";
import type { RunSummary, StepSummary } from "./runSummary";
import { buildTrafficChart } from "./trafficChart";

/** How each outcome reads in a heading. */
export const OUTCOME_WORDS: Record<Outcome, string> = {
  promoted: "promoted",
  "rolled-back": "rolled back",
  aborted: "aborted",
  failed: "failed",
  rejected: "rejected",
};

/** The report as Markdown. */
export function renderMarkdownReport(summary: RunSummary): string {
  const outcome = summary.outcome ? OUTCOME_WORDS[summary.outcome] : "did not finish";
  const subject = summary.version ? `Rollout of ${code(summary.version)}` : "Rollout";
  const where = summary.stack ? ` to ${code(summary.stack)}` : "";
  const lines: string[] = [`### ${subject}${where}: ${outcome}`, ""];

  lines.push("| | |", "| --- | --- |");
  const exit = summary.exitCode === undefined ? "" : ` (exit ${summary.exitCode})`;
  lines.push(
    row("Outcome", summary.outcome ? `**${outcome}**${exit}` : "no `completed` event: the run was cut off"),
  );
  if (summary.version) {
    const colours = summary.candidate
      ? ` on ${summary.candidate}${summary.stable ? ` (stable: ${summary.stable})` : ""}`
      : "";
    lines.push(row("Version", `${code(summary.version)}${colours}`));
  }
  if (summary.stack) lines.push(row("Stack", code(summary.stack)));
  if (summary.startedAt)
    lines.push(row("Started", summary.startedAt.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC")));
  lines.push(row("Duration", formatDuration(summary.durationSeconds)));
  if (summary.resumed) lines.push(row("Resumed", "yes: continued a rollout a previous run left in progress"));
  if (summary.revert) {
    lines.push(
      row(
        "Reverted",
        `at ${formatDuration(summary.revert.atSeconds)}: traffic verified back on ${summary.stable ?? "the stable colour"}`,
      ),
      row(
        "Time to revert",
        `${formatDuration(summary.revert.secondsToRevert)} from the trigger to the verified revert`,
      ),
      row("Revert reason", escapeCell(summary.revert.reason)),
    );
  }
  if (summary.reason && summary.reason !== summary.revert?.reason)
    lines.push(row("Reason", escapeCell(summary.reason)));
  lines.push("");

  if (summary.preflightFailures.length > 0) {
    lines.push("#### Preflight", "");
    for (const failure of summary.preflightFailures) {
      lines.push(`- ${code(failure.check)} failed: ${escapeInline(failure.detail)}`);
    }
    lines.push("");
  }

  if (summary.steps.length > 0) {
    lines.push(
      "#### Steps",
      "",
      "| Step | Weight | Start | Bake | Alarms seen |",
      "| ---: | ---: | ---: | --- | --- |",
    );
    for (const step of summary.steps) lines.push(stepRow(step));
    lines.push("");
  }

  const chart = buildTrafficChart(summary);
  if (chart) {
    lines.push(`#### Traffic to ${chart.candidate}`, "", "```mermaid", renderMermaidChart(chart), "```", "");
    lines.push(chartCaption(summary, chart.candidate), "");
  }

  if (summary.warnings.length > 0) {
    lines.push("#### Warnings", "");
    for (const warning of summary.warnings) lines.push(`- ${escapeInline(warning)}`);
    lines.push("");
  }
  return `${lines.join("\n")}`;
}

function stepRow(step: StepSummary): string {
  const planned = step.plannedBakeSeconds;
  let bake = formatDuration(step.bakedSeconds);
  if (planned !== undefined && Math.round(step.bakedSeconds) !== planned)
    bake += ` of ${formatDuration(planned)}`;
  if (step.endedBy === "reverted") bake += ", then reverted";
  else if (step.endedBy === "end") bake += ", run ended";
  const alarms = step.alarms.map((alarm) => `${code(alarm.name)} ${alarm.state}`);
  if (step.alarmReadFailures > 0) {
    alarms.push(
      `alarms unreadable ${step.alarmReadFailures} ${step.alarmReadFailures === 1 ? "time" : "times"}`,
    );
  }
  return `| ${step.step}/${step.of} | ${step.weight}% | ${formatDuration(step.startSeconds)} | ${bake} | ${alarms.length > 0 ? alarms.join(", ") : "none"} |`;
}

/**
 * What the chart shows, in words: GitHub's Mermaid may be too old to draw the legend, and a
 * screen reader gets nothing from a chart.
 */
function chartCaption(summary: RunSummary, candidate: string): string {
  const steps = summary.steps.map((step) => `${step.weight}% at ${formatDuration(step.startSeconds)}`);
  const parts = [
    `The line is ${candidate}'s share of traffic${steps.length > 0 ? ` (${steps.join(", ")})` : ""}.`,
  ];
  const alarmMoments = [
    ...new Set(summary.alarms.filter((alarm) => alarm.state === "ALARM").map((alarm) => alarm.atSeconds)),
  ];
  if (alarmMoments.length > 0) {
    parts.push(`The red spike marks the alarm (${alarmMoments.map((at) => formatDuration(at)).join(", ")}).`);
  }
  if (summary.revert) {
    parts.push(`The orange spike marks the revert (${formatDuration(summary.revert.atSeconds)}).`);
  }
  return parts.join(" ");
}

function row(key: string, value: string): string {
  return `| ${key} | ${value} |`;
}

/** A code span that survives any content: backticks inside get a longer fence. */
function code(text: string): string {
  const clean = text.replace(/[\r\n|]+/g, " ");
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Text inside a table cell: no line breaks, no pipes, no Markdown or HTML interpretation. */
function escapeCell(text: string): string {
  return escapeInline(text).replace(/\|/g, "\\|");
}

/** Text in a paragraph or list item, shown as written. */
function escapeInline(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/([\\`*_[\]#~])/g, "\\$1")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}
