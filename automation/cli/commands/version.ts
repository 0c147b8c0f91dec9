/**
 * `bluegreen version` (and `bluegreen --version` / `-V`): the tool's own version, from
 * package.json. Not to be confused with `rollout --version <v>`, the release's version.
 */
import type { Command } from "commander";
import { version } from "../../../package.json";
import type { CommandContext } from "../commandLine";
import { EXIT_OK } from "../io";

/** The version of bluegreen itself, as package.json states it. */
export const TOOL_VERSION: string = version;

/** Adds `version` to the program. */
export function registerVersion(program: Command, { io, done }: CommandContext): void {
  program
    .command("version")
    .summary("print bluegreen's own version")
    .description("Prints the version of bluegreen itself, as `bluegreen --version` does.")
    .action(() => {
      io.stdout.write(`${TOOL_VERSION}\n`);
      done(EXIT_OK);
    });
}
