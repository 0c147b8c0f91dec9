/**
 * The plain view of a resource that every rule reads: its type token, URN, logical name and
 * properties. Values the engine does not know yet (outputs of resources a preview has still to
 * create) are {@link UNKNOWN}, so a rule can tell "not set" from "not known yet" and never guesses.
 *
 * Rules import nothing from `@pulumi/policy`: the pack adapts the engine's resources to this view
 * (infra/policy/plain.ts), and tests build it directly or from the engine mocks' records.
 */

/** A value the engine does not know yet: an output of a resource that a preview has still to create. */
export const UNKNOWN: unique symbol = Symbol("unknown until the update");

/** One property value of a resource, as JSON with {@link UNKNOWN} where the engine has no value yet. */
export type PropertyValue =
  string | number | boolean | null | undefined | typeof UNKNOWN | readonly PropertyValue[] | PropertyMap;

/** An object-valued property, or a resource's whole property bag. */
export interface PropertyMap {
  readonly [key: string]: PropertyValue;
}

/** A resource as a rule sees it. */
export interface PolicyInput {
  /** The type token, such as `aws:lb/listener:Listener`. */
  readonly type: string;
  /** The resource's URN. */
  readonly urn: string;
  /** The logical name the program gave it. */
  readonly name: string;
  /** Inputs (resource validation) or outputs (stack validation). */
  readonly props: PropertyMap;
  /**
   * URNs of the resources this one depends on, where the engine reports them (stack validation).
   * They tie an alarm to the resource it watches while a preview does not know the metric's dimensions yet.
   * @default []
   */
  readonly dependencies?: readonly string[];
}

/** One broken rule: the resource it concerns, and a message naming the resource and the fix. */
export interface Violation {
  /** The resource in violation. */
  readonly urn: string;
  /** What is wrong with which resource, and what to change. */
  readonly message: string;
}

/** The type tokens of an ALB listener (the `aws.alb` module is an alias of `aws.lb`). */
export const LISTENER_TYPES: readonly string[] = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
/** The type tokens of an ALB listener rule. */
export const LISTENER_RULE_TYPES: readonly string[] = [
  "aws:lb/listenerRule:ListenerRule",
  "aws:alb/listenerRule:ListenerRule",
];
/** The type tokens of an ALB target group. */
export const TARGET_GROUP_TYPES: readonly string[] = [
  "aws:lb/targetGroup:TargetGroup",
  "aws:alb/targetGroup:TargetGroup",
];
/** The type token of a CloudWatch metric alarm. */
export const METRIC_ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** The tag (and Kubernetes label) value naming a colour. */
export type Colour = "blue" | "green";

/** True when the engine does not know the value yet. */
export function isUnknown(value: unknown): value is typeof UNKNOWN {
  return value === UNKNOWN;
}

/** The value as an object, or undefined when it is anything else (unknown included). */
export function asMap(value: PropertyValue): PropertyMap | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as PropertyMap)
    : undefined;
}

/** The value as a list, or undefined when it is anything else (unknown included). */
export function asList(value: PropertyValue): readonly PropertyValue[] | undefined {
  return Array.isArray(value) ? (value as readonly PropertyValue[]) : undefined;
}

/** The value as a string, or undefined when it is anything else (unknown included). */
export function asString(value: PropertyValue): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The value as a finite number, or undefined when it is anything else (unknown included). */
export function asNumber(value: PropertyValue): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Reads a path of keys through nested objects; unknown as soon as any step is. */
export function at(value: PropertyValue, ...path: string[]): PropertyValue {
  let current = value;
  for (const key of path) {
    if (isUnknown(current)) return UNKNOWN;
    const map = asMap(current);
    if (map === undefined) return undefined;
    current = map[key];
  }
  return current;
}

/**
 * A tag of an AWS resource. Stack validation sees `tagsAll` (provider default tags included) as
 * well as `tags`; either carries what the program set.
 */
export function tagOf(props: PropertyMap, key: string): PropertyValue {
  const tagged = at(props, "tags", key);
  if (tagged !== undefined) return tagged;
  return at(props, "tagsAll", key);
}

/** The colour a tag or label value names, if it names one. */
export function asColour(value: PropertyValue): Colour | undefined {
  return value === "blue" || value === "green" ? value : undefined;
}

/** How messages name a resource: its kind and logical name. */
export function named(kind: string, resource: PolicyInput): string {
  return `${kind} "${resource.name}"`;
}
