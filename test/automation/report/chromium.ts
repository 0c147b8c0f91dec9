/**
 * Headless Chromium for the report tests: renders a Mermaid block with Mermaid's own renderer
 * (the `mermaid` package's browser bundle, loaded from node_modules over file://, no network) and
 * takes screenshots. Every run gets its own profile directory, so parallel runs never share one.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

/** Where Chromium is, or why it is not usable. */
export type ChromiumLookup = { readonly path: string } | { readonly missing: string };

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** Finds Chromium: CHROMIUM_PATH, else the usual names on the PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) {
    return isExecutable(explicit)
      ? { path: explicit }
      : { missing: `CHROMIUM_PATH=${explicit} is not an executable file` };
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of CANDIDATES) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return { path: candidate };
    }
  }
  return {
    missing: `no Chromium on the PATH (looked for ${CANDIDATES.join(", ")}; set CHROMIUM_PATH to use another)`,
  };
}

/** What Mermaid made of a block in the browser. */
export interface MermaidRendering {
  /** `ok` when mermaid.render resolved; `error` when it threw (a parse or render error). */
  readonly status: "ok" | "error" | "no-result";
  /** Mermaid's error message, when it threw. */
  readonly error?: string;
  /** The rendered SVG markup, as the browser serialised it. */
  readonly svg?: string;
}

/** Renders a Mermaid block in headless Chromium and reports what Mermaid produced. */
export async function renderMermaid(chromium: string, source: string): Promise<MermaidRendering> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-mermaid-"));
  try {
    const page = path.join(dir, "page.html");
    fs.writeFileSync(page, mermaidPage(source));
    const dom = await runChromium(chromium, dir, ["--dump-dom", pathToFileURL(page).href]);
    const status = /<body[^>]*data-status="(ok|error)"/.exec(dom)?.[1] as "ok" | "error" | undefined;
    const error = /<pre id="error">([\s\S]*?)<\/pre>/.exec(dom)?.[1];
    const svg = /<div id="out">([\s\S]*?)<\/div>\s*<pre id="error">/.exec(dom)?.[1];
    return { status: status ?? "no-result", error: error ? decodeEntities(error) : undefined, svg };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Screenshots an SVG document, at its own size times `scale` (2 for sharp text on HiDPI screens), to a PNG file. */
export async function screenshotSvg(
  chromium: string,
  svg: string,
  pngFile: string,
  size: { width: number; height: number },
  scale = 1,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-shot-"));
  try {
    const page = path.join(dir, "page.html");
    fs.writeFileSync(
      page,
      `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff}</style></head><body>${svg}</body></html>`,
    );
    await runChromium(chromium, dir, [
      `--window-size=${size.width},${size.height}`,
      `--force-device-scale-factor=${scale}`,
      "--hide-scrollbars",
      `--screenshot=${path.resolve(pngFile)}`,
      pathToFileURL(page).href,
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function mermaidPage(source: string): string {
  const bundle = pathToFileURL(require.resolve("mermaid/dist/mermaid.min.js")).href;
  // The source goes in as a JSON string literal; "<" escaped so nothing in it can close the script.
  const literal = JSON.stringify(source).replace(/</g, "\\u003c");
  return `<!doctype html>
<html><head><meta charset="utf-8"></head>
<body>
<div id="out"></div>
<pre id="error"></pre>
<script src="${bundle}"></script>
<script>
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  mermaid.render("chart", ${literal}).then(
    ({ svg }) => {
      document.getElementById("out").innerHTML = svg;
      document.body.setAttribute("data-status", "ok");
    },
    (error) => {
      document.getElementById("error").textContent = String((error && error.message) || error);
      document.body.setAttribute("data-status", "error");
    },
  );
</script>
</body></html>
`;
}

function runChromium(chromium: string, profileDir: string, args: string[]): Promise<string> {
  const base = [
    "--headless",
    // Containers and CI runners often run as root, where Chromium's sandbox refuses to start.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--allow-file-access-from-files",
    `--user-data-dir=${path.join(profileDir, "profile")}`,
    // Lets Mermaid's asynchronous render finish before the DOM is dumped or the screenshot taken.
    "--virtual-time-budget=15000",
  ];
  return new Promise((resolve, reject) => {
    execFile(
      chromium,
      [...base, ...args],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${chromium} failed: ${error.message}\n${stderr.slice(-2000)}`));
        else resolve(stdout);
      },
    );
  });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
