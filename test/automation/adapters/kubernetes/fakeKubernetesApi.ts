/**
 * An in-memory Kubernetes API for the gateway router's tests: one namespace's HTTPRoutes and
 * Deployments, resourceVersion checks on replace, and scripted failures.
 */
import type {
  DeploymentState,
  HttpRoute,
  KubernetesApi,
  ProxyResponse,
} from "../../../../automation/adapters/kubernetes/kubernetesApi";
import { KubernetesApiError } from "../../../../automation/adapters/kubernetes/kubernetesApi";

/** One proxied GET. */
export interface ProxyCall {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  readonly path: string;
}

/** The fake API, with its state open to the tests. */
export class FakeKubernetesApi implements KubernetesApi {
  readonly routes = new Map<string, HttpRoute>();
  readonly deployments = new Map<string, DeploymentState>();
  /** Bodies of accepted replaces, in order. */
  readonly replaced: HttpRoute[] = [];
  readonly proxyCalls: ProxyCall[] = [];
  /** Failures the next calls of a kind throw, first in first out. */
  readonly failNext: Record<"getRoute" | "replaceRoute" | "getDeployment", Error[]> = {
    getRoute: [],
    replaceRoute: [],
    getDeployment: [],
  };
  /**
   * Before each of the next `n` replaces, someone else changes the route (bumping its
   * resourceVersion), so the replace is answered 409.
   */
  concurrentWriters = 0;
  /** Answers of the proxy: `<service><path>` -> statuses in turn (the last one repeats). */
  readonly proxyAnswers = new Map<string, (number | Error)[]>();
  private version = 100;

  /** Stores a route and gives it a resourceVersion. */
  putRoute(namespace: string, name: string, route: HttpRoute): void {
    this.version += 1;
    this.routes.set(`${namespace}/${name}`, {
      ...route,
      metadata: { ...route.metadata, name, namespace, resourceVersion: String(this.version) },
    });
  }

  /** The stored route. */
  route(namespace: string, name: string): HttpRoute {
    const route = this.routes.get(`${namespace}/${name}`);
    if (!route) throw new Error(`no route ${namespace}/${name} in the fake`);
    return route;
  }

  async getRoute(namespace: string, name: string): Promise<HttpRoute> {
    const failure = this.failNext.getRoute.shift();
    if (failure) throw failure;
    const route = this.routes.get(`${namespace}/${name}`);
    if (!route) {
      throw new KubernetesApiError(404, `httproutes "${name}" not found`, "NotFound");
    }
    return structuredClone(route);
  }

  async replaceRoute(namespace: string, name: string, body: HttpRoute): Promise<HttpRoute> {
    const failure = this.failNext.replaceRoute.shift();
    if (failure) throw failure;
    if (this.concurrentWriters > 0) {
      this.concurrentWriters -= 1;
      const current = this.route(namespace, name);
      this.putRoute(namespace, name, {
        ...current,
        metadata: { ...current.metadata, labels: { touchedBy: "someone-else" } },
      });
    }
    const current = this.route(namespace, name);
    if (body.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
      throw new KubernetesApiError(
        409,
        `Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        "Conflict",
      );
    }
    this.replaced.push(structuredClone(body));
    this.putRoute(namespace, name, structuredClone(body));
    return this.route(namespace, name);
  }

  async getDeployment(namespace: string, name: string): Promise<DeploymentState> {
    const failure = this.failNext.getDeployment.shift();
    if (failure) throw failure;
    const deployment = this.deployments.get(`${namespace}/${name}`);
    if (!deployment) {
      throw new KubernetesApiError(404, `deployments.apps "${name}" not found`, "NotFound");
    }
    return structuredClone(deployment);
  }

  async proxyGet(
    namespace: string,
    service: string,
    port: number,
    path: string,
    signal: AbortSignal,
  ): Promise<ProxyResponse> {
    signal.throwIfAborted();
    this.proxyCalls.push({ namespace, service, port, path });
    const answers = this.proxyAnswers.get(`${service}${path}`) ?? [200];
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    if (answer instanceof Error) throw answer;
    return { status: answer };
  }
}
