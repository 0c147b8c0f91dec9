/**
 * The bridge from an ALB's target groups to Kubernetes pods: one AWS Load Balancer Controller
 * TargetGroupBinding per colour, which keeps the colour's target group registered with the pod IPs
 * behind the colour's Service. The ALB and its weighted listener stay Pulumi's (AlbBlueGreen); the
 * controller only manages targets and the pod security group rule.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { COLOURS, Colour, TARGET_GROUP_ARN_PATTERN, isDnsSubdomain, isPort } from "./domain";

/** Arguments of {@link TargetGroupBindings}. */
export interface TargetGroupBindingsArgs {
  /** The namespace of the colours' Services; each binding must live beside its Service. */
  readonly namespace: pulumi.Input<string>;
  /** Each colour's Service, whose ready endpoints become the colour's targets. */
  readonly serviceNames: Readonly<Record<Colour, pulumi.Input<string>>>;
  /** The Service port the bindings refer to (the controller resolves it to the pods' target port). */
  readonly servicePort: number;
  /** Each colour's target group (AlbBlueGreen `targetGroupArns`), created with target type `ip`. */
  readonly targetGroupArns: Readonly<Record<Colour, pulumi.Input<string>>>;
  /** The load balancer's security group (AlbBlueGreen `securityGroupId`): admitted to the pods. */
  readonly loadBalancerSecurityGroupId: pulumi.Input<string>;
  /** The port the pods listen on: the one port the load balancer may reach them on. */
  readonly containerPort: number;
  /**
   * Labels of the bindings.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A TargetGroupBinding per colour, named `<component name>-<colour>`. The bindings register pod IPs
 * (target type `ip`), so the ALB reaches pods directly and health-checks each colour's pods.
 */
export class TargetGroupBindings extends pulumi.ComponentResource {
  /** Each colour's binding name. */
  public readonly bindingNames: Record<Colour, pulumi.Output<string>>;

  constructor(name: string, args: TargetGroupBindingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:kubernetes:TargetGroupBindings", name, {}, opts);
    this.validate(name, args);

    const bindingNames = {} as Record<Colour, pulumi.Output<string>>;
    for (const colour of COLOURS) {
      const binding = new k8s.apiextensions.CustomResource(
        `${name}-${colour}`,
        {
          apiVersion: "elbv2.k8s.aws/v1beta1",
          kind: "TargetGroupBinding",
          metadata: {
            name: `${name}-${colour}`,
            namespace: args.namespace,
            labels: { ...(args.labels ?? {}) },
          },
          spec: {
            serviceRef: { name: args.serviceNames[colour], port: args.servicePort },
            targetGroupARN: args.targetGroupArns[colour],
            // Stated rather than inferred: the controller's webhook would otherwise look it up in AWS,
            // and a group of type instance would silently register nodes instead of pods.
            targetType: "ip",
            networking: {
              ingress: [
                {
                  from: [{ securityGroup: { groupID: args.loadBalancerSecurityGroupId } }],
                  ports: [{ protocol: "TCP", port: args.containerPort }],
                },
              ],
            },
          },
        },
        { parent: this },
      );
      bindingNames[colour] = binding.metadata.name;
    }
    this.bindingNames = bindingNames;

    this.registerOutputs({ bindingNames: this.bindingNames });
  }

  private validate(name: string, args: TargetGroupBindingsArgs): void {
    const fail = (message: string): never => {
      throw new pulumi.ResourceError(`TargetGroupBindings ${name}: ${message}`, this);
    };
    if (!isDnsSubdomain(`${name}-green`)) {
      fail(
        `the name ${JSON.stringify(name)} names the bindings "<name>-blue" and "<name>-green", which must be DNS subdomains: use the service name`,
      );
    }
    for (const [field, port] of [
      ["servicePort", args.servicePort],
      ["containerPort", args.containerPort],
    ] as const) {
      if (!isPort(port)) fail(`${field} is ${port}; expected a port from 1 to 65535`);
    }
    for (const colour of COLOURS) {
      const arn = args.targetGroupArns[colour];
      if (typeof arn === "string" && !TARGET_GROUP_ARN_PATTERN.test(arn)) {
        fail(`targetGroupArns.${colour} is ${JSON.stringify(arn)}; expected a target group ARN`);
      }
    }
  }
}
