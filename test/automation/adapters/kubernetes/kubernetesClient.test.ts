import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { KubernetesApiError } from "../../../../automation/adapters/kubernetes/kubernetesApi";
import { KubeconfigKubernetesApi } from "../../../../automation/adapters/kubernetes/kubernetesClient";

interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly body: string;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** A local HTTP server standing in for the API server: answers by "METHOD path", records requests. */
async function fakeApiServer(answers: Record<string, Answer>) {
  const seen: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const key = `${request.method} ${request.url}`;
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        authorization: request.headers.authorization,
        body,
      });
      const answer = answers[key] ?? {
        status: 404,
        body: { kind: "Status", reason: "NotFound", message: `no answer for ${key}` },
      };
      // Status 0 stands for an API server that never answers.
      if (answer.status === 0) return;
      response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      response.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: test",
    "    cluster:",
    `      server: http://127.0.0.1:${port}`,
    "      insecure-skip-tls-verify: true",
    "users:",
    "  - name: deployer",
    "    user:",
    "      token: not-a-real-token",
    "contexts:",
    "  - name: test",
    "    context: { cluster: test, user: deployer }",
    "current-context: test",
    "",
  ].join("\n");
  return {
    seen,
    kubeconfig,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ROUTE_PATH = "/apis/gateway.networking.k8s.io/v1/namespaces/catalog-dev/httproutes/catalog";
const ROUTE = {
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: "catalog", namespace: "catalog-dev", resourceVersion: "41" },
  spec: { rules: [{ backendRefs: [{ name: "catalog-blue", port: 80, weight: 100 }] }] },
};

describe("KubeconfigKubernetesApi", () => {
  let server: Awaited<ReturnType<typeof fakeApiServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("GETs and PUTs the HTTPRoute of the gateway.networking.k8s.io/v1 API with the kubeconfig's token", async () => {
    server = await fakeApiServer({
      [`GET ${ROUTE_PATH}`]: { status: 200, body: ROUTE },
      [`PUT ${ROUTE_PATH}?fieldManager=bluegreen`]: {
        status: 200,
        body: { ...ROUTE, metadata: { ...ROUTE.metadata, resourceVersion: "42" } },
      },
    });
    const api = new KubeconfigKubernetesApi({ kubeconfig: server.kubeconfig });
    const route = await api.getRoute("catalog-dev", "catalog");
    assert.deepEqual(route, ROUTE);
    const replaced = await api.replaceRoute("catalog-dev", "catalog", route);
    assert.equal(replaced.metadata?.resourceVersion, "42");
    assert.deepEqual(
      server.seen.map((request) => `${request.method} ${request.url}`),
      [`GET ${ROUTE_PATH}`, `PUT ${ROUTE_PATH}?fieldManager=bluegreen`],
    );
    assert.equal(server.seen[0].authorization, "Bearer not-a-real-token");
    assert.equal(JSON.parse(server.seen[1].body).metadata.resourceVersion, "41");
  });

  it("turns a 409 Conflict into a KubernetesApiError with the status, reason and message", async () => {
    server = await fakeApiServer({
      [`PUT ${ROUTE_PATH}?fieldManager=bluegreen`]: {
        status: 409,
        body: {
          kind: "Status",
          status: "Failure",
          reason: "Conflict",
          code: 409,
          message:
            'Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io "catalog": the object has been modified',
        },
      },
    });
    const api = new KubeconfigKubernetesApi({ kubeconfig: server.kubeconfig });
    await assert.rejects(api.replaceRoute("catalog-dev", "catalog", ROUTE), (error: unknown) => {
      assert.ok(error instanceof KubernetesApiError);
      assert.equal(error.statusCode, 409);
      assert.equal(error.reason, "Conflict");
      assert.match(
        error.message,
        /^update httproute catalog-dev\/catalog: 409 Conflict: Operation cannot be fulfilled/,
      );
      return true;
    });
  });

  it("reads a Deployment of apps/v1", async () => {
    server = await fakeApiServer({
      ["GET /apis/apps/v1/namespaces/catalog-dev/deployments/catalog-green"]: {
        status: 200,
        body: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "catalog-green", generation: 3 },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: "catalog" } },
            template: { spec: { containers: [] } },
          },
          status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 2 },
        },
      },
    });
    const api = new KubeconfigKubernetesApi({ kubeconfig: server.kubeconfig });
    const deployment = await api.getDeployment("catalog-dev", "catalog-green");
    assert.equal(deployment.spec?.replicas, 2);
    assert.equal(deployment.status?.readyReplicas, 2);
    assert.equal(deployment.metadata?.generation, 3);
  });

  it("PUTs the Deployment's scale subresource with the replicas and the bluegreen field manager", async () => {
    server = await fakeApiServer({
      ["PUT /apis/apps/v1/namespaces/catalog-dev/deployments/catalog-blue/scale?fieldManager=bluegreen"]: {
        status: 200,
        body: { apiVersion: "autoscaling/v1", kind: "Scale", spec: { replicas: 0 } },
      },
    });
    const api = new KubeconfigKubernetesApi({ kubeconfig: server.kubeconfig });
    await api.scaleDeployment("catalog-dev", "catalog-blue", 0);
    const put = server.seen.find((request) => request.method === "PUT");
    assert.ok(put, JSON.stringify(server.seen));
    assert.deepEqual(JSON.parse(put.body).spec, { replicas: 0 });
  });

  it("GETs through the service proxy with the path and query as given, and does not follow a redirect", async () => {
    server = await fakeApiServer({
      ["GET /api/v1/namespaces/catalog-dev/services/catalog-green:80/proxy/health/deep?verbose=1"]: {
        status: 302,
        headers: { location: "/login" },
      },
    });
    const api = new KubeconfigKubernetesApi({ kubeconfig: server.kubeconfig });
    const answer = await api.proxyGet(
      "catalog-dev",
      "catalog-green",
      80,
      "/health/deep?verbose=1",
      new AbortController().signal,
    );
    assert.deepEqual(answer, { status: 302 });
    assert.equal(server.seen.length, 1);
    assert.equal(server.seen[0].authorization, "Bearer not-a-real-token");
  });

  it("hands the signal to the request, so an abort ends a call the API server never answers", async () => {
    server = await fakeApiServer({ [`GET ${ROUTE_PATH}`]: { status: 0 } });
    const api = new KubeconfigKubernetesApi({ kubeconfig: server.kubeconfig });
    const controller = new AbortController();
    const pending = api.getRoute("catalog-dev", "catalog", controller.signal);
    while (server.seen.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await assert.rejects(pending, { name: "AbortError" });
  });

  it("reads the kubeconfig from the function only when the first call needs it", async () => {
    server = await fakeApiServer({ [`GET ${ROUTE_PATH}`]: { status: 200, body: ROUTE } });
    let reads = 0;
    const kubeconfig = server.kubeconfig;
    const api = new KubeconfigKubernetesApi({
      kubeconfig: async () => {
        reads += 1;
        return kubeconfig;
      },
    });
    assert.equal(reads, 0);
    await api.getRoute("catalog-dev", "catalog");
    await api.getRoute("catalog-dev", "catalog");
    assert.equal(reads, 1);
  });

  it("never quotes a kubeconfig it cannot parse", async () => {
    const api = new KubeconfigKubernetesApi({ kubeconfig: "token: s3cr3t-value\n  : : [unbalanced" });
    await assert.rejects(api.getRoute("catalog-dev", "catalog"), (error: Error) => {
      assert.match(error.message, /bluegreen:kubeconfig is not a valid kubeconfig document/);
      assert.doesNotMatch(error.message, /s3cr3t-value/);
      return true;
    });
  });
});
