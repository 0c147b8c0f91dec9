import assert from "node:assert/strict";
import { renderRunReport } from "../../../automation/report";
import { fixtureText, rawEvents, withTimes } from "./fixtures";

/** The rows of the Markdown table that follows a heading, as cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `heading ${heading}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === "" && rows.length === 0) continue;
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2);
}

/** The facts table at the top: key to value. */
function facts(markdown: string): Map<string, string> {
  const lines = markdown.split("\n");
  const rows: string[] = [];
  for (const line of lines.slice(lines.indexOf("| | |") + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line);
  }
  return new Map(
    rows.map((line) => {
      const [key, ...value] = line.slice(2, -2).split(" | ");
      return [key, value.join(" | ")];
    }),
  );
}

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((match) => match[1]);
}

describe("report: Markdown for the job summary", () => {
  it("a promoted run: heading, facts, one row per step, the chart", () => {
    const markdown = renderRunReport(fixtureText("promoted"));
    assert.equal(markdown.split("\n")[0], "### Rollout of `2.0.0` to `dev`: promoted");
    const table = facts(markdown);
    assert.equal(table.get("Outcome"), "**promoted** (exit 0)");
    assert.equal(table.get("Version"), "`2.0.0` on green (stable: blue)");
    assert.equal(table.get("Stack"), "`dev`");
    assert.equal(table.get("Duration"), "25m");
    assert.equal(table.has("Reverted"), false);
    assert.deepEqual(tableAfter(markdown, "#### Steps"), [
      ["1/4", "10%", "0s", "5m", "none"],
      ["2/4", "25%", "5m", "5m", "none"],
      ["3/4", "50%", "10m", "5m", "none"],
      ["4/4", "100%", "15m", "10m", "none"],
    ]);
    assert.equal(mermaidBlocks(markdown).length, 1);
    assert.match(
      markdown,
      /The line is green's share of traffic \(10% at 0s, 25% at 5m, 50% at 10m, 100% at 15m\)\./,
    );
  });

  it("a run rolled back by an alarm: the step cut short with its alarms, the revert, time to revert, reason", () => {
    const markdown = renderRunReport(fixtureText("rolledBackAlarm"));
    const reverted = rawEvents("rolledBackAlarm").find((event) => event.type === "reverted");
    assert.equal(markdown.split("\n")[0], "### Rollout of `2.0.0` to `dev`: rolled back");
    const table = facts(markdown);
    assert.equal(table.get("Outcome"), "**rolled back** (exit 3)");
    assert.equal(table.get("Duration"), "12m");
    assert.equal(table.get("Reverted"), "at 12m: traffic verified back on blue");
    assert.equal(table.get("Time to revert"), "0s from the trigger to the verified revert");
    assert.equal(table.get("Revert reason"), reverted?.reason);
    assert.equal(table.has("Reason"), false, "the completion reason repeats the revert's and is shown once");
    assert.deepEqual(tableAfter(markdown, "#### Steps"), [
      ["1/4", "10%", "0s", "5m", "none"],
      ["2/4", "25%", "5m", "5m", "none"],
      [
        "3/4",
        "50%",
        "10m",
        "2m of 5m, then reverted",
        "`checkout-dev-green` ALARM, `checkout-dev-green-error-rate` ALARM",
      ],
    ]);
    assert.match(
      markdown,
      /The red spike marks the alarm \(12m\)\. The orange spike marks the revert \(12m\)\./,
    );
  });

  it("a run rolled back on unreadable alarms: the failed reads in the step, no alarm mark", () => {
    const markdown = renderRunReport(fixtureText("rolledBackUnreadable"));
    assert.deepEqual(tableAfter(markdown, "#### Steps")[1], [
      "2/4",
      "25%",
      "5m",
      "1m30s of 5m, then reverted",
      "alarms unreadable 4 times",
    ]);
    assert.equal(facts(markdown).get("Time to revert"), "0s from the trigger to the verified revert");
    assert.doesNotMatch(markdown, /red spike/);
    assert.match(markdown, /The orange spike marks the revert \(6m30s\)\./);
  });

  it("a rejected run: the failed preflight check, no steps, no chart", () => {
    const markdown = renderRunReport(fixtureText("rejected"));
    assert.equal(markdown.split("\n")[0], "### Rollout: rejected");
    assert.equal(facts(markdown).get("Outcome"), "**rejected** (exit 2)");
    assert.match(
      markdown,
      /^- `version` failed: version 1\.4\.2 already serves 100% on blue; nothing to roll out$/m,
    );
    assert.doesNotMatch(markdown, /#### Steps/);
    assert.deepEqual(mermaidBlocks(markdown), []);
  });

  it("shows the start time when the events carry times", () => {
    const markdown = renderRunReport(withTimes("promoted", "2025-11-30T21:00:00.000Z"));
    assert.equal(facts(markdown).get("Started"), "2025-11-30 21:00:00 UTC");
    assert.equal(facts(renderRunReport(fixtureText("promoted"))).has("Started"), false);
  });

  it("a run cut off before completing says so", () => {
    const text = fixtureText("promoted").split("\n").slice(0, 60).join("\n");
    const markdown = renderRunReport(text);
    assert.equal(markdown.split("\n")[0], "### Rollout of `2.0.0` to `dev`: did not finish");
    assert.match(tableAfter(markdown, "#### Steps").at(-1)?.[3] ?? "", /, run ended$/);
  });

  it("keeps a reason with pipes, markup and line breaks inside its table cell", () => {
    const events = rawEvents("rolledBackAlarm").map((event) =>
      event.type === "reverted" || event.type === "completed"
        ? { ...event, reason: "alarm a|b is ALARM:\n<img src=x> *bold* `tick`" }
        : event,
    );
    const markdown = renderRunReport(events.map((event) => JSON.stringify(event)).join("\n"));
    const row = markdown.split("\n").find((line) => line.startsWith("| Revert reason |"));
    assert.equal(row, "| Revert reason | alarm a\\|b is ALARM: &lt;img src=x&gt; \\*bold\\* \\`tick\\` |");
  });
});
