/**
 * The guardian's handler as one CommonJS file, bundled with esbuild from its TypeScript entry:
 * what {@link RolloutGuardian} ships as its Lambda function's code. Internal to the component
 * (not in the barrel); the bench bundles with it too, so it measures what is deployed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The runtime the bundle targets; the function runs on the same one. */
export const GUARDIAN_NODE_TARGET = "node22";

/** Bundles already built in this process, by entry file: one bundle per program run. */
const bundles = new Map<string, string>();

/**
 * The handler at `entryFile` bundled with everything it imports, AWS SDK clients included:
 * bundled rather than taken from the runtime's copy of the SDK, so the function runs the SDK
 * version the tests ran. Minified, without source maps or legal comments: esbuild's unminified
 * output names each bundled file by its path, which differs between machines (the shared
 * node_modules of one, the checkout of another), and the asset's hash must be the same on every
 * machine or each `pulumi up` from a new checkout would replace the function's code. Names are
 * kept, so a stack trace in the function's log still reads.
 *
 * Built synchronously: the program registers resources in order, and nothing here may run inside
 * an `apply`. Throws, naming the entry, when the entry is missing or does not build.
 */
export function bundleGuardianHandler(entryFile: string): string {
  const entry = path.resolve(entryFile);
  const cached = bundles.get(entry);
  if (cached !== undefined) return cached;
  const text = buildGuardianBundle(entry);
  bundles.set(entry, text);
  return text;
}

/** Bundles the handler at `entryFile` afresh, as {@link bundleGuardianHandler} describes. */
export function buildGuardianBundle(entryFile: string): string {
  const entry = path.resolve(entryFile);
  if (!fs.existsSync(entry)) throw new Error(`the guardian's handler ${entry} does not exist`);
  // Loaded on first use: the CLI and the program's load never pay for esbuild unless they bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: path.dirname(entry),
    bundle: true,
    platform: "node",
    target: GUARDIAN_NODE_TARGET,
    format: "cjs",
    minify: true,
    keepNames: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    write: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`bundling the guardian's handler ${entry} produced no output`);
  return output.text;
}
