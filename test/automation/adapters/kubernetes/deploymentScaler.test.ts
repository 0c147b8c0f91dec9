import assert from "node:assert/strict";
import { DeploymentScaler } from "../../../../automation/adapters/kubernetes/deploymentScaler";
import type {
  DeploymentState,
  KubernetesScaleApi,
} from "../../../../automation/adapters/kubernetes/kubernetesApi";

class FakeScaleApi implements KubernetesScaleApi {
  readonly scales: { namespace: string; name: string; replicas: number }[] = [];
  readonly reads: string[] = [];
  constructor(private readonly state: DeploymentState) {}
  async getDeployment(namespace: string, name: string): Promise<DeploymentState> {
    this.reads.push(`${namespace}/${name}`);
    return this.state;
  }
  async scaleDeployment(namespace: string, name: string, replicas: number): Promise<void> {
    this.scales.push({ namespace, name, replicas });
  }
}

const WHERE = {
  namespace: "checkout-prod",
  deploymentNames: { blue: "checkout-blue", green: "checkout-green" },
};

describe("DeploymentScaler", () => {
  const cases: {
    name: string;
    state: DeploymentState;
    expect: { desired: number; running: number; ready: number };
  }[] = [
    {
      name: "steady at 3",
      state: {
        metadata: { generation: 4 },
        spec: { replicas: 3 },
        status: { observedGeneration: 4, replicas: 3, readyReplicas: 3 },
      },
      expect: { desired: 3, running: 3, ready: 3 },
    },
    {
      name: "scaled to 0 (no ready field)",
      state: { metadata: { generation: 5 }, spec: { replicas: 0 }, status: { observedGeneration: 5 } },
      expect: { desired: 0, running: 0, ready: 0 },
    },
    {
      name: "a new spec not observed yet",
      state: {
        metadata: { generation: 6 },
        spec: { replicas: 3 },
        status: { observedGeneration: 5, replicas: 3, readyReplicas: 3 },
      },
      expect: { desired: 3, running: 3, ready: 0 },
    },
    {
      name: "replicas left to the default",
      state: { spec: {}, status: { replicas: 1, readyReplicas: 1 } },
      expect: { desired: 1, running: 1, ready: 1 },
    },
  ];
  for (const { name, state, expect } of cases) {
    it(`capacity: ${name}`, async () => {
      const api = new FakeScaleApi(state);
      assert.deepEqual(await new DeploymentScaler(api, WHERE).capacity("green"), expect);
      assert.deepEqual(api.reads, ["checkout-prod/checkout-green"]);
    });
  }

  it("scale writes the colour's Deployment's scale and nothing else", async () => {
    const api = new FakeScaleApi({});
    await new DeploymentScaler(api, WHERE).scale("blue", 0);
    assert.deepEqual(api.scales, [{ namespace: "checkout-prod", name: "checkout-blue", replicas: 0 }]);
  });

  it("refuses a count the API would refuse, without calling it", async () => {
    const api = new FakeScaleApi({});
    await assert.rejects(
      new DeploymentScaler(api, WHERE).scale("blue", 1.5),
      /whole number of at least 0, got 1\.5/,
    );
    assert.deepEqual(api.scales, []);
  });
});
