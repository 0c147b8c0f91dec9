/**
 * Rule: a Lambda alias never routes to `$LATEST`, neither as its version nor as an additional
 * weighted version. `$LATEST` is whatever code was uploaded last: it changes without a publish, so
 * traffic on it is unjudged by any colour's alarms and a revert cannot bring it back.
 */
import { PolicyInput, Violation, asMap, named } from "./resource";

/** The type token this rule reads. */
export const LAMBDA_ALIAS_TYPE = "aws:lambda/alias:Alias";

const LATEST = "$LATEST";

/** Violations of the no-`$LATEST` rule by one alias. */
export function lambdaAliasViolations(alias: PolicyInput): Violation[] {
  if (alias.type !== LAMBDA_ALIAS_TYPE) return [];
  const subject = named("Lambda alias", alias);
  const fix = "route only to published version numbers (LambdaBlueGreen publishes one per colour)";
  const violations: Violation[] = [];
  if (alias.props.functionVersion === LATEST) {
    violations.push({ urn: alias.urn, message: `${subject} points its version at ${LATEST}. Fix: ${fix}.` });
  }
  const weights = asMap(asMap(alias.props.routingConfig)?.additionalVersionWeights);
  if (weights !== undefined && Object.keys(weights).includes(LATEST)) {
    violations.push({
      urn: alias.urn,
      message: `${subject} sends weighted traffic to ${LATEST}. Fix: ${fix}.`,
    });
  }
  return violations;
}
