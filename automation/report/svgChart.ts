/**
 * The traffic chart as a standalone SVG document, for CI systems that do not render Mermaid:
 * axes with labels, the candidate's weight as a true step line, dashed vertical markers for the
 * alarm and the revert, and a legend. Hand-written: the chart is simple and a plotting library
 * would be a dependency for one picture.
 */
import { formatDuration } from "../../infra/config/duration";
import { type ChartMarker, minutesLabel, stepVertices, type TrafficChart } from "./trafficChart";

/** The drawing's size and the plot area inside it, in SVG user units (pixels). */
export const SVG_LAYOUT = {
  width: 900,
  height: 440,
  plot: { left: 80, top: 88, width: 780, height: 282 },
} as const;

/** Y axis gridlines, in percent. */
const Y_TICKS = [0, 25, 50, 75, 100];

const COLOURS = {
  weight: "#2563eb",
  alarm: "#dc2626",
  revert: "#d97706",
  axis: "#374151",
  grid: "#e5e7eb",
  text: "#111827",
  muted: "#4b5563",
} as const;

/** Where a moment and a weight land in the drawing. */
export function svgPoint(chart: TrafficChart, seconds: number, percent: number): [number, number] {
  const { left, top, width, height } = SVG_LAYOUT.plot;
  return [round(left + (seconds / chart.axisEndSeconds) * width), round(top + (1 - percent / 100) * height)];
}

/** The chart as an SVG document. */
export function renderSvgChart(chart: TrafficChart): string {
  const { width, height, plot } = SVG_LAYOUT;
  const bottom = plot.top + plot.height;
  const right = plot.left + plot.width;
  const points = stepVertices(chart)
    .map(([seconds, percent]) => svgPoint(chart, seconds, percent).join(","))
    .join(" ");
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title" font-family="Helvetica, Arial, sans-serif">`,
    `<title id="chart-title">${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="18" font-weight="bold" fill="${COLOURS.text}">${escapeXml(chart.title)}</text>`,
  ];

  parts.push('<g class="y-axis">');
  for (const percent of Y_TICKS) {
    const [, y] = svgPoint(chart, 0, percent);
    parts.push(
      `<line x1="${plot.left}" y1="${y}" x2="${right}" y2="${y}" stroke="${COLOURS.grid}" stroke-width="1"/>`,
      `<text x="${plot.left - 10}" y="${y + 4}" text-anchor="end" font-size="13" fill="${COLOURS.muted}">${percent}%</text>`,
    );
  }
  const middle = plot.top + plot.height / 2;
  parts.push(
    `<text x="22" y="${middle}" text-anchor="middle" font-size="14" fill="${COLOURS.text}" transform="rotate(-90 22 ${middle})">${escapeXml(chart.candidate)} weight (%)</text>`,
    "</g>",
  );

  parts.push('<g class="x-axis">');
  for (const seconds of chart.ticks) {
    const [x] = svgPoint(chart, seconds, 0);
    parts.push(
      `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 6}" stroke="${COLOURS.axis}" stroke-width="1"/>`,
      `<text x="${x}" y="${bottom + 22}" text-anchor="middle" font-size="13" fill="${COLOURS.muted}">${minutesLabel(seconds)}</text>`,
    );
  }
  parts.push(
    `<line x1="${plot.left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="${COLOURS.axis}" stroke-width="1.5"/>`,
    `<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${bottom}" stroke="${COLOURS.axis}" stroke-width="1.5"/>`,
    `<text x="${plot.left + plot.width / 2}" y="${bottom + 48}" text-anchor="middle" font-size="14" fill="${COLOURS.text}">minutes since start</text>`,
    "</g>",
  );

  parts.push(...markerElements(chart));
  parts.push(
    `<polyline class="weight" points="${points}" fill="none" stroke="${COLOURS.weight}" stroke-width="3" stroke-linejoin="miter"/>`,
  );
  parts.push(...legend(chart));
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function markerElements(chart: TrafficChart): string[] {
  const { plot } = SVG_LAYOUT;
  const bottom = plot.top + plot.height;
  const elements: string[] = ['<g class="markers">'];
  // Markers at the same moment (an alarm and a revert within one poll) get labels on separate rows.
  const rowsUsed = new Map<number, number>();
  for (const marker of chart.markers) {
    const [x] = svgPoint(chart, marker.atSeconds, 0);
    const row = rowsUsed.get(x) ?? 0;
    rowsUsed.set(x, row + 1);
    const colour = COLOURS[marker.kind];
    const nearRightEdge = x > plot.left + plot.width - 120;
    const anchor = nearRightEdge ? "end" : "start";
    const labelX = nearRightEdge ? x - 6 : x + 6;
    elements.push(
      // Revert dashes fill the alarm's gaps, so both colours show when they share a moment.
      `<line class="marker ${marker.kind}" x1="${x}" y1="${plot.top}" x2="${x}" y2="${bottom}" stroke="${colour}" stroke-width="2.5" stroke-dasharray="6 6"${marker.kind === "revert" ? ' stroke-dashoffset="6"' : ""}/>`,
      `<text x="${labelX}" y="${plot.top + 16 + row * 17}" text-anchor="${anchor}" font-size="13" font-weight="bold" fill="${colour}">${escapeXml(markerLabel(marker))}</text>`,
    );
  }
  elements.push("</g>");
  return elements;
}

function markerLabel(marker: ChartMarker): string {
  return `${marker.kind} at ${formatDuration(marker.atSeconds)}`;
}

function legend(chart: TrafficChart): string[] {
  const entries: { label: string; colour: string; dashed: boolean }[] = [
    { label: `${chart.candidate} weight`, colour: COLOURS.weight, dashed: false },
  ];
  if (chart.markers.some((marker) => marker.kind === "alarm")) {
    entries.push({ label: "alarm", colour: COLOURS.alarm, dashed: true });
  }
  if (chart.markers.some((marker) => marker.kind === "revert")) {
    entries.push({ label: "revert", colour: COLOURS.revert, dashed: true });
  }
  const { plot } = SVG_LAYOUT;
  const elements: string[] = ['<g class="legend">'];
  let x = plot.left;
  const y = 58;
  for (const entry of entries) {
    const dash = entry.dashed ? ' stroke-dasharray="6 4"' : "";
    const strokeWidth = entry.dashed ? 2 : 3;
    elements.push(
      `<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${entry.colour}" stroke-width="${strokeWidth}"${dash}/>`,
      `<text x="${x + 36}" y="${y + 5}" font-size="14" fill="${COLOURS.text}">${escapeXml(entry.label)}</text>`,
    );
    x += 52 + entry.label.length * 8;
  }
  elements.push("</g>");
  return elements;
}

/** Text safe inside an XML element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  // XML 1.0 has no way to write the other control characters, even escaped.
  return [...text]
    .filter((char) => {
      const code = char.charCodeAt(0);
      return (code >= 32 && code !== 127) || char === "\t" || char === "\n" || char === "\r";
    })
    .join("")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
