import assert from "node:assert/strict";
import {
  buildTrafficChart,
  MERMAID_SAMPLE_INTERVALS,
  mermaidSeries,
  parseEventStream,
  renderMermaidChart,
  renderRunReport,
  renderSvgChart,
  type RunSummary,
  stepVertices,
  summariseRun,
  SVG_LAYOUT,
  type TrafficChart,
  weightAt,
} from "../../../automation/report";
import { FIXTURES, fixtureText, rawEvents, rawOfType } from "./fixtures";
import { findAll, parseXml, textOf, XmlError } from "./xml";

function chartOf(name: keyof typeof FIXTURES): TrafficChart {
  const chart = buildTrafficChart(summariseRun(parseEventStream(fixtureText(name))));
  assert.ok(chart, `${name} has a chart`);
  return chart;
}

/** The step line's vertices computed from the raw events alone. */
function expectedVertices(name: keyof typeof FIXTURES): [number, number][] {
  const raw = rawEvents(name);
  const changes = raw
    .filter((event) => event.type === "shifted" || event.type === "reverted")
    .map((event) => [event.elapsedSeconds, (event.weights as { green: number }).green] as [number, number]);
  const end = raw.at(-1)?.elapsedSeconds ?? 0;
  const vertices: [number, number][] = [];
  for (const [at, weight] of changes) {
    if (vertices.length > 0) vertices.push([at, vertices[vertices.length - 1][1]]);
    vertices.push([at, weight]);
  }
  vertices.push([end, vertices[vertices.length - 1][1]]);
  return vertices.filter(
    (vertex, index) =>
      index === 0 || vertex[0] !== vertices[index - 1][0] || vertex[1] !== vertices[index - 1][1],
  );
}

function summaryWith(overrides: Partial<RunSummary>): RunSummary {
  return {
    resumed: false,
    durationSeconds: 0,
    plannedSteps: [],
    steps: [],
    alarms: [],
    weights: [],
    preflightFailures: [],
    warnings: [],
    candidate: "green",
    ...overrides,
  };
}

describe("report: the traffic chart", () => {
  describe("the x axis", () => {
    const cases: { name: string; runEnd: number; revertAtEnd: boolean; axisEnd: number; tick: number }[] = [
      { name: "the 25-minute SOP plan", runEnd: 1500, revertAtEnd: false, axisEnd: 1500, tick: 300 },
      {
        name: "a revert at 12m leaves room after it",
        runEnd: 720,
        revertAtEnd: true,
        axisEnd: 840,
        tick: 120,
      },
      { name: "a revert at 6m30s", runEnd: 390.464, revertAtEnd: true, axisEnd: 420, tick: 60 },
      { name: "a quick plan of 6 minutes", runEnd: 360, revertAtEnd: false, axisEnd: 360, tick: 60 },
      { name: "a two-minute run", runEnd: 120, revertAtEnd: false, axisEnd: 120, tick: 30 },
      { name: "the careful plan, 55 minutes", runEnd: 3300, revertAtEnd: false, axisEnd: 3600, tick: 600 },
      { name: "a run that never got past 0s", runEnd: 0, revertAtEnd: false, axisEnd: 30, tick: 30 },
    ];
    for (const testCase of cases) {
      it(`${testCase.name}: 0 to ${testCase.axisEnd}s, ticks every ${testCase.tick}s`, () => {
        const chart = buildTrafficChart(
          summaryWith({
            durationSeconds: testCase.runEnd,
            weights: [{ atSeconds: 0, weight: 10 }],
            revert: testCase.revertAtEnd
              ? {
                  atSeconds: testCase.runEnd,
                  triggerAtSeconds: testCase.runEnd,
                  secondsToRevert: 0,
                  reason: "r",
                }
              : undefined,
          }),
        );
        assert.equal(chart?.axisEndSeconds, testCase.axisEnd);
        assert.deepEqual(
          chart?.ticks,
          Array.from({ length: testCase.axisEnd / testCase.tick + 1 }, (_, index) => index * testCase.tick),
        );
      });
    }
  });

  it("has no chart for a run that never moved traffic", () => {
    assert.equal(buildTrafficChart(summariseRun(parseEventStream(fixtureText("rejected")))), undefined);
  });

  it("marks the alarm and the revert at the moments the events give", () => {
    const raw = rawEvents("rolledBackAlarm");
    const alarmAt = rawOfType(raw, "alarm").find((event) => event.state === "ALARM")?.elapsedSeconds;
    const revertAt = rawOfType(raw, "reverted")[0].elapsedSeconds;
    assert.deepEqual(
      chartOf("rolledBackAlarm").markers.map((marker) => [marker.kind, marker.atSeconds]),
      [
        ["alarm", alarmAt],
        ["revert", revertAt],
      ],
    );
    assert.equal(
      chartOf("rolledBackAlarm").markers[0].detail,
      "checkout-dev-green, checkout-dev-green-error-rate",
    );
    assert.deepEqual(
      chartOf("rolledBackUnreadable").markers.map((marker) => marker.kind),
      ["revert"],
    );
    assert.deepEqual(chartOf("promoted").markers, []);
  });

  for (const name of ["promoted", "rolledBackAlarm", "rolledBackUnreadable"] as const) {
    it(`${FIXTURES[name]}: the step line's vertices match the events`, () => {
      assert.deepEqual(stepVertices(chartOf(name)), expectedVertices(name));
    });
  }

  describe("weightAt", () => {
    const points = [
      { atSeconds: 0, weight: 10 },
      { atSeconds: 300, weight: 25 },
      { atSeconds: 720, weight: 0 },
    ];
    const cases: [number, number][] = [
      [0, 10],
      [299.9, 10],
      [300, 25],
      [719, 25],
      [720, 0],
      [9999, 0],
    ];
    for (const [at, weight] of cases) {
      it(`is ${weight}% at ${at}s`, () => assert.equal(weightAt(points, at), weight));
    }
    it("is 0% before the first point", () => assert.equal(weightAt([{ atSeconds: 60, weight: 10 }], 30), 0));
  });

  describe("as a Mermaid block", () => {
    it("samples the weight on a regular grid across the axis, and spikes the markers to 100%", () => {
      const chart = chartOf("rolledBackAlarm");
      const { sampleSeconds, series } = mermaidSeries(chart);
      assert.equal(sampleSeconds, 840 / MERMAID_SAMPLE_INTERVALS);
      assert.deepEqual(
        series.map((entry) => entry.kind),
        ["revert", "alarm", "weight"],
      );
      const weight = series[2].values;
      assert.equal(weight.length, MERMAID_SAMPLE_INTERVALS + 1);
      // Every sample is the weight the events put in force at that moment.
      const changes = expectedVertices("rolledBackAlarm");
      weight.forEach((value, index) => {
        const at = index * sampleSeconds;
        const inForce = changes.filter(([time]) => time <= at).at(-1)?.[1] ?? 0;
        assert.equal(value, inForce, `sample ${index} at ${at}s`);
      });
      const spike = Math.round(720 / sampleSeconds);
      for (const marker of [series[0], series[1]]) {
        assert.equal(marker.values[spike], 100);
        assert.deepEqual(
          marker.values.filter((_, index) => index !== spike),
          weight.filter((_, index) => index !== spike),
        );
      }
    });

    it("writes the axes, the title and one line per series in drawing order", () => {
      const source = renderMermaidChart(chartOf("rolledBackAlarm"));
      const lines = source.split("\n");
      assert.ok(lines.includes("xychart-beta"));
      assert.ok(lines.includes('  title "Traffic to 2.0.0 on green, stack dev"'));
      assert.ok(lines.includes('  x-axis "minutes since start" 0 --> 14'));
      assert.ok(lines.includes('  y-axis "green weight (%)" 0 --> 100'));
      assert.deepEqual(
        lines
          .filter((line) => line.startsWith("  line "))
          .map((line) => /^ {2}line "([^"]+)"/.exec(line)?.[1]),
        ["revert", "alarm", "green weight (%)"],
      );
      assert.ok(lines.includes('      plotColorPalette: "#f59e0b, #dc2626, #2563eb"'));
    });

    it("cannot be broken out of its quotes by a version string", () => {
      const chart = buildTrafficChart(
        summaryWith({ version: '2.0"\n  line [1]', stack: "dev", weights: [{ atSeconds: 0, weight: 10 }] }),
      );
      assert.ok(chart);
      const title = renderMermaidChart(chart)
        .split("\n")
        .filter((line) => line.includes("title"));
      assert.deepEqual(title, ['  title "Traffic to 2.0\'   line [1] on green, stack dev"']);
    });
  });

  describe("as an SVG document", () => {
    for (const name of ["promoted", "rolledBackAlarm", "rolledBackUnreadable"] as const) {
      it(`${FIXTURES[name]}: well-formed, and the polyline's points are the events' vertices on the plot`, () => {
        const chart = chartOf(name);
        const root = parseXml(renderSvgChart(chart));
        assert.equal(root.name, "svg");
        assert.equal(root.attributes.xmlns, "http://www.w3.org/2000/svg");
        const [polyline] = findAll(root, "polyline");
        const { left, top, width, height } = SVG_LAYOUT.plot;
        const expected = expectedVertices(name).map(([seconds, percent]) =>
          [
            Math.round((left + (seconds / chart.axisEndSeconds) * width) * 10) / 10,
            Math.round((top + (1 - percent / 100) * height) * 10) / 10,
          ].join(","),
        );
        assert.deepEqual(polyline.attributes.points.split(" "), expected);
      });
    }

    it("draws a dashed vertical marker for the alarm and the revert, labels them and lists them in the legend", () => {
      const chart = chartOf("rolledBackAlarm");
      const root = parseXml(renderSvgChart(chart));
      const x =
        Math.round((SVG_LAYOUT.plot.left + (720 / chart.axisEndSeconds) * SVG_LAYOUT.plot.width) * 10) / 10;
      const markers = findAll(root, "line").filter((line) =>
        (line.attributes.class ?? "").startsWith("marker"),
      );
      assert.deepEqual(
        markers.map((line) => [
          line.attributes.class,
          Number(line.attributes.x1),
          Number(line.attributes.x2),
        ]),
        [
          ["marker alarm", x, x],
          ["marker revert", x, x],
        ],
      );
      for (const marker of markers) {
        assert.equal(Number(marker.attributes.y1), SVG_LAYOUT.plot.top);
        assert.equal(Number(marker.attributes.y2), SVG_LAYOUT.plot.top + SVG_LAYOUT.plot.height);
        assert.ok(marker.attributes["stroke-dasharray"]);
      }
      const texts = findAll(root, "text").map(textOf);
      assert.ok(texts.includes("alarm at 12m"));
      assert.ok(texts.includes("revert at 12m"));
      const legend = findAll(root, "g").find((group) => group.attributes.class === "legend");
      assert.deepEqual(findAll(legend ?? root, "text").map(textOf), ["green weight", "alarm", "revert"]);
    });

    it("labels the axes: percent on y, minutes on x at every tick", () => {
      const chart = chartOf("promoted");
      const texts = findAll(parseXml(renderSvgChart(chart)), "text").map(textOf);
      for (const label of ["0%", "25%", "50%", "75%", "100%", "0", "5", "10", "15", "20", "25"]) {
        assert.ok(texts.includes(label), `label ${label}`);
      }
      assert.ok(texts.includes("minutes since start"));
      assert.ok(texts.includes("green weight (%)"));
      assert.ok(texts.includes("Traffic to 2.0.0 on green, stack dev"));
    });

    it("escapes a hostile stack name and version into text, never markup", () => {
      const chart = buildTrafficChart(
        summaryWith({
          stack: "dev</text><script>alert(1)</script>",
          version: "1 & 2 \u0007",
          weights: [{ atSeconds: 0, weight: 10 }],
          durationSeconds: 60,
        }),
      );
      assert.ok(chart);
      const root = parseXml(renderSvgChart(chart));
      assert.deepEqual(findAll(root, "script"), []);
      assert.equal(
        textOf(findAll(root, "title")[0]),
        "Traffic to 1 & 2  on green, stack dev</text><script>alert(1)</script>",
      );
    });

    it("the XML check itself rejects what is not well-formed", () => {
      const broken = [
        "<svg><g></svg>",
        "<svg a='1' a='2'/>",
        "<svg>&nbsp;</svg>",
        "<svg/><svg/>",
        "<svg>a & b</svg>",
      ];
      for (const source of broken) assert.throws(() => parseXml(source), XmlError, source);
    });

    it("renderRunReport writes the SVG, and refuses a run without a chart with a clear message", () => {
      assert.equal(
        renderRunReport(fixtureText("promoted"), { format: "svg" }),
        renderSvgChart(chartOf("promoted")),
      );
      assert.throws(
        () => renderRunReport(fixtureText("rejected"), { format: "svg" }),
        /the run was rejected before any traffic moved: there is no chart to draw/,
      );
    });
  });
});
