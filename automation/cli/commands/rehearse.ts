/**
 * `bluegreen rehearse`: the driver's own code against a simulated world built from the stack file,
 * on a virtual clock. No Pulumi, no AWS: a 25-minute plan finishes in well under a second, with the
 * same events and exit codes as a real run, so a scenario file can prove what a fault would do.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import * as path from "node:path";
import { formatDuration } from "../../../infra/config/duration";
import { PacedClock } from "../../adapters/pacedClock";
import { longestRunSeconds } from "../../core/plan";
import { type DriverDeps, type RolloutResult, runRollout } from "../../rollout";
import { rehearseWithGuardian } from "../../rehearsal/guardianRehearsal";
import type { Random } from "../../ports";
import { type Scenario, ScenarioError, type ScenarioProblem, parseScenario } from "../../rehearsal/scenario";
import { SimulatedWorld } from "../../rehearsal/simulatedWorld";
import { VirtualClock } from "../../rehearsal/virtualClock";
import { quoteInput } from "../../../components/domain";
import {
  type CommandContext,
  type CommandRuntime,
  EXIT_CODE_HELP,
  commitTimeOption,
  jsonOption,
  reasonOption,
  stackOption,
} from "../commandLine";
import { readInputFile } from "../inputFiles";
import { UsageError } from "../io";
import { runDriverCommand } from "../pipeline";
import { type LoadedStack, checkVersion } from "../stacks";

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
  /**
   * Who steers the rehearsal: `memory` (the scenario, in this process) or `stack` (the stack's
   * real control channel, so operators drill `status`, `pause`, `resume`, `promote` and `abort`
   * from anywhere). @default "memory"
   */
  readonly control?: RehearsalControl;
  /** Start with the idle colour at `bluegreen:idle.capacity`, as after its rollback window. @default false */
  readonly scaledDown?: boolean;
}

/** The control channels a rehearsal can be steered through. */
export const REHEARSAL_CONTROLS = ["memory", "stack"] as const;
/** One of REHEARSAL_CONTROLS. */
export type RehearsalControl = (typeof REHEARSAL_CONTROLS)[number];

/** The seed of a rehearsal's retry jitter: the same scenario gives the same events every time. */
export const REHEARSAL_SEED = 0x5eed;

/** Runs a rehearsal and returns the exit code a real run would have had. */
export async function rehearseCommand(
  runtime: CommandRuntime,
  options: RehearseCommandOptions,
): Promise<number> {
  const { io, services } = runtime;
  const version = checkVersion(options.version);
  // Set by connect: a scenario that kills the driver rehearses the guardian beside it.
  let guarded: { world: SimulatedWorld; clock: VirtualClock } | undefined;
  return runDriverCommand(runtime, {
    name: "rehearse",
    stack: options.stack,
    version,
    reason: options.reason,
    commitAt: options.commitTime,
    json: options.json,
    async connect(stackRun, events, startedAt) {
      const { stack } = stackRun;
      const file = options.scenario;
      const scenario = file === undefined ? undefined : loadScenario(io.cwd, file, stack);
      const steered = options.control === "stack";
      if (steered && scenario?.events.some((event) => "operator" in event)) {
        throw new UsageError(
          `--scenario ${quoteInput(file ?? "")}: operator events cannot steer a rehearsal with --control stack: the operators do, through the stack's control channel; remove them or leave --control out`,
        );
      }
      const clock = new VirtualClock(startedAt);
      let world: SimulatedWorld;
      try {
        world = new SimulatedWorld({
          config: stack.config,
          stackName: stack.name,
          clock,
          scenario,
          startMs: startedAt,
          // Steered from outside, a pause waits for a real operator's resume.
          abortUnansweredPauses: !steered,
          // Warm by default, so a scenario's times mean what they meant before capacity was
          // modelled; --scaled-down rehearses the scale-up a run after the rollback window waits for.
          ...(options.scaledDown ? { idleCapacity: stack.config.idle.capacity } : {}),
        });
      } catch (error) {
        // The world knows the stack's alarms, so it is where an alarm the stack lacks is found:
        // a mistake in the file like any other, named by the file rather than "scenario".
        if (error instanceof ScenarioError) {
          throw new UsageError(new ScenarioError(error.problems, file).message);
        }
        throw error;
      }
      const deps = world.driverDeps(events, {
        clock: options.speed === undefined ? clock : new PacedClock(clock, services.clock, options.speed),
        random: seededRandom(REHEARSAL_SEED),
        ...(steered ? { control: stackRun.control() } : {}),
      });
      if (!options.json) {
        io.stderr.write(
          `rehearsing stack ${stack.name} against a simulated world: no Pulumi, no AWS, virtual time\n`,
        );
        if (scenario?.description) io.stderr.write(`scenario: ${scenario.description}\n`);
        if (steered) {
          io.stderr.write(
            `steered through the stack's control channel: \`bluegreen status|pause|resume|promote|abort --stack ${stack.name}\` reach this rehearsal\n`,
          );
        }
      }
      if (world.killsDriver) {
        if (world.deployedOutputs().routing.kind === "gateway") {
          throw new UsageError(
            `${file}: a driver-killed fault rehearses the guardian, which acts only on an ALB listener or a Lambda alias; stack ${stack.name} routes through an HTTPRoute`,
          );
        }
        guarded = { world, clock };
      }
      return { deps, signal: world.signal };
    },
    drive: (deps, { stack }, signal) => {
      const drive = (ports: DriverDeps): Promise<RolloutResult> =>
        runRollout(ports, {
          config: stack.config,
          version,
          reason: options.reason,
          resume: false,
          signal,
          runId: runtime.invocation.runId,
          startedBy: io.who(),
          rehearsal: options.control === "stack",
        });
      if (guarded === undefined) return drive(deps);
      return rehearseWithGuardian({ ...guarded, deps, config: stack.config, stackName: stack.name, drive });
    },
  });
}

/** Reads and parses `--scenario`; any problem is a UsageError naming the file (and the key, from the parser). */
export function readScenario(cwd: string, file: string): Scenario {
  if (file.trim() === "") {
    throw new UsageError(`--scenario ${quoteInput(file)}: give the path of a JSON or YAML scenario file`);
  }
  const input = readInputFile(path.resolve(cwd, file));
  if ("problem" in input) {
    throw new UsageError(
      `--scenario ${quoteInput(file)}: ${input.problem}; pass a JSON or YAML scenario file`,
    );
  }
  try {
    return parseScenario(input.text, file);
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(message.includes(file) ? message : `${file}: ${message}`);
  }
}

/**
 * Reads `--scenario` and refuses events timed after the plan ends: the rehearsal would finish
 * without them and say nothing, so a drill that looks like it proved a revert proved nothing. The
 * plan ends when its bakes and its pauses' timeouts have run; a pause with no timeout (or a
 * `pause` event) has no end, so then any time can come.
 */
function loadScenario(cwd: string, file: string, stack: LoadedStack): Scenario {
  const scenario = readScenario(cwd, file);
  const plan = stack.config.rollout.plan;
  const holds = scenario.events.some((event) => "operator" in event && event.operator === "pause");
  const endSeconds = holds ? undefined : longestRunSeconds(plan);
  if (endSeconds === undefined) return scenario;
  const steps = plan.length;
  const pauses = plan.some((step) => step.pause !== undefined)
    ? " with every pause waiting to its timeout"
    : "";
  const problems: ScenarioProblem[] = [];
  scenario.events.forEach((event, index) => {
    if (event.at <= endSeconds * 1000) return;
    problems.push({
      path: `events[${index}].at`,
      message: `${formatDuration(event.at / 1000)} is after the plan ends: the plan of stack ${stack.name} takes ${formatDuration(endSeconds)}${pauses} (${steps} step${steps === 1 ? "" : "s"}), so the event would never happen; give a time from 0s to ${formatDuration(endSeconds)}`,
    });
  });
  if (problems.length > 0) throw new UsageError(new ScenarioError(problems, file).message);
  return scenario;
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
        `virtual seconds per real second, ${MIN_SPEED} to ${MAX_SPEED}, to watch it unfold (default: as fast as possible)`,
      ).argParser(parseSpeed),
    )
    .addOption(
      new Option(
        "--control <channel>",
        "memory: the scenario steers it; stack: steer this rehearsal with the stack's real control channel, as a drill for operators (it claims and releases the stack's record like a rollout, marked as a rehearsal)",
      )
        .choices(REHEARSAL_CONTROLS)
        .default("memory"),
    )
    .option(
      "--scaled-down",
      "start with the idle colour scaled down to bluegreen:idle.capacity, as after its rollback window: the run scales it up first (about 1m of virtual time)",
    )
    .addHelpText(
      "after",
      `\nScenario example (scenario.yaml):\n  events:\n    - { at: "12m", alarm: errorRate, state: ALARM }\n    - { at: "45m", operator: resume }\n${EXIT_CODE_HELP}`,
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
        control: RehearsalControl;
        scaledDown?: boolean;
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
            control: options.control,
            scaledDown: options.scaledDown === true,
          }),
        );
      },
    );
}

/** The slowest `--speed`: real time. Slower would only wait longer, and tiny speeds overflow timers. */
export const MIN_SPEED = 1;
/** The fastest `--speed`: a day-long plan in under a second; beyond it, leave `--speed` out. */
export const MAX_SPEED = 100_000;

function parseSpeed(value: string): number {
  const speed = Number(value);
  if (value.trim() === "" || !Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    throw new InvalidArgumentError(
      `expected virtual seconds per real second from ${MIN_SPEED} (real time) to ${MAX_SPEED}, such as 60; leave --speed out to run as fast as possible`,
    );
  }
  return speed;
}
