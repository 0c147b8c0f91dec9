/**
 * The stack outputs: the contract between the program, which exports them, and the rollout driver,
 * which reads them. One schema states it; the types are derived from it. What it shares with a
 * stack file (the platform, the slots' versions) is stated here once.
 */
import { z } from "zod";
import { colourSchema, describe, trafficSplitSchema } from "./traffic";

/** Platforms a service can run on. */
export const PLATFORMS = ["ecs", "lambda", "kubernetes"] as const;

/** A platform name. */
export type Platform = (typeof PLATFORMS)[number];

/** An image tag or artifact version: what a colour runs. At most 128 characters, as an image tag. */
export const VERSION_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A slot's version, as a stack file or the stack outputs carry it. */
export const versionSchema = z
  .string({
    error: (issue) => `expected a version as text, for example "1.4.2", got ${describe(issue.input)}`,
  })
  .regex(VERSION_PATTERN, {
    error: (issue) =>
      `expected a version of letters, digits, ".", "_" and "-" (at most 128, as an image tag), got ${describe(issue.input)}`,
  });

/** The version each colour runs. */
export const slotVersionsSchema = z.strictObject({
  blue: z.strictObject({ version: versionSchema }),
  green: z.strictObject({ version: versionSchema }),
});

const name = z.string().min(1);
const perColour = z.object({ blue: name, green: name });

/** The alarms that judge one colour. */
export const colourAlarmsSchema = z.object({
  /** The composite alarm that is in ALARM when any member is: the driver can watch it as one. */
  composite: name,
  /** The metric alarms behind the composite. */
  members: z.array(name).readonly(),
});

/** Routing through an Application Load Balancer (ECS, and Kubernetes in `alb` mode). */
export const albRoutingSchema = z.object({
  kind: z.literal("alb"),
  loadBalancerArn: name,
  /** The production listener whose forward action weights the two target groups. */
  listenerArn: name,
  /** The test listener that sends everything to the idle colour. */
  testListenerArn: name,
  targetGroupArns: perColour,
  /** Base URL of the test listener, for pre-traffic checks. */
  testEndpoint: name,
  /** Seconds clients stay pinned to a target group, when stickiness is on. */
  stickinessSeconds: z.int().positive().optional(),
});

/** Routing through a Lambda alias with weighted versions. */
export const lambdaRoutingSchema = z.object({
  kind: z.literal("lambda"),
  functionName: name,
  aliasName: name,
  aliasArn: name,
  /** The published version number each colour runs. */
  versions: perColour,
});

/** Routing through a Gateway API HTTPRoute (Kubernetes in `gateway` mode). */
export const gatewayRoutingSchema = z.object({
  kind: z.literal("gateway"),
  namespace: name,
  routeName: name,
  /** The backend Service each colour is reached through. */
  serviceNames: perColour,
});

/** Any routing the driver can step. */
export const routingSchema = z.discriminatedUnion("kind", [
  albRoutingSchema,
  lambdaRoutingSchema,
  gatewayRoutingSchema,
]);

/** The stack's DynamoDB control table, as the program exports it. */
export const controlOutputsSchema = z.object({
  tableName: name,
  tableArn: name,
});

/** The stack's guardian in the cloud, as the program exports it. */
export const guardianOutputsSchema = z.object({
  functionName: name,
  functionArn: name,
});
/**
 * Where each colour's capacity lives, for the scale-down of the idle colour and the scale-up
 * before it takes traffic: the ECS services, or the Kubernetes Deployments. Lambda has none.
 */
export const capacityOutputsSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ecs"), cluster: name, serviceNames: perColour }),
  z.object({ kind: z.literal("kubernetes"), namespace: name, deploymentNames: perColour }),
]);

/** Everything the program exports, keyed by output name. */
export const stackOutputsSchema = z.object({
  service: name,
  platform: z.enum(PLATFORMS),
  /** The release revision this deployment was made from (`bluegreen:revision`). */
  revision: z.int().min(0),
  /** The colour a revert goes back to. */
  stableColour: colourSchema,
  /** The split this deployment applied. */
  traffic: trafficSplitSchema,
  slots: slotVersionsSchema,
  alarms: z.object({ blue: colourAlarmsSchema, green: colourAlarmsSchema, extra: z.array(name).readonly() }),
  routing: routingSchema,
  /** URNs of the resources a traffic step changes: the driver's targeted update touches only these. */
  routingUrns: z.array(z.string().startsWith("urn:pulumi:")).min(1).readonly(),
  /**
   * The stack's control table, when `bluegreen:control.channel` is `dynamodb`. Optional: a stack
   * deployed before the table existed, or one on the file channel, has none.
   */
  control: controlOutputsSchema.optional(),
  /**
   * The stack's guardian, when the program declares one (see `bluegreen:guardian`). Optional: a
   * stack deployed before the guardian existed, with it turned off, on the file channel or in
   * Kubernetes gateway mode has none.
   */
  guardian: guardianOutputsSchema.optional(),
  /** Each colour's services or Deployments. Optional: Lambda has none, and older stacks lack it. */
  capacity: capacityOutputsSchema.optional(),
});

/** The alarms that judge one colour. */
export type ColourAlarms = z.output<typeof colourAlarmsSchema>;
/** Routing through an Application Load Balancer. */
export type AlbRouting = z.output<typeof albRoutingSchema>;
/** Routing through a Lambda alias. */
export type LambdaRouting = z.output<typeof lambdaRoutingSchema>;
/** Routing through a Gateway API HTTPRoute. */
export type GatewayRouting = z.output<typeof gatewayRoutingSchema>;
/** Any routing the driver can step. */
export type Routing = z.output<typeof routingSchema>;
/** The stack's control table. */
export type ControlOutputs = z.output<typeof controlOutputsSchema>;
/** The stack's guardian. */
export type GuardianOutputs = z.output<typeof guardianOutputsSchema>;
/** Where each colour's capacity lives. */
export type CapacityOutputs = z.output<typeof capacityOutputsSchema>;
/** Everything the program exports. */
export type StackOutputs = z.output<typeof stackOutputsSchema>;
/** The name of one stack output. */
export type StackOutputKey = keyof StackOutputs;
