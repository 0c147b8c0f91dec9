import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Colour, TrafficSplit, httpRouteBackendWeights } from "../../components/domain";
import { GatewayWeightedRoute, GatewayWeightedRouteArgs } from "../../components/gatewayWeightedRoute";
import { KubernetesBlueGreen } from "../../components/kubernetesBlueGreen";
import { captureChildren, settle, urnsOf } from "../support/awsFixtures";
import { gatewayWorkload } from "../support/kubernetesFixtures";
import { assertKubernetesRules, assertServiceReferences } from "../support/kubernetesRules";
import {
  RecordedResource,
  resetResources,
  resources,
  resourcesOfType,
  valueOf,
} from "../support/pulumi-mocks";

const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

function args(overrides: Partial<GatewayWeightedRouteArgs> = {}): GatewayWeightedRouteArgs {
  return {
    namespace: "checkout-prod",
    gateway: { name: "public", namespace: "gateway-system", sectionName: "https" },
    hostnames: ["shop.example.com"],
    serviceNames: { blue: "checkout-blue", green: "checkout-green" },
    servicePort: 80,
    traffic: { blue: 100, green: 0 },
    ...overrides,
  };
}

/** The route wired to a real KubernetesBlueGreen, as the program does. */
async function buildWithServices(
  overrides: Partial<GatewayWeightedRouteArgs> = {},
  opts?: pulumi.ComponentResourceOptions,
): Promise<GatewayWeightedRoute> {
  const services = new KubernetesBlueGreen("checkout", {
    serviceName: "checkout",
    namespace: "checkout-prod",
    ...gatewayWorkload(),
    versions: { blue: "1.4.2", green: "1.5.0" },
  });
  const route = new GatewayWeightedRoute(
    "checkout",
    args({
      namespace: services.namespace,
      serviceNames: services.serviceNames,
      servicePort: services.servicePort,
      ...overrides,
    }),
    opts,
  );
  await settle(route.routingUrns, route.routeName, services.deploymentNames.green);
  return route;
}

async function build(
  overrides: Partial<GatewayWeightedRouteArgs> = {},
  name = "checkout",
  opts?: pulumi.ComponentResourceOptions,
): Promise<GatewayWeightedRoute> {
  const route = new GatewayWeightedRoute(name, args(overrides), opts);
  await settle(route.routingUrns, route.routeName);
  return route;
}

interface BackendRef {
  kind: string;
  name: string;
  port: number;
  weight: number;
}

function theRoute(): RecordedResource {
  const routes = resourcesOfType(HTTP_ROUTE);
  assert.equal(routes.length, 1, "one HTTPRoute");
  return routes[0];
}

function backendRefs(route: RecordedResource): BackendRef[] {
  const rules = route.inputs.spec.rules as { backendRefs: BackendRef[] }[];
  assert.equal(rules.length, 1, "one rule");
  return rules[0].backendRefs;
}

/** Each colour's weight, found through the colour's Service name. */
function weightsByColour(route: RecordedResource): Record<Colour, number> {
  const refs = backendRefs(route);
  assert.equal(refs.length, 2, "both colours stay listed");
  const weightOf = (service: string) => {
    const ref = refs.find((candidate) => candidate.name === service);
    assert.ok(ref, `a backendRef names ${service}`);
    return ref.weight;
  };
  return { blue: weightOf("checkout-blue"), green: weightOf("checkout-green") };
}

describe("GatewayWeightedRoute", () => {
  describe("weights", () => {
    const splits: TrafficSplit[] = [
      { blue: 100, green: 0 },
      { blue: 90, green: 10 },
      { blue: 75, green: 25 },
      { blue: 50, green: 50 },
      { blue: 0, green: 100 },
    ];
    for (const traffic of splits) {
      it(`sends blue ${traffic.blue} / green ${traffic.green} with both Services as backends`, async () => {
        await buildWithServices({ traffic });
        const route = theRoute();
        assert.deepEqual(weightsByColour(route), traffic);
        for (const ref of backendRefs(route)) {
          assert.equal(ref.kind, "Service");
          assert.equal(ref.port, 80);
        }
        assertKubernetesRules(resources());
        assertServiceReferences(resources());
      });
    }

    it("changes only the weights between two steps", async () => {
      await build({ traffic: { blue: 90, green: 10 } });
      const before = theRoute().inputs;
      resetResources();
      await build({ traffic: { blue: 50, green: 50 } });
      const after = theRoute().inputs;
      const withoutWeights = (inputs: RecordedResource["inputs"]) => ({
        ...inputs,
        spec: {
          ...inputs.spec,
          rules: inputs.spec.rules.map((rule: { backendRefs: BackendRef[] }) => ({
            backendRefs: rule.backendRefs.map(({ weight: _weight, ...ref }) => ref),
          })),
        },
      });
      assert.deepEqual(withoutWeights(after), withoutWeights(before));
      assert.notDeepEqual(after, before);
    });

    it("accepts the split as an Output, as the release guard passes it", async () => {
      await build({ traffic: pulumi.output({ blue: 25, green: 75 }) });
      assert.deepEqual(weightsByColour(theRoute()), { blue: 25, green: 75 });
    });

    it("targets the port the Services expose", async () => {
      await build({ servicePort: 8081 });
      for (const ref of backendRefs(theRoute())) assert.equal(ref.port, 8081);
    });

    const badSplits: { traffic: TrafficSplit; error: RegExp }[] = [
      { traffic: { blue: 90, green: 20 }, error: /must sum to 100, got blue 90 \+ green 20/ },
      {
        traffic: { blue: 50.5, green: 49.5 },
        error: /traffic\.blue must be a whole percent from 0 to 100, got 50\.5/,
      },
      { traffic: { blue: 110, green: -10 }, error: /traffic\.blue must be a whole percent/ },
    ];
    for (const { traffic, error } of badSplits) {
      it(`refuses the split blue ${traffic.blue} / green ${traffic.green}`, () => {
        assert.throws(() => httpRouteBackendWeights(traffic), error);
      });
    }
  });

  describe("attachment", () => {
    it("attaches to the configured Gateway listener and answers the configured host names", async () => {
      await build({ hostnames: ["shop.example.com", "*.shop.example.com"] });
      const route = theRoute();
      assert.equal(route.inputs.apiVersion, "gateway.networking.k8s.io/v1");
      assert.equal(route.inputs.kind, "HTTPRoute");
      assert.equal(route.inputs.metadata.namespace, "checkout-prod");
      assert.deepEqual(route.inputs.spec.parentRefs, [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "public",
          namespace: "gateway-system",
          sectionName: "https",
        },
      ]);
      assert.deepEqual(route.inputs.spec.hostnames, ["shop.example.com", "*.shop.example.com"]);
      assertKubernetesRules(resources());
    });

    it("leaves out namespace, sectionName and hostnames that are not configured", async () => {
      await build({ gateway: { name: "public" }, hostnames: [] });
      const route = theRoute();
      assert.deepEqual(route.inputs.spec.parentRefs, [
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "public" },
      ]);
      assert.equal(route.inputs.spec.hostnames, undefined, "no hostnames: every host of the listener");
      assertKubernetesRules(resources());
    });
  });

  describe("identity and outputs", () => {
    it("names the route after the component, or as given, and exports it", async () => {
      const route = await build();
      assert.equal(theRoute().inputs.metadata.name, "checkout");
      assert.equal(await valueOf(route.routeName), "checkout");
      assert.equal(await valueOf(route.namespace), "checkout-prod");
      resetResources();
      const named = await build({ routeName: "checkout-public" });
      assert.equal(theRoute().inputs.metadata.name, "checkout-public");
      assert.equal(await valueOf(named.routeName), "checkout-public");
    });

    it("exports the HTTPRoute's URN as the only routing resource, parented to the component", async () => {
      const { opts, children } = captureChildren();
      const route = await build({}, "checkout", opts);
      const urns = await urnsOf(children.filter((child) => child !== route));
      assert.deepEqual(urns, [
        "urn:pulumi:test::bluegreen::bluegreen:kubernetes:GatewayWeightedRoute$kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::checkout-route",
      ]);
      assert.deepEqual(await valueOf(route.routingUrns), urns);
    });

    it("keeps the same names across traffic steps", async () => {
      const inventory = () =>
        resources()
          .map((resource) => `${resource.type}::${resource.name}`)
          .sort();
      await build({ traffic: { blue: 100, green: 0 } });
      const first = inventory();
      resetResources();
      await build({ traffic: { blue: 0, green: 100 } });
      assert.deepEqual(inventory(), first);
    });

    it("hands the Kubernetes provider to the route", async () => {
      const provider = new k8s.Provider("cluster", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
      const { opts, children } = captureChildren();
      const route = await build({}, "checkout", { ...opts, providers: [provider] });
      const [child] = children.filter((candidate) => candidate !== route);
      assert.equal(child.getProvider(HTTP_ROUTE), provider);
    });
  });

  describe("validation", () => {
    const cases: {
      title: string;
      name?: string;
      overrides: Partial<GatewayWeightedRouteArgs>;
      error: RegExp;
    }[] = [
      {
        title: "an upper-case route name",
        overrides: { routeName: "Checkout" },
        error: /routeName "Checkout" must be a DNS subdomain/,
      },
      {
        title: "a component name that cannot be a route name",
        name: "check_out",
        overrides: {},
        error: /routeName "check_out"/,
      },
      {
        title: "a gateway namespace with an underscore",
        overrides: { gateway: { name: "public", namespace: "gateway_system" } },
        error: /gateway\.namespace "gateway_system" must be a DNS label/,
      },
      {
        title: "a host name with a port",
        overrides: { hostnames: ["shop.example.com:443"] },
        error: /hostnames holds "shop\.example\.com:443"/,
      },
      {
        title: "an IP address as host name",
        overrides: { hostnames: ["10.0.0.1"] },
        error: /without port or IP address/,
      },
      {
        title: "an upper-case host name",
        overrides: { hostnames: ["Shop.example.com"] },
        error: /lower-case host name/,
      },
      {
        title: "17 host names",
        overrides: { hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) },
        error: /hostnames has 17 entries; an HTTPRoute takes at most 16/,
      },
      { title: "a service port of 0", overrides: { servicePort: 0 }, error: /servicePort is 0/ },
    ];
    for (const { title, name, overrides, error } of cases) {
      it(`rejects ${title}`, () => {
        assert.throws(
          () => new GatewayWeightedRoute(name ?? "checkout", args(overrides)),
          (thrown: Error) => {
            assert.ok(pulumi.ResourceError.isInstance(thrown), "a ResourceError");
            assert.match(thrown.message, error);
            return true;
          },
        );
      });
    }
  });
});
