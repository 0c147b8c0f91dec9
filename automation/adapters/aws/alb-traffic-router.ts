/**
 * The live split of an Application Load Balancer listener: the weights of the two colours' target
 * groups in the forward action of its default actions, read and written directly with ELBv2.
 */
import {
  type Action,
  DescribeListenersCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  ModifyListenerCommand,
  type TargetGroupTuple,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { type RolloutConfig } from "../../../infra/config/schema";
import type { Readiness, TrafficRouter } from "../../ports";
import type { TrafficRouterCommonOptions } from "../routerOptions";
import { type FetchLike, runHttpChecks, serviceHostFetch } from "./http-check";
import { SystemClock } from "../systemClock";
import type { Clock } from "../../ports";
import { type Resolvable, resolveValue } from "./resolvable";
import {
  COLOURS,
  type Colour,
  type TrafficSplit,
  type AlbRouting,
  albTargetGroupWeights,
  percentFromAlbWeights,
} from "../../../components/domain";

/** Options of an `AlbTrafficRouter`. */
export interface AlbTrafficRouterOptions extends TrafficRouterCommonOptions {
  /** The ELBv2 client of the stack's account and region. */
  readonly client: ElasticLoadBalancingV2Client;
  /** The stack's ALB routing output, or a function that reads the current one. */
  readonly routing: Resolvable<AlbRouting>;
  /** The HTTP client of the pre-traffic check. @default globalThis.fetch */
  readonly fetch?: FetchLike;
}

/**
 * Steps traffic by rewriting the weights of the production listener's forward action. Every write
 * reads the listener first and sends its whole default action list back with only the two weights
 * changed, because ModifyListener replaces the list: an authentication action, the stickiness
 * settings or any other field survive the write.
 */
export class AlbTrafficRouter implements TrafficRouter {
  private readonly client: ElasticLoadBalancingV2Client;
  private readonly routing: Resolvable<AlbRouting>;
  private readonly check: RolloutConfig["preTrafficCheck"];
  private readonly clock: Pick<Clock, "sleep">;
  private readonly fetch: FetchLike;
  private readonly timeoutSignal: (ms: number) => AbortSignal;
  private readonly checkRetryDelayMs: number;

  constructor(options: AlbTrafficRouterOptions) {
    this.client = options.client;
    this.routing = options.routing;
    this.check = options.preTrafficCheck;
    this.clock = options.clock ?? new SystemClock();
    const serviceHost = options.preTrafficCheck.host;
    this.fetch =
      options.fetch ?? (serviceHost ? serviceHostFetch(serviceHost) : (url, init) => fetch(url, init));
    this.timeoutSignal = options.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms));
    this.checkRetryDelayMs = options.checkRetryDelayMs ?? 2_000;
  }

  /** The split the production listener serves now. */
  async read(signal?: AbortSignal): Promise<TrafficSplit> {
    const routing = await resolveValue(this.routing, signal);
    const listener = await this.describeListener(routing.listenerArn, signal);
    return splitOf(listener, routing);
  }

  /** Sets the two colours' weights in the production listener's forward action, keeping everything else. */
  async write(split: TrafficSplit, signal?: AbortSignal): Promise<void> {
    const weights = albTargetGroupWeights(split);
    const routing = await resolveValue(this.routing, signal);
    const listener = await this.describeListener(routing.listenerArn, signal);
    const actions = listener.DefaultActions ?? [];
    const index = forwardActionIndex(listener, routing.listenerArn);
    const DefaultActions = actions.map((action, i) =>
      i === index ? reweigh(action, routing, weights) : keepAsIs(action),
    );
    await this.client.send(new ModifyListenerCommand({ ListenerArn: routing.listenerArn, DefaultActions }), {
      abortSignal: signal,
    });
  }

  /**
   * Ready when at least one target of the colour's target group is healthy: the load balancer
   * sends traffic only to healthy targets while any is. An empty group answers 503 and a group
   * with no healthy target fails open to all of them, so neither is ready.
   */
  async readiness(colour: Colour, signal?: AbortSignal): Promise<Readiness> {
    const routing = await resolveValue(this.routing, signal);
    const targetGroupArn = routing.targetGroupArns[colour];
    const answer = await this.client.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      {
        abortSignal: signal,
      },
    );
    const targets = answer.TargetHealthDescriptions ?? [];
    const where = `${colour}'s target group ${targetGroupArn}`;
    if (targets.length === 0) {
      return {
        ready: false,
        detail: `no targets are registered in ${where}; it would answer 503 (is the ${colour} service running?)`,
      };
    }
    const healthy = targets.filter((target) => target.TargetHealth?.State === "healthy").length;
    const others = new Map<string, number>();
    for (const target of targets) {
      const state = target.TargetHealth?.State ?? "unknown";
      if (state === "healthy") continue;
      const label = target.TargetHealth?.Reason ? `${state} (${target.TargetHealth.Reason})` : state;
      others.set(label, (others.get(label) ?? 0) + 1);
    }
    const rest = [...others].map(([label, count]) => `${count} ${label}`).join(", ");
    const summary = `${healthy} of ${targets.length} targets healthy in ${where}${rest ? `; ${rest}` : ""}`;
    if (healthy === 0) {
      return {
        ready: false,
        detail: `${summary}: with no healthy target the load balancer fails open and would send traffic to all of them`,
      };
    }
    return { ready: true, detail: summary };
  }

  /**
   * GETs each configured path through the test listener, after confirming the test listener sends
   * everything to `colour`: otherwise the check would vouch for the wrong colour.
   */
  async preTrafficCheck(colour: Colour, signal?: AbortSignal): Promise<Readiness> {
    const routing = await resolveValue(this.routing, signal);
    const testListener = await this.describeListener(routing.testListenerArn, signal);
    const testSplit = splitOf(testListener, routing);
    if (testSplit[colour] !== 100) {
      return {
        ready: false,
        detail: `the test listener ${routing.testListenerArn} sends ${testSplit[colour]}% to ${colour} (blue ${testSplit.blue}, green ${testSplit.green}); a check through it would not test ${colour} alone`,
      };
    }
    return runHttpChecks(
      routing.testEndpoint,
      this.check,
      {
        fetch: this.fetch,
        sleep: (ms, abort) => this.clock.sleep(ms, abort),
        timeoutSignal: this.timeoutSignal,
        retryDelayMs: this.checkRetryDelayMs,
      },
      signal,
    );
  }

  private async describeListener(listenerArn: string, signal?: AbortSignal): Promise<Listener> {
    const answer = await this.client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }), {
      abortSignal: signal,
    });
    const listener = answer.Listeners?.find((candidate) => candidate.ListenerArn === listenerArn);
    if (!listener) {
      throw new Error(
        `DescribeListeners did not return listener ${listenerArn}; check the stack's routing output (run \`pulumi up\` if the load balancer was replaced)`,
      );
    }
    return listener;
  }
}

function forwardActionIndex(listener: Listener, listenerArn: string): number {
  const actions = listener.DefaultActions ?? [];
  const index = actions.findIndex((action) => action.Type === "forward");
  if (index < 0) {
    const types = actions.map((action) => action.Type ?? "unknown").join(", ") || "none";
    throw new Error(
      `listener ${listenerArn} has no forward default action (its default actions: ${types}); bluegreen steps traffic by weighting the target groups of that action: restore it with \`pulumi up\``,
    );
  }
  return index;
}

/** The target groups of a forward action: a lone `TargetGroupArn` is a forward to one group. */
function tuplesOf(action: Action): TargetGroupTuple[] {
  const tuples = action.ForwardConfig?.TargetGroups ?? [];
  if (tuples.length > 0) return tuples;
  return action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn }] : [];
}

function colourOf(targetGroupArn: string | undefined, routing: AlbRouting, listenerArn: string): Colour {
  const colour = COLOURS.find((candidate) => routing.targetGroupArns[candidate] === targetGroupArn);
  if (!colour) {
    throw new Error(
      `listener ${listenerArn} forwards to target group ${targetGroupArn ?? "(none)"}, which is neither blue's (${routing.targetGroupArns.blue}) nor green's (${routing.targetGroupArns.green}); remove it from the forward action or fix the stack's routing output`,
    );
  }
  return colour;
}

function splitOf(listener: Listener, routing: AlbRouting): TrafficSplit {
  const listenerArn = listener.ListenerArn ?? "(unknown listener)";
  const action = (listener.DefaultActions ?? [])[forwardActionIndex(listener, listenerArn)];
  const tuples = tuplesOf(action);
  const weights: Record<Colour, number> = { blue: 0, green: 0 };
  for (const tuple of tuples) {
    const colour = colourOf(tuple.TargetGroupArn, routing, listenerArn);
    // A lone target group takes everything whatever its weight says.
    weights[colour] += tuples.length === 1 ? 1 : (tuple.Weight ?? 0);
  }
  return percentFromAlbWeights(weights);
}

function reweigh(action: Action, routing: AlbRouting, weights: Record<Colour, number>): Action {
  const listenerArn = routing.listenerArn;
  const seen = new Set<Colour>();
  const TargetGroups: TargetGroupTuple[] = tuplesOf(action).map((tuple) => {
    const colour = colourOf(tuple.TargetGroupArn, routing, listenerArn);
    seen.add(colour);
    return { ...tuple, Weight: weights[colour] };
  });
  for (const colour of COLOURS) {
    if (!seen.has(colour)) {
      TargetGroups.push({ TargetGroupArn: routing.targetGroupArns[colour], Weight: weights[colour] });
    }
  }
  const { TargetGroupArn: _single, ...rest } = action;
  // ModifyListener rejects TargetGroupArn next to a ForwardConfig of several target groups;
  // DescribeListeners returns it only for a forward to a single group.
  return { ...rest, ForwardConfig: { ...action.ForwardConfig, TargetGroups } };
}

/**
 * An action to send back unchanged. DescribeListeners never returns an OIDC client secret, and
 * ModifyListener requires either the secret or `UseExistingClientSecret`.
 */
function keepAsIs(action: Action): Action {
  const oidc = action.AuthenticateOidcConfig;
  if (oidc && oidc.ClientSecret === undefined && oidc.UseExistingClientSecret === undefined) {
    return { ...action, AuthenticateOidcConfig: { ...oidc, UseExistingClientSecret: true } };
  }
  return action;
}
