import assert from "node:assert/strict";
import {
  PolicyInput,
  PropertyMap,
  PropertyValue,
  UNKNOWN,
  kubernetesDeploymentViolations,
} from "../../infra/policy/rules";
import { resource } from "./fixtures";

const probe = { httpGet: { path: "/ready", port: 8080 }, initialDelaySeconds: 5, periodSeconds: 10 };
const ROLLING = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } };

/** A colour's Deployment as KubernetesBlueGreen declares it, with parts replaced. */
function deployment(
  options: {
    strategy?: PropertyValue;
    containers?: PropertyValue;
    labels?: PropertyValue;
    selectorLabels?: PropertyMap;
  } = {},
  type = "kubernetes:apps/v1:Deployment",
): PolicyInput {
  const selector = options.selectorLabels ?? {
    "app.kubernetes.io/name": "catalog",
    "bluegreen.dev/colour": "green",
  };
  const labels = options.labels ?? { ...selector, "app.kubernetes.io/version": "3.2.0" };
  return resource(type, "catalog-green", {
    metadata: { name: "catalog-green", namespace: "catalog-dev", labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: selector },
      strategy: options.strategy === undefined ? ROLLING : options.strategy,
      template: {
        metadata: { labels },
        spec: {
          containers: options.containers ?? [
            {
              name: "catalog",
              image: "registry.example.com/catalog:3.2.0",
              readinessProbe: probe,
              livenessProbe: probe,
            },
          ],
        },
      },
    },
  });
}

const SUBJECT = 'Deployment "catalog-green" (green)';
const STRATEGY_FIX = "Fix: use strategy { type: RollingUpdate, rollingUpdate: { maxUnavailable: 0 } }.";
const noProbe = (container: string) =>
  `${SUBJECT}: container ${container} has no readiness probe, so its pods take traffic before they can serve. Fix: give it a readinessProbe (bluegreen:kubernetes.probes.readinessPath).`;

const cases: { name: string; input: PolicyInput; expected: string[] }[] = [
  { name: "readiness probes and maxUnavailable 0", input: deployment(), expected: [] },
  {
    name: "maxUnavailable written as 0%",
    input: deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "0%" } } }),
    expected: [],
  },
  {
    name: "no readiness probe",
    input: deployment({ containers: [{ name: "catalog", image: "catalog:3.2.0", livenessProbe: probe }] }),
    expected: [noProbe('"catalog"')],
  },
  {
    name: "a readiness probe without a handler",
    input: deployment({ containers: [{ name: "catalog", readinessProbe: { periodSeconds: 10 } }] }),
    expected: [noProbe('"catalog"')],
  },
  {
    name: "a sidecar without a readiness probe",
    input: deployment({
      containers: [
        { name: "catalog", readinessProbe: probe },
        { name: "proxy", image: "envoy" },
      ],
    }),
    expected: [noProbe('"proxy"')],
  },
  {
    name: "a tcpSocket readiness probe",
    input: deployment({ containers: [{ name: "catalog", readinessProbe: { tcpSocket: { port: 8080 } } }] }),
    expected: [],
  },
  {
    name: "maxUnavailable 1",
    input: deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } } }),
    expected: [
      `${SUBJECT} sets rollingUpdate.maxUnavailable to 1, so an update of a serving colour drops below its replica count. ${STRATEGY_FIX}`,
    ],
  },
  {
    name: "no strategy: Kubernetes' 25%",
    input: deployment({ strategy: null }),
    expected: [
      `${SUBJECT} leaves rollingUpdate.maxUnavailable at Kubernetes' default of 25%, so an update of a serving colour drops below its replica count. ${STRATEGY_FIX}`,
    ],
  },
  {
    name: "Recreate",
    input: deployment({ strategy: { type: "Recreate" } }),
    expected: [
      `${SUBJECT} uses the Recreate strategy, which stops every pod of the colour before starting new ones. ${STRATEGY_FIX}`,
    ],
  },
  {
    name: "no probe and maxUnavailable 25%",
    input: deployment({
      containers: [{ name: "catalog" }],
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%" } },
    }),
    expected: [
      noProbe('"catalog"'),
      `${SUBJECT} sets rollingUpdate.maxUnavailable to "25%", so an update of a serving colour drops below its replica count. ${STRATEGY_FIX}`,
    ],
  },
  {
    name: "labels a preview does not know yet (the colour is in the selector)",
    input: deployment({ labels: UNKNOWN, strategy: { type: "Recreate" } }),
    expected: [
      `${SUBJECT} uses the Recreate strategy, which stops every pod of the colour before starting new ones. ${STRATEGY_FIX}`,
    ],
  },
  {
    name: "containers a preview does not know yet",
    input: deployment({ containers: UNKNOWN }),
    expected: [],
  },
  {
    name: "a Deployment that is no colour's",
    input: deployment({
      selectorLabels: { "app.kubernetes.io/name": "tooling" },
      strategy: { type: "Recreate" },
    }),
    expected: [],
  },
  {
    name: "another resource type",
    input: deployment({ strategy: { type: "Recreate" } }, "kubernetes:apps/v1:StatefulSet"),
    expected: [],
  },
];

describe("rule: a colour's Kubernetes Deployment", () => {
  for (const { name, input, expected } of cases) {
    it(`${name}: ${expected.length === 0 ? "complies" : `${expected.length} violation(s)`}`, () => {
      const violations = kubernetesDeploymentViolations(input);
      assert.deepEqual(
        violations.map((violation) => violation.message),
        expected,
      );
      for (const violation of violations) assert.equal(violation.urn, input.urn);
    });
  }
});
