/**
 * Failures to reach a stack's control channel, as the operator commands report them: which table
 * (or directory) and what went wrong, with exit EXIT_CONTROL and nothing changed.
 */
import { ControlTableMissingError } from "../adapters/control/dynamoErrors";
import { controlTableName } from "../../components/domain/controlTable";
import type { CliIo } from "./io";
import { UsageError } from "./io";
import { controlDir } from "./services";
import type { LoadedStack } from "./stacks";

/** The control channel of a stack could not be read or written. */
export class ControlUnavailableError extends Error {
  override readonly name = "ControlUnavailableError";
}

/** Where the stack's control channel lives, for messages: its table and region, or its directory. */
export function controlLocation(stack: LoadedStack, io: Pick<CliIo, "cwd" | "env">): string {
  if (stack.config.control.channel === "file") return `control directory ${controlDir(io)}`;
  return `control table ${controlTableName(stack.config.service.name, stack.name)} (${regionOf(stack, io)})`;
}

function regionOf(stack: LoadedStack, io: Pick<CliIo, "env">): string {
  return stack.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? "no region";
}

/**
 * Runs `action` against the stack's control channel; any failure becomes a ControlUnavailableError
 * naming the channel, what was attempted and the error. A UsageError (a bad control directory, no
 * region) stays what it is: the input is at fault, not the channel.
 */
export async function onControl<T>(
  stack: LoadedStack,
  io: Pick<CliIo, "cwd" | "env">,
  what: string,
  action: () => Promise<T>,
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof UsageError || error instanceof ControlUnavailableError) throw error;
    if (error instanceof ControlTableMissingError) {
      throw new ControlUnavailableError(
        `could not ${what} of stack ${stack.name}: the control table ${error.table} does not exist in ${regionOf(stack, io)}: run \`pulumi up\` for stack ${stack.name} first, or set bluegreen:control.channel: file; nothing was changed`,
      );
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new ControlUnavailableError(
      `could not ${what} of stack ${stack.name} in the ${controlLocation(stack, io)}: ${detail}; nothing was changed`,
    );
  }
}
