/**
 * The permissions the driver needs in the route's namespace to step, verify and revert a gateway
 * rollout, and a preflight that asks the API server for each before anything moves: a revert that
 * fails with 403 would find out at the worst moment.
 */
import type { AccessRequest, KubernetesAccessReview } from "./kubernetesApi";
import { COLOURS, type GatewayRouting } from "../../../components/domain";

/** Where the Role that grants these permissions is described. */
export const GATEWAY_RBAC_EXAMPLE = "docs/kubernetes-revert-rbac.yaml";

/** The permissions of the driver's direct path, one per object it reads or writes. */
export function gatewayRevertPermissions(routing: GatewayRouting): AccessRequest[] {
  const route = { group: "gateway.networking.k8s.io", resource: "httproutes", name: routing.routeName };
  return [
    { verb: "get", ...route },
    { verb: "update", ...route },
    ...COLOURS.map((colour) => ({
      verb: "get",
      group: "apps",
      resource: "deployments",
      name: routing.serviceNames[colour],
    })),
    ...COLOURS.map((colour) => ({
      verb: "get",
      group: "",
      resource: "services",
      subresource: "proxy",
      name: routing.serviceNames[colour],
    })),
  ];
}

function describeRequest(request: AccessRequest): string {
  const resource = [request.resource, request.subresource].filter(Boolean).join("/");
  return `${request.verb} ${resource}${request.name ? ` ${request.name}` : ""}`;
}

/** Asks for every permission of the direct path; the detail names each one missing. */
export async function checkGatewayAccess(
  review: KubernetesAccessReview,
  routing: GatewayRouting,
  signal?: AbortSignal,
): Promise<{ ok: boolean; detail: string }> {
  const requests = gatewayRevertPermissions(routing);
  const answers = await Promise.all(
    requests.map((request) => review.allowed(routing.namespace, request, signal)),
  );
  const missing = requests.filter((_, index) => !answers[index]).map(describeRequest);
  const route = `HTTPRoute ${routing.namespace}/${routing.routeName}`;
  if (missing.length > 0) {
    return {
      ok: false,
      detail: `the Kubernetes credentials may not ${missing.join(", ")} in namespace ${routing.namespace}; the driver needs them to step and revert ${route}: grant them with a Role such as ${GATEWAY_RBAC_EXAMPLE}`,
    };
  }
  return {
    ok: true,
    detail: `gateway routing through ${route}: may get and update it, read both Deployments and reach both Services`,
  };
}
