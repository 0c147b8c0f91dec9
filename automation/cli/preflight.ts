/**
 * Preflight checks for the commands that read or act on a stack outside a rollout (`status`,
 * `abort`): the same checks the driver runs first, so a missing Pulumi CLI or expired AWS session
 * is reported as such rather than as a failure halfway through.
 */
import type { DriverDeps } from "../rollout";
import type { CliIo } from "./io";

/** Runs the wiring's preflight checks in order; prints each failure and returns whether all passed. */
export async function runPreflight(
  io: Pick<CliIo, "stderr">,
  deps: Pick<DriverDeps, "preflightChecks">,
): Promise<boolean> {
  for (const check of deps.preflightChecks ?? []) {
    const result = await check.run();
    if (!result.ok) {
      io.stderr.write(`preflight ${check.name} failed: ${result.detail}\n`);
      return false;
    }
  }
  return true;
}
