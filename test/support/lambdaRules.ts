/**
 * The rules the Lambda API enforces on aliases and versions, checked against the inputs the program
 * would send (the resources recorded by the engine mocks). A mock accepts anything; these make a
 * test fail where AWS would reject the update.
 */
import type { RecordedResource } from "./pulumi-mocks";

const ALIAS_TYPE = "aws:lambda/alias:Alias";
const CLOUD_CONTROL_TYPE = "aws:cloudcontrol/resource:Resource";
const VERSION_TYPE_NAME = "AWS::Lambda::Version";

/** Properties an `AWS::Lambda::Version` accepts on create; every one of them is create-only. */
const VERSION_PROPERTIES = new Set([
  "FunctionName",
  "Description",
  "CodeSha256",
  "ProvisionedConcurrencyConfig",
  "RuntimePolicy",
]);

/**
 * Every Lambda alias routes the way `CreateAlias`/`UpdateAlias` allow: a published primary version
 * (a number, never `$LATEST`), at most one additional version, different from the primary, weighted
 * 0.0-1.0.
 */
export function assertLambdaAliases(resources: readonly RecordedResource[]): void {
  for (const alias of resources.filter((resource) => resource.type === ALIAS_TYPE)) {
    const where = `alias ${alias.name}`;
    const primary: unknown = alias.inputs.functionVersion;
    if (typeof primary !== "string" || !/^\d+$/.test(primary)) {
      throw new Error(
        `${where}: functionVersion must be a published version number, got ${JSON.stringify(primary)}`,
      );
    }
    const weights: unknown = alias.inputs.routingConfig?.additionalVersionWeights;
    if (weights === undefined) continue;
    if (weights === null || typeof weights !== "object" || Array.isArray(weights)) {
      throw new Error(`${where}: additionalVersionWeights must be a map, got ${JSON.stringify(weights)}`);
    }
    const entries = Object.entries(weights as Record<string, unknown>);
    if (entries.length > 1) {
      throw new Error(`${where}: an alias routes to at most one additional version, got ${entries.length}`);
    }
    for (const [version, weight] of entries) {
      if (!/^\d+$/.test(version)) {
        throw new Error(
          `${where}: the additional version must be a published version number, got ${JSON.stringify(version)}`,
        );
      }
      if (version === primary) {
        throw new Error(`${where}: the additional version ${version} is the primary version`);
      }
      if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0 || weight > 1) {
        throw new Error(`${where}: weight of version ${version} must be between 0 and 1, got ${weight}`);
      }
    }
  }
}

/**
 * Every `AWS::Lambda::Version` managed through Cloud Control has a desired state the type accepts:
 * JSON naming the function, with create-only properties only (so a change means a new version, never
 * an update) and a description within Lambda's 256 characters.
 */
export function assertLambdaVersionsImmutable(resources: readonly RecordedResource[]): void {
  for (const resource of resources.filter((candidate) => candidate.type === CLOUD_CONTROL_TYPE)) {
    if (resource.inputs.typeName !== VERSION_TYPE_NAME) continue;
    const where = `${VERSION_TYPE_NAME} ${resource.name}`;
    let state: unknown;
    try {
      state = JSON.parse(String(resource.inputs.desiredState));
    } catch {
      throw new Error(`${where}: desiredState is not JSON: ${String(resource.inputs.desiredState)}`);
    }
    if (state === null || typeof state !== "object" || Array.isArray(state)) {
      throw new Error(`${where}: desiredState must be a JSON object, got ${JSON.stringify(state)}`);
    }
    const properties = state as Record<string, unknown>;
    if (typeof properties.FunctionName !== "string" || properties.FunctionName.length === 0) {
      throw new Error(`${where}: desiredState must carry FunctionName, got ${JSON.stringify(properties)}`);
    }
    for (const key of Object.keys(properties)) {
      if (!VERSION_PROPERTIES.has(key)) {
        throw new Error(
          `${where}: ${key} is not a property AWS::Lambda::Version accepts (read-only or unknown); allowed: ${[...VERSION_PROPERTIES].join(", ")}`,
        );
      }
    }
    const description = properties.Description;
    if (description !== undefined && (typeof description !== "string" || description.length > 256)) {
      throw new Error(`${where}: Description must be text of at most 256 characters`);
    }
  }
}

/** Both Lambda rule sets. */
export function assertLambdaRules(resources: readonly RecordedResource[]): void {
  assertLambdaAliases(resources);
  assertLambdaVersionsImmutable(resources);
}
