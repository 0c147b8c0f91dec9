/**
 * The simulated stack's live routing: the split the platform serves (an ALB listener, a Lambda
 * alias, an HTTPRoute), written directly as the driver's revert path does, plus each colour's
 * readiness and pre-traffic check. Errors are the ones the platform's API would give.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import type { Readiness, TrafficRouter } from "../ports";
import { abortError, awsServiceError, kubernetesApiError, throwIfAborted } from "./simulatedErrors";
import type { SimulatedFaults } from "./simulatedFaults";
import type { SimulatedDeployment } from "./simulatedProgram";
import { type Colour, type TrafficSplit, type Routing, splitProblem } from "../../components/domain";

/** One direct write through the traffic router. */
export interface RecordedWrite {
  readonly split: TrafficSplit;
  readonly at: number;
  /**
   * Set when the write failed (`weight-write-fails`, an invalid split, or a signal already
   * aborted when the write was asked for).
   */
  readonly error?: string;
}

/** What the router needs from the world around it. */
export interface SimulatedRouterContext {
  readonly config: BluegreenConfig;
  readonly stackName: string;
  readonly faults: SimulatedFaults;
  readonly now: () => number;
  /** Fires the world's events due by now, so a call sees them. */
  settle(): void;
  /** What the last completed update deployed; undefined before the first one. */
  deployment(): SimulatedDeployment | undefined;
  /** Tasks or pods of the colour ready now; absent where capacity is not modelled (Lambda). */
  ready?(colour: Colour): number;
}

/** The live routing of one simulated stack. */
export class SimulatedRouter {
  /** The port: the driver's direct path to the live split. */
  readonly port: TrafficRouter;
  private live: TrafficSplit | undefined;
  private readonly writes: RecordedWrite[] = [];

  /** @param live the split served at the start; undefined for a stack never deployed */
  constructor(
    private readonly context: SimulatedRouterContext,
    live: TrafficSplit | undefined,
  ) {
    this.live = live && { ...live };
    this.port = {
      read: async (signal) => this.read(signal),
      write: async (split, signal) => this.write(split, signal),
      readiness: async (colour, signal) => {
        context.settle();
        throwIfAborted(signal);
        // A killed process never gets its answer.
        if (context.faults.hanging()) return new Promise<Readiness>(() => undefined);
        return this.readiness(colour);
      },
      preTrafficCheck: async (colour, signal) => {
        context.settle();
        throwIfAborted(signal);
        return this.preTrafficCheck(colour);
      },
    };
  }

  /** The split served now, or undefined before the first deployment. */
  serving(): TrafficSplit | undefined {
    return this.live && { ...this.live };
  }

  /** The split served now; throws as the platform would when there is no routing yet. */
  requireServing(): TrafficSplit {
    if (!this.live) {
      const message = `stack ${this.context.stackName} has never been deployed: there is no routing to read or write`;
      if (this.routingKind() === "gateway") throw kubernetesApiError(404, "NotFound", message);
      throw awsServiceError(
        this.context.config.service.platform === "lambda"
          ? "ResourceNotFoundException"
          : "ListenerNotFoundException",
        message,
        { httpStatusCode: 404 },
      );
    }
    return { ...this.live };
  }

  /**
   * Serves `split` from now, as an update of the routing resource or a direct write does; someone
   * racing the write (`raceNextWrite`) overwrites it at once.
   */
  apply(split: TrafficSplit): void {
    this.live = { ...(this.context.faults.takeRace() ?? split) };
  }

  /** Someone else writes the split (`weights-drift`); nothing happens before the first deployment. */
  overwrite(split: TrafficSplit): void {
    if (this.live) this.live = { ...split };
  }

  /** Every direct write, in order, failed ones included. */
  recordedWrites(): RecordedWrite[] {
    return this.writes.map((write) => ({ ...write, split: { ...write.split } }));
  }

  /** The error a failing write of the routing reports, as the platform words it. */
  failureMessage(): string {
    switch (this.routingKind()) {
      case "gateway":
        return "the server has received an error: etcdserver: request timed out";
      case "lambda":
        return "ServiceException: The AWS Lambda service encountered an internal error.";
      case "alb":
        return "InternalFailure: The request processing has failed because of an unknown error, exception or failure.";
    }
  }

  private read(signal?: AbortSignal): TrafficSplit {
    this.context.settle();
    throwIfAborted(signal);
    if (this.context.faults.holds("weights-unreadable")) throw this.throttled();
    return this.requireServing();
  }

  private write(split: TrafficSplit, signal?: AbortSignal): void {
    this.context.settle();
    const at = this.context.now();
    if (signal?.aborted) {
      const error = abortError(signal);
      this.writes.push({ split: { ...split }, at, error: `${error.name}: ${error.message}` });
      throw error;
    }
    const deployment = this.requireDeployment();
    this.requireServing();
    const kind = deployment.outputs.routing.kind;
    if (splitProblem(split) !== undefined) {
      const message = `invalid traffic split blue ${split.blue}, green ${split.green}: each must be a whole percent 0-100 and the two must sum to 100`;
      const error =
        kind === "gateway"
          ? kubernetesApiError(422, "Invalid", message)
          : awsServiceError(
              kind === "lambda" ? "InvalidParameterValueException" : "ValidationError",
              message,
              {
                httpStatusCode: 400,
              },
            );
      this.writes.push({ split: { ...split }, at, error: error.message });
      throw error;
    }
    if (this.context.faults.holds("weight-write-fails")) {
      const error = this.writeFailure(kind);
      this.writes.push({ split: { ...split }, at, error: `${error.name}: ${error.message}` });
      throw error;
    }
    this.writes.push({ split: { ...split }, at });
    this.apply(split);
  }

  /** The error a direct write of the routing fails with during `weight-write-fails`. */
  private writeFailure(kind: Routing["kind"]): Error {
    switch (kind) {
      case "gateway":
        return kubernetesApiError(500, "InternalError", "etcdserver: request timed out");
      case "lambda":
        return awsServiceError("ServiceException", "The AWS Lambda service encountered an internal error.", {
          httpStatusCode: 500,
        });
      case "alb":
        return awsServiceError(
          "InternalFailure",
          "The request processing has failed because of an unknown error, exception or failure.",
          { httpStatusCode: 500 },
        );
    }
  }

  /** A throttled read of the routing, as each platform's API reports it. */
  private throttled(): Error {
    switch (this.routingKind()) {
      case "gateway":
        return kubernetesApiError(
          429,
          "TooManyRequests",
          "the server has received too many requests and has asked us to try again later",
        );
      case "lambda":
        return awsServiceError("TooManyRequestsException", "Rate exceeded", {
          httpStatusCode: 429,
          throttling: true,
        });
      case "alb":
        return awsServiceError("Throttling", "Rate exceeded", { httpStatusCode: 400, throttling: true });
    }
  }

  private unhealthy(kind: "candidate-unhealthy" | "pre-traffic-check-fails", colour: Colour): boolean {
    return this.context.faults.active(kind).some((window) => window.colour === colour);
  }

  private readiness(colour: Colour): Readiness {
    const routing = this.requireDeployment().outputs.routing;
    const healthy = !this.unhealthy("candidate-unhealthy", colour);
    if (routing.kind === "lambda") {
      const version = routing.versions[colour];
      return healthy
        ? { ready: true, detail: `version ${version} is Active` }
        : { ready: false, detail: `version ${version} is Failed: InvalidZipFileException` };
    }
    const { config } = this.context;
    const count = config.ecs?.desiredCount ?? config.kubernetes?.replicas ?? 2;
    // A colour scaled to nothing has no target to be healthy, whatever its version.
    const up = (this.context.ready?.(colour) ?? count) > 0;
    if (routing.kind === "gateway") {
      const where = `${colour}'s deployment ${routing.namespace}/${routing.serviceNames[colour]}`;
      return healthy && up
        ? { ready: true, detail: `${count} of ${count} pods ready in ${where}` }
        : { ready: false, detail: `0 of ${count} pods ready in ${where}` };
    }
    const group = routing.targetGroupArns[colour].split("/")[1];
    if (!up) return { ready: false, detail: `0 targets registered in ${group}` };
    return healthy
      ? { ready: true, detail: `${count} of ${count} targets healthy in ${group}` }
      : { ready: false, detail: `0 of ${count} targets healthy in ${group} (Target.FailedHealthChecks)` };
  }

  private preTrafficCheck(colour: Colour): Readiness {
    const routing = this.requireDeployment().outputs.routing;
    const failing =
      this.unhealthy("pre-traffic-check-fails", colour) || this.unhealthy("candidate-unhealthy", colour);
    if (routing.kind === "lambda") {
      const target = `${routing.functionName}:${routing.versions[colour]}`;
      return failing
        ? { ready: false, detail: `test invocation of ${target} returned FunctionError Unhandled` }
        : { ready: true, detail: `test invocation of ${target} returned 200` };
    }
    const base =
      routing.kind === "alb"
        ? routing.testEndpoint
        : `/api/v1/namespaces/${routing.namespace}/services/${routing.serviceNames[colour]}:${this.servicePort()}/proxy`;
    const results = this.context.config.rollout.preTrafficCheck.paths.map(
      (check) =>
        `GET ${base}${check.path} -> ${failing ? 503 : check.expectStatus}${failing ? ` (expected ${check.expectStatus})` : ""}`,
    );
    return { ready: !failing, detail: results.join("; ") };
  }

  /** The colours' Service port in gateway mode, where pre-traffic checks go through the API server's proxy. */
  private servicePort(): number {
    const routing = this.context.config.kubernetes?.routing;
    return routing?.mode === "gateway" ? routing.servicePort : 80;
  }

  /** How traffic is routed: from the config, so it is known before the first deployment. */
  private routingKind(): Routing["kind"] {
    const { config } = this.context;
    if (config.service.platform === "lambda") return "lambda";
    return config.service.platform === "kubernetes" && config.kubernetes?.routing.mode === "gateway"
      ? "gateway"
      : "alb";
  }

  private requireDeployment(): SimulatedDeployment {
    const deployment = this.context.deployment();
    if (!deployment) {
      throw new Error(`stack ${this.context.stackName} has never been deployed: run an update first`);
    }
    return deployment;
  }
}

/** Whether the platform would take the split; a plain boolean, so a refused one keeps its type for the message. */
