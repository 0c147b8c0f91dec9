import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  buildTrafficChart,
  mermaidSeries,
  parseEventStream,
  renderMermaidChart,
  renderRunReport,
  summariseRun,
  SVG_LAYOUT,
  type TrafficChart,
} from "../../../automation/report";
import { findChromium, renderMermaid, screenshotSvg } from "./chromium";
import { type FIXTURES, fixtureText } from "./fixtures";
import { findAll, parseXml, textOf } from "./xml";

/**
 * The Mermaid block rendered by Mermaid itself (the `mermaid` package, in headless Chromium), so
 * a block GitHub would show as "Unable to render" fails here. Skips, saying why, without Chromium.
 */

function chartOf(name: keyof typeof FIXTURES): TrafficChart {
  const chart = buildTrafficChart(summariseRun(parseEventStream(fixtureText(name))));
  assert.ok(chart);
  return chart;
}

/** The y coordinates of an SVG path's vertices (`M x,y L x,y ...` as d3 writes them). */
function pathYs(d: string): number[] {
  return [...d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((match) => Number(match[2]));
}

describe("report: the Mermaid chart rendered by Mermaid in Chromium", function () {
  this.timeout(120_000);
  let chromium = "";

  before(function () {
    const found = findChromium();
    if ("missing" in found) {
      console.log(`      skipped: rendering Mermaid needs headless Chromium: ${found.missing}`);
      this.skip();
    }
    chromium = found.path;
  });

  for (const name of ["promoted", "rolledBackAlarm"] as const) {
    it(`${name}: renders without a Mermaid error, one line per series, through the sampled weights`, async () => {
      const chart = chartOf(name);
      const rendering = await renderMermaid(chromium, renderMermaidChart(chart));
      assert.equal(rendering.status, "ok", rendering.error);
      assert.ok(rendering.svg, "the rendered SVG is in the page");
      const root = parseXml(rendering.svg);
      // Mermaid draws a failed diagram as its "error" diagram ("Syntax error in text") instead.
      assert.equal(root.attributes["aria-roledescription"], "xychart");
      assert.doesNotMatch(findAll(root, "text").map(textOf).join(" "), /Syntax error/);
      const { series } = mermaidSeries(chart);
      const plots = findAll(root, "g").filter((group) =>
        /\bline-plot-\d+\b/.test(group.attributes.class ?? ""),
      );
      assert.equal(plots.length, series.length);

      // The last line drawn is the weight: its vertices' heights are a linear map of the samples.
      const d = findAll(plots[plots.length - 1], "path")[0]?.attributes.d ?? "";
      const ys = pathYs(d);
      const weights = series[series.length - 1].values;
      assert.equal(ys.length, weights.length);
      const low = weights.indexOf(Math.min(...weights));
      const high = weights.indexOf(Math.max(...weights));
      const scale = (ys[high] - ys[low]) / (weights[high] - weights[low]);
      assert.ok(scale < 0, "higher weights are drawn higher up");
      weights.forEach((weight, index) => {
        assert.ok(
          Math.abs(ys[index] - (ys[low] + (weight - weights[low]) * scale)) < 0.01,
          `sample ${index}`,
        );
      });
    });
  }

  it("the check fails for a block Mermaid cannot parse", async () => {
    const broken = renderMermaidChart(chartOf("promoted")).replace("x-axis", "x-axes");
    const rendering = await renderMermaid(chromium, broken);
    assert.equal(rendering.status, "error");
    assert.ok(rendering.error && rendering.error.length > 0);
  });

  it("the standalone SVG opens in the browser without an XML error and is drawn at its size", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-report-"));
    try {
      const png = path.join(dir, "chart.png");
      const svg = renderRunReport(fixtureText("rolledBackAlarm"), { format: "svg" });
      await screenshotSvg(chromium, svg, png, { width: SVG_LAYOUT.width, height: SVG_LAYOUT.height });
      const image = fs.readFileSync(png);
      assert.equal(image.subarray(1, 4).toString("latin1"), "PNG");
      assert.equal(image.readUInt32BE(16), SVG_LAYOUT.width);
      assert.equal(image.readUInt32BE(20), SVG_LAYOUT.height);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
