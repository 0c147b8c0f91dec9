import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  COLOUR_LABEL,
  KubernetesBlueGreen,
  KubernetesBlueGreenArgs,
  NAME_LABEL,
  VERSION_LABEL,
} from "../../components/kubernetesBlueGreen";
import { COLOURS, Colour } from "../../components/domain";
import { captureChildren, settle, urnsOf } from "../support/awsFixtures";
import { IMAGE, albWorkload, gatewayWorkload } from "../support/kubernetesFixtures";
import { assertKubernetesRules } from "../support/kubernetesRules";
import {
  RecordedResource,
  resetResources,
  resourceNamed,
  resources,
  resourcesOfType,
  valueOf,
} from "../support/pulumi-mocks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NAMESPACE = "kubernetes:core/v1:Namespace";

function args(overrides: Partial<KubernetesBlueGreenArgs> = {}): KubernetesBlueGreenArgs {
  return {
    serviceName: "checkout",
    namespace: "checkout-prod",
    ...gatewayWorkload(),
    versions: { blue: "1.4.2", green: "1.5.0" },
    ...overrides,
  };
}

async function build(
  overrides: Partial<KubernetesBlueGreenArgs> = {},
  name = "checkout",
  opts?: pulumi.ComponentResourceOptions,
): Promise<KubernetesBlueGreen> {
  const component = new KubernetesBlueGreen(name, args(overrides), opts);
  await settle(
    component.namespace,
    component.serviceNames.blue,
    component.serviceNames.green,
    component.deploymentNames.green,
  );
  return component;
}

interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number; protocol: string }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  env: { name: string; value: string }[];
}

interface Probe {
  httpGet: { path: string; port: number };
  initialDelaySeconds: number;
  periodSeconds: number;
}

function containerOf(deployment: RecordedResource): Container {
  const containers = deployment.inputs.spec.template.spec.containers as Container[];
  assert.equal(containers.length, 1, `${deployment.name} runs one container`);
  return containers[0];
}

function podLabels(deployment: RecordedResource): Record<string, string> {
  return deployment.inputs.spec.template.metadata.labels as Record<string, string>;
}

describe("KubernetesBlueGreen", () => {
  describe("deployments", () => {
    const slots: {
      title: string;
      versions: KubernetesBlueGreenArgs["versions"];
      expected: Record<Colour, string>;
    }[] = [
      {
        title: "different versions",
        versions: { blue: "1.4.2", green: "1.5.0" },
        expected: { blue: "1.4.2", green: "1.5.0" },
      },
      {
        title: "the same version (a new stack)",
        versions: { blue: "2.0.0", green: "2.0.0" },
        expected: { blue: "2.0.0", green: "2.0.0" },
      },
      {
        title: "versions given as Outputs",
        versions: { blue: pulumi.output("git-3f2a9c1"), green: pulumi.output("git-77b01de") },
        expected: { blue: "git-3f2a9c1", green: "git-77b01de" },
      },
    ];
    for (const { title, versions, expected } of slots) {
      it(`runs each slot's version in its colour's Deployment with ${title}`, async () => {
        await build({ versions });
        for (const colour of COLOURS) {
          const deployment = resourceNamed(DEPLOYMENT, `checkout-${colour}`);
          assert.equal(deployment.inputs.metadata.name, `checkout-${colour}`);
          assert.equal(deployment.inputs.metadata.namespace, "checkout-prod");
          assert.equal(containerOf(deployment).image, `${IMAGE}:${expected[colour]}`);
          assert.deepEqual(podLabels(deployment), {
            [NAME_LABEL]: "checkout",
            [COLOUR_LABEL]: colour,
            [VERSION_LABEL]: expected[colour],
          });
          assert.deepEqual(deployment.inputs.spec.selector, {
            matchLabels: { [NAME_LABEL]: "checkout", [COLOUR_LABEL]: colour },
          });
          assert.equal(deployment.inputs.spec.replicas, 2);
        }
        assertKubernetesRules(resources());
      });
    }

    it("keeps the selector when the version changes, so a release updates the Deployment in place", async () => {
      await build({ versions: { blue: "1.4.2", green: "1.4.2" } });
      const before = resourceNamed(DEPLOYMENT, "checkout-green").inputs;
      resetResources();
      await build({ versions: { blue: "1.4.2", green: "1.5.0" } });
      const after = resourceNamed(DEPLOYMENT, "checkout-green").inputs;
      assert.deepEqual(after.spec.selector, before.spec.selector);
      assert.equal(after.metadata.name, before.metadata.name);
      assert.notEqual(containerOf(resourceNamed(DEPLOYMENT, "checkout-green")).image, `${IMAGE}:1.4.2`);
    });

    it("gives every container readiness and liveness probes on the configured paths and timing", async () => {
      await build({
        containerPort: 9000,
        probes: {
          readinessPath: "/ready",
          livenessPath: "/live",
          initialDelaySeconds: 15,
          periodSeconds: 20,
        },
      });
      for (const colour of COLOURS) {
        const container = containerOf(resourceNamed(DEPLOYMENT, `checkout-${colour}`));
        assert.deepEqual(container.readinessProbe, {
          httpGet: { path: "/ready", port: 9000 },
          initialDelaySeconds: 15,
          periodSeconds: 20,
        });
        assert.deepEqual(container.livenessProbe, {
          httpGet: { path: "/live", port: 9000 },
          initialDelaySeconds: 15,
          periodSeconds: 20,
        });
        assert.deepEqual(container.ports, [{ name: "http", containerPort: 9000, protocol: "TCP" }]);
      }
      assertKubernetesRules(resources());
    });

    it("sets requests and limits as given, and the config defaults the program passes", async () => {
      await build({
        resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
      });
      assert.deepEqual(containerOf(resourceNamed(DEPLOYMENT, "checkout-blue")).resources, {
        requests: { cpu: "1", memory: "1Gi" },
        limits: { cpu: "2", memory: "2Gi" },
      });
      resetResources();
      await build();
      assert.deepEqual(containerOf(resourceNamed(DEPLOYMENT, "checkout-green")).resources, {
        requests: { cpu: "250m", memory: "256Mi" },
        limits: { cpu: "500m", memory: "512Mi" },
      });
      assertKubernetesRules(resources());
    });

    it("passes the environment sorted by name, the same for both colours", async () => {
      await build({ environment: { REGION: "eu-west-1", LOG_LEVEL: "info" } });
      for (const colour of COLOURS) {
        assert.deepEqual(containerOf(resourceNamed(DEPLOYMENT, `checkout-${colour}`)).env, [
          { name: "LOG_LEVEL", value: "info" },
          { name: "REGION", value: "eu-west-1" },
        ]);
      }
    });

    it("brings new pods up before old ones go, so a colour never drops below its replicas", async () => {
      await build({ replicas: 4, minAvailable: 2 });
      const deployment = resourceNamed(DEPLOYMENT, "checkout-blue");
      assert.equal(deployment.inputs.spec.replicas, 4);
      assert.equal(deployment.inputs.spec.strategy.rollingUpdate.maxUnavailable, 0);
    });

    it("puts the team's labels on every object and pod", async () => {
      await build({ labels: { team: "payments", "example.com/cost-centre": "cc-42" } });
      const objects = resources().filter((resource) => resource.type.startsWith("kubernetes:"));
      assert.equal(objects.length, 7);
      for (const object of objects) {
        assert.equal(object.inputs.metadata.labels.team, "payments", object.name);
        assert.equal(object.inputs.metadata.labels["example.com/cost-centre"], "cc-42", object.name);
      }
      assert.equal(podLabels(resourceNamed(DEPLOYMENT, "checkout-blue")).team, "payments");
      assertKubernetesRules(resources());
    });
  });

  describe("services", () => {
    const modes = [
      { mode: "gateway with the default service port", workload: gatewayWorkload(), port: 80 },
      {
        mode: "gateway with service port 8081",
        workload: gatewayWorkload({ servicePort: 8081 }),
        port: 8081,
      },
      { mode: "alb, on the container port", workload: albWorkload({ containerPort: 9000 }), port: 9000 },
    ];
    for (const { mode, workload, port } of modes) {
      it(`gives each colour a ClusterIP Service selecting only its pods (${mode})`, async () => {
        const component = await build(workload);
        for (const colour of COLOURS) {
          const service = resourceNamed(SERVICE, `checkout-${colour}`);
          assert.equal(service.inputs.metadata.name, `checkout-${colour}`);
          assert.equal(service.inputs.spec.type, "ClusterIP");
          assert.deepEqual(service.inputs.spec.selector, {
            [NAME_LABEL]: "checkout",
            [COLOUR_LABEL]: colour,
          });
          assert.deepEqual(service.inputs.spec.ports, [
            { name: "http", port, targetPort: workload.containerPort, protocol: "TCP" },
          ]);
          assert.equal(await valueOf(component.serviceNames[colour]), `checkout-${colour}`);
          assert.equal(await valueOf(component.deploymentNames[colour]), `checkout-${colour}`);
        }
        assert.equal(component.servicePort, port);
        assertKubernetesRules(resources());
      });
    }
  });

  describe("disruption budgets", () => {
    it("keeps minAvailable pods of each colour through voluntary disruptions", async () => {
      await build({ replicas: 3, minAvailable: 2 });
      const budgets = resourcesOfType(PDB);
      assert.deepEqual(budgets.map((budget) => budget.name).sort(), ["checkout-blue", "checkout-green"]);
      for (const colour of COLOURS) {
        const budget = resourceNamed(PDB, `checkout-${colour}`);
        assert.equal(budget.inputs.metadata.name, `checkout-${colour}`);
        assert.equal(budget.inputs.spec.minAvailable, 2);
        assert.deepEqual(budget.inputs.spec.selector, {
          matchLabels: { [NAME_LABEL]: "checkout", [COLOUR_LABEL]: colour },
        });
        assert.equal(budget.inputs.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
      }
      assertKubernetesRules(resources());
    });
  });

  describe("namespace", () => {
    it("creates the namespace and puts every object in it", async () => {
      const component = await build();
      const [namespace] = resourcesOfType(NAMESPACE);
      assert.equal(namespace.inputs.metadata.name, "checkout-prod");
      for (const object of resources().filter(
        (resource) => resource.type.startsWith("kubernetes:") && resource.type !== NAMESPACE,
      )) {
        assert.equal(object.inputs.metadata.namespace, "checkout-prod", object.name);
      }
      assert.equal(await valueOf(component.namespace), "checkout-prod");
    });

    it("turns on the load balancer readiness gate only when asked, as the program does in alb mode", async () => {
      await build(albWorkload());
      assert.equal(
        resourcesOfType(NAMESPACE)[0].inputs.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"],
        "enabled",
      );
      resetResources();
      await build();
      assert.equal(
        resourcesOfType(NAMESPACE)[0].inputs.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"],
        undefined,
      );
    });

    it("uses an existing namespace without creating one when createNamespace is false", async () => {
      const component = await build({ createNamespace: false, namespace: "shared-apps" });
      assert.equal(resourcesOfType(NAMESPACE).length, 0);
      assert.equal(resourceNamed(DEPLOYMENT, "checkout-blue").inputs.metadata.namespace, "shared-apps");
      assert.equal(resourceNamed(SERVICE, "checkout-green").inputs.metadata.namespace, "shared-apps");
      assert.equal(await valueOf(component.namespace), "shared-apps");
      assertKubernetesRules(resources());
    });
  });

  describe("identity", () => {
    const inventory = () =>
      resources()
        .filter((resource) => resource.type.startsWith("kubernetes:"))
        .map((resource) => `${resource.type}::${resource.name}::${String(resource.inputs.metadata.name)}`)
        .sort();

    it("keeps the same logical and Kubernetes names across runs and releases", async () => {
      await build();
      const first = inventory();
      resetResources();
      await build({ versions: { blue: "1.6.0", green: "1.5.0" } });
      assert.deepEqual(inventory(), first);
      assert.ok(first.includes(`${DEPLOYMENT}::checkout-green::checkout-green`));
    });

    it("lets two services share a stack without colliding", async () => {
      await build();
      await build({ serviceName: "payments", namespace: "payments-prod" }, "payments");
      const deployments = resourcesOfType(DEPLOYMENT)
        .map((deployment) => deployment.inputs.metadata.name)
        .sort();
      assert.deepEqual(deployments, ["checkout-blue", "checkout-green", "payments-blue", "payments-green"]);
      assertKubernetesRules(resources());
    });

    it("parents every child to the component", async () => {
      const { opts, children } = captureChildren();
      const component = await build({}, "checkout", opts);
      const urns = await urnsOf(children.filter((child) => child !== component));
      assert.deepEqual(urns.map((urn) => urn.split("::").pop()).sort(), [
        "checkout-blue",
        "checkout-blue",
        "checkout-blue",
        "checkout-green",
        "checkout-green",
        "checkout-green",
        "checkout-namespace",
      ]);
      for (const urn of urns)
        assert.match(urn, /::bluegreen:kubernetes:KubernetesBlueGreen\$kubernetes:[^$]+::checkout-/);
    });

    const providerOptions: {
      title: string;
      opts: (provider: k8s.Provider) => pulumi.ComponentResourceOptions;
    }[] = [
      { title: "providers", opts: (provider) => ({ providers: [provider] }) },
      { title: "provider", opts: (provider) => ({ provider }) },
    ];
    for (const { title, opts } of providerOptions) {
      it(`hands the Kubernetes provider given as ${title} to every child`, async () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
        const capture = captureChildren();
        const component = await build({}, "checkout", { ...capture.opts, ...opts(provider) });
        const children = capture.children.filter((child) => child !== component);
        assert.equal(children.length, 7);
        for (const child of children) {
          assert.equal(child.getProvider("kubernetes:apps/v1:Deployment"), provider);
        }
      });
    }
  });

  describe("validation", () => {
    const cases: { title: string; overrides: Partial<KubernetesBlueGreenArgs>; error: RegExp }[] = [
      {
        title: "an upper-case service name",
        overrides: { serviceName: "Checkout" },
        error: /serviceName "Checkout".*DNS labels/,
      },
      {
        title: "a service name starting with a digit",
        overrides: { serviceName: "1checkout" },
        error: /starting with a letter/,
      },
      {
        title: "a service name too long for a Service",
        overrides: { serviceName: "c".repeat(58) },
        error: /at most 57 characters/,
      },
      {
        title: "a namespace with an underscore",
        overrides: { namespace: "checkout_prod" },
        error: /namespace "checkout_prod" must be a DNS label/,
      },
      {
        title: "minAvailable equal to replicas",
        overrides: { replicas: 2, minAvailable: 2 },
        error: /minAvailable is 2; expected a whole number below replicas \(2\)/,
      },
      {
        title: "a container port out of range",
        overrides: { containerPort: 70_000 },
        error: /containerPort is 70000/,
      },
      {
        title: "an image that carries a tag",
        overrides: { image: `${IMAGE}:1.4.2` },
        error: /image: give the repository without a tag/,
      },
      {
        title: "a memory request that is not a quantity",
        overrides: {
          resources: {
            requests: { cpu: "250m", memory: "256 MB" },
            limits: { cpu: "500m", memory: "512Mi" },
          },
        },
        error: /resources\.requests\.memory is "256 MB"; expected a quantity/,
      },
      {
        title: "a probe path without a leading slash",
        overrides: {
          probes: {
            readinessPath: "ready",
            livenessPath: "/live",
            initialDelaySeconds: 5,
            periodSeconds: 10,
          },
        },
        error: /probes\.readinessPath is "ready"; expected a path starting with "\/"/,
      },
      {
        title: "a label the component owns",
        overrides: { labels: { [COLOUR_LABEL]: "red" } },
        error: /labels sets bluegreen\.dev\/colour/,
      },
      {
        title: "a label value with a space",
        overrides: { labels: { team: "pay ments" } },
        error: /labels\.team is "pay ments"/,
      },
      {
        title: "a label key with two slashes",
        overrides: { labels: { "a/b/c": "x" } },
        error: /labels has the key "a\/b\/c"/,
      },
      {
        title: "a version ending in a hyphen",
        overrides: { versions: { blue: "1.4.2", green: "1.5.0-" } },
        error: /versions\.green is "1\.5\.0-"; it becomes the app\.kubernetes\.io\/version label/,
      },
      {
        title: "a version longer than a label",
        overrides: { versions: { blue: "v".repeat(64), green: "1.5.0" } },
        error: /versions\.blue is "v{64}"/,
      },
    ];
    for (const { title, overrides, error } of cases) {
      it(`rejects ${title}`, () => {
        assert.throws(
          () => new KubernetesBlueGreen("checkout", args(overrides)),
          (thrown: Error) => {
            assert.ok(pulumi.ResourceError.isInstance(thrown), "a ResourceError");
            assert.match(thrown.message, error);
            return true;
          },
        );
      });
    }

    it("registers no Deployment for a colour whose version, known only later, cannot be a label", async () => {
      const component = new KubernetesBlueGreen(
        "checkout",
        args({ versions: { blue: "1.4.2", green: pulumi.output("1.5.0-") } }),
      );
      await settle(component.deploymentNames.blue);
      assert.deepEqual(
        resourcesOfType(DEPLOYMENT).map((deployment) => deployment.name),
        ["checkout-blue"],
      );
    });
  });
});
