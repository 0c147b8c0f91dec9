/**
 * The entry point, and the only module that touches `process`: it turns argv, the environment, the
 * streams and signals into a CliIo, runs the command, and sets `process.exitCode` (never
 * `process.exit()`, which would cut a revert or the audit write short).
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import { detectWho } from "../audit";
import type { CliIo, StopSignal } from "./io";
import { reportError } from "./errors";
import { buildProgram } from "./program";
import { type CliServices, defaultServices } from "./services";

/**
 * Runs the command line `argv` (the arguments after the program name) and resolves to the exit
 * code. Tests call it with buffers for stdout/stderr and a fake environment.
 */
export async function run(
  argv: readonly string[],
  io: CliIo,
  services: CliServices = defaultServices(),
): Promise<number> {
  let exitCode: number | undefined;
  const program = buildProgram(io, services, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    return reportError(io, error);
  }
  return exitCode ?? 0;
}

/** The CliIo of this process. */
export function processIo(): CliIo {
  let who: string | undefined;
  return {
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
    onSignal(listener) {
      const handlers = (["SIGINT", "SIGTERM"] as const).map((signal: StopSignal) => {
        const handler = (): void => listener(signal);
        process.on(signal, handler);
        return [signal, handler] as const;
      });
      return () => {
        for (const [signal, handler] of handlers) process.off(signal, handler);
      };
    },
    who() {
      who ??= detectWho(process.env, { gitEmail, osUser: () => os.userInfo().username });
      return who;
    },
  };
}

/** Runs the CLI in this process and sets its exit code when the command ends. */
export function main(): void {
  // A reader that goes away (`bluegreen status | head`) must not turn into an unexpected error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

function gitEmail(): string | undefined {
  // Bounded: `who` must never hang a rollout on a git prompt or a slow network home directory.
  return execFileSync("git", ["config", "user.email"], {
    cwd: process.cwd(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 2_000,
  }).trim();
}

if (require.main === module) main();
