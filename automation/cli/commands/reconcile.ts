/**
 * `bluegreen reconcile`: after the guardian put traffic back on the stable colour with no driver
 * left to finish the rollback, restore the stack's values to match (the driver's revert: direct
 * write, full update, no-drift preview), forget the trip and its run in the control record, and
 * write an audit record naming the guardian.
 */
import type { Command } from "commander";
import type { ControlTrip } from "../../core/controlRecord";
import { EXIT_CODES } from "../../events";
import { type TripStore, reconcileReason, reconcileTrip, tripStoreOf } from "../../rollout";
import { type CommandContext, type CommandRuntime, jsonOption, stackOption } from "../commandLine";
import { describeHeartbeat, watchState } from "../control";
import { onControl } from "../controlAccess";
import { EXIT_OK } from "../io";
import { type StackRun, connectServices, runDriverCommand } from "../pipeline";

/** The options of `reconcile`. */
export interface ReconcileCommandOptions {
  readonly stack: string;
  readonly json: boolean;
}

/**
 * Reconciles the stack after the guardian's trip. Exit 3 when the stack now holds the stable
 * values (the trip was a rollback), 0 when there is nothing to reconcile (no trip, or a live
 * driver that finishes its own rollback), 1 when traffic could not be verified back, 5 when the
 * control table could not be reached (nothing changed).
 */
export async function reconcileCommand(
  runtime: CommandRuntime,
  options: ReconcileCommandOptions,
): Promise<number> {
  const { io } = runtime;
  let found: { trip: ControlTrip; store: TripStore } | undefined;
  return runDriverCommand(runtime, {
    name: "reconcile",
    stack: options.stack,
    // Read once the trip is known: the audit record names the guardian and why it tripped.
    get reason() {
      return found ? reconcileReason(found.trip) : undefined;
    },
    json: options.json,
    async before(run) {
      found = await findTrip(runtime, run);
      return found ? undefined : EXIT_OK;
    },
    connect: connectServices(io, runtime.services),
    preflight: true,
    async drive(deps, { stack }) {
      const { trip, store } = found as { trip: ControlTrip; store: TripStore };
      const ended = await reconcileTrip(deps, { config: stack.config, trip });
      if (ended.exitCode === EXIT_CODES["rolled-back"]) {
        await onControl(stack, io, "forget the reconciled trip", () => store.reconcileTrip(trip.runId));
      }
      return ended;
    },
  });
}

/** The trip to reconcile; undefined (and said why) when there is none or a live driver owns it. */
async function findTrip(
  { io, services }: CommandRuntime,
  run: StackRun,
): Promise<{ trip: ControlTrip; store: TripStore } | undefined> {
  const { stack } = run;
  const store = tripStoreOf(run.control());
  if (store === undefined) {
    io.stderr.write(
      `nothing to reconcile: stack ${stack.name} keeps no control record the guardian writes to\n`,
    );
    return undefined;
  }
  const record = await onControl(stack, io, "read the control record", () => store.readRecord());
  const trip = record.trip;
  if (trip === undefined) {
    io.stderr.write(`nothing to reconcile: the guardian has not tripped on stack ${stack.name}\n`);
    return undefined;
  }
  if (record.run?.runId === trip.runId) {
    const state = await onControl(stack, io, "read the heartbeat", () =>
      watchState(run.control(), services.clock, stack.config),
    );
    if (state.watched) {
      io.stderr.write(
        `the driver of run ${trip.runId} still watches stack ${stack.name} (${describeHeartbeat(state)}): it finishes the rollback itself\n`,
      );
      return undefined;
    }
  }
  return { trip, store };
}

/** Adds `reconcile` to the program. */
export function registerReconcile(program: Command, context: CommandContext): void {
  program
    .command("reconcile")
    .summary("restore the stack after the guardian reverted its traffic")
    .description(
      "After the guardian put traffic back on the stable colour with no driver to finish the rollback: " +
        "writes the stable values into the stack, updates it, checks a preview shows no changes, and clears " +
        "the trip in the control record. Exit 3 reconciled, 0 nothing to reconcile, 1 failed, 5 control table unreachable.",
    )
    .addOption(stackOption())
    .addOption(jsonOption())
    .action(async (options: { stack: string; json?: boolean }) => {
      context.done(await reconcileCommand(context, { stack: options.stack, json: options.json === true }));
    });
}
