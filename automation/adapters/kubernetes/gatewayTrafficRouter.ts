/**
 * The live split of a Gateway API HTTPRoute: the weights of the two colours' Services in the
 * route's rules, read and written directly through the Kubernetes API, with readiness from each
 * colour's Deployment and pre-traffic checks through the API server's service proxy.
 */
import { type RolloutConfig } from "../../../infra/config/schema";
import { markTransient } from "../../core/retry";
import type { Clock, Readiness, TrafficRouter } from "../../ports";
import type { TrafficRouterCommonOptions } from "../routerOptions";
import { SystemClock } from "../systemClock";
import { type FetchLike, runHttpChecks } from "../aws/http-check";
import { type Resolvable, resolveValue } from "../aws/resolvable";
import type {
  DeploymentState,
  HttpBackendRef,
  HttpRoute,
  HttpRouteRule,
  KubernetesApi,
} from "./kubernetesApi";
import { statusCodeOf } from "./kubernetesApi";
import {
  COLOURS,
  type Colour,
  type GatewayRouting,
  type TrafficSplit,
  percentFromHttpRouteWeights,
  splitProblem,
} from "../../../components/domain";

/** Options of a `GatewayTrafficRouter`. */
export interface GatewayTrafficRouterOptions extends TrafficRouterCommonOptions {
  /** The cluster's API. */
  readonly api: KubernetesApi;
  /** The stack's gateway routing output, or a function that reads the current one. */
  readonly routing: Resolvable<GatewayRouting>;
  /** The port of each colour's Service (`bluegreen:kubernetes.routing.servicePort`). */
  readonly servicePort: number;
}

/** The Gateway API's default weight of a backendRef that gives none. */
const DEFAULT_WEIGHT = 1;

/**
 * Steps traffic by rewriting the weights of the colours' backendRefs in the HTTPRoute. Every write
 * reads the route and sends it back whole with only those weights changed, naming the
 * resourceVersion it read: a concurrent change (another controller, a person with kubectl) makes
 * the API server refuse the write instead of being silently overwritten. The refusal is a
 * transient failure: the driver's next attempt reads the route afresh.
 */
export class GatewayTrafficRouter implements TrafficRouter {
  private readonly api: KubernetesApi;
  private readonly routing: Resolvable<GatewayRouting>;
  private readonly servicePort: number;
  private readonly check: RolloutConfig["preTrafficCheck"];
  private readonly clock: Pick<Clock, "sleep">;
  private readonly timeoutSignal: (ms: number) => AbortSignal;
  private readonly checkRetryDelayMs: number;

  constructor(options: GatewayTrafficRouterOptions) {
    if (!Number.isInteger(options.servicePort) || options.servicePort < 1 || options.servicePort > 65_535) {
      throw new Error(
        `servicePort must be the colours' Service port (1-65535, bluegreen:kubernetes.routing.servicePort), got ${options.servicePort}`,
      );
    }
    this.api = options.api;
    this.routing = options.routing;
    this.servicePort = options.servicePort;
    this.check = options.preTrafficCheck;
    this.clock = options.clock ?? new SystemClock();
    this.timeoutSignal = options.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms));
    this.checkRetryDelayMs = options.checkRetryDelayMs ?? 2_000;
  }

  /** The split the route serves now. */
  async read(signal?: AbortSignal): Promise<TrafficSplit> {
    const routing = await resolveValue(this.routing, signal);
    const route = await this.getRoute(routing, signal);
    return splitOf(route, routing);
  }

  /**
   * Sets the colours' weights to the percent of `split` in every rule that routes to them, keeping
   * every other field and rule. A 409 Conflict (the route changed since it was read) fails with a
   * transient error that says someone else writes the route.
   */
  async write(split: TrafficSplit, signal?: AbortSignal): Promise<void> {
    assertSplit(split);
    const routing = await resolveValue(this.routing, signal);
    const where = routeName(routing);
    const route = await this.getRoute(routing, signal);
    const resourceVersion = route.metadata?.resourceVersion;
    if (resourceVersion === undefined || resourceVersion === "") {
      throw new Error(
        `${where} came back without metadata.resourceVersion, so a write could overwrite someone else's change; check what answers for the Kubernetes API`,
      );
    }
    const body = reweigh(route, routing, split, this.servicePort);
    try {
      await this.api.replaceRoute(routing.namespace, routing.routeName, body, signal);
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
      throw markTransient(
        new Error(
          `someone else is writing the route: ${where} changed between read and write (409 Conflict); find the other writer (a GitOps controller, a second rollout) and stop it`,
          { cause: error },
        ),
      );
    }
  }

  /**
   * Ready when the colour's Deployment has rolled out completely: the controller observed the
   * latest spec, every desired pod runs the current template and is ready, and no pod of an older
   * template remains (the Service would send it traffic too).
   */
  async readiness(colour: Colour, signal?: AbortSignal): Promise<Readiness> {
    const routing = await resolveValue(this.routing, signal);
    const name = routing.serviceNames[colour];
    const deployment = await this.api.getDeployment(routing.namespace, name, signal);
    return deploymentReadiness(deployment, `${colour}'s deployment ${routing.namespace}/${name}`);
  }

  /**
   * GETs each configured path on the colour's Service through the API server's service proxy:
   * only that colour's pods answer, whatever the route's weights are.
   */
  async preTrafficCheck(colour: Colour, signal?: AbortSignal): Promise<Readiness> {
    const routing = await resolveValue(this.routing, signal);
    const service = routing.serviceNames[colour];
    const base = `/api/v1/namespaces/${routing.namespace}/services/${service}:${this.servicePort}/proxy`;
    const fetch: FetchLike = async (url, init) => {
      const path = url.startsWith(base) ? url.slice(base.length) : url;
      const response = await this.api.proxyGet(
        routing.namespace,
        service,
        this.servicePort,
        path,
        init.signal,
      );
      return { status: response.status, body: null };
    };
    return runHttpChecks(
      base,
      this.check,
      {
        fetch,
        sleep: (ms, abort) => this.clock.sleep(ms, abort),
        timeoutSignal: this.timeoutSignal,
        retryDelayMs: this.checkRetryDelayMs,
      },
      signal,
    );
  }

  private getRoute(routing: GatewayRouting, signal?: AbortSignal): Promise<HttpRoute> {
    return this.api.getRoute(routing.namespace, routing.routeName, signal);
  }
}

/** What a route's rule means for the colours. */
interface RuleView {
  readonly index: number;
  /** Effective weight per colour (a missing weight counts 1). */
  readonly weights: Record<Colour, number>;
  /** Which colours the rule lists. */
  readonly listed: ReadonlySet<Colour>;
}

function routeName(routing: GatewayRouting): string {
  return `HTTPRoute ${routing.namespace}/${routing.routeName}`;
}

function effectiveWeight(ref: HttpBackendRef): number {
  return ref.weight ?? DEFAULT_WEIGHT;
}

/** The colour whose Service the backendRef names, if any. */
function colourOfRef(ref: HttpBackendRef, routing: GatewayRouting): Colour | undefined {
  if ((ref.group ?? "") !== "" || (ref.kind ?? "Service") !== "Service") return undefined;
  if ((ref.namespace ?? routing.namespace) !== routing.namespace) return undefined;
  return COLOURS.find((colour) => routing.serviceNames[colour] === ref.name);
}

function describeRef(ref: HttpBackendRef): string {
  const kind = ref.kind ?? "Service";
  const namespace = ref.namespace ? `${ref.namespace}/` : "";
  return `${kind} ${namespace}${ref.name}`;
}

/**
 * The rules that route to a colour's Service. A rule that also sends traffic to another backend
 * cannot be expressed as a blue/green split, so it is an error rather than a guess.
 */
function colourRules(route: HttpRoute, routing: GatewayRouting): RuleView[] {
  const where = routeName(routing);
  const rules: readonly HttpRouteRule[] = route.spec?.rules ?? [];
  const views: RuleView[] = [];
  rules.forEach((rule, index) => {
    const weights: Record<Colour, number> = { blue: 0, green: 0 };
    const listed = new Set<Colour>();
    const others: HttpBackendRef[] = [];
    for (const ref of rule.backendRefs ?? []) {
      const colour = colourOfRef(ref, routing);
      if (!colour) {
        others.push(ref);
        continue;
      }
      if (listed.has(colour)) {
        throw new Error(
          `${where} rule ${index} lists the ${colour} Service ${ref.name} twice; keep one backendRef per colour (\`pulumi up\` restores the route)`,
        );
      }
      listed.add(colour);
      weights[colour] = effectiveWeight(ref);
    }
    if (listed.size === 0) return;
    const live = others.filter((ref) => effectiveWeight(ref) > 0);
    if (live.length > 0) {
      throw new Error(
        `${where} rule ${index} also sends traffic to ${live.map(describeRef).join(", ")}, besides the colours' Services (blue ${routing.serviceNames.blue}, green ${routing.serviceNames.green}); remove it or set its weight to 0 so the split is blue/green only`,
      );
    }
    views.push({ index, weights, listed });
  });
  if (views.length === 0) {
    const names = `blue ${routing.serviceNames.blue}, green ${routing.serviceNames.green}`;
    throw new Error(
      `${where} has no rule whose backendRefs name the colours' Services (${names}); check the stack's routing output, or restore the route with \`pulumi up\``,
    );
  }
  return views;
}

function percentOf(view: RuleView, routing: GatewayRouting): TrafficSplit {
  const total = view.weights.blue + view.weights.green;
  if (total <= 0) {
    throw new Error(
      `${routeName(routing)} rule ${view.index} gives both colours weight 0, so the gateway answers 500 for it; set the split again with \`bluegreen abort\` or \`pulumi up\``,
    );
  }
  return percentFromHttpRouteWeights(view.weights);
}

/** The split of the route; every rule that routes to the colours must agree. */
function splitOf(route: HttpRoute, routing: GatewayRouting): TrafficSplit {
  const views = colourRules(route, routing);
  const splits = views.map((view) => percentOf(view, routing));
  const first = splits[0];
  const differing = splits.findIndex((split) => split.blue !== first.blue);
  if (differing >= 0) {
    throw new Error(
      `${routeName(routing)} splits differently in rule ${views[0].index} (blue ${first.blue}, green ${first.green}) and rule ${views[differing].index} (blue ${splits[differing].blue}, green ${splits[differing].green}); set one split with \`bluegreen abort\` or \`pulumi up\``,
    );
  }
  return first;
}

/** The route with the colours' weights set to the split's percent; nothing else changes. */
function reweigh(route: HttpRoute, routing: GatewayRouting, split: TrafficSplit, port: number): HttpRoute {
  const views = new Map(colourRules(route, routing).map((view) => [view.index, view]));
  const rules = (route.spec?.rules ?? []).map((rule, index) => {
    const view = views.get(index);
    if (!view) return rule;
    const backendRefs: HttpBackendRef[] = (rule.backendRefs ?? []).map((ref) => {
      const colour = colourOfRef(ref, routing);
      return colour ? { ...ref, weight: split[colour] } : ref;
    });
    // A rule that lost a colour's backendRef gets it back, or a revert to that colour would
    // have nowhere to send traffic.
    for (const colour of COLOURS) {
      if (!view.listed.has(colour)) {
        backendRefs.push({
          kind: "Service",
          name: routing.serviceNames[colour],
          port,
          weight: split[colour],
        });
      }
    }
    return { ...rule, backendRefs };
  });
  return { ...route, spec: { ...route.spec, rules } };
}

function assertSplit(split: TrafficSplit): void {
  const problem = splitProblem(split);
  if (problem !== undefined) {
    throw new Error(`invalid traffic split blue ${split.blue}, green ${split.green}: ${problem}`);
  }
}

/** Whether a Deployment has rolled out completely, with a message that says what was seen. */
export function deploymentReadiness(deployment: DeploymentState, where: string): Readiness {
  // An unset spec.replicas means the API server's default of 1.
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const ready = status.readyReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const generation = deployment.metadata?.generation ?? 0;
  const observed = status.observedGeneration ?? 0;
  const summary = `${ready} of ${desired} pods ready in ${where}`;
  if (desired === 0) {
    return { ready: false, detail: `${where} is scaled to 0 replicas; nothing would answer its traffic` };
  }
  if (observed < generation) {
    return {
      ready: false,
      detail: `${summary}; the controller has not yet seen the latest spec (generation ${generation}, observed ${observed})`,
    };
  }
  if (updated < desired) {
    return { ready: false, detail: `${summary}; rolling out: ${updated} of ${desired} pods updated` };
  }
  if (total > updated) {
    return {
      ready: false,
      detail: `${summary}; rolling out: ${plural(total - updated, "pod")} of the previous version still ${total - updated === 1 ? "runs" : "run"} and would get traffic`,
    };
  }
  if (ready < desired) return { ready: false, detail: summary };
  return { ready: true, detail: summary };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
