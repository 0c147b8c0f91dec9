/**
 * Rule: the bluegreen control table, a DynamoDB table tagged `bluegreen:role = control`, has
 * point-in-time recovery and deletion protection. It holds what a rollout must not lose (the run's
 * claim on the stack, its position, the stack's history). The rule keys on the tag rather than a
 * name, so a table declared outside this program (`ControlTable` used on its own) is judged too.
 */
import { PolicyInput, Violation, at, named, isUnknown, tagOf } from "./resource";

/** The type token this rule reads. */
export const DYNAMODB_TABLE_TYPE = "aws:dynamodb/table:Table";
/** The tag that marks a table as the control table. */
export const ROLE_TAG = "bluegreen:role";
/** The value of {@link ROLE_TAG} on the control table. */
export const CONTROL_ROLE = "control";

/** Violations of the control-table rule by one DynamoDB table. */
export function controlTableViolations(table: PolicyInput): Violation[] {
  if (table.type !== DYNAMODB_TABLE_TYPE || tagOf(table.props, ROLE_TAG) !== CONTROL_ROLE) return [];
  const subject = `${named("DynamoDB table", table)} (${ROLE_TAG}=${CONTROL_ROLE})`;
  const violations: Violation[] = [];
  const recovery = at(table.props, "pointInTimeRecovery", "enabled");
  if (recovery !== true && !isUnknown(recovery)) {
    violations.push({
      urn: table.urn,
      message: `${subject} has no point-in-time recovery. Fix: set pointInTimeRecovery: { enabled: true }.`,
    });
  }
  const protection = table.props.deletionProtectionEnabled;
  if (protection !== true && !isUnknown(protection)) {
    violations.push({
      urn: table.urn,
      message: `${subject} has no deletion protection. Fix: set deletionProtectionEnabled: true.`,
    });
  }
  return violations;
}
