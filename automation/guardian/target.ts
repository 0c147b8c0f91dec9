/**
 * The guardian's target built from a deployed stack, for `bluegreen guardian --once`: the same
 * fields the program hands the guardian's function, from the stack's outputs (routing, alarms,
 * control table) and its stack file (region, driver timeout, notification topic).
 */
import {
  type GuardianTarget,
  type StackOutputs,
  controlTableName,
  guardianTargetSchema,
} from "../../components/domain";

/** What the target is made of besides the outputs. */
export interface GuardianTargetSource {
  readonly stack: string;
  readonly outputs: StackOutputs;
  readonly region: string;
  /** `bluegreen:guardian.driverTimeout`, in seconds. */
  readonly driverTimeoutSeconds: number;
  readonly notificationTopicArn?: string;
  /** The count the idle colour keeps after its rollback window (`bluegreen:idle.capacity`). */
  readonly idleCapacity?: number;
}

/**
 * The target of the stack's guardian. Throws for a stack routed by a Gateway API HTTPRoute: the
 * guardian acts only on an ALB listener or a Lambda alias.
 */
export function guardianTargetOf(source: GuardianTargetSource): GuardianTarget {
  const { outputs } = source;
  if (outputs.routing.kind === "gateway") {
    throw new Error(
      `stack ${source.stack} routes through an HTTPRoute: the guardian acts only on an ALB listener or a Lambda alias`,
    );
  }
  return guardianTargetSchema.parse({
    stack: source.stack,
    service: outputs.service,
    platform: outputs.platform,
    region: source.region,
    routing: outputs.routing,
    alarms: { blue: outputs.alarms.blue, green: outputs.alarms.green },
    controlTableName: outputs.control?.tableName ?? controlTableName(outputs.service, source.stack),
    driverTimeoutSeconds: source.driverTimeoutSeconds,
    ...(source.notificationTopicArn ? { notificationTopicArn: source.notificationTopicArn } : {}),
    ...(outputs.capacity?.kind === "ecs" && source.idleCapacity !== undefined
      ? {
          idle: {
            capacity: source.idleCapacity,
            cluster: outputs.capacity.cluster,
            serviceNames: outputs.capacity.serviceNames,
          },
        }
      : {}),
  });
}
