/**
 * The stack outputs the rollout driver reads: a public contract between the program and the
 * driver. This module imports no Pulumi, so the driver can use the types.
 */
import type { Colour, Platform, SlotsConfig, TrafficSplit } from "./config/schema";

/** The alarms that judge one colour. */
export interface ColourAlarms {
  /** The composite alarm that is in ALARM when any member is: the driver can watch it as one. */
  readonly composite: string;
  /** The metric alarms behind the composite. */
  readonly members: readonly string[];
}

/** Routing through an Application Load Balancer (ECS, and Kubernetes in `alb` mode). */
export interface AlbRouting {
  readonly kind: "alb";
  readonly loadBalancerArn: string;
  /** The production listener whose forward action weights the two target groups. */
  readonly listenerArn: string;
  /** The test listener that sends everything to the idle colour. */
  readonly testListenerArn: string;
  readonly targetGroupArns: Readonly<Record<Colour, string>>;
  /** Base URL of the test listener, for pre-traffic checks. */
  readonly testEndpoint: string;
  /** Seconds clients stay pinned to a target group, when stickiness is on. */
  readonly stickinessSeconds?: number;
}

/** Routing through a Lambda alias with weighted versions. */
export interface LambdaRouting {
  readonly kind: "lambda";
  readonly functionName: string;
  readonly aliasName: string;
  readonly aliasArn: string;
  /** The published version number each colour runs. */
  readonly versions: Readonly<Record<Colour, string>>;
}

/** Routing through a Gateway API HTTPRoute (Kubernetes in `gateway` mode). */
export interface GatewayRouting {
  readonly kind: "gateway";
  readonly namespace: string;
  readonly routeName: string;
  /** The backend Service each colour is reached through. */
  readonly serviceNames: Readonly<Record<Colour, string>>;
}

/** Any routing the driver can step. */
export type Routing = AlbRouting | LambdaRouting | GatewayRouting;

/** Everything the program exports. */
export interface StackOutputs {
  readonly service: string;
  readonly platform: Platform;
  /** The release revision this deployment was made from (`bluegreen:revision`). */
  readonly revision: number;
  /** The colour a revert goes back to. */
  readonly stableColour: Colour;
  /** The split this deployment applied. */
  readonly traffic: TrafficSplit;
  readonly slots: SlotsConfig;
  readonly alarms: Readonly<Record<Colour, ColourAlarms>> & { readonly extra: readonly string[] };
  readonly routing: Routing;
  /** URNs of the resources a traffic step changes: the driver's targeted update touches only these. */
  readonly routingUrns: readonly string[];
}
