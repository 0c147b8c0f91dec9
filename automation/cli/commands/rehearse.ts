/**
 * `bluegreen rehearse`: the driver's own code against a simulated world built from the stack file,
 * on a virtual clock. No Pulumi, no AWS: a 25-minute plan finishes in well under a second, with the
 * same events and exit codes as a real run, so a scenario file can prove what a fault would do.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import * as fs from "node:fs";
import * as path from "node:path";
import { PacedClock } from "../../adapters/pacedClock";
import { runRollout } from "../../rollout";
import type { Random } from "../../ports";
import { type Scenario, parseScenario } from "../../rehearsal/scenario";
import { SimulatedWorld } from "../../rehearsal/simulatedWorld";
import { VirtualClock } from "../../rehearsal/virtualClock";
import {
  type CommandContext,
  type CommandRuntime,
  EXIT_CODE_HELP,
  commitTimeOption,
  jsonOption,
  reasonOption,
  stackOption,
} from "../commandLine";
import { UsageError } from "../io";
import { runDriverCommand } from "../pipeline";
import { checkVersion } from "../stacks";

/** The options of `rehearse`. */
export interface RehearseCommandOptions {
  readonly stack: string;
  readonly version: string;
  readonly scenario?: string;
  readonly reason?: string;
  /** As `rollout --commit-time`: the audit record's `commitAt`, so a rehearsal can try the lead time out. */
  readonly commitTime?: string;
  readonly json: boolean;
  /** Virtual seconds per real second; undefined runs as fast as possible. */
  readonly speed?: number;
}

/** The seed of a rehearsal's retry jitter: the same scenario gives the same events every time. */
export const REHEARSAL_SEED = 0x5eed;

/** Runs a rehearsal and returns the exit code a real run would have had. */
export async function rehearseCommand(
  runtime: CommandRuntime,
  options: RehearseCommandOptions,
): Promise<number> {
  const { io, services } = runtime;
  const version = checkVersion(options.version);
  return runDriverCommand(runtime, {
    name: "rehearse",
    stack: options.stack,
    version,
    reason: options.reason,
    commitAt: options.commitTime,
    json: options.json,
    async connect({ stack }, events, startedAt) {
      const scenario = options.scenario === undefined ? undefined : readScenario(io.cwd, options.scenario);
      const clock = new VirtualClock(startedAt);
      const world = new SimulatedWorld({
        config: stack.config,
        stackName: stack.name,
        clock,
        scenario,
        startMs: startedAt,
      });
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
      return { deps, signal: world.signal };
    },
    drive: (deps, { stack }, signal) =>
      runRollout(deps, { config: stack.config, version, reason: options.reason, resume: false, signal }),
  });
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

/**
 * A rehearsal's run id, UUID-shaped, from REHEARSAL_SEED and the rehearsal's start: the same
 * rehearsal at the same (virtual) moment prints the same stream, and two rehearsals a millisecond
 * apart get different ids.
 */
export function rehearsalRunId(startMs: number): string {
  const random = seededRandom((REHEARSAL_SEED ^ (startMs % 4_294_967_296)) >>> 0);
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  // Version 4 and the RFC 9562 variant, so tools that check the shape accept it.
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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

/** Adds `rehearse` to the program. */
export function registerRehearse(program: Command, context: CommandContext): void {
  program
    .command("rehearse")
    .summary("run the rollout against a simulated world, in virtual time")
    .description(
      "Runs the same driver code against a simulated stack, router and alarms built from the stack file, on a " +
        "virtual clock: no Pulumi, no AWS, and a 25-minute plan finishes in seconds. A scenario file (JSON or YAML) " +
        "injects alarms, faults and operator actions at given times. Exit codes are those of a real run.",
    )
    .addOption(stackOption())
    .requiredOption("--version <v>", "the version to rehearse releasing")
    .option("--scenario <file>", "events to inject, e.g. an alarm at 12m (JSON or YAML)")
    .addOption(reasonOption())
    .addOption(commitTimeOption())
    .addOption(jsonOption())
    .addOption(
      new Option(
        "--speed <n>",
        "virtual seconds per real second, to watch it unfold (default: as fast as possible)",
      ).argParser(parseSpeed),
    )
    .addHelpText(
      "after",
      `\nScenario example (scenario.yaml):\n  events:\n    - { at: "12m", alarm: errorRate, state: ALARM }\n${EXIT_CODE_HELP}`,
    )
    .action(
      async (options: {
        stack: string;
        version: string;
        scenario?: string;
        reason?: string;
        commitTime?: string;
        json?: boolean;
        speed?: number;
      }) => {
        context.done(
          await rehearseCommand(context, {
            stack: options.stack,
            version: options.version,
            scenario: options.scenario,
            reason: options.reason,
            commitTime: options.commitTime,
            json: options.json === true,
            speed: options.speed,
          }),
        );
      },
    );
}

function parseSpeed(value: string): number {
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new InvalidArgumentError(
      "expected a positive number of virtual seconds per real second, such as 60",
    );
  }
  return speed;
}
