/**
 * Adapts what the policy engine hands a policy to the plain resources the rules read.
 *
 * During a preview the engine wraps properties in a proxy that throws on reading a value it does not
 * know yet, and reports the policy as one it "can't run during preview". Copying each value here,
 * one read at a time, turns those reads into UNKNOWN instead: one unknown output (an ARN of a group
 * still to be created) then leaves the rest of the stack checked rather than skipping the policy.
 */
import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { PolicyInput, PropertyMap, PropertyValue, UNKNOWN } from "./rules";

function plainValue(read: () => unknown): PropertyValue {
  let value: unknown;
  try {
    value = read();
  } catch {
    // The only reads that throw on deserialized JSON are the engine's unknown values.
    return UNKNOWN;
  }
  if (
    value === undefined ||
    value === null ||
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean"
  ) {
    return value;
  }
  if (Array.isArray(value)) {
    const list: readonly unknown[] = value;
    return Array.from({ length: list.length }, (_, index) => plainValue(() => list[index]));
  }
  if (typeof value === "object") return plainProps(value as Record<string, unknown>);
  return undefined;
}

/** A plain copy of a resource's properties, with UNKNOWN where the engine has no value yet. */
export function plainProps(props: Record<string, unknown>): PropertyMap {
  const copy: Record<string, PropertyValue> = {};
  for (const key of Object.keys(props)) copy[key] = plainValue(() => props[key]);
  return copy;
}

/** The resource a resource validation is given (its inputs). */
export function fromValidationArgs(args: ResourceValidationArgs): PolicyInput {
  return { type: args.type, urn: args.urn, name: args.name, props: plainProps(args.props) };
}

/** A resource of a stack validation (its outputs), with the URNs it depends on. */
export function fromPolicyResource(resource: PolicyResource): PolicyInput {
  const dependencies = new Set(resource.dependencies.map((dependency) => dependency.urn));
  for (const resources of Object.values(resource.propertyDependencies)) {
    for (const dependency of resources) dependencies.add(dependency.urn);
  }
  return {
    type: resource.type,
    urn: resource.urn,
    name: resource.name,
    props: plainProps(resource.props),
    dependencies: [...dependencies],
  };
}
