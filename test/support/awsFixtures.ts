/**
 * Config blocks for the AWS component tests, parsed through the real schema so they carry the same
 * defaults a stack file gets, and a way to wait until the mocks have seen every registration.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  AlarmsConfig,
  AlbConfig,
  EcsConfig,
  albSchema,
  alarmsSchema,
  ecsSchema,
} from "../../infra/config/schema";
import { resources } from "./pulumi-mocks";

/** A `bluegreen:alb` block: the schema's defaults plus `overrides`. */
export function albConfig(overrides: Record<string, unknown> = {}): AlbConfig {
  return albSchema.parse(overrides);
}

/** A `bluegreen:ecs` block for an ECR repository, plus `overrides`. */
export function ecsConfig(overrides: Record<string, unknown> = {}): EcsConfig {
  return ecsSchema.parse({ image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout", ...overrides });
}

/** A `bluegreen:alarms` block: the SOP defaults plus `overrides`. */
export function alarmsConfig(overrides: Record<string, unknown> = {}): AlarmsConfig {
  return alarmsSchema.parse(overrides);
}

/**
 * Resolves once registrations have stopped: the mocks record a resource only after its inputs
 * resolve, which takes a few turns of the event loop after the component's constructor returns.
 */
export async function settle(...outputs: pulumi.Input<unknown>[]): Promise<void> {
  await new Promise<void>((resolve) => pulumi.all(outputs).apply(() => resolve()));
  let stableTurns = 0;
  let count = resources().length;
  while (stableTurns < 50) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = resources().length;
    stableTurns = now === count ? stableTurns + 1 : 0;
    count = now;
  }
}

/**
 * Options that capture every child a component registers (through a transformation, which Pulumi
 * applies to a component's children), so a test can read each child's URN and check its parent.
 */
export function captureChildren(): { opts: pulumi.ComponentResourceOptions; children: pulumi.Resource[] } {
  const children: pulumi.Resource[] = [];
  return {
    children,
    opts: {
      transformations: [
        (args) => {
          children.push(args.resource);
          return undefined;
        },
      ],
    },
  };
}

/** The URNs of resources, resolved. */
export function urnsOf(children: readonly pulumi.Resource[]): Promise<string[]> {
  return new Promise((resolve) => pulumi.all(children.map((child) => child.urn)).apply(resolve));
}
