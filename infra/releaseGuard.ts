/**
 * The release guard keeps a stale stack file from undoing the driver's work.
 *
 * The driver records every change of traffic, slots and the stable colour with a higher
 * `bluegreen:revision`, and the program exports the revision it deployed. When a teammate runs
 * `pulumi up` from a checkout whose stack file is behind (the pipeline has not committed the
 * driver's last values yet, or the checkout is old), the program refuses before it registers a
 * single resource, instead of resetting a split or undoing a rollback.
 */
import type { BluegreenConfig } from "./config/schema";

/** What the last deployment of the stack exported, as far as the guard needs it. */
export interface DeployedRelease {
  readonly revision?: unknown;
}

/** Returns why the program must not run with this config, or undefined when it may. */
export function releaseGuardProblem(
  config: Pick<BluegreenConfig, "revision" | "slots" | "service">,
  deployed: DeployedRelease | undefined,
  stackName: string,
): string | undefined {
  const deployedRevision = typeof deployed?.revision === "number" ? deployed.revision : undefined;
  if (deployedRevision !== undefined && config.revision < deployedRevision) {
    return (
      `stacks/Pulumi.${stackName}.yaml is behind the deployed stack: the rollout driver recorded ` +
      `bluegreen:revision ${deployedRevision}, this file says ${config.revision}. Running it would reset traffic ` +
      `or undo a rollback. Pull the stack file the pipeline committed (or run \`bluegreen status --stack ${stackName}\` ` +
      `to see the deployed values), then run again.`
    );
  }
  if (deployedRevision === undefined && config.service.platform === "lambda") {
    if (config.slots.blue.version !== config.slots.green.version) {
      return (
        `the first deployment of a Lambda stack publishes both colours from one artifact, so bluegreen:slots ` +
        `must name the same version for blue and green (got blue ${config.slots.blue.version}, green ` +
        `${config.slots.green.version}); deploy with both set to the stable version, then roll out the new one.`
      );
    }
  }
  return undefined;
}
