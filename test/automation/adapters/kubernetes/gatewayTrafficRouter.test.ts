import assert from "node:assert/strict";
import type { RolloutConfig } from "../../../../infra/config/schema";
import { GatewayTrafficRouter } from "../../../../automation/adapters/kubernetes/gatewayTrafficRouter";
import {
  type DeploymentState,
  type HttpBackendRef,
  type HttpRoute,
  KubernetesApiError,
} from "../../../../automation/adapters/kubernetes/kubernetesApi";
import { isTransient } from "../../../../automation/core/retry";
import { asTheDriverRetries, instantClock } from "../aws/helpers";
import { FakeKubernetesApi } from "./fakeKubernetesApi";
import type { TrafficSplit, GatewayRouting } from "../../../../components/domain";

const NAMESPACE = "catalog-dev";
const ROUTING: GatewayRouting = {
  kind: "gateway",
  namespace: NAMESPACE,
  routeName: "catalog",
  serviceNames: { blue: "catalog-blue", green: "catalog-green" },
};

const CHECK: RolloutConfig["preTrafficCheck"] = {
  paths: [
    { path: "/health", expectStatus: 200 },
    { path: "/ready?deep=1", expectStatus: 204 },
  ],
  payload: "{}",
  timeout: 5,
  attempts: 3,
  enabled: true,
};

/** The route as the program creates it, plus what a platform team may add around it. */
function programRoute(weights: { blue?: number; green?: number }): HttpRoute {
  const ref = (name: string, weight: number | undefined): HttpBackendRef => ({
    kind: "Service",
    name,
    port: 80,
    ...(weight === undefined ? {} : { weight }),
  });
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: {
      name: "catalog",
      namespace: NAMESPACE,
      labels: { "app.kubernetes.io/part-of": "catalog-gateway-dev" },
      annotations: { "example.com/owner": "team-catalog" },
    },
    spec: {
      parentRefs: [
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "gateway-system" },
      ],
      hostnames: ["catalog.dev.example.com"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/legacy" } }],
          filters: [
            {
              type: "RequestRedirect",
              requestRedirect: { path: { type: "ReplaceFullPath", replaceFullPath: "/" } },
            },
          ],
        },
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          timeouts: { request: "10s" },
          backendRefs: [ref("catalog-blue", weights.blue), ref("catalog-green", weights.green)],
        },
      ],
    },
    status: { parents: [{ parentRef: { name: "public" }, controllerName: "example.com/gateway" }] },
  };
}

function setup() {
  const api = new FakeKubernetesApi();
  const { clock, sleeps } = instantClock();
  const router = new GatewayTrafficRouter({
    api,
    routing: ROUTING,
    servicePort: 80,
    preTrafficCheck: CHECK,
    clock,
    checkRetryDelayMs: 2_000,
    timeoutSignal: () => new AbortController().signal,
  });
  return { api, router, sleeps };
}

function colourWeights(route: HttpRoute): Record<string, number | undefined> {
  const refs = route.spec?.rules?.[1].backendRefs ?? [];
  return Object.fromEntries(refs.map((ref) => [ref.name, ref.weight]));
}

const SPLITS: TrafficSplit[] = [
  { blue: 100, green: 0 },
  { blue: 90, green: 10 },
  { blue: 50, green: 50 },
  { blue: 0, green: 100 },
];

describe("GatewayTrafficRouter", () => {
  describe("read", () => {
    for (const split of SPLITS) {
      it(`reads blue ${split.blue} / green ${split.green} from weights in percent`, async () => {
        const { api, router } = setup();
        api.putRoute(NAMESPACE, "catalog", programRoute(split));
        assert.deepEqual(await router.read(), split);
      });
    }

    const scales: { weights: { blue?: number; green?: number }; expected: TrafficSplit; label: string }[] = [
      {
        label: "weights on a scale of 1,000",
        weights: { blue: 900, green: 100 },
        expected: { blue: 90, green: 10 },
      },
      { label: "weights on any scale", weights: { blue: 3, green: 1 }, expected: { blue: 75, green: 25 } },
      { label: "missing weights as 1 each", weights: {}, expected: { blue: 50, green: 50 } },
      {
        label: "a missing weight as 1 next to a weight of 3",
        weights: { green: 3 },
        expected: { blue: 25, green: 75 },
      },
    ];
    for (const { label, weights, expected } of scales) {
      it(`converts ${label} to percent`, async () => {
        const { api, router } = setup();
        api.putRoute(NAMESPACE, "catalog", programRoute(weights));
        assert.deepEqual(await router.read(), expected);
      });
    }

    it("names the route and both Services when no rule routes to them", async () => {
      const { api, router } = setup();
      const route = programRoute({ blue: 100, green: 0 });
      api.putRoute(NAMESPACE, "catalog", {
        ...route,
        spec: { ...route.spec, rules: [route.spec!.rules![0]] },
      });
      await assert.rejects(
        router.read(),
        /HTTPRoute catalog-dev\/catalog has no rule whose backendRefs name the colours' Services \(blue catalog-blue, green catalog-green\)/,
      );
    });

    it("refuses a rule that also sends traffic to a third backend", async () => {
      const { api, router } = setup();
      const route = programRoute({ blue: 90, green: 10 });
      const rules = route.spec!.rules!;
      const shared = {
        ...rules[1],
        backendRefs: [...rules[1].backendRefs!, { name: "catalog-canary", weight: 5 }],
      };
      api.putRoute(NAMESPACE, "catalog", { ...route, spec: { ...route.spec, rules: [rules[0], shared] } });
      await assert.rejects(router.read(), /rule 1 also sends traffic to Service catalog-canary/);
    });

    it("says the route answers 500 when both colours have weight 0", async () => {
      const { api, router } = setup();
      api.putRoute(NAMESPACE, "catalog", programRoute({ blue: 0, green: 0 }));
      await assert.rejects(router.read(), /gives both colours weight 0/);
    });

    it("makes one call per read: a 503 and a 429 are transient for the driver to retry, a 403 final", async () => {
      const { api, router, sleeps } = setup();
      api.putRoute(NAMESPACE, "catalog", programRoute({ blue: 100, green: 0 }));
      api.failNext.getRoute.push(
        new KubernetesApiError(503, "the server is currently unable to handle the request"),
        new KubernetesApiError(429, "too many requests"),
      );
      await assert.rejects(
        router.read(),
        (error) => isTransient(error) && /unable to handle/.test(String(error)),
      );
      assert.deepEqual(sleeps, [], "the router never pauses to retry");
      assert.deepEqual(await asTheDriverRetries(() => router.read()), { blue: 100, green: 0 });

      api.failNext.getRoute.push(
        new KubernetesApiError(403, 'httproutes.gateway.networking.k8s.io "catalog" is forbidden'),
        new KubernetesApiError(503, "never reached"),
      );
      await assert.rejects(
        asTheDriverRetries(() => router.read()),
        /forbidden/,
      );
      assert.equal(api.failNext.getRoute.length, 1, "a 403 is not asked again");
    });
  });

  describe("write", () => {
    for (const split of SPLITS) {
      it(`writes blue ${split.blue} / green ${split.green} as weights in percent and reads it back`, async () => {
        const { api, router } = setup();
        api.putRoute(NAMESPACE, "catalog", programRoute({ blue: 50, green: 50 }));
        await router.write(split);
        assert.deepEqual(colourWeights(api.route(NAMESPACE, "catalog")), {
          "catalog-blue": split.blue,
          "catalog-green": split.green,
        });
        assert.deepEqual(await router.read(), split);
      });
    }

    it("keeps every other field, rule and backendRef field, and names the resourceVersion it read", async () => {
      const { api, router } = setup();
      api.putRoute(NAMESPACE, "catalog", programRoute({ blue: 100, green: 0 }));
      const before = api.route(NAMESPACE, "catalog");
      await router.write({ blue: 75, green: 25 });
      assert.equal(api.replaced.length, 1);
      const sent = api.replaced[0];
      assert.equal(sent.metadata?.resourceVersion, before.metadata?.resourceVersion);
      // Only the two weights differ from what was read: the route the program would make at 75/25.
      assert.deepEqual(sent, { ...programRoute({ blue: 75, green: 25 }), metadata: before.metadata });
    });

    it("gives a rule that lost a colour's backendRef that colour back", async () => {
      const { api, router } = setup();
      const route = programRoute({ blue: 100, green: 0 });
      const rules = route.spec!.rules!;
      const blueOnly = { ...rules[1], backendRefs: [rules[1].backendRefs![0]] };
      api.putRoute(NAMESPACE, "catalog", { ...route, spec: { ...route.spec, rules: [rules[0], blueOnly] } });
      await router.write({ blue: 90, green: 10 });
      assert.deepEqual(api.route(NAMESPACE, "catalog").spec?.rules?.[1].backendRefs, [
        { kind: "Service", name: "catalog-blue", port: 80, weight: 90 },
        { kind: "Service", name: "catalog-green", port: 80, weight: 10 },
      ]);
    });

    it("after a 409 Conflict the driver's next attempt reads the route again and succeeds", async () => {
      const { api, router } = setup();
      api.putRoute(NAMESPACE, "catalog", programRoute({ blue: 100, green: 0 }));
      api.concurrentWriters = 2;
      await asTheDriverRetries(() => router.write({ blue: 90, green: 10 }));
      assert.equal(api.replaced.length, 1);
      const stored = api.route(NAMESPACE, "catalog");
      assert.deepEqual(
        stored.metadata?.labels,
        { touchedBy: "someone-else" },
        "the other writer's change survives",
      );
      assert.deepEqual(colourWeights(stored), { "catalog-blue": 90, "catalog-green": 10 });
    });

    it("a conflict is one failed attempt, transient, saying someone else is writing the route", async () => {
      const { api, router } = setup();
      api.putRoute(NAMESPACE, "catalog", programRoute({ blue: 100, green: 0 }));
      api.concurrentWriters = 10;
      await assert.rejects(
        router.write({ blue: 90, green: 10 }),
        (error) =>
          isTransient(error) &&
          /someone else is writing the route: HTTPRoute catalog-dev\/catalog changed between read and write \(409 Conflict\)/.test(
            String(error),
          ),
      );
      assert.equal(api.concurrentWriters, 9, "one write per call");
      await assert.rejects(
        asTheDriverRetries(() => router.write({ blue: 90, green: 10 })),
        /someone else is writing/,
      );
      assert.equal(api.replaced.length, 0);
      assert.equal(api.concurrentWriters, 6, "the driver's attempts, and no more");
    });

    it("rejects a split that does not sum to 100 before touching the route", async () => {
      const { api, router } = setup();
      api.putRoute(NAMESPACE, "catalog", programRoute({ blue: 100, green: 0 }));
      await assert.rejects(router.write({ blue: 90, green: 20 }), /invalid traffic split blue 90, green 20/);
      assert.equal(api.replaced.length, 0);
    });

    it("a 500 on replace is retried by the driver, with the same resourceVersion", async () => {
      const { api, router } = setup();
      api.putRoute(NAMESPACE, "catalog", programRoute({ blue: 100, green: 0 }));
      const before = api.route(NAMESPACE, "catalog").metadata?.resourceVersion;
      api.failNext.replaceRoute.push(new KubernetesApiError(500, "etcdserver: request timed out"));
      await asTheDriverRetries(() => router.write({ blue: 0, green: 100 }));
      assert.equal(api.replaced.at(-1)?.metadata?.resourceVersion, before);
      assert.deepEqual(await router.read(), { blue: 0, green: 100 });
    });
  });

  describe("readiness", () => {
    const cases: { label: string; deployment: DeploymentState; ready: boolean; detail: RegExp }[] = [
      {
        label: "every pod of the current template ready",
        deployment: {
          metadata: { generation: 4 },
          spec: { replicas: 2 },
          status: {
            observedGeneration: 4,
            replicas: 2,
            updatedReplicas: 2,
            readyReplicas: 2,
            availableReplicas: 2,
          },
        },
        ready: true,
        detail: /^2 of 2 pods ready in green's deployment catalog-dev\/catalog-green$/,
      },
      {
        label: "a rollout half done",
        deployment: {
          metadata: { generation: 5 },
          spec: { replicas: 2 },
          status: { observedGeneration: 5, replicas: 3, updatedReplicas: 1, readyReplicas: 2 },
        },
        ready: false,
        detail: /rolling out: 1 of 2 pods updated/,
      },
      {
        label: "old pods still running next to the new ones",
        deployment: {
          metadata: { generation: 5 },
          spec: { replicas: 2 },
          status: { observedGeneration: 5, replicas: 3, updatedReplicas: 2, readyReplicas: 3 },
        },
        ready: false,
        detail: /1 pod of the previous version still runs and would get traffic/,
      },
      {
        label: "too few pods ready",
        deployment: {
          metadata: { generation: 4 },
          spec: { replicas: 2 },
          status: { observedGeneration: 4, replicas: 2, updatedReplicas: 2, readyReplicas: 1 },
        },
        ready: false,
        detail: /^1 of 2 pods ready in green's deployment/,
      },
      {
        label: "a spec the controller has not seen yet",
        deployment: {
          metadata: { generation: 6 },
          spec: { replicas: 2 },
          status: { observedGeneration: 5, replicas: 2, updatedReplicas: 2, readyReplicas: 2 },
        },
        ready: false,
        detail: /generation 6, observed 5/,
      },
      {
        label: "no status yet",
        deployment: { metadata: { generation: 1 }, spec: { replicas: 2 } },
        ready: false,
        detail: /0 of 2 pods ready/,
      },
    ];
    for (const { label, deployment, ready, detail } of cases) {
      it(`is ${ready ? "ready" : "not ready"} with ${label}`, async () => {
        const { api, router } = setup();
        api.deployments.set(`${NAMESPACE}/catalog-green`, deployment);
        const result = await router.readiness("green");
        assert.equal(result.ready, ready, result.detail);
        assert.match(result.detail, detail);
      });
    }

    it("fails naming the Deployment when it does not exist", async () => {
      const { router } = setup();
      await assert.rejects(router.readiness("blue"), /deployments.apps "catalog-blue" not found/);
    });
  });

  describe("preTrafficCheck", () => {
    it("GETs each path on the colour's Service through the API server proxy and passes", async () => {
      const { api, router } = setup();
      api.proxyAnswers.set("catalog-green/ready?deep=1", [204]);
      const result = await router.preTrafficCheck("green");
      assert.equal(result.ready, true, result.detail);
      assert.deepEqual(api.proxyCalls, [
        { namespace: NAMESPACE, service: "catalog-green", port: 80, path: "/health" },
        { namespace: NAMESPACE, service: "catalog-green", port: 80, path: "/ready?deep=1" },
      ]);
      assert.match(result.detail, /\/api\/v1\/namespaces\/catalog-dev\/services\/catalog-green:80\/proxy/);
    });

    it("fails with the last status after every attempt, without reaching the next path", async () => {
      const { api, router, sleeps } = setup();
      api.proxyAnswers.set("catalog-blue/health", [503]);
      const result = await router.preTrafficCheck("blue");
      assert.equal(result.ready, false);
      assert.match(result.detail, /GET \/health answered 503, expected 200 \(3 attempts/);
      assert.equal(api.proxyCalls.length, 3);
      assert.deepEqual(sleeps, [2_000, 2_000]);
    });

    it("passes when a later attempt answers as expected", async () => {
      const { api, router } = setup();
      api.proxyAnswers.set("catalog-green/health", [503, 200]);
      api.proxyAnswers.set("catalog-green/ready?deep=1", [204]);
      const result = await router.preTrafficCheck("green");
      assert.equal(result.ready, true, result.detail);
      assert.equal(api.proxyCalls.length, 3);
    });

    it("counts a proxy call that fails without an answer as a failed attempt", async () => {
      const { api, router } = setup();
      api.proxyAnswers.set("catalog-green/health", [
        Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      ]);
      const result = await router.preTrafficCheck("green");
      assert.equal(result.ready, false);
      assert.match(result.detail, /GET \/health failed: socket hang up/);
    });
  });
});
