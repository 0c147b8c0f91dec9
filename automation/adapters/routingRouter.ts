/**
 * The router of a real run, chosen by the deployed stack's `routing.kind`: the kind is only known
 * once the stack's outputs are read, which happens after the preflight checks (Pulumi CLI,
 * credentials), so the choice is made on first use rather than while wiring.
 */
import type { Readiness, TrafficRouter } from "../ports";
import type { Colour, TrafficSplit, Routing, StackOutputs } from "../../components/domain";

/** Builds the router for one kind of routing. */
export type RouterFactories = {
  readonly [K in Routing["kind"]]?: () => TrafficRouter;
};

/** The message for a routing kind this run has no router for. */
export function unsupportedRouting(stack: string, kind: string): string {
  return `stack ${stack} routes traffic through routing kind ${JSON.stringify(kind)}, which this version of bluegreen cannot step: check the stack's routing output, or upgrade bluegreen`;
}

/** Delegates to the router for the deployed stack's routing kind. */
export class RoutingRouter implements TrafficRouter {
  private readonly built = new Map<Routing["kind"], TrafficRouter>();

  constructor(
    private readonly stack: string,
    private readonly outputs: (signal?: AbortSignal) => Promise<StackOutputs | undefined>,
    private readonly factories: RouterFactories,
  ) {}

  /** Reads the live split. */
  async read(signal?: AbortSignal): Promise<TrafficSplit> {
    return (await this.router(signal)).read(signal);
  }

  /** Writes the live split. */
  async write(split: TrafficSplit, signal?: AbortSignal): Promise<void> {
    return (await this.router(signal)).write(split, signal);
  }

  /** Whether the colour can take traffic. */
  async readiness(colour: Colour, signal?: AbortSignal): Promise<Readiness> {
    return (await this.router(signal)).readiness(colour, signal);
  }

  /** The pre-traffic check of the colour. */
  async preTrafficCheck(colour: Colour, signal?: AbortSignal): Promise<Readiness> {
    return (await this.router(signal)).preTrafficCheck(colour, signal);
  }

  private async router(signal?: AbortSignal): Promise<TrafficRouter> {
    const outputs = await this.outputs(signal);
    if (outputs === undefined) {
      throw new Error(`stack ${this.stack} has no outputs: deploy it with \`pulumi up\` first`);
    }
    const kind = outputs.routing.kind;
    const existing = this.built.get(kind);
    if (existing) return existing;
    const factory = this.factories[kind];
    if (!factory) throw new Error(unsupportedRouting(this.stack, kind));
    const router = factory();
    this.built.set(kind, router);
    return router;
  }
}
