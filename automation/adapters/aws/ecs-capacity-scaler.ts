/**
 * Each colour's ECS service count, read and set directly with ECS: DescribeServices for the
 * desired, running and ready counts, UpdateService for the desired count. Pulumi ignores the idle
 * colour's desiredCount, so this is the only writer of it between promotions.
 */
import { DescribeServicesCommand, type ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { CapacityScaler, ColourCapacity } from "../../ports";
import type { Colour } from "../../../components/domain";

/** The calls the scaler makes: an `ECSClient` (one attempt per call, `awsClient`) or a stub in tests. */
export type EcsApi = Pick<ECSClient, "send">;

/** Where each colour's service lives: the stack's optional `capacity` output of an ECS stack. */
export interface EcsServices {
  /** The cluster's ARN or name. */
  readonly cluster: string;
  /** Each colour's ECS service name. */
  readonly serviceNames: Readonly<Record<Colour, string>>;
}

/** Reads and sets each colour's desired count through ECS. */
export class EcsCapacityScaler implements CapacityScaler {
  constructor(
    private readonly client: EcsApi,
    private readonly services: EcsServices,
  ) {}

  /**
   * Desired and running from the service; ready is the running count once the service has one
   * deployment and runs its desired count, else 0: a deployment in progress or tasks still
   * starting are not ready yet (the targets' health is the readiness wait's job after that).
   */
  async capacity(colour: Colour, signal?: AbortSignal): Promise<ColourCapacity> {
    const name = this.services.serviceNames[colour];
    const answer = await this.client.send(
      new DescribeServicesCommand({ cluster: this.services.cluster, services: [name] }),
      { abortSignal: signal },
    );
    const service = answer.services?.find((found) => found.serviceName === name);
    if (service === undefined) {
      const why = answer.failures?.find((failure) => failure.arn?.endsWith(`/${name}`))?.reason;
      throw new Error(
        `ECS service ${name} not found in cluster ${this.services.cluster}${why ? ` (${why})` : ""}`,
      );
    }
    const desired = service.desiredCount ?? 0;
    const running = service.runningCount ?? 0;
    const steady = (service.deployments?.length ?? 0) <= 1 && running >= desired;
    return { desired, running, ready: steady ? running : 0 };
  }

  /** Sets the colour's desired count; ECS starts or stops tasks from there. */
  async scale(colour: Colour, count: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`a task count is a whole number of at least 0, got ${count}`);
    }
    await this.client.send(
      new UpdateServiceCommand({
        cluster: this.services.cluster,
        service: this.services.serviceNames[colour],
        desiredCount: count,
      }),
      { abortSignal: signal },
    );
  }
}
