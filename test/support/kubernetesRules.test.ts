import assert from "node:assert/strict";
import {
  assertHttpRoutes,
  assertKubernetesNames,
  assertKubernetesRules,
  assertResourceRequests,
  assertSelectorsMatch,
  assertServiceReferences,
  assertTargetGroupBindings,
  parseQuantity,
} from "./kubernetesRules";
import type { RecordedResource } from "./pulumi-mocks";

type Inputs = RecordedResource["inputs"];

const SELECTOR = { "app.kubernetes.io/name": "checkout", "bluegreen.dev/colour": "blue" };

function object(type: string, kind: string, inputs: Inputs): RecordedResource {
  return { type, name: String(inputs.metadata?.name ?? kind), inputs: { kind, ...inputs }, id: "id" };
}

function deployment(
  overrides: { name?: string; labels?: Inputs; selector?: Inputs; container?: Inputs } = {},
): RecordedResource {
  return object("kubernetes:apps/v1:Deployment", "Deployment", {
    metadata: { name: overrides.name ?? "checkout-blue", namespace: "checkout-prod" },
    spec: {
      selector: { matchLabels: overrides.selector ?? SELECTOR },
      template: {
        metadata: { labels: overrides.labels ?? { ...SELECTOR, "app.kubernetes.io/version": "1.4.2" } },
        spec: {
          containers: [
            {
              name: "checkout",
              image: "registry.example.com/checkout:1.4.2",
              ports: [{ name: "http", containerPort: 8080 }],
              resources: {
                requests: { cpu: "250m", memory: "256Mi" },
                limits: { cpu: "500m", memory: "512Mi" },
              },
              ...overrides.container,
            },
          ],
        },
      },
    },
  });
}

function service(overrides: { name?: string; selector?: Inputs; port?: unknown } = {}): RecordedResource {
  return object("kubernetes:core/v1:Service", "Service", {
    metadata: { name: overrides.name ?? "checkout-blue", namespace: "checkout-prod" },
    spec: {
      selector: overrides.selector ?? SELECTOR,
      ports: [{ name: "http", port: overrides.port ?? 80, targetPort: 8080 }],
    },
  });
}

function budget(selector: Inputs = SELECTOR): RecordedResource {
  return object("kubernetes:policy/v1:PodDisruptionBudget", "PodDisruptionBudget", {
    metadata: { name: "checkout-blue", namespace: "checkout-prod" },
    spec: { minAvailable: 1, selector: { matchLabels: selector } },
  });
}

function route(spec: Inputs = {}): RecordedResource {
  return object("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "HTTPRoute", {
    metadata: { name: "checkout", namespace: "checkout-prod" },
    spec: {
      parentRefs: [{ name: "public" }],
      rules: [
        {
          backendRefs: [
            { kind: "Service", name: "checkout-blue", port: 80, weight: 90 },
            { kind: "Service", name: "checkout-green", port: 80, weight: 10 },
          ],
        },
      ],
      ...spec,
    },
  });
}

function binding(spec: Inputs = {}): RecordedResource {
  return object("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "TargetGroupBinding", {
    metadata: { name: "checkout-blue", namespace: "checkout-prod" },
    spec: {
      serviceRef: { name: "checkout-blue", port: 80 },
      targetGroupARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/checkout-blue/1",
      targetType: "ip",
      networking: {
        ingress: [
          { from: [{ securityGroup: { groupID: "sg-1" } }], ports: [{ protocol: "TCP", port: 8080 }] },
        ],
      },
      ...spec,
    },
  });
}

function backends(count: number, weight: unknown = 1): Inputs {
  return {
    rules: [
      {
        backendRefs: Array.from({ length: count }, (_, i) => ({
          kind: "Service",
          name: `svc-${i}`,
          port: 80,
          weight,
        })),
      },
    ],
  };
}

describe("Kubernetes API rules (self-test)", () => {
  it("accepts a consistent service: Deployment, Service, budget, route and binding", () => {
    const green = { ...SELECTOR, "bluegreen.dev/colour": "green" };
    const all = [
      deployment(),
      deployment({ name: "checkout-green", selector: green, labels: green }),
      service(),
      service({ name: "checkout-green", selector: green }),
      budget(),
      route(),
      binding(),
    ];
    assert.doesNotThrow(() => assertKubernetesRules(all));
    assert.doesNotThrow(() => assertServiceReferences(all));
  });

  const badNames: { why: string; resource: RecordedResource; message: RegExp }[] = [
    {
      why: "an upper-case Deployment name",
      resource: deployment({ name: "Checkout-blue" }),
      message: /must be a DNS subdomain/,
    },
    {
      why: "a Service name starting with a digit",
      resource: service({ name: "1checkout" }),
      message: /RFC 1035 label/,
    },
    {
      why: "a Service name of 64 characters",
      resource: service({ name: "c".repeat(64) }),
      message: /RFC 1035 label/,
    },
    {
      why: "a namespace with a dot",
      resource: object("kubernetes:core/v1:Namespace", "Namespace", { metadata: { name: "checkout.prod" } }),
      message: /namespace name must be a DNS label/,
    },
    {
      why: "a label value ending in a hyphen",
      resource: deployment({ labels: { ...SELECTOR, "app.kubernetes.io/version": "1.5.0-" } }),
      message: /pod template: label app\.kubernetes\.io\/version="1\.5\.0-" is not a valid label value/,
    },
    {
      why: "a container port of 0",
      resource: deployment({ container: { ports: [{ containerPort: 0 }] } }),
      message: /containerPort 0 must be a port/,
    },
    {
      why: "a port name of 16 characters",
      resource: deployment({ container: { ports: [{ name: "http-management1", containerPort: 8080 }] } }),
      message: /port name "http-management1"/,
    },
    {
      why: "a Service port above 65535",
      resource: service({ port: 70_000 }),
      message: /port 70000 must be a port/,
    },
  ];
  for (const { why, resource, message } of badNames) {
    it(`rejects ${why}`, () => {
      assert.throws(() => assertKubernetesNames([resource]), message);
      assert.throws(() => assertKubernetesRules([resource]), message);
    });
  }

  const quantities: [unknown, number | undefined][] = [
    ["250m", 0.25],
    ["1", 1],
    ["1.5", 1.5],
    ["256Mi", 256 * 2 ** 20],
    ["1G", 1e9],
    [2, 2],
    ["256MB", undefined],
    ["", undefined],
  ];
  for (const [text, value] of quantities) {
    it(`reads the quantity ${JSON.stringify(text)} as ${String(value)}`, () => {
      assert.equal(parseQuantity(text), value);
    });
  }

  it("rejects a request above its limit", () => {
    const resource = deployment({
      container: {
        resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "500m", memory: "1Gi" } },
      },
    });
    assert.throws(
      () => assertResourceRequests([resource]),
      /requests\.cpu 1 must be less than or equal to the limit 500m/,
    );
  });

  it("rejects a quantity Kubernetes cannot read", () => {
    const resource = deployment({ container: { resources: { requests: { memory: "256MB" } } } });
    assert.throws(() => assertResourceRequests([resource]), /requests\.memory "256MB" is not a quantity/);
  });

  const badRoutes: { why: string; spec: Inputs; message: RegExp }[] = [
    {
      why: "a weight above 1,000,000",
      spec: backends(2, 1_000_001),
      message: /weight 1000001 must be a whole number from 0 to 1000000/,
    },
    { why: "a negative weight", spec: backends(2, -1), message: /weight -1/ },
    { why: "a fractional weight", spec: backends(2, 0.5), message: /weight 0\.5/ },
    { why: "17 backendRefs", spec: backends(17), message: /17 backendRefs; at most 16/ },
    { why: "no parentRefs", spec: { parentRefs: [] }, message: /parentRefs must hold 1-32/ },
    {
      why: "an IP address as hostname",
      spec: { hostnames: ["10.0.0.1"] },
      message: /hostname "10\.0\.0\.1" is not a host name/,
    },
    {
      why: "a Service backend without a port",
      spec: { rules: [{ backendRefs: [{ kind: "Service", name: "checkout-blue", weight: 1 }] }] },
      message: /port undefined must be a port/,
    },
  ];
  for (const { why, spec, message } of badRoutes) {
    it(`rejects an HTTPRoute with ${why}`, () => {
      assert.throws(() => assertHttpRoutes([route(spec)]), message);
    });
  }

  it("accepts an HTTPRoute with 16 backendRefs weighted 0 and 1,000,000", () => {
    const spec = backends(16, 0);
    spec.rules[0].backendRefs[0].weight = 1_000_000;
    assert.doesNotThrow(() => assertHttpRoutes([route(spec)]));
  });

  const badBindings: { why: string; spec: Inputs; message: RegExp }[] = [
    { why: "no target group ARN", spec: { targetGroupARN: "" }, message: /targetGroupARN is required/ },
    { why: "target type alb", spec: { targetType: "alb" }, message: /targetType "alb"/ },
    {
      why: "no serviceRef name",
      spec: { serviceRef: { port: 80 } },
      message: /serviceRef\.name is required/,
    },
    {
      why: "a peer with both ipBlock and securityGroup",
      spec: {
        networking: {
          ingress: [
            { from: [{ ipBlock: { cidr: "10.0.0.0/8" }, securityGroup: { groupID: "sg-1" } }], ports: [] },
          ],
        },
      },
      message: /exactly one of ipBlock or securityGroup, got ipBlock, securityGroup/,
    },
    {
      why: "an ingress rule without peers",
      spec: { networking: { ingress: [{ from: [], ports: [] }] } },
      message: /needs at least one peer/,
    },
    {
      why: "protocol HTTP",
      spec: {
        networking: {
          ingress: [{ from: [{ securityGroup: { groupID: "sg-1" } }], ports: [{ protocol: "HTTP" }] }],
        },
      },
      message: /protocol "HTTP" must be TCP or UDP/,
    },
  ];
  for (const { why, spec, message } of badBindings) {
    it(`rejects a TargetGroupBinding with ${why}`, () => {
      assert.throws(() => assertTargetGroupBindings([binding(spec)]), message);
    });
  }

  it("rejects a Deployment whose selector does not match its pod template", () => {
    const resource = deployment({
      labels: { "app.kubernetes.io/name": "checkout", "bluegreen.dev/colour": "green" },
    });
    assert.throws(() => assertSelectorsMatch([resource]), /does not match the template labels/);
  });

  it("rejects a Service and a budget that select no Deployment's pods", () => {
    const green = { ...SELECTOR, "bluegreen.dev/colour": "green" };
    assert.throws(
      () => assertSelectorsMatch([deployment(), service({ selector: green })]),
      /Service checkout-prod\/checkout-blue: selector .* matches no Deployment/,
    );
    assert.throws(
      () => assertSelectorsMatch([deployment(), budget(green)]),
      /PodDisruptionBudget .* matches no Deployment/,
    );
  });

  it("rejects a Service selecting pods of another namespace", () => {
    const elsewhere = object("kubernetes:core/v1:Service", "Service", {
      metadata: { name: "checkout-blue", namespace: "other" },
      spec: { selector: SELECTOR, ports: [{ port: 80 }] },
    });
    assert.throws(
      () => assertSelectorsMatch([deployment(), elsewhere]),
      /matches no Deployment's pods in its namespace/,
    );
  });

  it("rejects a route or binding that names a missing Service or port", () => {
    assert.throws(
      () => assertServiceReferences([service(), route()]),
      /no Service checkout-prod\/checkout-green/,
    );
    assert.throws(() => assertServiceReferences([service({ port: 8080 }), binding()]), /exposes no port 80/);
  });

  it("reports every failing rule at once", () => {
    const all = [deployment({ name: "Bad" }), route(backends(2, -5))];
    assert.throws(
      () => assertKubernetesRules(all),
      (error: Error) => {
        assert.match(error.message, /Kubernetes names/);
        assert.match(error.message, /HTTPRoutes/);
        return true;
      },
    );
  });
});
