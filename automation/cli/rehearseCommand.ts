/**
 * `bluegreen rehearse`: the driver's own code against a simulated world built from the stack file,
 * on a virtual clock. No Pulumi, no AWS: a 25-minute plan finishes in well under a second, with the
 * same events and exit codes as a real run, so a scenario file can prove what a fault would do.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runRollout } from "../rollout";
import type { Random } from "../ports";
import { type Scenario, parseScenario } from "../rehearsal/scenario";
import { SimulatedWorld } from "../rehearsal/simulatedWorld";
import { VirtualClock } from "../rehearsal/virtualClock";
import { recordAudit } from "./auditRecord";
import { type CliIo, UsageError } from "./io";
import { PacedClock } from "./pacedClock";
import type { CliServices } from "./services";
import { chooseSink, stopOnSignal } from "./session";
import { checkVersion, loadStack, printWarnings } from "./stacks";

/** The options of `rehearse`. */
export interface RehearseCommandOptions {
  readonly stack: string;
  readonly version: string;
  readonly scenario?: string;
  readonly reason?: string;
  readonly json: boolean;
  /** Virtual seconds per real second; undefined runs as fast as possible. */
  readonly speed?: number;
}

/** The seed of a rehearsal's retry jitter: the same scenario gives the same events every time. */
export const REHEARSAL_SEED = 0x5eed;

/** Runs a rehearsal and returns the exit code a real run would have had. */
export async function rehearseCommand(
  io: CliIo,
  services: CliServices,
  options: RehearseCommandOptions,
): Promise<number> {
  const version = checkVersion(options.version);
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const scenario = options.scenario === undefined ? undefined : readScenario(io.cwd, options.scenario);

  const startMs = services.clock.now();
  const clock = new VirtualClock(startMs);
  const world = new SimulatedWorld({ config: stack.config, stackName: stack.name, clock, scenario, startMs });
  const events = chooseSink(io, options.json);
  const deps = world.driverDeps(events, {
    clock: options.speed === undefined ? clock : new PacedClock(clock, services.clock, options.speed),
    random: seededRandom(REHEARSAL_SEED),
  });
  if (!options.json) {
    io.stderr.write(
      `rehearsing stack ${stack.name} against a simulated world: no Pulumi, no AWS, virtual time\n`,
    );
    if (scenario?.description) io.stderr.write(`scenario: ${scenario.description}\n`);
  }
  const stop = stopOnSignal(io);
  try {
    const result = await runRollout(deps, {
      config: stack.config,
      version,
      reason: options.reason,
      resume: false,
      signal: AbortSignal.any([stop.signal, world.signal]),
    });
    await recordAudit(io, {
      at: new Date(startMs).toISOString(),
      stack: stack.name,
      command: "rehearse",
      who: io.who(),
      versions: { from: result.fromVersion, to: result.toVersion ?? version },
      reason: options.reason,
      outcome: result.outcome,
      exitCode: result.exitCode,
      elapsedSeconds: (clock.now() - startMs) / 1000,
      rehearsal: true,
    });
    return result.exitCode;
  } finally {
    stop.dispose();
  }
}

/** Reads and parses `--scenario`; any problem is a UsageError naming the file (and the key, from the parser). */
export function readScenario(cwd: string, file: string): Scenario {
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, "utf8");
  } catch (error) {
    throw new UsageError(
      `--scenario ${JSON.stringify(file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass a JSON or YAML scenario file`,
    );
  }
  try {
    return parseScenario(text, file);
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(message.includes(file) ? message : `${file}: ${message}`);
  }
}

/** mulberry32: a small, fast generator; rehearsals need repeatability, not cryptographic quality. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
