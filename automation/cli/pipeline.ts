/**
 * The one way a command runs the driver (`rollout`, `rehearse`, `abort`): load the stack, build the
 * event sink, connect the ports, run the use case with SIGINT/SIGTERM turned into one abort, write
 * the audit record (to the local log, and to the stack's release history in its control table)
 * and return the outcome's exit code. Each command describes only what differs.
 */
import type { DriverDeps, RolloutResult } from "../rollout";
import type { EventSink, RolloutEvent } from "../events";
import { type SharedHistory, recordAudit } from "./auditRecord";
import type { CommandRuntime } from "./commandLine";
import type { InspectableControlChannel } from "./control";
import { controlLocation } from "./controlAccess";
import { type CliIo, EXIT_USAGE } from "./io";
import { NotificationRelay } from "./notifications";
import { runPreflight } from "./preflight";
import type { CliServices } from "./services";
import { stopOnSignal } from "./session";
import { type LoadedStack, loadStack, printWarnings } from "./stacks";

/** The commands that run the driver, named as their audit records name them. */
export type DriverCommandName = "rollout" | "rehearse" | "abort" | "reconcile" | "undo";

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
  } catch (error) {
    events.release();
    throw error;
  } finally {
    stop.dispose();
  }

  try {
    if (command.audits?.(result) ?? true) {
      const rehearsal = command.name === "rehearse";
      const elapsedSeconds = (deps.clock.now() - driverStart) / 1000;
      await recordAudit(
        io,
        {
          at: new Date(startedAt).toISOString(),
          stack: stack.name,
          command: command.name,
          who: io.who(),
          versions: { from: result.fromVersion, to: result.toVersion ?? command.version },
          reason: command.reason,
          outcome: result.outcome,
          exitCode: result.exitCode,
          elapsedSeconds,
          rehearsal,
          runId: invocation.runId,
          secondsToRevert: events.secondsToRevert,
          commitAt: command.commitAt,
          service: stack.config.service.name,
          region: rehearsal ? undefined : knownRegion(stack, io),
          endedAt: new Date(services.clock.now()).toISOString(),
          revertReason: events.revertReason,
        },
        // A rehearsal touches nothing real: its record stays in the local log.
        rehearsal
          ? undefined
          : sharedHistory(io, services, stack, (message) => {
              io.stderr.write(`warning: ${message}\n`);
              const now = deps.clock.now();
              events.emit({
                type: "warning",
                message,
                elapsedSeconds: (now - driverStart) / 1000,
                time: new Date(now).toISOString(),
              });
            }),
      );
    }
  } finally {
    events.release();
  }
  // After the audit record, so its elapsed time is the run's, not the wait for a chat server.
  await relay?.settle();
  return result.exitCode;
}

/**
 * The stack's shared history for the run's record, or undefined when it keeps none. A store that
 * cannot even be made (no region) is warned about like a failed write.
 */
function sharedHistory(
  io: CliIo,
  services: CliServices,
  stack: LoadedStack,
  warn: (message: string) => void,
): SharedHistory | undefined {
  try {
    const store = services.historyStore?.(stack, io);
    return store === undefined ? undefined : { store, location: controlLocation(stack, io), warn };
  } catch (error) {
    warn(`could not reach the release history of stack ${stack.name}: ${(error as Error).message}`);
    return undefined;
  }
}

/** The region the run acted in, when the stack file or the environment names one. */
function knownRegion(stack: LoadedStack, io: CliIo): string | undefined {
  const region = stack.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  return region === undefined || region.trim() === "" ? undefined : region.trim();
}

/**
 * The connect step of a run against the real stack: the services' ports over the stack's control
 * channel, with a preflight proving `controlActions` on its control table.
 */
export function connectServices(
  io: CliIo,
  services: CliServices,
  controlActions?: readonly string[],
): DriverCommand["connect"] {
  return async (run, events) => ({
    deps: await services.connect({ stack: run.stack, io, events, control: run.control(), controlActions }),
  });
}

/**
 * Passes events on and keeps the first revert's `secondsSinceTrigger` and reason: the audit
 * record's `secondsToRevert`, from which mean time to recovery is computed, and `revertReason`.
 * The first, because that is when traffic was verified back on the stable colour. It holds the
 * `completed` event back until `release`, so a warning about the audit record still comes before
 * it and a `--json` stream still ends with it.
 */
class RevertWatch implements EventSink {
  /** Seconds from the revert's trigger to traffic verified back, once a revert happened. */
  secondsToRevert?: number;
  /** Why the run reverted, once it did. */
  revertReason?: string;
  private completed?: RolloutEvent;

  constructor(private readonly inner: EventSink) {}

  emit(event: RolloutEvent): void {
    if (event.type === "reverted" && this.secondsToRevert === undefined) {
      this.secondsToRevert = event.secondsSinceTrigger;
      this.revertReason = event.reason;
    }
    if (event.type === "completed") {
      this.completed = event;
      return;
    }
    this.inner.emit(event);
  }

  /** Passes the held `completed` event on, once. */
  release(): void {
    const completed = this.completed;
    this.completed = undefined;
    if (completed) this.inner.emit(completed);
  }
}
