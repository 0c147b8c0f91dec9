/**
 * The program: composes the components for the stack's platform from a validated config and
 * returns the stack outputs the rollout driver reads (the contract in components/domain/outputs.ts).
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  AlbBlueGreen,
  AlbColourAlarms,
  ColourCompositeAlarm,
  ControlTable,
  EcsBlueGreenService,
  GatewayWeightedRoute,
  KubernetesBlueGreen,
  LambdaBlueGreen,
  LambdaColourAlarms,
  RolloutGuardian,
  TargetGroupBindings,
} from "../components";
import {
  COLOURS,
  CapacityOutputs,
  Colour,
  ColourAlarms,
  GuardianTarget,
  Routing,
  StackOutputs,
  idleColour,
  otherColour,
} from "../components/domain";
import { guardianDeclared } from "./config/guardian";
import { BluegreenConfig } from "./config/schema";
import { releaseGuardProblem } from "./releaseGuard";

/** Stack outputs as the program exports them: resolved, each is the contract's `StackOutputs` value. */
export type ProgramOutputs = { readonly [K in keyof StackOutputs]: pulumi.Input<StackOutputs[K]> };

/** The guardian's handler, bundled into its function (`handler(event)`). */
export const GUARDIAN_ENTRY_FILE = path.resolve(__dirname, "../automation/guardian/lambda.ts");

/** Names the stack is known by, from the engine. */
export interface StackIdentity {
  readonly organization: string;
  readonly project: string;
  readonly stack: string;
}

/**
 * Builds the stack. Refuses, before registering any resource, a stack file that is behind the
 * deployed release (see releaseGuard.ts).
 */
/** Secret config the program passes on as Pulumi secrets, never as plain values. */
export interface StackSecrets {
  /** `bluegreen:kubeconfig`: the cluster's kubeconfig; without it the ambient context is used. */
  readonly kubeconfig?: pulumi.Output<string>;
}

export async function defineStack(
  config: BluegreenConfig,
  identity: StackIdentity,
  secrets: StackSecrets = {},
): Promise<ProgramOutputs> {
  const self = new pulumi.StackReference("release-guard", {
    name: `${identity.organization}/${identity.project}/${identity.stack}`,
  });
  const deployedRevision = await new Promise<unknown>((resolve) => self.getOutput("revision").apply(resolve));
  const problem = releaseGuardProblem(config, { revision: deployedRevision }, identity.stack);
  if (problem) throw new pulumi.RunError(problem);

  const prefix = `${config.service.name}-${identity.stack}`;
  const tags = { service: config.service.name, stack: identity.stack, "managed-by": "bluegreen" };
  const alarmActions = notificationTargets(config, prefix, tags);
  const platform = config.service.platform;
  const built =
    platform === "lambda"
      ? defineLambda(config, prefix, tags, alarmActions)
      : platform === "kubernetes"
        ? defineKubernetes(config, prefix, tags, alarmActions, secrets)
        : defineEcs(config, prefix, tags, alarmActions);
  // Declared for every platform: operators reach a run through it whatever the service runs on.
  const control =
    config.control.channel === "dynamodb"
      ? new ControlTable(prefix, { serviceName: config.service.name, stackName: identity.stack, tags })
      : undefined;
  const colourAlarms = pulumi
    .all([
      built.alarms.blue.composite,
      built.alarms.blue.members,
      built.alarms.green.composite,
      built.alarms.green.members,
    ])
    .apply(([blueComposite, blueMembers, greenComposite, greenMembers]): Record<Colour, ColourAlarms> => ({
      blue: { composite: blueComposite, members: blueMembers },
      green: { composite: greenComposite, members: greenMembers },
    }));
  // Gateway mode and the file channel have none; validation said why (readStackConfig logs it).
  const guardian =
    control && guardianDeclared(config)
      ? new RolloutGuardian(prefix, {
          target: guardianTarget(
            config,
            identity.stack,
            built.routing,
            colourAlarms,
            control.tableName,
            built.capacity,
          ),
          entryFile: GUARDIAN_ENTRY_FILE,
          tags,
        })
      : undefined;

  return {
    service: config.service.name,
    platform,
    revision: config.revision,
    stableColour: config.stable,
    traffic: config.traffic,
    slots: config.slots,
    alarms: colourAlarms.apply((alarms) => ({ ...alarms, extra: [...config.alarms.extra] })),
    routing: built.routing,
    routingUrns: pulumi.all([built.routingUrns, self.urn]).apply(([urns, guardUrn]) => [...urns, guardUrn]),
    ...(built.capacity ? { capacity: built.capacity } : {}),
    ...(control
      ? {
          control: pulumi
            .all([control.tableName, control.tableArn])
            .apply(([tableName, tableArn]) => ({ tableName, tableArn })),
        }
      : {}),
    ...(guardian
      ? {
          guardian: pulumi
            .all([guardian.functionName, guardian.functionArn])
            .apply(([functionName, functionArn]) => ({ functionName, functionArn })),
        }
      : {}),
  };
}

/**
 * What the stack's guardian watches and may touch. Built from resources only, never from
 * `traffic` or `stable`: a traffic step leaves the guardian as it is, and only a deploy step
 * (new Lambda versions) changes it. The keys are written in one order, so the JSON the function
 * reads is the same from one update to the next.
 */
export function guardianTarget(
  config: BluegreenConfig,
  stack: string,
  routing: pulumi.Output<Routing>,
  alarms: pulumi.Output<Record<Colour, ColourAlarms>>,
  controlTableName: pulumi.Output<string>,
  capacity?: pulumi.Output<CapacityOutputs>,
): pulumi.Output<GuardianTarget> {
  const notifications = config.notifications;
  const topic = notifications.enabled ? notifications.snsTopicArn : undefined;
  return pulumi
    .all([routing, alarms, controlTableName, aws.getRegionOutput().region, capacity])
    .apply(([resolved, colourAlarms, tableName, region, services]): GuardianTarget => {
      if (resolved.kind === "gateway") {
        throw new Error(
          "a guardian cannot revert a gateway route: the program declares none in gateway mode",
        );
      }
      return {
        stack,
        service: config.service.name,
        platform: config.service.platform,
        region,
        routing: resolved,
        alarms: colourAlarms,
        controlTableName: tableName,
        driverTimeoutSeconds: config.guardian.driverTimeout,
        ...(topic !== undefined ? { notificationTopicArn: topic } : {}),
        // ECS only: the guardian's function does not reach a cluster's API to scale a Deployment.
        ...(services?.kind === "ecs"
          ? {
              idle: {
                capacity: config.idle.capacity,
                cluster: services.cluster,
                serviceNames: services.serviceNames,
              },
            }
          : {}),
      };
    });
}

interface ColourAlarmNames {
  readonly composite: pulumi.Output<string>;
  readonly members: pulumi.Output<string[]>;
}

interface PlatformResources {
  readonly alarms: Record<Colour, ColourAlarmNames>;
  readonly routing: pulumi.Output<Routing>;
  readonly routingUrns: pulumi.Output<string[]>;
  /** Where each colour's capacity lives; none on Lambda. */
  readonly capacity?: pulumi.Output<CapacityOutputs>;
}

function defineEcs(
  config: BluegreenConfig,
  prefix: string,
  tags: Record<string, string>,
  alarmActions: pulumi.Input<string>[] | undefined,
): PlatformResources {
  const network = config.network!;
  const ecs = config.ecs!;
  const { lb, resources } = defineAlbRouting(config, prefix, tags, alarmActions, ecs.containerPort);
  const service = new EcsBlueGreenService(config.service.name, {
    serviceName: prefix,
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    assignPublicIp: network.assignPublicIp,
    loadBalancerSecurityGroupId: lb.securityGroupId,
    targetGroupArns: lb.targetGroupArns,
    image: ecs.image,
    containerPort: ecs.containerPort,
    cpu: ecs.cpu,
    memory: ecs.memory,
    desiredCount: ecs.desiredCount,
    idleColour: idleColour(config.traffic, config.stable),
    healthCheckGracePeriod: ecs.healthCheckGracePeriod,
    clusterArn: ecs.clusterArn,
    environment: ecs.environment,
    secrets: ecs.secrets,
    logRetentionDays: ecs.logRetentionDays,
    versions: slotVersions(config),
    tags,
  });
  const capacity = pulumi
    .all([service.clusterArn, service.serviceNames.blue, service.serviceNames.green])
    .apply(([cluster, blue, green]): CapacityOutputs => ({
      kind: "ecs",
      cluster,
      serviceNames: { blue, green },
    }));
  return { ...resources, capacity };
}

/** The weighted ALB, its listeners and the per-colour alarms: shared by ECS and Kubernetes `alb` mode. */
function defineAlbRouting(
  config: BluegreenConfig,
  prefix: string,
  tags: Record<string, string>,
  alarmActions: pulumi.Input<string>[] | undefined,
  targetPort: number,
): { lb: AlbBlueGreen; resources: PlatformResources } {
  const network = config.network!;
  const alb = config.alb!;
  // Load balancer and target group names are auto-suffixed by the provider and must fit 32
  // characters, so they carry the service name alone; alarm names carry the stack too.
  const lb = new AlbBlueGreen(config.service.name, {
    vpcId: network.vpcId,
    subnetIds: network.publicSubnetIds,
    existingLoadBalancerArn: alb.existingLoadBalancerArn,
    internal: alb.internal,
    certificateArn: alb.certificateArn,
    sslPolicy: alb.sslPolicy,
    listenerPort: alb.listenerPort,
    testListenerPort: alb.testListenerPort,
    stickinessSeconds: alb.stickiness?.enabled ? alb.stickiness.duration : undefined,
    healthCheck: alb.healthCheck,
    deregistrationDelay: alb.deregistrationDelay,
    idleTimeout: alb.idleTimeout,
    ingressCidrs: network.ingressCidrs,
    testIngressCidrs: network.testIngressCidrs,
    targetPort,
    targetType: "ip",
    traffic: config.traffic,
    testColour: otherColour(config.stable),
    tags,
  });
  const alarms = colourRecord((colour) => {
    const colourAlarms = new AlbColourAlarms(`${prefix}-${colour}`, {
      colour,
      loadBalancerArnSuffix: lb.loadBalancerArnSuffix,
      targetGroupArnSuffix: lb.targetGroupArnSuffixes[colour],
      thresholds: {
        errorRate: config.alarms.errorRate,
        latencyP95: config.alarms.latencyP95,
        unhealthyHosts: config.alarms.unhealthyHosts,
      },
      alarmActions,
      tags,
    });
    return { composite: colourAlarms.compositeAlarmName, members: colourAlarms.memberAlarmNames };
  });
  const routing = pulumi
    .all([
      lb.loadBalancerArn,
      lb.listenerArn,
      lb.testListenerArn,
      lb.targetGroupArns.blue,
      lb.targetGroupArns.green,
      lb.testEndpoint,
    ])
    .apply(([loadBalancerArn, listenerArn, testListenerArn, blue, green, testEndpoint]): Routing => ({
      kind: "alb",
      loadBalancerArn,
      listenerArn,
      testListenerArn,
      targetGroupArns: { blue, green },
      testEndpoint,
      ...(lb.stickinessSeconds !== undefined ? { stickinessSeconds: lb.stickinessSeconds } : {}),
    }));
  return { lb, resources: { alarms, routing, routingUrns: lb.routingUrns } };
}

function defineKubernetes(
  config: BluegreenConfig,
  prefix: string,
  tags: Record<string, string>,
  alarmActions: pulumi.Input<string>[] | undefined,
  secrets: StackSecrets,
): PlatformResources {
  const kubernetes = config.kubernetes!;
  const weighting = kubernetes.routing;
  const namespace = kubernetes.namespace ?? prefix;
  // Without a kubeconfig in config the provider uses the ambient context (KUBECONFIG, ~/.kube/config).
  const provider = new k8s.Provider(
    `${prefix}-cluster`,
    secrets.kubeconfig ? { kubeconfig: secrets.kubeconfig } : {},
  );
  const app = new KubernetesBlueGreen(
    config.service.name,
    {
      serviceName: config.service.name,
      namespace,
      targetGroupReadinessGate: weighting.mode === "alb",
      image: kubernetes.image,
      containerPort: kubernetes.containerPort,
      servicePort: weighting.mode === "gateway" ? weighting.servicePort : undefined,
      replicas: kubernetes.replicas,
      idleColour: idleColour(config.traffic, config.stable),
      minAvailable: kubernetes.minAvailable,
      resources: kubernetes.resources,
      probes: kubernetes.probes,
      environment: kubernetes.environment,
      versions: slotVersions(config),
      labels: { "app.kubernetes.io/part-of": prefix },
    },
    { providers: [provider] },
  );
  if (weighting.mode === "alb") {
    const { lb, resources } = defineAlbRouting(config, prefix, tags, alarmActions, kubernetes.containerPort);
    new TargetGroupBindings(
      config.service.name,
      {
        namespace,
        serviceNames: app.serviceNames,
        servicePort: app.servicePort,
        targetGroupArns: lb.targetGroupArns,
        loadBalancerSecurityGroupId: lb.securityGroupId,
        containerPort: kubernetes.containerPort,
      },
      { providers: [provider], dependsOn: [app] },
    );
    return { ...resources, capacity: deploymentCapacity(app) };
  }
  const route = new GatewayWeightedRoute(
    config.service.name,
    {
      namespace: app.namespace,
      gateway: weighting.gateway,
      hostnames: weighting.hostnames,
      serviceNames: app.serviceNames,
      servicePort: app.servicePort,
      traffic: config.traffic,
    },
    { providers: [provider] },
  );
  const colourAlarms = config.alarms.colourAlarms!;
  const alarms = colourRecord((colour) => {
    const composite = new ColourCompositeAlarm(`${prefix}-${colour}`, {
      colour,
      alarmNames: colourAlarms[colour],
      alarmActions,
      tags,
    });
    return { composite: composite.compositeAlarmName, members: composite.memberAlarmNames };
  });
  const routing = pulumi
    .all([route.namespace, route.routeName, app.serviceNames.blue, app.serviceNames.green])
    .apply(([routeNamespace, routeName, blue, green]): Routing => ({
      kind: "gateway",
      namespace: routeNamespace,
      routeName,
      serviceNames: { blue, green },
    }));
  return { alarms, routing, routingUrns: route.routingUrns, capacity: deploymentCapacity(app) };
}

/** Each colour's Deployment, for the scaler. */
function deploymentCapacity(app: KubernetesBlueGreen): pulumi.Output<CapacityOutputs> {
  return pulumi
    .all([app.namespace, app.deploymentNames.blue, app.deploymentNames.green])
    .apply(([namespace, blue, green]): CapacityOutputs => ({
      kind: "kubernetes",
      namespace,
      deploymentNames: { blue, green },
    }));
}

function slotVersions(config: BluegreenConfig): Record<Colour, string> {
  return { blue: config.slots.blue.version, green: config.slots.green.version };
}

function defineLambda(
  config: BluegreenConfig,
  prefix: string,
  tags: Record<string, string>,
  alarmActions: pulumi.Input<string>[] | undefined,
): PlatformResources {
  const lambda = config.lambda!;
  const fn = new LambdaBlueGreen(prefix, {
    runtime: lambda.runtime,
    handler: lambda.handler,
    architecture: lambda.architecture,
    memorySize: lambda.memorySize,
    timeout: lambda.timeout,
    s3Bucket: lambda.code.s3Bucket,
    s3KeyTemplate: lambda.code.s3KeyTemplate,
    aliasName: lambda.aliasName,
    environment: lambda.environment,
    deadLetterTargetArn: lambda.deadLetterTargetArn,
    versions: slotVersions(config),
    stable: config.stable,
    traffic: config.traffic,
    tags,
  });
  const alarms = colourRecord((colour) => {
    const colourAlarms = new LambdaColourAlarms(`${prefix}-${colour}`, {
      colour,
      functionName: fn.functionName,
      aliasName: fn.aliasName,
      version: fn.versions[colour],
      thresholds: {
        lambdaErrorRate: config.alarms.lambdaErrorRate,
        lambdaThrottles: config.alarms.lambdaThrottles,
        lambdaDurationP95: config.alarms.lambdaDurationP95,
      },
      alarmActions,
      tags,
    });
    return { composite: colourAlarms.compositeAlarmName, members: colourAlarms.memberAlarmNames };
  });
  const routing = pulumi
    .all([fn.functionName, fn.aliasName, fn.aliasArn, fn.versions.blue, fn.versions.green])
    .apply(([functionName, aliasName, aliasArn, blue, green]): Routing => ({
      kind: "lambda",
      functionName,
      aliasName,
      aliasArn,
      versions: { blue, green },
    }));
  return { alarms, routing, routingUrns: fn.routingUrns };
}

function notificationTargets(
  config: BluegreenConfig,
  prefix: string,
  tags: Record<string, string>,
): pulumi.Input<string>[] | undefined {
  const notifications = config.alarms.notifications;
  if (notifications?.topicArn) return [notifications.topicArn];
  if (notifications?.createTopic) {
    return [new aws.sns.Topic(`${prefix}-deploy-alarms`, { tags }).arn];
  }
  return undefined;
}

function colourRecord<T>(build: (colour: Colour) => T): Record<Colour, T> {
  const [blue, green] = COLOURS.map(build);
  return { blue, green };
}
