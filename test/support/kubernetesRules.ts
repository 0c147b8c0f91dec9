/**
 * The rules the Kubernetes API server (and the schemas of the Gateway API and AWS Load Balancer
 * Controller CRDs) enforce on objects, checked against the inputs a program sent to the engine mocks.
 * A mock accepts anything; these make a test fail where `kubectl apply` would have, or where an object
 * would be accepted but select nothing.
 *
 * Each check collects every violation and throws one AssertionError that names each object.
 */
import { AssertionError } from "node:assert";
import type { RecordedResource } from "./pulumi-mocks";

/** What a check reads: the recorded resources (see `resources()` in pulumi-mocks). */
export type Recorded = readonly RecordedResource[];

const DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment";
const SERVICE_TYPE = "kubernetes:core/v1:Service";
const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
const PDB_TYPE = "kubernetes:policy/v1:PodDisruptionBudget";
const HTTP_ROUTE_TYPE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const TARGET_GROUP_BINDING_TYPE = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** IANA service names: port names of containers and Services. */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_LABEL = 63;
const MAX_SUBDOMAIN = 253;
const MAX_PORT_NAME = 15;

/** Gateway API v1 HTTPRoute limits (CRD validation). */
const MAX_BACKEND_WEIGHT = 1_000_000;
const MAX_BACKEND_REFS = 16;
const MAX_ROUTE_RULES = 16;
const MAX_HOSTNAMES = 16;
const MAX_PARENT_REFS = 32;

/** A plain object read from recorded inputs. */
type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function fields(value: unknown): Fields {
  return isFields(value) ? value : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

function label(resource: RecordedResource): string {
  const metadata = fields(resource.inputs.metadata);
  const kind = typeof resource.inputs.kind === "string" ? resource.inputs.kind : resource.type;
  const where = typeof metadata.namespace === "string" ? `${metadata.namespace}/` : "";
  return `${kind} ${where}${String(metadata.name ?? resource.name)}`;
}

function report(check: string, problems: string[]): void {
  if (problems.length > 0) {
    throw new AssertionError({
      message: `${check}: ${problems.length} violation(s)\n  - ${problems.join("\n  - ")}`,
    });
  }
}

function kubernetesObjects(resources: Recorded): RecordedResource[] {
  return resources.filter((resource) => resource.type.startsWith("kubernetes:"));
}

function ofType(resources: Recorded, type: string): RecordedResource[] {
  return resources.filter((resource) => resource.type === type);
}

function isDnsSubdomain(value: string): boolean {
  return value.length <= MAX_SUBDOMAIN && value.split(".").every((part) => DNS_LABEL.test(part));
}

function isDnsLabel(value: string): boolean {
  return value.length <= MAX_LABEL && DNS_LABEL.test(value);
}

function labelProblems(where: string, labels: unknown): string[] {
  if (labels === undefined) return [];
  if (!isFields(labels)) return [`${where}: labels must be a map, got ${JSON.stringify(labels)}`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (
      (prefix !== undefined && !isDnsSubdomain(prefix)) ||
      name.length > MAX_LABEL ||
      !LABEL_NAME.test(name)
    ) {
      problems.push(`${where}: label key ${JSON.stringify(key)} is not a valid label key`);
    }
    if (typeof value !== "string" || value.length > MAX_LABEL || !LABEL_VALUE.test(value)) {
      problems.push(
        `${where}: label ${key}=${JSON.stringify(value)} is not a valid label value (at most ${MAX_LABEL} letters, digits, '-', '_', '.', alphanumeric at both ends)`,
      );
    }
  }
  return problems;
}

function portProblems(where: string, port: unknown, field: string): string[] {
  return isInteger(port) && port >= 1 && port <= 65_535
    ? []
    : [`${where}: ${field} ${JSON.stringify(port)} must be a port from 1 to 65535`];
}

function portNameProblems(where: string, name: unknown): string[] {
  if (name === undefined) return [];
  return typeof name === "string" && name.length <= MAX_PORT_NAME && PORT_NAME.test(name)
    ? []
    : [
        `${where}: port name ${JSON.stringify(name)} must be at most ${MAX_PORT_NAME} lower-case letters, digits and '-', with a letter`,
      ];
}

/** The pod template of a workload, or undefined for other kinds. */
function podTemplate(resource: RecordedResource): Fields | undefined {
  if (resource.type !== DEPLOYMENT_TYPE) return undefined;
  return fields(fields(resource.inputs.spec).template);
}

function containersOf(resource: RecordedResource): Fields[] {
  const template = podTemplate(resource);
  return template ? list(fields(template.spec).containers).map(fields) : [];
}

/**
 * Object names and labels: a Namespace's name is a DNS label, a Service's an RFC 1035 label (it
 * becomes a DNS name and must start with a letter), every other name a DNS subdomain; a namespace
 * reference is a DNS label; label keys and values are well formed, on objects and pod templates;
 * container names are DNS labels and their ports valid.
 */
export function assertKubernetesNames(resources: Recorded): void {
  const problems: string[] = [];
  for (const resource of kubernetesObjects(resources)) {
    const where = label(resource);
    const metadata = fields(resource.inputs.metadata);
    const name = metadata.name;
    if (name !== undefined) {
      if (typeof name !== "string") {
        problems.push(`${where}: metadata.name must be text, got ${JSON.stringify(name)}`);
      } else if (resource.type === NAMESPACE_TYPE) {
        if (!isDnsLabel(name))
          problems.push(`${where}: a namespace name must be a DNS label (at most ${MAX_LABEL})`);
      } else if (resource.type === SERVICE_TYPE) {
        if (name.length > MAX_LABEL || !DNS_1035_LABEL.test(name)) {
          problems.push(
            `${where}: a Service name must be an RFC 1035 label (a letter first, at most ${MAX_LABEL})`,
          );
        }
      } else if (!isDnsSubdomain(name)) {
        problems.push(`${where}: metadata.name must be a DNS subdomain (at most ${MAX_SUBDOMAIN})`);
      }
    }
    const namespace = metadata.namespace;
    if (namespace !== undefined && (typeof namespace !== "string" || !isDnsLabel(namespace))) {
      problems.push(`${where}: metadata.namespace ${JSON.stringify(namespace)} must be a DNS label`);
    }
    problems.push(...labelProblems(where, metadata.labels));
    const template = podTemplate(resource);
    if (template) problems.push(...labelProblems(`${where} pod template`, fields(template.metadata).labels));
    for (const container of containersOf(resource)) {
      const containerWhere = `${where} container ${String(container.name)}`;
      if (typeof container.name !== "string" || !isDnsLabel(container.name)) {
        problems.push(`${containerWhere}: a container name must be a DNS label`);
      }
      if (typeof container.image !== "string" || container.image.length === 0) {
        problems.push(`${containerWhere}: needs an image`);
      }
      for (const port of list(container.ports).map(fields)) {
        problems.push(...portProblems(containerWhere, port.containerPort, "containerPort"));
        problems.push(...portNameProblems(containerWhere, port.name));
      }
    }
    if (resource.type === SERVICE_TYPE) {
      const ports = list(fields(resource.inputs.spec).ports).map(fields);
      if (ports.length === 0) problems.push(`${where}: a Service needs at least one port`);
      for (const port of ports) {
        problems.push(...portProblems(where, port.port, "port"));
        problems.push(...portNameProblems(where, port.name));
        if (typeof port.targetPort === "number")
          problems.push(...portProblems(where, port.targetPort, "targetPort"));
      }
    }
  }
  report("Kubernetes names", problems);
}

const QUANTITY = /^([+-]?\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity ("250m", "512Mi", 2) as a number, or undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = QUANTITY.exec(value);
  return match ? Number(match[1]) * SUFFIX[match[2] ?? ""] : undefined;
}

/**
 * Container resources as the API server validates them: every request and limit is a quantity, and a
 * request never exceeds its limit.
 */
export function assertResourceRequests(resources: Recorded): void {
  const problems: string[] = [];
  for (const resource of kubernetesObjects(resources)) {
    for (const container of containersOf(resource)) {
      const where = `${label(resource)} container ${String(container.name)}`;
      const { requests, limits } = fields(container.resources);
      for (const [kind, values] of [
        ["requests", requests],
        ["limits", limits],
      ] as const) {
        for (const [resourceName, quantity] of Object.entries(fields(values))) {
          if (parseQuantity(quantity) === undefined) {
            problems.push(`${where}: ${kind}.${resourceName} ${JSON.stringify(quantity)} is not a quantity`);
          }
        }
      }
      for (const [resourceName, quantity] of Object.entries(fields(requests))) {
        const request = parseQuantity(quantity);
        const limit = parseQuantity(fields(limits)[resourceName]);
        if (request !== undefined && limit !== undefined && request > limit) {
          problems.push(
            `${where}: requests.${resourceName} ${String(quantity)} must be less than or equal to the limit ${String(fields(limits)[resourceName])}`,
          );
        }
      }
    }
  }
  report("Kubernetes resources", problems);
}

/**
 * HTTPRoutes as the Gateway API v1 CRD accepts them: 1-32 parentRefs, at most 16 hostnames (host
 * names, no IPs or ports), at most 16 rules of at most 16 backendRefs each, every weight a whole
 * number from 0 to 1,000,000, and a port on every Service backend.
 */
export function assertHttpRoutes(resources: Recorded): void {
  const problems: string[] = [];
  for (const route of ofType(resources, HTTP_ROUTE_TYPE)) {
    const where = label(route);
    const spec = fields(route.inputs.spec);
    const parentRefs = list(spec.parentRefs).map(fields);
    if (parentRefs.length === 0 || parentRefs.length > MAX_PARENT_REFS) {
      problems.push(
        `${where}: parentRefs must hold 1-${MAX_PARENT_REFS} references, got ${parentRefs.length}`,
      );
    }
    for (const parent of parentRefs) {
      if (typeof parent.name !== "string" || parent.name.length === 0) {
        problems.push(`${where}: every parentRef needs a name`);
      }
    }
    const hostnames = list(spec.hostnames);
    if (hostnames.length > MAX_HOSTNAMES) {
      problems.push(`${where}: at most ${MAX_HOSTNAMES} hostnames, got ${hostnames.length}`);
    }
    for (const host of hostnames) {
      if (
        typeof host !== "string" ||
        host.length > MAX_SUBDOMAIN ||
        !HOSTNAME.test(host) ||
        /^[\d.]+$/.test(host)
      ) {
        problems.push(`${where}: hostname ${JSON.stringify(host)} is not a host name`);
      }
    }
    const rules = list(spec.rules).map(fields);
    if (rules.length > MAX_ROUTE_RULES) {
      problems.push(`${where}: at most ${MAX_ROUTE_RULES} rules, got ${rules.length}`);
    }
    rules.forEach((rule, index) => {
      const backendRefs = list(rule.backendRefs).map(fields);
      if (backendRefs.length > MAX_BACKEND_REFS) {
        problems.push(
          `${where}: rule ${index + 1} has ${backendRefs.length} backendRefs; at most ${MAX_BACKEND_REFS}`,
        );
      }
      for (const ref of backendRefs) {
        const refWhere = `${where} rule ${index + 1} backendRef ${String(ref.name)}`;
        if (typeof ref.name !== "string" || ref.name.length === 0) problems.push(`${refWhere}: needs a name`);
        if (
          ref.weight !== undefined &&
          (!isInteger(ref.weight) || ref.weight < 0 || ref.weight > MAX_BACKEND_WEIGHT)
        ) {
          problems.push(
            `${refWhere}: weight ${JSON.stringify(ref.weight)} must be a whole number from 0 to ${MAX_BACKEND_WEIGHT}`,
          );
        }
        const kind = ref.kind ?? "Service";
        const group = ref.group ?? "";
        if (kind === "Service" && group === "") problems.push(...portProblems(refWhere, ref.port, "port"));
      }
    });
  }
  report("HTTPRoutes", problems);
}

/**
 * TargetGroupBindings as the AWS Load Balancer Controller's CRD accepts them: a non-empty
 * targetGroupARN, targetType `ip` or `instance`, a serviceRef with name and port, and networking
 * ingress rules whose peers are exactly one of ipBlock or securityGroup, on TCP or UDP ports.
 */
export function assertTargetGroupBindings(resources: Recorded): void {
  const problems: string[] = [];
  for (const binding of ofType(resources, TARGET_GROUP_BINDING_TYPE)) {
    const where = label(binding);
    const spec = fields(binding.inputs.spec);
    if (typeof spec.targetGroupARN !== "string" || spec.targetGroupARN.length === 0) {
      problems.push(`${where}: targetGroupARN is required`);
    }
    if (spec.targetType !== undefined && spec.targetType !== "ip" && spec.targetType !== "instance") {
      problems.push(`${where}: targetType ${JSON.stringify(spec.targetType)} must be "ip" or "instance"`);
    }
    const serviceRef = fields(spec.serviceRef);
    if (typeof serviceRef.name !== "string" || serviceRef.name.length === 0) {
      problems.push(`${where}: serviceRef.name is required`);
    }
    if (typeof serviceRef.port !== "string")
      problems.push(...portProblems(where, serviceRef.port, "serviceRef.port"));
    for (const rule of list(fields(spec.networking).ingress).map(fields)) {
      const from = list(rule.from).map(fields);
      if (from.length === 0)
        problems.push(`${where}: every networking ingress rule needs at least one peer in from`);
      for (const peer of from) {
        const kinds = ["ipBlock", "securityGroup"].filter((key) => peer[key] !== undefined);
        if (kinds.length !== 1) {
          problems.push(
            `${where}: a networking peer sets exactly one of ipBlock or securityGroup, got ${kinds.join(", ") || "none"}`,
          );
        }
        if (peer.securityGroup !== undefined && typeof fields(peer.securityGroup).groupID !== "string") {
          problems.push(`${where}: securityGroup peer needs a groupID`);
        }
      }
      for (const port of list(rule.ports).map(fields)) {
        if (port.protocol !== undefined && port.protocol !== "TCP" && port.protocol !== "UDP") {
          problems.push(
            `${where}: networking port protocol ${JSON.stringify(port.protocol)} must be TCP or UDP`,
          );
        }
        if (port.port !== undefined && typeof port.port !== "string") {
          problems.push(...portProblems(where, port.port, "networking port"));
        }
      }
    }
  }
  report("TargetGroupBindings", problems);
}

function namespaceOf(resource: RecordedResource): unknown {
  return fields(resource.inputs.metadata).namespace;
}

function selects(selector: Fields, labels: Fields): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * Selectors that select what they mean to: a Deployment's selector matches its own pod template (the
 * API server rejects it otherwise), and every Service and PodDisruptionBudget selector matches the pod
 * template of a Deployment in its namespace (otherwise the Service has no endpoints and the budget
 * protects nothing).
 */
export function assertSelectorsMatch(resources: Recorded): void {
  const problems: string[] = [];
  const deployments = ofType(resources, DEPLOYMENT_TYPE);
  for (const deployment of deployments) {
    const matchLabels = fields(fields(fields(deployment.inputs.spec).selector).matchLabels);
    const templateLabels = fields(fields(podTemplate(deployment)?.metadata).labels);
    if (Object.keys(matchLabels).length === 0) {
      problems.push(`${label(deployment)}: spec.selector.matchLabels is required and must not be empty`);
    } else if (!selects(matchLabels, templateLabels)) {
      problems.push(
        `${label(deployment)}: selector ${JSON.stringify(matchLabels)} does not match the template labels ${JSON.stringify(templateLabels)}`,
      );
    }
  }
  const selectsSomePod = (namespace: unknown, selector: Fields) =>
    deployments.some(
      (deployment) =>
        namespaceOf(deployment) === namespace &&
        selects(selector, fields(fields(podTemplate(deployment)?.metadata).labels)),
    );
  for (const service of ofType(resources, SERVICE_TYPE)) {
    const selector = fields(service.inputs.spec).selector;
    if (selector === undefined) continue;
    if (
      Object.keys(fields(selector)).length === 0 ||
      !selectsSomePod(namespaceOf(service), fields(selector))
    ) {
      problems.push(
        `${label(service)}: selector ${JSON.stringify(selector)} matches no Deployment's pods in its namespace`,
      );
    }
  }
  for (const budget of ofType(resources, PDB_TYPE)) {
    const matchLabels = fields(fields(fields(budget.inputs.spec).selector).matchLabels);
    if (Object.keys(matchLabels).length === 0 || !selectsSomePod(namespaceOf(budget), matchLabels)) {
      problems.push(
        `${label(budget)}: selector ${JSON.stringify(matchLabels)} matches no Deployment's pods in its namespace`,
      );
    }
  }
  report("Kubernetes selectors", problems);
}

/**
 * References between objects resolve: every HTTPRoute Service backend and every TargetGroupBinding
 * serviceRef names a Service of this program in the same namespace that exposes the referenced port.
 * Only meaningful when the test registered the Services too.
 */
export function assertServiceReferences(resources: Recorded): void {
  const problems: string[] = [];
  const services = ofType(resources, SERVICE_TYPE);
  const check = (where: string, namespace: unknown, name: unknown, port: unknown) => {
    const service = services.find(
      (candidate) => namespaceOf(candidate) === namespace && fields(candidate.inputs.metadata).name === name,
    );
    if (!service) {
      problems.push(`${where}: no Service ${String(namespace)}/${String(name)}`);
      return;
    }
    const ports = list(fields(service.inputs.spec).ports).map(fields);
    if (!ports.some((candidate) => candidate.port === port || candidate.name === port)) {
      problems.push(`${where}: Service ${String(name)} exposes no port ${JSON.stringify(port)}`);
    }
  };
  for (const route of ofType(resources, HTTP_ROUTE_TYPE)) {
    for (const rule of list(fields(route.inputs.spec).rules).map(fields)) {
      for (const ref of list(rule.backendRefs).map(fields)) {
        if ((ref.kind ?? "Service") !== "Service") continue;
        check(`${label(route)} backendRef`, ref.namespace ?? namespaceOf(route), ref.name, ref.port);
      }
    }
  }
  for (const binding of ofType(resources, TARGET_GROUP_BINDING_TYPE)) {
    const serviceRef = fields(fields(binding.inputs.spec).serviceRef);
    check(`${label(binding)} serviceRef`, namespaceOf(binding), serviceRef.name, serviceRef.port);
  }
  report("Kubernetes references", problems);
}

/** Every object-level rule above (not the cross-object references of {@link assertServiceReferences}). */
export function assertKubernetesRules(resources: Recorded): void {
  const failures: string[] = [];
  const checks: (() => void)[] = [
    () => assertKubernetesNames(resources),
    () => assertResourceRequests(resources),
    () => assertHttpRoutes(resources),
    () => assertTargetGroupBindings(resources),
    () => assertSelectorsMatch(resources),
  ];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof AssertionError)) throw error;
      failures.push(error.message);
    }
  }
  if (failures.length > 0) throw new AssertionError({ message: failures.join("\n") });
}
