/**
 * Each colour's Deployment replica count, read and set directly through the API server: the
 * Deployment's status for what runs and is ready, its scale subresource for the count.
 */
import type { CapacityScaler, ColourCapacity } from "../../ports";
import type { KubernetesScaleApi } from "./kubernetesApi";
import type { Colour } from "../../../components/domain";

/** Where each colour's Deployment lives. */
export interface ColourDeployments {
  readonly namespace: string;
  /** Each colour's Deployment name. */
  readonly deploymentNames: Readonly<Record<Colour, string>>;
}

/** Reads and sets each colour's replicas through the Kubernetes API. */
export class DeploymentScaler implements CapacityScaler {
  constructor(
    private readonly api: KubernetesScaleApi,
    private readonly deployments: ColourDeployments,
  ) {}

  /**
   * Desired from `spec.replicas` (1 when absent, the API's default), running from
   * `status.replicas`, ready from `status.readyReplicas`; a status from before the latest spec
   * (`observedGeneration` behind `generation`) counts as nothing ready yet.
   */
  async capacity(colour: Colour, signal?: AbortSignal): Promise<ColourCapacity> {
    const { namespace, deploymentNames } = this.deployments;
    const deployment = await this.api.getDeployment(namespace, deploymentNames[colour], signal);
    const desired = deployment.spec?.replicas ?? 1;
    const status = deployment.status ?? {};
    const current =
      deployment.metadata?.generation === undefined ||
      (status.observedGeneration ?? 0) >= deployment.metadata.generation;
    return {
      desired,
      running: status.replicas ?? 0,
      ready: current ? (status.readyReplicas ?? 0) : 0,
    };
  }

  /** Sets the colour's replicas; the Deployment's controller starts or stops pods from there. */
  async scale(colour: Colour, count: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`a replica count is a whole number of at least 0, got ${count}`);
    }
    const { namespace, deploymentNames } = this.deployments;
    await this.api.scaleDeployment(namespace, deploymentNames[colour], count, signal);
  }
}
