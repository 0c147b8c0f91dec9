/**
 * The capacity scaler of a deployed stack: the stack's `capacity` output says where each colour's
 * capacity lives (ECS services or Kubernetes Deployments), read on every call, since a promotion
 * or a replaced service changes nothing here but a redeploy of the cluster could.
 */
import type { CapacityScaler, ColourCapacity } from "../ports";
import type { CapacityOutputs, Colour, StackOutputs } from "../../components/domain";

/** How a scaler for each kind of capacity output is built. */
export interface CapacityScalerFactories {
  readonly ecs: (capacity: Extract<CapacityOutputs, { kind: "ecs" }>) => CapacityScaler;
  readonly kubernetes: (capacity: Extract<CapacityOutputs, { kind: "kubernetes" }>) => CapacityScaler;
}

/** Scales through whatever the stack's `capacity` output names; a stack without one cannot be scaled. */
export class OutputsCapacityScaler implements CapacityScaler {
  constructor(
    private readonly stackName: string,
    private readonly outputs: (signal?: AbortSignal) => Promise<StackOutputs | undefined>,
    private readonly factories: CapacityScalerFactories,
  ) {}

  /** The colour's capacity, from the platform the output names. */
  async capacity(colour: Colour, signal?: AbortSignal): Promise<ColourCapacity> {
    return (await this.scaler(signal)).capacity(colour, signal);
  }

  /** Sets the colour's count on the platform the output names. */
  async scale(colour: Colour, count: number, signal?: AbortSignal): Promise<void> {
    await (await this.scaler(signal)).scale(colour, count, signal);
  }

  private async scaler(signal?: AbortSignal): Promise<CapacityScaler> {
    const capacity = (await this.outputs(signal))?.capacity;
    if (capacity === undefined) {
      throw new Error(
        `stack ${this.stackName} exports no capacity output (deployed before it existed, or Lambda): run \`pulumi up\` once with this version to add it`,
      );
    }
    return capacity.kind === "ecs" ? this.factories.ecs(capacity) : this.factories.kubernetes(capacity);
  }
}
