/**
 * Rule: every weighted forward action of an ALB listener or listener rule is one AWS accepts and
 * one that serves: 1 to 5 target groups, whole weights from 0 to 999, and a nonzero total, so the
 * stable colour's group carries the traffic. A forward whose weights are all 0 sends nothing anywhere.
 */
import {
  LISTENER_RULE_TYPES,
  LISTENER_TYPES,
  PolicyInput,
  PropertyValue,
  Violation,
  asList,
  asMap,
  named,
  isUnknown,
} from "./resource";

/** The type tokens this rule reads. */
export const LISTENER_WEIGHT_TYPES: readonly string[] = [...LISTENER_TYPES, ...LISTENER_RULE_TYPES];

/** A forward action names at most 5 target groups. */
const MAX_TARGET_GROUPS = 5;
/** A target group's weight is 0-999. */
const MAX_WEIGHT = 999;

function forwardProblems(forward: PropertyValue): string[] {
  const groups = asList(asMap(forward)?.targetGroups);
  if (groups === undefined) return [];
  if (groups.length === 0) return ["names no target group; name the colours' target groups"];
  const problems: string[] = [];
  if (groups.length > MAX_TARGET_GROUPS) {
    problems.push(
      `names ${groups.length} target groups; AWS allows at most ${MAX_TARGET_GROUPS}: forward to the two colours' groups only`,
    );
  }
  let total = 0;
  let decided = true;
  for (const [index, entry] of groups.entries()) {
    const weight = asMap(entry)?.weight;
    if (isUnknown(weight) || isUnknown(entry)) {
      decided = false;
      continue;
    }
    if (weight === undefined || weight === null) {
      // A lone target group takes everything; beside others an unstated weight hides the split.
      if (groups.length > 1) {
        problems.push(
          `leaves the weight of target group ${index + 1} unset; give every group a weight from 0 to ${MAX_WEIGHT}`,
        );
        decided = false;
      } else total += 1;
      continue;
    }
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
      problems.push(
        `weights target group ${index + 1} at ${JSON.stringify(weight)}; use a whole number from 0 to ${MAX_WEIGHT} (bluegreen:traffic percents are used as is)`,
      );
      decided = false;
      continue;
    }
    total += weight;
  }
  if (decided && total === 0) {
    problems.push(
      "gives every target group weight 0, so no colour gets traffic; give the stable colour's group its weight (bluegreen:traffic must sum to 100)",
    );
  }
  return problems;
}

/** Violations of the forward-weight rule by one listener or listener rule. */
export function listenerWeightViolations(resource: PolicyInput): Violation[] {
  if (!LISTENER_WEIGHT_TYPES.includes(resource.type)) return [];
  const isRule = LISTENER_RULE_TYPES.includes(resource.type);
  const actions = asList(isRule ? resource.props.actions : resource.props.defaultActions) ?? [];
  const subject = named(isRule ? "listener rule" : "listener", resource);
  const violations: Violation[] = [];
  for (const [index, entry] of actions.entries()) {
    const action = asMap(entry);
    if (action?.type !== "forward") continue;
    for (const problem of forwardProblems(action.forward)) {
      violations.push({ urn: resource.urn, message: `${subject}: forward action ${index + 1} ${problem}.` });
    }
  }
  return violations;
}
