/**
 * The Kubernetes adapters of the rollout driver's ports: the Gateway API HTTPRoute router and the
 * small Kubernetes API it works through.
 */
export {
  GatewayTrafficRouter,
  type GatewayTrafficRouterOptions,
  deploymentReadiness,
} from "./gatewayTrafficRouter";
export { GATEWAY_RBAC_EXAMPLE, checkGatewayAccess, gatewayRevertPermissions } from "./gatewayAccess";
export {
  type AccessRequest,
  type DeploymentState,
  type HttpBackendRef,
  type HttpRoute,
  type HttpRouteRule,
  type KubernetesAccessReview,
  KubernetesApiError,
  type KubernetesApi,
  type KubernetesScaleApi,
  type ProxyResponse,
  statusCodeOf,
} from "./kubernetesApi";
export {
  HTTP_ROUTE_RESOURCE,
  KubeconfigKubernetesApi,
  type KubernetesClientModule,
  type KubernetesClientOptions,
  loadKubernetesClient,
} from "./kubernetesClient";
export { type ColourDeployments, DeploymentScaler } from "./deploymentScaler";
