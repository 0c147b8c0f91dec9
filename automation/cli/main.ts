/**
 * The entry point, and the only module that touches `process`: it turns argv, the environment, the
 * streams and signals into a CliIo, runs the command, and sets `process.exitCode` (never
 * `process.exit()`, which would cut a revert or the audit write short).
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import { detectWho } from "../audit";
import type { CliIo, StopSignal } from "./io";
import { failureReason, reportError } from "./errors";
import { Invocation } from "./invocation";
import { buildProgram, commandName, newRunId, requestsEventStream } from "./program";
import { type CliServices, defaultServices } from "./services";

/**
 * Runs the command line `argv` (the arguments after the program name) and resolves to the exit
 * code. Tests call it with buffers for stdout/stderr and a fake environment. With `--json`, an
 * event stream that no driver run ended (a usage error, an invalid stack file) gets its
 * `completed` event here.
 */
export async function run(
  argv: readonly string[],
  io: CliIo,
  services: CliServices = defaultServices(),
): Promise<number> {
  const invocation = new Invocation(io, services.clock, newRunId(commandName(argv), services));
  let exitCode: number | undefined;
  let reason: string | undefined;
  const program = buildProgram(
    io,
    services,
    (code) => {
      exitCode = code;
    },
    invocation,
  );
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    exitCode = reportError(io, error);
    reason = failureReason(error);
  }
  const code = exitCode ?? 0;
  if (requestsEventStream(program, argv)) invocation.close(code, reason);
  return code;
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
