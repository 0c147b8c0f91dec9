/**
 * Args for the AWS component tests with the defaults a stack file gets (taken from the config
 * schema, so a component is tested with what the program passes it), and a way to wait until the
 * mocks have seen every registration.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlarmThreshold } from "../../components/domain";
import { BUILT_IN_ALARM_DEFAULTS, BuiltInAlarm } from "../../infra/config/rollout";
import { EcsConfig, ecsSchema } from "../../infra/config/schema";
import { resources } from "./pulumi-mocks";

/** The image repository the ECS fixtures run. */
export const ECS_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout";

/** The ECS settings of a stack that writes only `bluegreen:ecs.image`, plus `overrides`. */
export function ecsSettings(overrides: Partial<EcsConfig> = {}): EcsConfig {
  return { ...ecsSchema.parse({ image: ECS_IMAGE }), ...overrides };
}

/** The built-in alarms with the SOP's defaults, each overridden field by field. */
export function builtInAlarms(
  overrides: Partial<Record<BuiltInAlarm, Partial<AlarmThreshold>>> = {},
): Record<BuiltInAlarm, AlarmThreshold> {
  const alarms = { ...BUILT_IN_ALARM_DEFAULTS };
  for (const [name, override] of Object.entries(overrides) as [BuiltInAlarm, Partial<AlarmThreshold>][]) {
    alarms[name] = { ...alarms[name], ...override };
  }
  return alarms;
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
