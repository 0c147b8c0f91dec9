/**
 * The AWS traffic routers as every caller builds them: an ALB listener or a Lambda alias, each
 * with its one-attempt client for the stack's region. The driver's wiring (routing read from the
 * stack's outputs) and the guardian (routing from its target) build them here alike, so a revert
 * by either writes the split the same way.
 */
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import type { TrafficRouterCommonOptions } from "../routerOptions";
import { AlbTrafficRouter } from "./alb-traffic-router";
import { awsClient } from "./clients";
import { type LambdaRouterTarget, LambdaTrafficRouter } from "./lambda-traffic-router";
import type { Resolvable } from "./resolvable";
import type { AlbRouting } from "../../../components/domain";

/** Where each kind of router finds what it works on. */
export interface AwsRouterSources {
  /** The region of the stack's resources. */
  readonly region: string;
  readonly preTrafficCheck: TrafficRouterCommonOptions["preTrafficCheck"];
  /** The ALB routing, for a stack routed by an ALB. */
  readonly alb: Resolvable<AlbRouting>;
  /** The alias, versions and stable colour, for a stack routed by a Lambda alias. */
  readonly lambda: Resolvable<LambdaRouterTarget>;
}

/** Builds each AWS router on demand, so only the routing kind in use gets a client. */
export interface AwsRouterFactories {
  readonly alb: () => AlbTrafficRouter;
  readonly lambda: () => LambdaTrafficRouter;
}

/** The ALB and Lambda router factories of one stack. */
export function awsRouterFactories(sources: AwsRouterSources): AwsRouterFactories {
  const { region, preTrafficCheck } = sources;
  return {
    alb: () =>
      new AlbTrafficRouter({
        client: awsClient(ElasticLoadBalancingV2Client, region),
        routing: sources.alb,
        preTrafficCheck,
      }),
    lambda: () =>
      new LambdaTrafficRouter({
        client: awsClient(LambdaClient, region),
        target: sources.lambda,
        preTrafficCheck,
      }),
  };
}
