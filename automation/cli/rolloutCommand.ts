/**
 * `bluegreen rollout`: a real rollout of one stack. Validates the stack file, connects the real
 * ports, runs the driver with an abort signal tied to SIGINT/SIGTERM, records the audit line and
 * returns the driver's exit code.
 */
import { type DriverDeps, type RolloutResult, runRollout } from "../rollout";
import type { CliIo } from "./io";
import { recordAudit } from "./auditRecord";
import type { CliServices } from "./services";
import { chooseSink, stopOnSignal } from "./session";
import { checkVersion, loadStack, printWarnings } from "./stacks";

/** The options of `rollout`. */
export interface RolloutCommandOptions {
  readonly stack: string;
  readonly version: string;
  readonly reason?: string;
  readonly resume: boolean;
  readonly json: boolean;
}

/** Runs a rollout and returns its exit code. */
export async function rolloutCommand(
  io: CliIo,
  services: CliServices,
  options: RolloutCommandOptions,
): Promise<number> {
  const version = checkVersion(options.version);
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const startedAt = services.clock.now();
  const events = chooseSink(io, options.json);
  const control = services.control(stack, io);
  const deps: DriverDeps = await services.connect({ stack, io, events, control });
  const stop = stopOnSignal(io);
  let result: RolloutResult;
  const driverStart = deps.clock.now();
  try {
    result = await runRollout(deps, {
      config: stack.config,
      version,
      reason: options.reason,
      resume: options.resume,
      signal: stop.signal,
    });
  } finally {
    stop.dispose();
  }
  await recordAudit(io, {
    at: new Date(startedAt).toISOString(),
    stack: stack.name,
    command: "rollout",
    who: io.who(),
    versions: { from: result.fromVersion, to: result.toVersion ?? version },
    reason: options.reason,
    outcome: result.outcome,
    exitCode: result.exitCode,
    elapsedSeconds: (deps.clock.now() - driverStart) / 1000,
    rehearsal: false,
  });
  return result.exitCode;
}
