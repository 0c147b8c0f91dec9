/**
 * `bluegreen plan`: what a rollout of the stack would do, from its stack file alone. It reads
 * nothing remote and changes nothing, so it is safe in a pull-request check.
 */
import type { Command } from "commander";
import { platformProfile } from "../../../infra/config/schema";
import { describePlan } from "../../core/plan";
import { formatPlan } from "../../output/planText";
import { type CommandContext, jsonOption, stackOption } from "../commandLine";
import { type CliIo, EXIT_OK } from "../io";
import { loadStack, printWarnings } from "../stacks";

/** The options of `plan`. */
export interface PlanCommandOptions {
  readonly stack: string;
  readonly json: boolean;
}

/** Prints the plan of the stack file and returns the exit code. */
export function planCommand(io: CliIo, options: PlanCommandOptions): number {
  const stack = loadStack(io.cwd, options.stack);
  printWarnings(io, stack);
  const { config } = stack;
  const platform = platformProfile(config.service.platform, config.kubernetes?.routing.mode);
  const plan = describePlan(stack.name, config, platform.alarms);
  io.stdout.write(options.json ? `${JSON.stringify(plan)}\n` : formatPlan(plan));
  return EXIT_OK;
}

/** Adds `plan` to the program. */
export function registerPlan(program: Command, { io, done }: CommandContext): void {
  program
    .command("plan")
    .summary("show what a rollout of the stack would do; changes nothing")
    .description(
      "Prints the steps (weight and bake), the watched alarms, the poll interval, the insufficient-data " +
        "policy and the total bake time, from the stack file alone.",
    )
    .addOption(stackOption())
    .addOption(jsonOption())
    .action((options: { stack: string; json?: boolean }) => {
      done(planCommand(io, { stack: options.stack, json: options.json === true }));
    });
}
