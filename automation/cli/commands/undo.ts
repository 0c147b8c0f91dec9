/**
 * `bluegreen undo`: all traffic back on the colour the last promotion left idle, with its version.
 * Inside the rollback window a weight change only; after it, a scale-up first.
 */
import type { Command } from "commander";
import { undoPromotion } from "../../rollout";
import {
  type CommandContext,
  type CommandRuntime,
  jsonOption,
  reasonOption,
  stackOption,
} from "../commandLine";
import { connectServices, runDriverCommand } from "../pipeline";

/** The options of `undo`. */
export interface UndoCommandOptions {
  readonly stack: string;
  readonly reason?: string;
  readonly json: boolean;
}

/**
 * Undoes the stack's last promotion. Exit 3 once traffic is verified back on the previous colour
 * (a rollback, as the report counts it), 2 when there is nothing to undo, a run is in progress or
 * the colour cannot take traffic (nothing changed), 1 when traffic could not be moved back.
 */
export async function undoCommand(runtime: CommandRuntime, options: UndoCommandOptions): Promise<number> {
  const { io, services } = runtime;
  return runDriverCommand(runtime, {
    name: "undo",
    stack: options.stack,
    reason: options.reason,
    json: options.json,
    connect: connectServices(io, services),
    preflight: true,
    async drive(deps, { stack }) {
      // Like a revert, it takes no signal: traffic half moved is worse than a finished undo.
      const result = await undoPromotion(deps, {
        config: stack.config,
        reason: options.reason,
        by: io.who(),
      });
      if (result.outcome === "rejected") io.stderr.write(`nothing undone: ${result.reason}\n`);
      return result;
    },
    audits: (result) => result.outcome !== "rejected",
  });
}

/** Adds `undo` to the program. */
export function registerUndo(program: Command, context: CommandContext): void {
  program
    .command("undo")
    .summary("put all traffic back on the previous release's colour")
    .description(
      "Undoes the last promotion: all traffic back on the colour it left idle, with the version that colour " +
        "runs, written through the router and verified, then the stack's values and an update. Inside " +
        "bluegreen:idle.rollbackWindow that is a weight change; after it the colour is scaled up and must be " +
        "ready first. Refused while a rollout is in progress. Exits 3 once undone, 2 when nothing was undone.",
    )
    .addOption(stackOption())
    .addOption(reasonOption())
    .addOption(jsonOption())
    .action(async (options: { stack: string; reason?: string; json?: boolean }) => {
      context.done(
        await undoCommand(context, {
          stack: options.stack,
          reason: options.reason,
          json: options.json === true,
        }),
      );
    });
}
