/**
 * The pack's policies: each wraps one rule from ./rules, a resource validation where the rule reads
 * one resource, a stack validation where it relates several. Enforcement levels are the defaults
 * below; the pack's config overrides any of them per policy (README "Policy pack").
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import {
  EnforcementLevel,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { fromPolicyResource, fromValidationArgs } from "./plain";
import {
  PolicyInput,
  SOP_LIMITS,
  SopLimits,
  Violation,
  colourAlarmViolations,
  controlTableViolations,
  kubernetesDeploymentViolations,
  lambdaAliasViolations,
  listenerTlsViolations,
  listenerWeightViolations,
  testListenerIngressViolations,
} from "./rules";

/** The policies of the pack, by name. */
export type PolicyName =
  | "colour-alarms"
  | "listener-weights"
  | "listener-tls"
  | "test-listener-ingress"
  | "lambda-alias-no-latest"
  | "control-table-protection"
  | "kubernetes-colour-rollout";

/**
 * Each policy's enforcement level unless the pack's config says otherwise. Mandatory where a
 * violation breaks the SOP's safety on its own: a colour nothing judges, a split AWS rejects or that
 * serves nothing, a candidate reachable from the internet or over old TLS, traffic on unpublished
 * code, pods that take traffic before they are ready. Advisory for the control table, which no
 * stack declares and no code relies on yet: it warns now and becomes mandatory once the driver
 * keeps its state there.
 */
export const ENFORCEMENT_LEVELS: Readonly<Record<PolicyName, EnforcementLevel>> = {
  "colour-alarms": "mandatory",
  "listener-weights": "mandatory",
  "listener-tls": "mandatory",
  "test-listener-ingress": "mandatory",
  "lambda-alias-no-latest": "mandatory",
  "control-table-protection": "advisory",
  "kubernetes-colour-rollout": "mandatory",
};

/** The colour-alarm policy's config: the SOP's limits, for a team that holds itself to stricter ones. */
export const SOP_CONFIG_SCHEMA: PolicyConfigSchema = {
  properties: {
    maxErrorRatePercent: {
      type: "number",
      minimum: 0,
      maximum: 100,
      default: SOP_LIMITS.maxErrorRatePercent,
      description: "Highest error-rate threshold, in percent of requests.",
    },
    maxErrorRateWindowSeconds: {
      type: "integer",
      minimum: 60,
      default: SOP_LIMITS.maxErrorRateWindowSeconds,
      description:
        "Longest breach (period × datapoints to alarm) an error-rate alarm may need before it fires.",
    },
    maxLatencySeconds: {
      type: "number",
      minimum: 0,
      default: SOP_LIMITS.maxLatencySeconds,
      description: "Highest latency threshold, in seconds.",
    },
    maxLatencyWindowSeconds: {
      type: "integer",
      minimum: 60,
      default: SOP_LIMITS.maxLatencyWindowSeconds,
      description: "Longest breach (period × datapoints to alarm) a latency alarm may need before it fires.",
    },
    minLatencyPercentile: {
      type: "number",
      minimum: 0,
      maximum: 100,
      default: SOP_LIMITS.minLatencyPercentile,
      description: "Lowest percentile a latency alarm may judge.",
    },
  },
};

/** The SOP's limits with the policy's config applied; a missing or non-numeric value keeps the SOP's. */
export function sopLimitsFromConfig(config: Readonly<Record<string, unknown>>): SopLimits {
  const limit = (key: keyof SopLimits): number => {
    const value = config[key];
    return typeof value === "number" && Number.isFinite(value) ? value : SOP_LIMITS[key];
  };
  return {
    maxErrorRatePercent: limit("maxErrorRatePercent"),
    maxErrorRateWindowSeconds: limit("maxErrorRateWindowSeconds"),
    maxLatencySeconds: limit("maxLatencySeconds"),
    maxLatencyWindowSeconds: limit("maxLatencyWindowSeconds"),
    minLatencyPercentile: limit("minLatencyPercentile"),
  };
}

type ResourceRule = (resource: PolicyInput) => Violation[];
type StackRule = (resources: readonly PolicyInput[], args: StackValidationArgs) => Violation[];

/** A typed resource validation that runs a rule on the resource and reports each violation. */
function check(rule: ResourceRule) {
  return (_props: unknown, args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
    for (const violation of rule(fromValidationArgs(args))) reportViolation(violation.message);
  };
}

function stackPolicy(
  name: PolicyName,
  description: string,
  rule: StackRule,
  configSchema?: PolicyConfigSchema,
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: ENFORCEMENT_LEVELS[name],
    ...(configSchema !== undefined ? { configSchema } : {}),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation): void => {
      const resources = args.resources.map(fromPolicyResource);
      for (const violation of rule(resources, args)) reportViolation(violation.message, violation.urn);
    },
  };
}

/** Every policy of the `bluegreen-sop` pack. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  stackPolicy(
    "colour-alarms",
    "Each colour's target group or Lambda version has an error-rate alarm and a latency alarm no looser than the deployment SOP.",
    (resources, args) =>
      colourAlarmViolations(resources, sopLimitsFromConfig(args.getConfig<Record<string, unknown>>())),
    SOP_CONFIG_SCHEMA,
  ),
  {
    name: "listener-weights",
    description:
      "ALB forward actions name 1-5 target groups with whole weights 0-999 and a nonzero total, so the stable colour serves.",
    enforcementLevel: ENFORCEMENT_LEVELS["listener-weights"],
    validateResource: [
      validateResourceOfType(aws.lb.Listener, check(listenerWeightViolations)),
      validateResourceOfType(aws.alb.Listener, check(listenerWeightViolations)),
      validateResourceOfType(aws.lb.ListenerRule, check(listenerWeightViolations)),
      validateResourceOfType(aws.alb.ListenerRule, check(listenerWeightViolations)),
    ],
  },
  stackPolicy(
    "listener-tls",
    "A listener with a certificate serves HTTPS under a TLS 1.2+ policy, and a load balancer that serves HTTPS forwards nothing over plain HTTP.",
    (resources) => listenerTlsViolations(resources),
  ),
  stackPolicy(
    "test-listener-ingress",
    "No security group opens the test listener's port to 0.0.0.0/0 or ::/0.",
    (resources) => testListenerIngressViolations(resources),
  ),
  {
    name: "lambda-alias-no-latest",
    description: "A Lambda alias routes only to published versions, never to $LATEST.",
    enforcementLevel: ENFORCEMENT_LEVELS["lambda-alias-no-latest"],
    validateResource: validateResourceOfType(aws.lambda.Alias, check(lambdaAliasViolations)),
  },
  {
    name: "control-table-protection",
    description:
      "The DynamoDB table tagged bluegreen:role=control has point-in-time recovery and deletion protection.",
    enforcementLevel: ENFORCEMENT_LEVELS["control-table-protection"],
    validateResource: validateResourceOfType(aws.dynamodb.Table, check(controlTableViolations)),
  },
  {
    name: "kubernetes-colour-rollout",
    description:
      "A colour's Kubernetes Deployment has readiness probes and a rolling update with maxUnavailable 0.",
    enforcementLevel: ENFORCEMENT_LEVELS["kubernetes-colour-rollout"],
    validateResource: validateResourceOfType(k8s.apps.v1.Deployment, check(kubernetesDeploymentViolations)),
  },
];
