/**
 * What the SOP's alarms must judge: each colour's ALB target group (ECS, Kubernetes in alb mode)
 * and each colour's published Lambda version, and whether a given alarm watches one of them.
 *
 * A target group is a colour's when it carries the tag `bluegreen:colour` (AlbBlueGreen tags both).
 * A Lambda version is a colour's when it is an `AWS::Lambda::Version` whose description is
 * `bluegreen <colour> <slot version>` (LambdaBlueGreen publishes them so).
 */
import { AlarmReading, PLATFORM_METRICS, Platform } from "./alarms";
import {
  Colour,
  PolicyInput,
  PropertyValue,
  TARGET_GROUP_TYPES,
  UNKNOWN,
  asColour,
  asMap,
  asString,
  isUnknown,
  tagOf,
} from "./resource";

/** The tag that names the colour a target group or alarm belongs to. */
export const COLOUR_TAG = "bluegreen:colour";

const CLOUD_CONTROL_TYPE = "aws:cloudcontrol/resource:Resource";
const LAMBDA_VERSION_TYPE_NAME = "AWS::Lambda::Version";

/** A resource whose metrics judge one colour. */
export interface ColourTarget {
  /** The target group or version resource. */
  readonly resource: PolicyInput;
  /** Where its metrics come from. */
  readonly platform: Platform;
  /** The colour it serves. */
  readonly colour: Colour;
  /** How messages call it. */
  readonly kind: string;
  /**
   * The dimension values that single out its metrics; unknown while a preview has not created it.
   * An alarm watches it when one of the alarm's metrics carries all of them.
   */
  readonly dimensions: Readonly<Record<string, string>> | typeof UNKNOWN;
}

function parseJson(value: PropertyValue): Record<string, unknown> | undefined {
  const text = asString(value);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `targetgroup/<name>/<id>`, the `TargetGroup` dimension, from the group's outputs. */
function targetGroupSuffix(resource: PolicyInput): string | undefined {
  const suffix = asString(resource.props.arnSuffix);
  if (suffix) return suffix;
  const arn = asString(resource.props.arn);
  const at = arn?.indexOf(":targetgroup/") ?? -1;
  return arn && at >= 0 ? arn.slice(at + 1) : undefined;
}

function targetGroupTarget(resource: PolicyInput): ColourTarget | undefined {
  const colour = asColour(tagOf(resource.props, COLOUR_TAG));
  if (colour === undefined) return undefined;
  const suffix = targetGroupSuffix(resource);
  return {
    resource,
    platform: "alb",
    colour,
    kind: "target group",
    dimensions: suffix !== undefined ? { TargetGroup: suffix } : UNKNOWN,
  };
}

function lambdaVersionTarget(resource: PolicyInput): ColourTarget | undefined {
  if (resource.props.typeName !== LAMBDA_VERSION_TYPE_NAME) return undefined;
  const desired = parseJson(resource.props.desiredState);
  const description = typeof desired?.Description === "string" ? desired.Description : "";
  const colour = asColour(/^bluegreen (\w+) /.exec(description)?.[1]);
  const functionName = desired?.FunctionName;
  if (colour === undefined || typeof functionName !== "string") return undefined;
  const version = parseJson(resource.props.properties)?.Version;
  return {
    resource,
    platform: "lambda",
    colour,
    kind: "Lambda version",
    dimensions:
      typeof version === "string" ? { FunctionName: functionName, ExecutedVersion: version } : UNKNOWN,
  };
}

/** Every colour's target group and Lambda version in the stack. */
export function colourTargets(resources: readonly PolicyInput[]): ColourTarget[] {
  const targets: ColourTarget[] = [];
  for (const resource of resources) {
    const target = TARGET_GROUP_TYPES.includes(resource.type)
      ? targetGroupTarget(resource)
      : resource.type === CLOUD_CONTROL_TYPE
        ? lambdaVersionTarget(resource)
        : undefined;
    if (target !== undefined) targets.push(target);
  }
  return targets;
}

/**
 * Whether the alarm reads the target's metrics. By dimension where both are known; while a preview
 * does not know them yet, by what the engine does know: the alarm depends on the target, or carries
 * its colour tag.
 */
export function watches(alarm: AlarmReading, target: ColourTarget): boolean {
  const namespace = PLATFORM_METRICS[target.platform].namespace;
  const metrics = alarm.metrics.filter((metric) => metric.namespace === namespace);
  if (metrics.length === 0) return false;
  let undecided = isUnknown(target.dimensions);
  if (!isUnknown(target.dimensions)) {
    const wanted = Object.entries(target.dimensions);
    for (const metric of metrics) {
      const dimensions = asMap(metric.dimensions);
      if (dimensions === undefined) {
        undecided ||= isUnknown(metric.dimensions);
        continue;
      }
      if (wanted.some(([key]) => isUnknown(dimensions[key]))) {
        undecided = true;
        continue;
      }
      if (wanted.every(([key, value]) => dimensions[key] === value)) return true;
    }
  }
  if (!undecided) return false;
  const { dependencies = [], props } = alarm.resource;
  return dependencies.includes(target.resource.urn) || tagOf(props, COLOUR_TAG) === target.colour;
}
