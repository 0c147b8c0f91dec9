/**
 * Preflight checks for the commands that read or act on a stack outside a rollout (`status`,
 * `abort`): the same checks the driver runs first, so a missing Pulumi CLI or expired AWS session
 * is reported as such rather than as a failure halfway through.
 */
import type { DriverDeps } from "../rollout";
import type { CliIo } from "./io";

/**
 * Runs the wiring's preflight checks in order and stops at the first failure: prints it and
 * returns it (`preflight <check> failed: <detail>`). Undefined when every check passed.
 */
export async function runPreflight(
  io: Pick<CliIo, "stderr">,
  deps: Pick<DriverDeps, "preflightChecks">,
): Promise<string | undefined> {
  for (const check of deps.preflightChecks ?? []) {
    const result = await check.run();
    if (!result.ok) {
      const failure = `preflight ${check.name} failed: ${result.detail}`;
      io.stderr.write(`${failure}\n`);
      return failure;
    }
  }
  return undefined;
}
