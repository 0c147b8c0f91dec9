/**
 * `KubernetesApi` over `@kubernetes/client-node`: HTTPRoutes through CustomObjectsApi, Deployments
 * through AppsV1Api, and GETs through the API server's service proxy with the kubeconfig's own
 * credentials, so a pre-traffic check needs no route into the cluster network.
 *
 * The client package is ECMAScript-module only and takes a moment to load; it is required on first
 * use (Node 24 can require an ES module), so commands that never reach a cluster do not pay for it.
 */
import * as http from "node:http";
import * as https from "node:https";
import type {
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  ConfigurationOptions,
  CustomObjectsApi,
  KubeConfig,
  ObservableMiddleware,
} from "@kubernetes/client-node";
import {
  type AccessRequest,
  type DeploymentState,
  type HttpRoute,
  type KubernetesAccessReview,
  KubernetesApiError,
  type KubernetesApi,
  type KubernetesScaleApi,
  type ProxyResponse,
} from "./kubernetesApi";

/** The module `@kubernetes/client-node`. */
export type KubernetesClientModule = typeof import("@kubernetes/client-node");

/** The Gateway API group, version and resource of HTTPRoutes. */
export const HTTP_ROUTE_RESOURCE = {
  group: "gateway.networking.k8s.io",
  version: "v1",
  plural: "httproutes",
} as const;

/** Loads `@kubernetes/client-node`. */
export function loadKubernetesClient(): KubernetesClientModule {
  // A plain require: the CLI runs through tsx's CommonJS hook, which a dynamic import() would bypass.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@kubernetes/client-node") as KubernetesClientModule;
}

/** Where the cluster's credentials come from. */
export interface KubernetesClientOptions {
  /**
   * A kubeconfig document (the stack's `bluegreen:kubeconfig` secret), or a function that reads it
   * when the first call needs it. Absent or undefined: KUBECONFIG, else ~/.kube/config, else the
   * in-cluster service account, as kubectl finds them.
   */
  readonly kubeconfig?: string | ((signal?: AbortSignal) => Promise<string | undefined>);
  /** The client module. @default loadKubernetesClient() */
  readonly client?: KubernetesClientModule;
}

interface Clients {
  readonly module: KubernetesClientModule;
  readonly config: KubeConfig;
  readonly customObjects: CustomObjectsApi;
  readonly apps: AppsV1Api;
  readonly authorization: AuthorizationV1Api;
}

/**
 * The real Kubernetes API. Every failure the API server answered becomes a `KubernetesApiError`
 * with its HTTP status and the `Status` message; the kubeconfig is never part of a message.
 */
export class KubeconfigKubernetesApi implements KubernetesApi, KubernetesScaleApi, KubernetesAccessReview {
  private clients?: Promise<Clients>;

  constructor(private readonly options: KubernetesClientOptions = {}) {}

  /** GET the HTTPRoute. */
  async getRoute(namespace: string, name: string, signal?: AbortSignal): Promise<HttpRoute> {
    const { module, customObjects } = await this.connect(signal);
    return this.call(`get httproute ${namespace}/${name}`, signal, () =>
      customObjects.getNamespacedCustomObject(
        { ...HTTP_ROUTE_RESOURCE, namespace, name },
        signalOptions(module, signal),
      ),
    ) as Promise<HttpRoute>;
  }

  /** PUT the HTTPRoute; a stale `metadata.resourceVersion` is answered 409 Conflict. */
  async replaceRoute(
    namespace: string,
    name: string,
    body: HttpRoute,
    signal?: AbortSignal,
  ): Promise<HttpRoute> {
    const { module, customObjects } = await this.connect(signal);
    return this.call(`update httproute ${namespace}/${name}`, signal, () =>
      customObjects.replaceNamespacedCustomObject(
        { ...HTTP_ROUTE_RESOURCE, namespace, name, body, fieldManager: "bluegreen" },
        signalOptions(module, signal),
      ),
    ) as Promise<HttpRoute>;
  }

  /** GET the Deployment. */
  async getDeployment(namespace: string, name: string, signal?: AbortSignal): Promise<DeploymentState> {
    const { module, apps } = await this.connect(signal);
    return this.call(`get deployment ${namespace}/${name}`, signal, () =>
      apps.readNamespacedDeployment({ namespace, name }, signalOptions(module, signal)),
    );
  }

  /** PUT the Deployment's scale subresource: `spec.replicas` only, nothing else of the Deployment. */
  async scaleDeployment(
    namespace: string,
    name: string,
    replicas: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const { module, apps } = await this.connect(signal);
    await this.call(`scale deployment ${namespace}/${name}`, signal, () =>
      apps.replaceNamespacedDeploymentScale(
        {
          namespace,
          name,
          body: {
            apiVersion: "autoscaling/v1",
            kind: "Scale",
            metadata: { name, namespace },
            spec: { replicas },
          },
          fieldManager: "bluegreen",
        },
        signalOptions(module, signal),
      ),
    );
  }

  /** Whether the credentials may do `request` in `namespace`, by a SelfSubjectAccessReview. */
  async allowed(namespace: string, request: AccessRequest, signal?: AbortSignal): Promise<boolean> {
    const { module, authorization } = await this.connect(signal);
    const what = [request.resource, request.subresource].filter(Boolean).join("/");
    const review = await this.call(`review access to ${request.verb} ${what} in ${namespace}`, signal, () =>
      authorization.createSelfSubjectAccessReview(
        {
          body: {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectAccessReview",
            spec: { resourceAttributes: { namespace, ...request } },
          },
        },
        signalOptions(module, signal),
      ),
    );
    return review.status?.allowed === true;
  }

  /** GET through the API server's service proxy; any status resolves, redirects are not followed. */
  async proxyGet(
    namespace: string,
    service: string,
    port: number,
    path: string,
    signal: AbortSignal,
  ): Promise<ProxyResponse> {
    const { config } = await this.connect(signal);
    const server = config.getCurrentCluster()?.server;
    if (!server) throw new Error("the kubeconfig's current context names no cluster server");
    const options: https.RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    const url = new URL(
      `${server.replace(/\/+$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}:${port}/proxy${path}`,
    );
    const client = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(
        url,
        { ...options, method: "GET", headers: { ...options.headers, accept: "*/*" }, signal },
        (response) => {
          // Only the status matters; drain the body so the socket is released.
          response.resume();
          resolve({ status: response.statusCode ?? 0 });
        },
      );
      request.on("error", reject);
      request.end();
    });
  }

  private connect(signal?: AbortSignal): Promise<Clients> {
    signal?.throwIfAborted();
    this.clients ??= this.load(signal).catch((error: unknown) => {
      // A failed load (a secret that could not be read yet) may work on the next call.
      this.clients = undefined;
      throw error;
    });
    return this.clients;
  }

  private async load(signal?: AbortSignal): Promise<Clients> {
    const source = this.options.kubeconfig;
    const text = typeof source === "function" ? await source(signal) : source;
    const module = this.options.client ?? loadKubernetesClient();
    const config = new module.KubeConfig();
    if (text !== undefined && text.trim() !== "") {
      try {
        config.loadFromString(text);
      } catch {
        // The parser's message may quote the document, which holds credentials.
        throw new Error(
          "the kubeconfig in bluegreen:kubeconfig is not a valid kubeconfig document; set it again with `pulumi config set --secret bluegreen:kubeconfig < kubeconfig.yaml`",
        );
      }
    } else {
      config.loadFromDefault();
    }
    if (!config.getCurrentCluster()) {
      throw new Error(
        "no Kubernetes cluster is configured: set KUBECONFIG or the current context of ~/.kube/config, or the stack's bluegreen:kubeconfig secret",
      );
    }
    return {
      module,
      config,
      customObjects: config.makeApiClient(module.CustomObjectsApi),
      apps: config.makeApiClient(module.AppsV1Api),
      authorization: config.makeApiClient(module.AuthorizationV1Api),
    };
  }

  private async call<T>(what: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (signal?.aborted) throw abortErrorFrom(signal);
      const mapped = apiErrorOf(what, error);
      if (mapped) throw mapped;
      throw error;
    }
  }
}

/** Per-call options that hand the signal to the client's fetch. */
function signalOptions(
  module: KubernetesClientModule,
  signal: AbortSignal | undefined,
): ConfigurationOptions | undefined {
  if (!signal) return undefined;
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      return new module.Observable(Promise.resolve(context));
    },
    post: (context) => new module.Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}

interface StatusBody {
  readonly message?: unknown;
  readonly reason?: unknown;
}

/** The API server's answer as a `KubernetesApiError`, or undefined for an error that is not one. */
function apiErrorOf(what: string, error: unknown): KubernetesApiError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as Partial<ApiException<unknown>>;
  if (typeof candidate.code !== "number" || !("body" in candidate)) return undefined;
  const status = statusBody(candidate.body);
  const message = typeof status?.message === "string" ? status.message : `HTTP ${candidate.code}`;
  const reason = typeof status?.reason === "string" ? status.reason : undefined;
  return new KubernetesApiError(
    candidate.code,
    `${what}: ${candidate.code}${reason ? ` ${reason}` : ""}: ${message}`,
    reason,
  );
}

/** The `Status` object of an error answer, which the client hands over parsed or as text. */
function statusBody(body: unknown): StatusBody | undefined {
  if (typeof body === "string") {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === "object" && parsed !== null ? (parsed as StatusBody) : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof body === "object" && body !== null ? (body as StatusBody) : undefined;
}

function abortErrorFrom(signal: AbortSignal): Error {
  const error = new Error("the operation was aborted", { cause: signal.reason });
  error.name = "AbortError";
  return error;
}
