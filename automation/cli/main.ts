/**
 * The entry point, and the only module that touches `process`: it turns argv, the environment, the
 * streams and signals into a CliIo, runs the command, and sets `process.exitCode` (never
 * `process.exit()`, which would cut a revert or the audit write short).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
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
      const handlers = STOP_SIGNALS.map((signal) => {
        const handler = (): void => listener(signal);
        process.on(signal, handler);
        return [signal, handler] as const;
      });
      const stopWatching = watchParent(() => listener("parent-exited"));
      return () => {
        for (const [signal, handler] of handlers) process.off(signal, handler);
        stopWatching();
      };
    },
    who() {
      who ??= detectWho(process.env, { gitEmail, osUser: () => os.userInfo().username });
      return who;
    },
  };
}

/** The signals a run reverts on: a cancelled job (INT, TERM) and a closed terminal or SSH session (HUP). */
const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** How often the run looks whether the process that started it is still there. */
export const PARENT_CHECK_MS = 500;

/**
 * Calls `onExit` once when a process that started this one goes away: its parent, or any process
 * above it. A wrapper that exits on a signal without passing it on orphans this process: `npx`
 * exits at once on SIGTERM, SIGINT or SIGHUP and leaves its `sh -c` child waiting for this one;
 * a step's shell may be killed outright. Polled rather than read from stdin or an IPC channel,
 * which a pipeline may not give this process. The parent is watched everywhere (the kernel gives
 * an orphan a new parent); the processes above it where /proc names them (Linux). Nothing is
 * watched for a process started without a parent to lose (already re-parented, a daemon).
 */
function watchParent(onExit: () => void): () => void {
  const parent = process.ppid;
  if (parent <= 1) return () => undefined;
  const above = ancestorsOf(parent);
  const timer = setInterval(() => {
    if (process.ppid === parent && above.every(isRunning)) return;
    clearInterval(timer);
    onExit();
  }, PARENT_CHECK_MS);
  // The watch must never keep a finished command alive.
  timer.unref();
  return () => clearInterval(timer);
}

/** The processes above `pid`, nearest first, up to (not including) init; empty where /proc is not there. */
function ancestorsOf(pid: number): number[] {
  const chain: number[] = [];
  let next = parentOf(pid);
  while (next !== undefined && next > 1 && chain.length < 32) {
    chain.push(next);
    next = parentOf(next);
  }
  return chain;
}

/** A process's parent, from `/proc/<pid>/stat` ("pid (name) state ppid ..."). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(parent) ? parent : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process still runs: signal 0 checks without sending anything (EPERM: it runs as someone else). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs the CLI in this process and sets its exit code when the command ends. */
export function main(): void {
  // A reader that goes away (`bluegreen status | head`, a closed terminal, a wrapper that exited)
  // must not turn into an unexpected error: a revert in progress must finish and be recorded.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "EIO") throw error;
    });
  }
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
