/**
 * A Gateway API HTTPRoute that splits a service's traffic between its blue and green Services by
 * weight: the Kubernetes counterpart of the ALB's weighted forward action, for clusters whose ingress
 * is a Gateway (Envoy Gateway, Istio, Cilium, the AWS Gateway API controller...).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  COLOURS,
  Colour,
  MAX_ROUTE_HOSTNAMES,
  TrafficSplit,
  httpRouteBackendWeights,
  isDnsLabel,
  isDnsSubdomain,
  isPort,
  isRouteHostname,
} from "./domain";

/** The Gateway an HTTPRoute attaches to: a `parentRef` of kind Gateway. */
export interface GatewayRef {
  /** The Gateway's name. */
  readonly name: string;
  /**
   * The Gateway's namespace.
   * @default the route's namespace
   */
  readonly namespace?: string;
  /**
   * The Gateway listener to attach to.
   * @default every listener that admits the route
   */
  readonly sectionName?: string;
}

/** Arguments of {@link GatewayWeightedRoute}. */
export interface GatewayWeightedRouteArgs {
  /** The namespace of the route: the namespace of both colours' Services. */
  readonly namespace: pulumi.Input<string>;
  /**
   * The Gateway to attach to. When it lives in another namespace, its listener must admit routes
   * from this one (`allowedRoutes.namespaces`).
   */
  readonly gateway: GatewayRef;
  /**
   * Host names the route answers; none means every host name of the Gateway's listener.
   * @default []
   */
  readonly hostnames?: readonly string[];
  /** Each colour's Service. */
  readonly serviceNames: Readonly<Record<Colour, pulumi.Input<string>>>;
  /** The port of both Services. */
  readonly servicePort: number;
  /** Percent of requests per colour; must sum to 100. An Input so the program can hold it behind a release guard. */
  readonly traffic: pulumi.Input<TrafficSplit>;
  /**
   * The route's `metadata.name`, which the rollout driver patches.
   * @default the component name
   */
  readonly routeName?: string;
  /**
   * Labels of the route.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * One HTTPRoute with a single rule whose two backendRefs are the colours' Services. Both backendRefs
 * are always listed, a colour at 0% with weight 0, so a traffic step changes only weights and a
 * revert never has to add a backend back.
 */
export class GatewayWeightedRoute extends pulumi.ComponentResource {
  /** The route's name. */
  public readonly routeName: pulumi.Output<string>;
  /** The route's namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** URN of the HTTPRoute: the only resource a traffic step changes. */
  public readonly routingUrns: pulumi.Output<string[]>;

  constructor(name: string, args: GatewayWeightedRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:kubernetes:GatewayWeightedRoute", name, {}, opts);
    const routeName = args.routeName ?? name;
    this.validate(name, routeName, args);

    const { gateway } = args;
    const hostnames = args.hostnames ?? [];
    const parentRef = {
      group: "gateway.networking.k8s.io",
      kind: "Gateway",
      name: gateway.name,
      ...(gateway.namespace !== undefined ? { namespace: gateway.namespace } : {}),
      ...(gateway.sectionName !== undefined ? { sectionName: gateway.sectionName } : {}),
    };
    const backendRefs = pulumi
      .all([pulumi.output(args.traffic), pulumi.all(args.serviceNames)])
      .apply(([traffic, services]) => {
        const weights = httpRouteBackendWeights(traffic);
        return COLOURS.map((colour) => ({
          kind: "Service",
          name: services[colour],
          port: args.servicePort,
          weight: weights[colour],
        }));
      });

    const route = new k8s.apiextensions.CustomResource(
      `${name}-route`,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: routeName, namespace: args.namespace, labels: { ...(args.labels ?? {}) } },
        spec: {
          parentRefs: [parentRef],
          ...(hostnames.length > 0 ? { hostnames: [...hostnames] } : {}),
          rules: [{ backendRefs }],
        },
      },
      { parent: this },
    );

    this.routeName = route.metadata.name;
    this.namespace = route.metadata.namespace;
    this.routingUrns = route.urn.apply((urn) => [urn]);

    this.registerOutputs({
      routeName: this.routeName,
      namespace: this.namespace,
      routingUrns: this.routingUrns,
    });
  }

  private validate(name: string, routeName: string, args: GatewayWeightedRouteArgs): void {
    const fail = (message: string): never => {
      throw new pulumi.ResourceError(`GatewayWeightedRoute ${name}: ${message}`, this);
    };
    if (!isDnsSubdomain(routeName)) {
      fail(
        `routeName ${JSON.stringify(routeName)} must be a DNS subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`,
      );
    }
    const { gateway } = args;
    if (!isDnsSubdomain(gateway.name)) {
      fail(`gateway.name ${JSON.stringify(gateway.name)} must be a DNS subdomain such as "public-gateway"`);
    }
    if (gateway.namespace !== undefined && !isDnsLabel(gateway.namespace)) {
      fail(
        `gateway.namespace ${JSON.stringify(gateway.namespace)} must be a DNS label such as "gateway-system"`,
      );
    }
    if (gateway.sectionName !== undefined && !isDnsSubdomain(gateway.sectionName)) {
      fail(
        `gateway.sectionName ${JSON.stringify(gateway.sectionName)} must name a listener of the Gateway (a DNS subdomain such as "https")`,
      );
    }
    const hostnames = args.hostnames ?? [];
    if (hostnames.length > MAX_ROUTE_HOSTNAMES) {
      fail(`hostnames has ${hostnames.length} entries; an HTTPRoute takes at most ${MAX_ROUTE_HOSTNAMES}`);
    }
    for (const host of hostnames) {
      if (!isRouteHostname(host)) {
        fail(
          `hostnames holds ${JSON.stringify(host)}; expected a lower-case host name such as "shop.example.com" or "*.example.com", without port or IP address`,
        );
      }
    }
    if (!isPort(args.servicePort)) {
      fail(`servicePort is ${args.servicePort}; expected a port from 1 to 65535`);
    }
  }
}
