/**
 * A preflight check that the Pulumi CLI is installed and its version works with this adapter.
 */
import { execFile } from "node:child_process";

/** The shape the driver's preflight checks have (`PreflightCheck` in automation/rollout/types.ts). */
export interface PulumiPreflightCheck {
  readonly name: string;
  run(signal?: AbortSignal): Promise<{ ok: boolean; detail: string }>;
}

/**
 * The oldest CLI this adapter supports: `writeValues` uses `pulumi config set-all --json` (added
 * to the CLI in 2025), and 3.199.0 is a release known to have it.
 */
export const MINIMUM_PULUMI_VERSION = "3.199.0";

/** The major version the Automation API SDK in node_modules speaks to. */
const SUPPORTED_MAJOR = 3;

const INSTALL_HINT =
  "install it with `curl -fsSL https://get.pulumi.com | sh` (see https://www.pulumi.com/docs/install/)";

/** Runs `pulumi version` and returns what it prints; rejects with code ENOENT when there is no CLI. */
export type PulumiVersionRunner = (signal?: AbortSignal) => Promise<string>;

/** Options of `checkPulumiCli`. */
export interface PulumiCliCheckOptions {
  /** The oldest acceptable version. @default MINIMUM_PULUMI_VERSION */
  readonly minimumVersion?: string;
  /** The CLI to run. @default "pulumi" (from PATH) */
  readonly command?: string;
  /** Runs `pulumi version`; tests pass a fake. @default execFile(command, ["version"]) */
  readonly runVersion?: PulumiVersionRunner;
  /** The environment the CLI runs with (the entry point's). @default the parent's, inherited */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Parses `v3.170.0`, `3.170.0` or `v3.171.0-alpha.1+dirty`; undefined for anything else. */
export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

function compare(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

function defaultRunner(command: string, env: PulumiCliCheckOptions["env"]): PulumiVersionRunner {
  return (signal) =>
    new Promise((resolve, reject) => {
      execFile(
        command,
        ["version"],
        // The update check would make a network call and print a banner on every run.
        { env: env ? { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" } : undefined, timeout: 30_000, signal },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
}

/**
 * A preflight check: ok when the CLI runs, is Pulumi 3 and is at least `minimumVersion`. The
 * detail names the version found, or says it is missing and how to install it.
 */
export function checkPulumiCli(options: PulumiCliCheckOptions = {}): PulumiPreflightCheck {
  const minimumText = options.minimumVersion ?? MINIMUM_PULUMI_VERSION;
  const minimum = parseVersion(minimumText);
  if (minimum === undefined) {
    throw new Error(`minimumVersion ${JSON.stringify(minimumText)} is not a version: write it as "3.199.0"`);
  }
  const command = options.command ?? "pulumi";
  const runVersion = options.runVersion ?? defaultRunner(command, options.env);
  const wanted = `Pulumi ${SUPPORTED_MAJOR} (>= ${minimumText})`;
  return {
    name: "pulumi-cli",
    async run(signal) {
      let printed: string;
      try {
        printed = (await runVersion(signal)).trim();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          return {
            ok: false,
            detail: `Pulumi CLI not found (no \`${command}\` on PATH): ${INSTALL_HINT}; ${wanted} is needed`,
          };
        }
        return {
          ok: false,
          detail: `\`${command} version\` failed: ${(error as Error).message.split("\n")[0]}`,
        };
      }
      const found = parseVersion(printed);
      if (found === undefined) {
        return {
          ok: false,
          detail: `\`${command} version\` printed ${JSON.stringify(printed.slice(0, 80))}, not a version: reinstall the CLI; ${wanted} is needed`,
        };
      }
      if (found.major !== SUPPORTED_MAJOR) {
        return {
          ok: false,
          detail: `found Pulumi ${printed}; the rollout driver needs ${wanted}: ${found.major < SUPPORTED_MAJOR ? "upgrade" : "install"} it (https://www.pulumi.com/docs/install/)`,
        };
      }
      if (compare(found, minimum) < 0) {
        return {
          ok: false,
          detail: `found Pulumi ${printed}; the rollout driver needs ${wanted}: upgrade it (https://www.pulumi.com/docs/install/)`,
        };
      }
      return { ok: true, detail: `Pulumi ${printed} (${wanted} needed)` };
    },
  };
}
