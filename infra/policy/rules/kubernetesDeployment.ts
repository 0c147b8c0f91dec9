/**
 * Rule: a colour's Kubernetes Deployment gates traffic on readiness and never drops below its
 * replica count while it rolls: every container has a readiness probe, and the strategy is a
 * rolling update with `maxUnavailable: 0`. The driver waits for a colour's pods to be ready before
 * the pre-traffic check, and a colour can be serving when it is updated (a hotfix of the stable one).
 *
 * A Deployment is a colour's when it, its selector or its pod template carries the label
 * `bluegreen.dev/colour` (KubernetesBlueGreen sets it on all three).
 */
import { PolicyInput, PropertyValue, Violation, asList, asMap, at, named, isUnknown } from "./resource";

/** The type token this rule reads. */
export const DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment";
/** The label naming a pod's colour. */
export const COLOUR_LABEL = "bluegreen.dev/colour";

const PROBE_HANDLERS = ["httpGet", "tcpSocket", "exec", "grpc"];

/** The colour label from wherever it is known: the labels hold the version, which a preview may not know. */
function colourOf(props: PropertyValue): string | undefined {
  return [
    at(props, "spec", "selector", "matchLabels", COLOUR_LABEL),
    at(props, "metadata", "labels", COLOUR_LABEL),
    at(props, "spec", "template", "metadata", "labels", COLOUR_LABEL),
  ].find((value): value is string => typeof value === "string");
}

function isZero(value: PropertyValue): boolean {
  return value === 0 || value === "0" || value === "0%";
}

function probeProblems(subject: string, props: PropertyValue): string[] {
  const containers = at(props, "spec", "template", "spec", "containers");
  const list = asList(containers);
  if (list === undefined) return [];
  const problems: string[] = [];
  for (const [index, entry] of list.entries()) {
    const container = asMap(entry);
    if (container === undefined) continue;
    const probe = container.readinessProbe;
    if (isUnknown(probe)) continue;
    const handler = asMap(probe);
    if (handler !== undefined && PROBE_HANDLERS.some((key) => handler[key] !== undefined)) continue;
    const name = typeof container.name === "string" ? `"${container.name}"` : `${index + 1}`;
    problems.push(
      `${subject}: container ${name} has no readiness probe, so its pods take traffic before they can serve. Fix: give it a readinessProbe (bluegreen:kubernetes.probes.readinessPath).`,
    );
  }
  return problems;
}

function strategyProblem(subject: string, props: PropertyValue): string | undefined {
  const type = at(props, "spec", "strategy", "type");
  const maxUnavailable = at(props, "spec", "strategy", "rollingUpdate", "maxUnavailable");
  if (isUnknown(type) || isUnknown(maxUnavailable)) return undefined;
  const fix = "Fix: use strategy { type: RollingUpdate, rollingUpdate: { maxUnavailable: 0 } }.";
  if (type === "Recreate") {
    return `${subject} uses the Recreate strategy, which stops every pod of the colour before starting new ones. ${fix}`;
  }
  if (isZero(maxUnavailable)) return undefined;
  const found =
    maxUnavailable === undefined || maxUnavailable === null
      ? "leaves rollingUpdate.maxUnavailable at Kubernetes' default of 25%"
      : `sets rollingUpdate.maxUnavailable to ${JSON.stringify(maxUnavailable)}`;
  return `${subject} ${found}, so an update of a serving colour drops below its replica count. ${fix}`;
}

/** Violations of the rollout rule by one Kubernetes Deployment. */
export function kubernetesDeploymentViolations(deployment: PolicyInput): Violation[] {
  if (deployment.type !== DEPLOYMENT_TYPE) return [];
  const colour = colourOf(deployment.props);
  if (colour === undefined) return [];
  const subject = `${named("Deployment", deployment)} (${colour})`;
  const problems = probeProblems(subject, deployment.props);
  const strategy = strategyProblem(subject, deployment.props);
  if (strategy !== undefined) problems.push(strategy);
  return problems.map((message) => ({ urn: deployment.urn, message }));
}
