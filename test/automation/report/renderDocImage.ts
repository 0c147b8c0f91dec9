/**
 * Renders docs/images/rollout-report.png: the report's SVG chart of a rehearsed rollout that an
 * alarm rolled back in its 50% step (fixtures/rolled-back-alarm-dev.ndjson), screenshotted by
 * headless Chromium at twice its size.
 *
 *   npx tsx test/automation/report/renderDocImage.ts
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderRunReport, SVG_LAYOUT } from "../../../automation/report";
import { findChromium, screenshotSvg } from "./chromium";
import { fixtureText } from "./fixtures";

async function main(): Promise<void> {
  const chromium = findChromium();
  if ("missing" in chromium)
    throw new Error(`rendering the image needs headless Chromium: ${chromium.missing}`);
  const target = path.join(__dirname, "..", "..", "..", "docs", "images", "rollout-report.png");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const svg = renderRunReport(fixtureText("rolledBackAlarm"), { format: "svg" });
  await screenshotSvg(chromium.path, svg, target, { width: SVG_LAYOUT.width, height: SVG_LAYOUT.height }, 2);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
