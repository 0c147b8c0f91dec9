/**
 * What the cloud guardian of a stack watches and may touch: the contract between the program,
 * which declares the guardian and hands it its target, and the guardian's handler, which parses
 * it. It holds only what changes when the stack's resources change (listener and target group
 * ARNs, the alias and the colours' published versions, alarm names, the control table), never
 * the live split or the stable colour: those come from the control record and the router at the
 * moment the guardian acts, so a traffic step does not update the guardian.
 */
import { z } from "zod";
import { PLATFORMS, albRoutingSchema, colourAlarmsSchema, lambdaRoutingSchema } from "./outputs";

/** The environment variable the guardian's function reads its target from (JSON). */
export const GUARDIAN_TARGET_ENV = "BLUEGREEN_GUARDIAN_TARGET";

/** How often the guardian's schedule runs the lost-driver check, in seconds. */
export const GUARDIAN_SCHEDULE_SECONDS = 60;

/**
 * The partition key values of the control table the guardian may update: only the control record
 * (it records its trip there). It may append to the history partition only to record an idle
 * colour's scale-down, and only when it does those.
 */
export const GUARDIAN_TABLE_LEADING_KEYS = ["control"] as const;

const name = z.string().min(1);

/** The routing a guardian can revert: an ALB listener or a Lambda alias (gateway mode has none). */
export const guardianRoutingSchema = z.discriminatedUnion("kind", [albRoutingSchema, lambdaRoutingSchema]);

/** Everything the guardian of one stack needs to know before it reads the live state. */
export const guardianTargetSchema = z.strictObject({
  /** The stack's short name (`dev`, `prod`). */
  stack: name,
  service: name,
  platform: z.enum(PLATFORMS),
  /** The AWS region of the stack's resources and its control table. */
  region: name,
  routing: guardianRoutingSchema,
  /** The alarms that judge each colour. */
  alarms: z.object({ blue: colourAlarmsSchema, green: colourAlarmsSchema }),
  /** The stack's DynamoDB control table. */
  controlTableName: name,
  /** A driver whose heartbeat is older than this, while traffic is split or a run is recorded, is lost. */
  driverTimeoutSeconds: z.int().positive(),
  /** Where the guardian announces a trip, when the stack has a notification topic. */
  notificationTopicArn: name.optional(),
  /**
   * The idle colour's scale-down after its rollback window, on the guardian's schedule: each
   * colour's ECS service and the count the idle colour keeps. ECS only: a Kubernetes Deployment
   * is scaled through the cluster's API, which the guardian's function does not reach (run
   * `bluegreen idle --once` from a cron job there).
   */
  idle: z
    .strictObject({
      capacity: z.int().min(0),
      cluster: name,
      serviceNames: z.object({ blue: name, green: name }),
    })
    .optional(),
});

/** The guardian's target, as its handler parses it. */
export type GuardianTarget = z.output<typeof guardianTargetSchema>;
