/**
 * The few Kubernetes API calls the gateway router makes, as a small interface: the real one talks
 * to the cluster through `@kubernetes/client-node` (kubernetesClient.ts); tests pass a fake and
 * need no cluster.
 */

/** A backendRef of an HTTPRoute rule; fields the router does not read are kept as they are. */
export interface HttpBackendRef {
  readonly name: string;
  /** @default "" (the core API group) */
  readonly group?: string;
  /** @default "Service" */
  readonly kind?: string;
  /** @default the route's namespace */
  readonly namespace?: string;
  readonly port?: number;
  /** Proportional weight, 0 to 1,000,000. @default 1 (Gateway API spec) */
  readonly weight?: number;
  readonly [field: string]: unknown;
}

/** A rule of an HTTPRoute. */
export interface HttpRouteRule {
  readonly backendRefs?: readonly HttpBackendRef[];
  readonly [field: string]: unknown;
}

/** A Gateway API HTTPRoute (gateway.networking.k8s.io/v1) as the API server returns it. */
export interface HttpRoute {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    /** The version a replace must name, so a concurrent writer's change is not overwritten. */
    readonly resourceVersion?: string;
    readonly [field: string]: unknown;
  };
  readonly spec?: {
    readonly rules?: readonly HttpRouteRule[];
    readonly [field: string]: unknown;
  };
  readonly [field: string]: unknown;
}

/** The fields of an apps/v1 Deployment that say whether its pods can take traffic. */
export interface DeploymentState {
  readonly metadata?: { readonly name?: string; readonly generation?: number };
  /** `replicas` is absent when the Deployment leaves it to the default of 1. */
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
  };
}

/** The answer to a GET through the API server's service proxy: only the status matters. */
export interface ProxyResponse {
  readonly status: number;
}

/** The Kubernetes API calls the gateway router makes. */
export interface KubernetesApi {
  /** GET the HTTPRoute. */
  getRoute(namespace: string, name: string, signal?: AbortSignal): Promise<HttpRoute>;
  /**
   * PUT the HTTPRoute. With `metadata.resourceVersion` set, the API server refuses the write with
   * 409 Conflict when the route changed since that version was read.
   */
  replaceRoute(namespace: string, name: string, body: HttpRoute, signal?: AbortSignal): Promise<HttpRoute>;
  /** GET the Deployment. */
  getDeployment(namespace: string, name: string, signal?: AbortSignal): Promise<DeploymentState>;
  /**
   * GET `path` on the Service through the API server
   * (`/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy{path}`), without following
   * redirects. Resolves with any HTTP status; rejects only when no answer arrived.
   */
  proxyGet(
    namespace: string,
    service: string,
    port: number,
    path: string,
    signal: AbortSignal,
  ): Promise<ProxyResponse>;
}

/** One permission, as a SelfSubjectAccessReview asks about it. */
export interface AccessRequest {
  readonly verb: string;
  /** The API group: "" for the core group. */
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  /** A single object; absent means any object of the resource. */
  readonly name?: string;
}

/** Asks the API server what the current credentials may do. */
export interface KubernetesAccessReview {
  /** Whether the credentials may do `request` in `namespace` (a SelfSubjectAccessReview). */
  allowed(namespace: string, request: AccessRequest, signal?: AbortSignal): Promise<boolean>;
}

/** A call the API server answered with an error status (the body's `Status` message kept). */
export class KubernetesApiError extends Error {
  override readonly name = "KubernetesApiError";

  constructor(
    /** The HTTP status: 404 NotFound, 409 Conflict, 429 TooManyRequests, 5xx... */
    readonly statusCode: number,
    message: string,
    /** The `Status.reason` the API server gave, such as `Conflict` or `NotFound`. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** The HTTP status of a failed call, when the API server answered. */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof KubernetesApiError) return error.statusCode;
  return undefined;
}

/**
 * The calls the Deployment scaler makes: the Deployment, and its `scale` subresource, which sets
 * `spec.replicas` alone (the program ignores it on the idle colour, so nothing fights the write).
 */
export interface KubernetesScaleApi {
  /** GET the Deployment. */
  getDeployment(namespace: string, name: string, signal?: AbortSignal): Promise<DeploymentState>;
  /** PUT the Deployment's scale subresource with `replicas`. */
  scaleDeployment(namespace: string, name: string, replicas: number, signal?: AbortSignal): Promise<void>;
}
