/**
 * The one way a command runs the driver (`rollout`, `rehearse`, `abort`): load the stack, build the
 * event sink, connect the ports, run the use case with SIGINT/SIGTERM turned into one abort, write
 * the audit record and return the outcome's exit code. Each command describes only what differs.
 */
import type { DriverDeps, RolloutResult } from "../rollout";
import type { EventSink, RolloutEvent } from "../events";
import { recordAudit } from "./auditRecord";
import type { CommandRuntime } from "./commandLine";
import type { InspectableControlChannel } from "./control";
import { type CliIo, EXIT_USAGE } from "./io";
import { NotificationRelay } from "./notifications";
import { runPreflight } from "./preflight";
import type { CliServices } from "./services";
import { stopOnSignal } from "./session";
import { type LoadedStack, loadStack, printWarnings } from "./stacks";

/** The commands that run the driver, named as their audit records name them. */
export type DriverCommandName = "rollout" | "rehearse" | "abort" | "undo";

/** The stack a run acts on, as every step sees it. */
export interface StackRun {
  readonly stack: LoadedStack;
  /**
   * The stack's control channel, made on first use and shared by every step after it. Made
   * lazily because a rehearsal never uses it.
   */
  control(): InspectableControlChannel;
}

/** The driver's ports for one run. */
export interface Connection {
  readonly deps: DriverDeps;
  /** What else ends the run besides SIGINT/SIGTERM: a rehearsal's scenario can. */
  readonly signal?: AbortSignal;
}

/** What a command that runs the driver says about itself; the pipeline does the rest. */
export interface DriverCommand {
  readonly name: DriverCommandName;
  /** `--stack`. */
  readonly stack: string;
  /** `--version`, already checked: the audit record's `to` when the driver names no candidate. */
  readonly version?: string;
  /** `--reason`, already redacted by its option. */
  readonly reason?: string;
  /** `--commit-time`, already checked and in UTC: the audit record's `commitAt`. */
  readonly commitAt?: string;
  /** `--json`: NDJSON events instead of text. */
  readonly json: boolean;
  /**
   * Tell the people the stack's config names about the run (`bluegreen:notifications`). Only a
   * real rollout does: a rehearsal must never post to a real channel. @default false
   */
  readonly notify?: boolean;
  /** Runs once the stack is loaded, before anything connects; an exit code ends the command there. */
  before?(run: StackRun): Promise<number | undefined>;
  /** Builds the driver's ports; `startedAt` is the services' clock when the run began. */
  connect(run: StackRun, events: EventSink, startedAt: number): Promise<Connection>;
  /**
   * Runs the connection's preflight checks before the use case and stops with exit 2 when one
   * fails. runRollout runs them itself, as its first events. @default false
   */
  readonly preflight?: boolean;
  /** The use case; `signal` aborts on the first SIGINT/SIGTERM. */
  drive(deps: DriverDeps, run: StackRun, signal: AbortSignal): Promise<RolloutResult>;
  /** Whether the run's result goes into the audit log. @default every result */
  audits?(result: RolloutResult): boolean;
}

/** Runs the command through every step and returns its exit code. */
export async function runDriverCommand(
  { io, services, invocation }: CommandRuntime,
  command: DriverCommand,
): Promise<number> {
  const stack = loadStack(io.cwd, command.stack);
  printWarnings(io, stack);
  let control: InspectableControlChannel | undefined;
  const run: StackRun = { stack, control: () => (control ??= services.control(stack, io)) };
  const early = await command.before?.(run);
  if (early !== undefined) return early;

  const startedAt = services.clock.now();
  const renderer = invocation.sink(command.json);
  const setup = command.notify === true ? await services.notifiers?.({ stack, io }) : undefined;
  const relay = setup
    ? new NotificationRelay(renderer, setup, { clock: services.clock, stack: stack.name })
    : undefined;
  const events = new RevertWatch(relay ?? renderer);
  const connection = await command.connect(run, events, startedAt);
  const { deps } = connection;
  if (command.preflight === true) {
    const failed = await runPreflight(io, deps);
    if (failed !== undefined) {
      invocation.explain(failed);
      return EXIT_USAGE;
    }
  }

  const stop = stopOnSignal(io);
  const driverStart = deps.clock.now();
  let result: RolloutResult;
  try {
    const signal = connection.signal ? AbortSignal.any([stop.signal, connection.signal]) : stop.signal;
    result = await command.drive(deps, run, signal);
  } finally {
    stop.dispose();
  }

  if (command.audits?.(result) ?? true) {
    await recordAudit(io, {
      at: new Date(startedAt).toISOString(),
      stack: stack.name,
      command: command.name,
      who: io.who(),
      versions: { from: result.fromVersion, to: result.toVersion ?? command.version },
      reason: command.reason,
      outcome: result.outcome,
      exitCode: result.exitCode,
      elapsedSeconds: (deps.clock.now() - driverStart) / 1000,
      rehearsal: command.name === "rehearse",
      runId: invocation.runId,
      secondsToRevert: events.secondsToRevert,
      commitAt: command.commitAt,
    });
  }
  // After the audit record, so its elapsed time is the run's, not the wait for a chat server.
  await relay?.settle();
  return result.exitCode;
}

/** The connect step of a run against the real stack: the services' ports over the stack's control channel. */
export function connectServices(io: CliIo, services: CliServices): DriverCommand["connect"] {
  return async (run, events) => ({
    deps: await services.connect({ stack: run.stack, io, events, control: run.control() }),
  });
}

/**
 * Passes events on and keeps the first revert's `secondsSinceTrigger`: the audit record's
 * `secondsToRevert`, from which mean time to recovery is computed. The first, because that is when
 * traffic was verified back on the stable colour.
 */
class RevertWatch implements EventSink {
  /** Seconds from the revert's trigger to traffic verified back, once a revert happened. */
  secondsToRevert?: number;

  constructor(private readonly inner: EventSink) {}

  emit(event: RolloutEvent): void {
    if (event.type === "reverted") this.secondsToRevert ??= event.secondsSinceTrigger;
    this.inner.emit(event);
  }
}
