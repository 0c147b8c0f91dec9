/**
 * An Application Load Balancer in front of two colours: one target group per colour, a production
 * listener whose forward action weights both groups, and a test listener that sends everything to
 * the idle colour for pre-traffic checks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  COLOURS,
  Colour,
  DEFAULT_HEALTH_CHECK,
  DEFAULT_SSL_POLICY,
  DEFAULT_TEST_LISTENER_PORT,
  IPV4_CIDR_PATTERN,
  LONGEST_COLOUR_SUFFIX,
  MAX_SERVICE_NAME_LENGTH,
  MAX_TARGET_GROUP_NAME_LENGTH,
  AUTONAME_SUFFIX_LENGTH,
  STICKINESS_SECONDS,
  TargetGroupHealthCheck,
  TrafficSplit,
  albTargetGroupWeights,
  arnPattern,
  defaultListenerPort,
  healthCheckTimeoutProblem,
  isColour,
  isPort,
  isStickinessDuration,
  listenerPortProblems,
  otherColour,
} from "./domain";

/** The longest component name whose auto-named children still fit AWS's 32-character limit. */
export const MAX_ALB_BLUE_GREEN_NAME_LENGTH = MAX_SERVICE_NAME_LENGTH;

/** Arguments of {@link AlbBlueGreen}. */
export interface AlbBlueGreenArgs {
  /** The VPC the target groups and the security group live in. */
  readonly vpcId: pulumi.Input<string>;
  /** Subnets for the load balancer, in at least two Availability Zones. Unused with an existing load balancer. */
  readonly subnetIds: pulumi.Input<string>[];
  /**
   * Reuse this load balancer instead of creating one; the listeners are still created on it. Plain,
   * because it decides whether the load balancer and its security group exist.
   * @default a new load balancer
   */
  readonly existingLoadBalancerArn?: string;
  /**
   * Create an internal load balancer.
   * @default false
   */
  readonly internal?: boolean;
  /**
   * An ACM certificate: the listeners speak HTTPS, and port 80 redirects to the production listener.
   * Plain, because it decides whether the redirect listener exists.
   * @default plain HTTP
   */
  readonly certificateArn?: string;
  /**
   * The TLS policy of the HTTPS listeners.
   * @default "ELBSecurityPolicy-TLS13-1-2-2021-06"
   */
  readonly sslPolicy?: string;
  /**
   * Port of the production listener.
   * @default 443 with a certificate, else 80
   */
  readonly listenerPort?: number;
  /**
   * Port of the test listener, which sends everything to the idle colour.
   * @default 8443
   */
  readonly testListenerPort?: number;
  /**
   * Seconds the production listener pins a client to a target group (1-604800).
   * @default no stickiness
   */
  readonly stickinessSeconds?: number;
  /**
   * The target groups' health check.
   * @default `/health` answering 200, every 15 s, 5 s timeout, thresholds 3
   */
  readonly healthCheck?: TargetGroupHealthCheck;
  /**
   * Seconds in-flight requests get when a target leaves.
   * @default 30
   */
  readonly deregistrationDelay?: number;
  /**
   * Seconds an idle connection stays open.
   * @default 60
   */
  readonly idleTimeout?: number;
  /** CIDRs allowed to reach the production listener (and the HTTP redirect). */
  readonly ingressCidrs: readonly string[];
  /** CIDRs allowed to reach the test listener: the pipelines that run pre-traffic checks. */
  readonly testIngressCidrs: readonly string[];
  /** The port the targets listen on. */
  readonly targetPort: number;
  /**
   * How targets register.
   * @default "ip" (ECS Fargate in awsvpc mode and Kubernetes TargetGroupBinding both register pod/task IPs)
   */
  readonly targetType?: "ip" | "instance";
  /**
   * The split of the production listener. An Input because the program may hold it behind a release
   * guard; each value must be a split (whole percents summing to 100).
   */
  readonly traffic: pulumi.Input<TrafficSplit>;
  /** The idle colour: the test listener sends all of its traffic there. */
  readonly testColour: pulumi.Input<Colour>;
  /**
   * Tags for every resource.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

type ForwardAction = aws.types.input.lb.ListenerDefaultAction;

/**
 * A forward action that names both target groups every time, so a traffic step changes only weights
 * and never the shape of the action (a group at weight 0 stays attached and keeps its health checks).
 */
function forwardAction(
  arns: Record<Colour, string>,
  weights: Record<Colour, number>,
  stickinessSeconds: number | undefined,
): ForwardAction {
  return {
    type: "forward",
    forward: {
      targetGroups: COLOURS.map((colour) => ({ arn: arns[colour], weight: weights[colour] })),
      ...(stickinessSeconds !== undefined
        ? { stickiness: { enabled: true, duration: stickinessSeconds } }
        : {}),
    },
  };
}

/**
 * An ALB with a weighted production listener and a test listener over a blue and a green target
 * group. Only the two listeners change when traffic moves (`routingUrns`).
 */
export class AlbBlueGreen extends pulumi.ComponentResource {
  /** The load balancer's ARN (the existing one when reused). */
  public readonly loadBalancerArn: pulumi.Output<string>;
  /** `app/<name>/<id>`: the `LoadBalancer` dimension of AWS/ApplicationELB metrics. */
  public readonly loadBalancerArnSuffix: pulumi.Output<string>;
  /** The load balancer's DNS name. */
  public readonly dnsName: pulumi.Output<string>;
  /** A security group of the load balancer, for the targets' ingress rule. */
  public readonly securityGroupId: pulumi.Output<string>;
  /** The production listener whose forward action weights the two target groups. */
  public readonly listenerArn: pulumi.Output<string>;
  /** The test listener that sends everything to the idle colour. */
  public readonly testListenerArn: pulumi.Output<string>;
  /** Each colour's target group ARN. */
  public readonly targetGroupArns: Record<Colour, pulumi.Output<string>>;
  /** `targetgroup/<name>/<id>` per colour: the `TargetGroup` dimension of AWS/ApplicationELB metrics. */
  public readonly targetGroupArnSuffixes: Record<Colour, pulumi.Output<string>>;
  /**
   * Base URL of the test listener, for pre-traffic checks. With HTTPS the certificate names the
   * service's domain, not the ALB's DNS name: checks must send that host name (SNI) or skip verification.
   */
  public readonly testEndpoint: pulumi.Output<string>;
  /** URNs of the production and test listeners: the only resources a traffic step changes. */
  public readonly routingUrns: pulumi.Output<string[]>;
  /** Seconds a client stays pinned to a target group, when stickiness is on. */
  public readonly stickinessSeconds?: number;

  constructor(name: string, args: AlbBlueGreenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:aws:AlbBlueGreen", name, {}, opts);
    this.validate(name, args);

    const tags = args.tags ?? {};
    const https = args.certificateArn !== undefined;
    const protocol = https ? "HTTPS" : "HTTP";
    const listenerPort = args.listenerPort ?? defaultListenerPort(https);
    const testListenerPort = args.testListenerPort ?? DEFAULT_TEST_LISTENER_PORT;
    const healthCheck = args.healthCheck ?? DEFAULT_HEALTH_CHECK;
    const tls = https
      ? { certificateArn: args.certificateArn, sslPolicy: args.sslPolicy ?? DEFAULT_SSL_POLICY }
      : {};

    let loadBalancerArn: pulumi.Output<string>;
    const existingArn = args.existingLoadBalancerArn;
    if (existingArn !== undefined) {
      const existing = aws.lb.getLoadBalancerOutput({ arn: existingArn }, { parent: this });
      loadBalancerArn = existing.arn;
      this.loadBalancerArnSuffix = existing.arnSuffix;
      this.dnsName = existing.dnsName;
      // A security group this stack does not own cannot be attached to a load balancer it does not
      // own: the targets admit the existing ALB's own group instead. Any of its groups identifies its
      // network interfaces; the lowest ID keeps the choice stable across runs.
      this.securityGroupId = existing.securityGroups.apply((groups) => {
        const sorted = [...groups].sort();
        if (sorted.length === 0) {
          throw new Error(
            `the existing load balancer ${existingArn} has no security group; attach one that admits the listener ports`,
          );
        }
        return sorted[0];
      });
    } else {
      const vpc = aws.ec2.getVpcOutput({ id: args.vpcId }, { parent: this });
      // Targets may sit in a secondary CIDR of the VPC, so egress covers every associated block.
      const vpcCidrs = pulumi
        .all([vpc.cidrBlock, vpc.cidrBlockAssociations])
        .apply(([primary, associations]) => [
          ...new Set([primary, ...(associations ?? []).map((association) => association.cidrBlock)]),
        ]);
      const listenerPorts = https ? [listenerPort, 80] : [listenerPort];
      const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-alb`,
        {
          description: `Load balancer of ${name}`,
          vpcId: args.vpcId,
          ingress: [
            ...listenerPorts.map((port) => ({
              description: port === listenerPort ? "Production listener" : "HTTP to HTTPS redirect",
              protocol: "tcp",
              fromPort: port,
              toPort: port,
              cidrBlocks: [...args.ingressCidrs],
            })),
            {
              description: "Test listener",
              protocol: "tcp",
              fromPort: testListenerPort,
              toPort: testListenerPort,
              cidrBlocks: [...args.testIngressCidrs],
            },
          ],
          egress: [
            {
              description: "Requests and health checks to the targets",
              protocol: "tcp",
              fromPort: args.targetPort,
              toPort: args.targetPort,
              cidrBlocks: vpcCidrs,
            },
          ],
          tags,
        },
        { parent: this },
      );
      const loadBalancer = new aws.lb.LoadBalancer(
        `${name}-alb`,
        {
          loadBalancerType: "application",
          internal: args.internal ?? false,
          subnets: args.subnetIds,
          securityGroups: [securityGroup.id],
          idleTimeout: args.idleTimeout ?? 60,
          dropInvalidHeaderFields: true,
          tags,
        },
        { parent: this },
      );
      loadBalancerArn = loadBalancer.arn;
      this.loadBalancerArnSuffix = loadBalancer.arnSuffix;
      this.dnsName = loadBalancer.dnsName;
      this.securityGroupId = securityGroup.id;
    }
    this.loadBalancerArn = loadBalancerArn;

    const targetGroups = {} as Record<Colour, aws.lb.TargetGroup>;
    for (const colour of COLOURS) {
      // No `name`: the provider appends a random suffix, so a replacement can be created before the
      // old group is deleted (the name limit checked in validate() leaves room for it).
      targetGroups[colour] = new aws.lb.TargetGroup(
        `${name}-${colour}`,
        {
          vpcId: args.vpcId,
          port: args.targetPort,
          protocol: "HTTP",
          targetType: args.targetType ?? "ip",
          deregistrationDelay: args.deregistrationDelay ?? 30,
          healthCheck: {
            enabled: true,
            protocol: "HTTP",
            port: "traffic-port",
            path: healthCheck.path,
            matcher: healthCheck.matcher,
            interval: healthCheck.interval,
            timeout: healthCheck.timeout,
            healthyThreshold: healthCheck.healthyThreshold,
            unhealthyThreshold: healthCheck.unhealthyThreshold,
          },
          tags: { ...tags, "bluegreen:colour": colour },
        },
        { parent: this },
      );
    }
    this.targetGroupArns = { blue: targetGroups.blue.arn, green: targetGroups.green.arn };
    this.targetGroupArnSuffixes = { blue: targetGroups.blue.arnSuffix, green: targetGroups.green.arnSuffix };
    const arns: pulumi.Output<Record<Colour, string>> = pulumi
      .all([this.targetGroupArns.blue, this.targetGroupArns.green])
      .apply(([blue, green]) => ({ blue, green }));

    const listener = new aws.lb.Listener(
      `${name}-listener`,
      {
        loadBalancerArn,
        port: listenerPort,
        protocol,
        ...tls,
        defaultActions: pulumi
          .all([arns, pulumi.output(args.traffic)])
          .apply(([groupArns, traffic]) => [
            forwardAction(groupArns, albTargetGroupWeights(traffic), args.stickinessSeconds),
          ]),
        tags,
      },
      { parent: this },
    );

    const testListener = new aws.lb.Listener(
      `${name}-test-listener`,
      {
        loadBalancerArn,
        port: testListenerPort,
        protocol,
        ...tls,
        defaultActions: pulumi
          .all([arns, pulumi.output(args.testColour)])
          .apply(([groupArns, testColour]) => {
            if (!isColour(testColour)) {
              throw new Error(`testColour must be "blue" or "green", got ${JSON.stringify(testColour)}`);
            }
            const weights = { [testColour]: 100, [otherColour(testColour)]: 0 } as Record<Colour, number>;
            return [forwardAction(groupArns, weights, undefined)];
          }),
        tags,
      },
      { parent: this },
    );

    if (https) {
      new aws.lb.Listener(
        `${name}-http-redirect`,
        {
          loadBalancerArn,
          port: 80,
          protocol: "HTTP",
          defaultActions: [
            {
              type: "redirect",
              redirect: { protocol: "HTTPS", port: String(listenerPort), statusCode: "HTTP_301" },
            },
          ],
          tags,
        },
        { parent: this },
      );
    }

    this.listenerArn = listener.arn;
    this.testListenerArn = testListener.arn;
    this.testEndpoint = pulumi.interpolate`${https ? "https" : "http"}://${this.dnsName}:${testListenerPort}`;
    this.routingUrns = pulumi.all([listener.urn, testListener.urn]);
    this.stickinessSeconds = args.stickinessSeconds;

    this.registerOutputs({
      loadBalancerArn: this.loadBalancerArn,
      loadBalancerArnSuffix: this.loadBalancerArnSuffix,
      dnsName: this.dnsName,
      securityGroupId: this.securityGroupId,
      listenerArn: this.listenerArn,
      testListenerArn: this.testListenerArn,
      targetGroupArns: this.targetGroupArns,
      targetGroupArnSuffixes: this.targetGroupArnSuffixes,
      testEndpoint: this.testEndpoint,
      routingUrns: this.routingUrns,
      stickinessSeconds: this.stickinessSeconds,
    });
  }

  private validate(name: string, args: AlbBlueGreenArgs): void {
    const problem = argsProblem(name, args);
    if (problem !== undefined) throw new pulumi.ResourceError(`AlbBlueGreen ${name}: ${problem}`, this);
  }
}

/** The first problem with an AlbBlueGreen's name and args, worded to name the arg, or undefined. */
function argsProblem(name: string, args: AlbBlueGreenArgs): string | undefined {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(name)) {
    return `the name ${JSON.stringify(name)} names the load balancer and target groups, which take only letters, digits and inner hyphens; use the service name`;
  }
  if (name.length > MAX_ALB_BLUE_GREEN_NAME_LENGTH) {
    return `the name ${JSON.stringify(name)} has ${name.length} characters; "<name>${LONGEST_COLOUR_SUFFIX}" plus the provider's ${AUTONAME_SUFFIX_LENGTH}-character suffix must fit AWS's ${MAX_TARGET_GROUP_NAME_LENGTH}-character limit, so use at most ${MAX_ALB_BLUE_GREEN_NAME_LENGTH}`;
  }
  if (name.toLowerCase().startsWith("internal-")) {
    return `the name ${JSON.stringify(name)} starts with "internal-", which AWS reserves for load balancer names`;
  }
  for (const [field, arn, service] of [
    ["existingLoadBalancerArn", args.existingLoadBalancerArn, "elasticloadbalancing"],
    ["certificateArn", args.certificateArn, "acm"],
  ] as const) {
    if (arn !== undefined && !arnPattern(service).test(arn)) {
      return `${field} is ${JSON.stringify(arn)}; expected an ARN of ${service}`;
    }
  }
  if (args.existingLoadBalancerArn === undefined && args.subnetIds.length < 2) {
    return `subnetIds has ${args.subnetIds.length} subnet(s); an Application Load Balancer needs subnets in at least two Availability Zones`;
  }
  for (const [field, cidrs] of [
    ["ingressCidrs", args.ingressCidrs],
    ["testIngressCidrs", args.testIngressCidrs],
  ] as const) {
    if (cidrs.length === 0) return `${field} is empty; give at least one CIDR such as "10.0.0.0/8"`;
    for (const block of cidrs) {
      if (!IPV4_CIDR_PATTERN.test(block))
        return `${field} holds ${JSON.stringify(block)}; expected an IPv4 CIDR such as "10.0.0.0/8"`;
    }
  }
  for (const [field, port] of [
    ["targetPort", args.targetPort],
    ["testListenerPort", args.testListenerPort],
    ["listenerPort", args.listenerPort],
  ] as const) {
    if (port !== undefined && !isPort(port)) return `${field} is ${port}; expected a port from 1 to 65535`;
  }
  const [portProblem] = listenerPortProblems({
    https: args.certificateArn !== undefined,
    listenerPort: args.listenerPort,
    testListenerPort: args.testListenerPort ?? DEFAULT_TEST_LISTENER_PORT,
  });
  if (portProblem !== undefined) return `${portProblem.field} ${portProblem.message}`;
  if (args.stickinessSeconds !== undefined && !isStickinessDuration(args.stickinessSeconds)) {
    return `stickinessSeconds is ${args.stickinessSeconds}; give whole seconds from ${STICKINESS_SECONDS.min} to ${STICKINESS_SECONDS.max}, for example 300, or leave it out for no stickiness`;
  }
  const healthCheck = args.healthCheck ?? DEFAULT_HEALTH_CHECK;
  const timeoutProblem = healthCheckTimeoutProblem(healthCheck.timeout, healthCheck.interval);
  if (timeoutProblem !== undefined) return `healthCheck.timeout ${timeoutProblem}`;
  return undefined;
}
