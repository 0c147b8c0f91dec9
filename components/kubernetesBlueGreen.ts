/**
 * The Kubernetes side of a blue/green service: one Deployment, Service and PodDisruptionBudget per
 * colour, in a namespace this component can create. Traffic is weighted elsewhere: by an ALB through
 * TargetGroupBindings (`routing.mode: alb`) or by a Gateway API HTTPRoute (`routing.mode: gateway`).
 *
 * Every object has a fixed `metadata.name` (`<service>-<colour>`): the rollout driver, the HTTPRoute
 * and the TargetGroupBindings refer to them by name. A replacement that keeps the name and namespace
 * (a changed selector, which Kubernetes makes immutable) must delete the old object first; the
 * Kubernetes provider already asks the engine for delete-before-replace in exactly that case, so no
 * `deleteBeforeReplace` option is set here: forcing it would also delete a colour first when it moves
 * to a new namespace, where its replacement could have come up beside it.
 *
 * The Kubernetes provider flows to every child from this component's options
 * (`{ providers: [k8sProvider] }` or `{ provider: k8sProvider }`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  COLOURS,
  Colour,
  ENVIRONMENT_NAME_PATTERN,
  LABEL_VALUE_RULE,
  LONGEST_COLOUR_SUFFIX,
  MAX_LABEL_LENGTH,
  QUANTITY_PATTERN,
  imageRepositoryProblem,
  isDns1035Label,
  isDnsLabel,
  isLabelKey,
  isLabelValue,
  isPort,
} from "./domain";

/** The label naming the service: shared by both colours' pods. */
export const NAME_LABEL = "app.kubernetes.io/name";
/** The label naming a pod's colour: with {@link NAME_LABEL}, the selector of each colour. */
export const COLOUR_LABEL = "bluegreen.dev/colour";
/** The label carrying the slot version a pod runs. */
export const VERSION_LABEL = "app.kubernetes.io/version";
/** Asks the AWS Load Balancer Controller to gate pod readiness on target group health. */
const READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";

const RESERVED_LABELS = [NAME_LABEL, COLOUR_LABEL, VERSION_LABEL];
/** Object names are `<service>-<colour>`, and a Service name is at most 63 characters. */
export const MAX_KUBERNETES_SERVICE_NAME_LENGTH = MAX_LABEL_LENGTH - LONGEST_COLOUR_SUFFIX.length;

/** CPU and memory of a container, as Kubernetes quantities such as "250m" and "256Mi". */
export interface ContainerResources {
  readonly cpu: string;
  readonly memory: string;
}

/** The HTTP probes of each pod. */
export interface HttpProbes {
  /** The path the readiness probe requests. */
  readonly readinessPath: string;
  /** The path the liveness probe requests. */
  readonly livenessPath: string;
  /** Seconds before the first probe. */
  readonly initialDelaySeconds: number;
  /** Seconds between probes. */
  readonly periodSeconds: number;
}

/** Arguments of {@link KubernetesBlueGreen}. */
export interface KubernetesBlueGreenArgs {
  /** The service name: objects are named `<serviceName>-<colour>` and pods carry it as `app.kubernetes.io/name`. */
  readonly serviceName: string;
  /** The namespace of every object. Plain, because it is part of each object's identity. */
  readonly namespace: string;
  /**
   * Create the namespace. Plain, because it decides whether the Namespace resource exists. Set false
   * when the platform team owns the namespace; in `alb` mode it should then carry the label
   * `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Label the namespace this component creates so the AWS Load Balancer Controller holds each new
   * pod unready until its target group reports it healthy (ALB routing through TargetGroupBindings).
   * @default false
   */
  readonly targetGroupReadinessGate?: boolean;
  /** The image repository without a tag; each colour runs `<image>:<version>`. */
  readonly image: string;
  /** The port the container listens on. */
  readonly containerPort: number;
  /**
   * The port each colour's Service exposes.
   * @default containerPort
   */
  readonly servicePort?: number;
  /** Pods per serving colour: the count `pulumi up` holds each colour to, except the idle one. */
  readonly replicas: number;
  /**
   * The colour that serves nothing and is no revert target (`idleColour` of the domain). Its
   * replica count is left to whatever scaled it (`ignoreChanges: ["spec.replicas"]`): it is scaled
   * down after the rollback window and up before it takes traffic, outside `pulumi up`, and a
   * plain `pulumi up` must neither undo that nor show it as drift. Plain, because it decides an
   * option.
   * @default none: every colour's count is held to `replicas`
   */
  readonly idleColour?: Colour;
  /** Pods of a colour that must stay up during voluntary disruptions; below `replicas`. */
  readonly minAvailable: number;
  /** What each pod requests and may use. */
  readonly resources: { readonly requests: ContainerResources; readonly limits: ContainerResources };
  /** The pods' readiness and liveness probes. */
  readonly probes: HttpProbes;
  /**
   * Environment variables of the container.
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The slot version each colour runs: its image tag and its `app.kubernetes.io/version` label, so it
   * must also be a valid label value (at most 63 characters).
   */
  readonly versions: Readonly<Record<Colour, pulumi.Input<string>>>;
  /**
   * Labels for every object and pod, such as team or cost centre. The keys `app.kubernetes.io/name`,
   * `app.kubernetes.io/version` and `bluegreen.dev/colour` belong to the component.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Two colours of one service on Kubernetes. The serving colours keep their pods, so a revert only
 * moves traffic; the idle colour's replica count is left to the scale-down and scale-up done
 * outside Pulumi.
 */
export class KubernetesBlueGreen extends pulumi.ComponentResource {
  /** The namespace of every object (resolved after the Namespace exists, when this component creates it). */
  public readonly namespace: pulumi.Output<string>;
  /** Each colour's Service: the backend the HTTPRoute or the TargetGroupBinding points at. */
  public readonly serviceNames: Record<Colour, pulumi.Output<string>>;
  /** Each colour's Deployment. */
  public readonly deploymentNames: Record<Colour, pulumi.Output<string>>;
  /** The port each Service exposes (`servicePort`, else the container port). */
  public readonly servicePort: number;

  constructor(name: string, args: KubernetesBlueGreenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("bluegreen:kubernetes:KubernetesBlueGreen", name, {}, opts);
    this.validate(name, args);

    const { serviceName, containerPort, probes, resources } = args;
    const common = args.labels ?? {};
    this.servicePort = args.servicePort ?? containerPort;

    if (args.createNamespace ?? true) {
      const namespace = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        {
          metadata: {
            name: args.namespace,
            // The controller then holds each new pod unready until its target group reports it
            // healthy, so `pulumi up` finishes a colour's update only once the ALB can reach the new
            // pods and the pre-traffic check does not race target registration.
            labels: args.targetGroupReadinessGate
              ? { ...common, [READINESS_GATE_LABEL]: "enabled" }
              : { ...common },
          },
        },
        { parent: this },
      );
      this.namespace = namespace.metadata.name;
    } else {
      this.namespace = pulumi.output(args.namespace);
    }

    const env = Object.entries(args.environment ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([envName, value]) => ({ name: envName, value }));
    const probe = (path: string) => ({
      httpGet: { path, port: containerPort },
      initialDelaySeconds: probes.initialDelaySeconds,
      periodSeconds: probes.periodSeconds,
    });

    const serviceNames = {} as Record<Colour, pulumi.Output<string>>;
    const deploymentNames = {} as Record<Colour, pulumi.Output<string>>;
    for (const colour of COLOURS) {
      const objectName = `${serviceName}-${colour}`;
      // The selector never includes the version: Kubernetes makes a Deployment's selector immutable,
      // and a release changes only the pod template.
      const selector = { [NAME_LABEL]: serviceName, [COLOUR_LABEL]: colour };
      const version = pulumi.output(args.versions[colour]).apply((value) => {
        this.checkVersion(name, colour, value);
        return value;
      });
      const versioned = version.apply((value) => ({ ...common, ...selector, [VERSION_LABEL]: value }));

      const deployment = new k8s.apps.v1.Deployment(
        `${name}-${colour}`,
        {
          metadata: { name: objectName, namespace: this.namespace, labels: versioned },
          spec: {
            replicas: args.replicas,
            selector: { matchLabels: selector },
            // A colour can be serving traffic when it is updated (a hotfix of the stable colour): new
            // pods come up before old ones go, so the colour never drops below its replica count.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
            template: {
              metadata: { labels: versioned },
              spec: {
                containers: [
                  {
                    name: serviceName,
                    image: pulumi.interpolate`${args.image}:${version}`,
                    ports: [{ name: "http", containerPort, protocol: "TCP" }],
                    readinessProbe: probe(probes.readinessPath),
                    livenessProbe: probe(probes.livenessPath),
                    resources: {
                      requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
                      limits: { cpu: resources.limits.cpu, memory: resources.limits.memory },
                    },
                    env,
                  },
                ],
              },
            },
          },
        },
        colour === args.idleColour ? { parent: this, ignoreChanges: ["spec.replicas"] } : { parent: this },
      );

      const service = new k8s.core.v1.Service(
        `${name}-${colour}`,
        {
          metadata: { name: objectName, namespace: this.namespace, labels: { ...common, ...selector } },
          spec: {
            type: "ClusterIP",
            selector,
            ports: [{ name: "http", port: this.servicePort, targetPort: containerPort, protocol: "TCP" }],
          },
        },
        { parent: this },
      );

      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-${colour}`,
        {
          metadata: { name: objectName, namespace: this.namespace, labels: { ...common, ...selector } },
          spec: {
            minAvailable: args.minAvailable,
            selector: { matchLabels: selector },
            // Pods that are not Ready count against the budget; without this a crash-looping
            // candidate colour would block every node drain in the cluster.
            unhealthyPodEvictionPolicy: "AlwaysAllow",
          },
        },
        { parent: this },
      );

      serviceNames[colour] = service.metadata.name;
      deploymentNames[colour] = deployment.metadata.name;
    }
    this.serviceNames = serviceNames;
    this.deploymentNames = deploymentNames;

    this.registerOutputs({
      namespace: this.namespace,
      serviceNames: this.serviceNames,
      deploymentNames: this.deploymentNames,
      servicePort: this.servicePort,
    });
  }

  private fail(name: string, message: string): never {
    throw new pulumi.ResourceError(`KubernetesBlueGreen ${name}: ${message}`, this);
  }

  private checkVersion(name: string, colour: Colour, version: string): void {
    if (!isLabelValue(version) || version.length === 0) {
      this.fail(
        name,
        `versions.${colour} is ${JSON.stringify(version)}; it becomes the app.kubernetes.io/version label, which takes ${LABEL_VALUE_RULE}`,
      );
    }
  }

  private validate(name: string, args: KubernetesBlueGreenArgs): void {
    const fail = (message: string): never => this.fail(name, message);
    const { serviceName } = args;
    if (!isDns1035Label(serviceName) || serviceName.length > MAX_KUBERNETES_SERVICE_NAME_LENGTH) {
      fail(
        `serviceName ${JSON.stringify(serviceName)} names Services "<serviceName>-green", which must be DNS labels: lower-case letters, digits and inner hyphens, starting with a letter, at most ${MAX_KUBERNETES_SERVICE_NAME_LENGTH} characters`,
      );
    }
    if (!isDnsLabel(args.namespace)) {
      fail(
        `namespace ${JSON.stringify(args.namespace)} must be a DNS label: lower-case letters, digits and inner hyphens, at most 63 characters`,
      );
    }
    const imageProblem = imageRepositoryProblem(args.image, "registry.example.com/checkout");
    if (imageProblem !== undefined) fail(`image: ${imageProblem}`);
    for (const [field, port] of [
      ["containerPort", args.containerPort],
      ["servicePort", args.servicePort],
    ] as const) {
      if (port !== undefined && !isPort(port)) fail(`${field} is ${port}; expected a port from 1 to 65535`);
    }
    if (!Number.isInteger(args.replicas) || args.replicas < 1) {
      fail(`replicas is ${args.replicas}; expected a whole number of at least 1`);
    }
    if (!Number.isInteger(args.minAvailable) || args.minAvailable < 0 || args.minAvailable >= args.replicas) {
      fail(
        `minAvailable is ${args.minAvailable}; expected a whole number below replicas (${args.replicas}), or no pod could ever be evicted for node maintenance`,
      );
    }
    for (const [field, path] of [
      ["probes.readinessPath", args.probes.readinessPath],
      ["probes.livenessPath", args.probes.livenessPath],
    ] as const) {
      if (!path.startsWith("/"))
        fail(`${field} is ${JSON.stringify(path)}; expected a path starting with "/"`);
    }
    for (const kind of ["requests", "limits"] as const) {
      for (const resource of ["cpu", "memory"] as const) {
        const quantity = args.resources[kind][resource];
        if (!QUANTITY_PATTERN.test(quantity)) {
          fail(
            `resources.${kind}.${resource} is ${JSON.stringify(quantity)}; expected a quantity such as "250m" or "256Mi"`,
          );
        }
      }
    }
    for (const key of Object.keys(args.environment ?? {})) {
      if (!ENVIRONMENT_NAME_PATTERN.test(key)) {
        fail(
          `environment has the name ${JSON.stringify(key)}; an environment variable name is letters, digits and _, not starting with a digit`,
        );
      }
    }
    for (const [key, value] of Object.entries(args.labels ?? {})) {
      if (RESERVED_LABELS.includes(key)) {
        fail(`labels sets ${key}, which the component sets itself; remove it`);
      }
      if (!isLabelKey(key)) {
        fail(
          `labels has the key ${JSON.stringify(key)}; expected an optional DNS prefix and "/", then a name of ${LABEL_VALUE_RULE}`,
        );
      }
      if (!isLabelValue(value)) {
        fail(`labels.${key} is ${JSON.stringify(value)}; a label value takes ${LABEL_VALUE_RULE}`);
      }
    }
    for (const colour of COLOURS) {
      const version = args.versions[colour];
      if (typeof version === "string") this.checkVersion(name, colour, version);
    }
  }
}
