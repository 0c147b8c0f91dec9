/**
 * What the program would deploy for a set of release values, as a pure function: the stack outputs
 * it exports and the inputs of the resources a release changes. The simulated stack diffs these
 * inputs to count the resources an update touches, as a Pulumi preview would.
 */
import { platformProfile } from "../../infra/config/schema";
import type { BluegreenConfig } from "../../infra/config/validate";
import type { ReleaseValues } from "../ports";
import {
  COLOURS,
  Colour,
  otherColour,
  type AlbRouting,
  type GatewayRouting,
  type LambdaRouting,
  type Routing,
  type StackOutputs,
  albTargetGroupWeights,
  lambdaAliasRouting,
} from "../../components/domain";

/** The region simulated ARNs name (the one the engine mocks use). */
export const SIMULATED_REGION = "eu-west-1";
/** The account simulated ARNs name (the one the engine mocks use). */
export const SIMULATED_ACCOUNT = "123456789012";
/** The Pulumi project name in every URN (Pulumi.yaml `name`). */
export const PROJECT_NAME = "bluegreen";

/** One resource whose inputs depend on the release values. */
export interface SimulatedResource {
  readonly urn: string;
  /** The Pulumi type token, for example `aws:lb/listener:Listener`. */
  readonly type: string;
  /** Canonical JSON of the inputs that decide whether an update changes the resource. */
  readonly inputs: string;
  /** Part of the routing a traffic step updates (its URN is in `routingUrns`). */
  readonly routing: boolean;
  /** Carries the traffic weights: the live split is what this resource serves. */
  readonly carriesTraffic: boolean;
}

/** What one deployment of the program amounts to. */
export interface SimulatedDeployment {
  readonly outputs: StackOutputs;
  readonly resources: readonly SimulatedResource[];
}

/** The alarm names the program creates for a stack. */
export interface SimulatedAlarmNames {
  readonly composite: Record<Colour, string>;
  readonly members: Record<Colour, string[]>;
  readonly extra: string[];
}

/**
 * The suffix the alarm components give each built-in alarm (`AlbColourAlarms`,
 * `LambdaColourAlarms`), so rehearsal names read like the deployed ones.
 */
const MEMBER_SUFFIXES: Record<string, string> = {
  errorRate: "error-rate",
  latencyP95: "latency-p95",
  unhealthyHosts: "unhealthy-hosts",
  lambdaErrorRate: "error-rate",
  lambdaThrottles: "throttles",
  lambdaDurationP95: "duration-p95",
};

/** The rehearsal name of a colour's built-in alarm, from its config key. */
export function memberAlarmName(prefix: string, colour: Colour, key: string): string {
  return `${prefix}-${colour}-${MEMBER_SUFFIXES[key] ?? key}`;
}

/**
 * The alarm names the program creates: `<service>-<stack>-<colour>` for each colour's composite
 * (as the alarm components name it) and `<service>-<stack>-<colour>-<suffix>` for each enabled
 * built-in alarm of the platform (deployed, the provider appends a random suffix to these). In
 * Kubernetes gateway mode each colour's composite is built over the team's `alarms.colourAlarms`.
 */
export function simulatedAlarmNames(config: BluegreenConfig, stackName: string): SimulatedAlarmNames {
  const prefix = `${config.service.name}-${stackName}`;
  if (isGatewayMode(config)) {
    const colourAlarms = config.alarms.colourAlarms;
    if (!colourAlarms) {
      throw new Error(
        `bluegreen:alarms.colourAlarms is required in gateway mode: name the alarms that judge each colour`,
      );
    }
    return {
      composite: { blue: `${prefix}-blue`, green: `${prefix}-green` },
      members: { blue: [...colourAlarms.blue], green: [...colourAlarms.green] },
      extra: [...config.alarms.extra],
    };
  }
  const keys = enabledAlarmKeys(config);
  const perColour = (colour: Colour) => keys.map((key) => memberAlarmName(prefix, colour, key));
  return {
    composite: { blue: `${prefix}-blue`, green: `${prefix}-green` },
    members: { blue: perColour("blue"), green: perColour("green") },
    extra: [...config.alarms.extra],
  };
}

/**
 * The built-in alarm keys of the config's platform (and Kubernetes routing mode) that are enabled,
 * in the schema's order.
 */
export function enabledAlarmKeys(config: BluegreenConfig): string[] {
  return platformProfile(config.service.platform, config.kubernetes?.routing.mode).alarms.filter(
    (key) => config.alarms[key].enabled,
  );
}

/** Whether the config is a Kubernetes service routed by a Gateway API HTTPRoute. */
function isGatewayMode(config: BluegreenConfig): boolean {
  return config.service.platform === "kubernetes" && config.kubernetes?.routing.mode === "gateway";
}

/**
 * The deployment the program makes from `values`. `previous` is the last deployment's outputs:
 * Lambda version numbers carry over for a colour whose slot version did not change, and a colour
 * whose slot changed gets the next number, as publishing a new version does.
 * Throws when the values are ones the program would reject (a split that does not sum to 100).
 */
export function simulateProgram(
  config: BluegreenConfig,
  stackName: string,
  values: ReleaseValues,
  previous?: StackOutputs,
): SimulatedDeployment {
  const platform = config.service.platform;
  const alarmNames = simulatedAlarmNames(config, stackName);
  const alarms = {
    blue: { composite: alarmNames.composite.blue, members: alarmNames.members.blue },
    green: { composite: alarmNames.composite.green, members: alarmNames.members.green },
    extra: alarmNames.extra,
  };
  let built: { routing: Routing; resources: SimulatedResource[] };
  if (platform === "ecs") built = ecsDeployment(config, stackName, values);
  else if (platform === "lambda") built = lambdaDeployment(config, stackName, values, previous);
  else built = kubernetesDeployment(config, stackName, values);
  return {
    outputs: {
      service: config.service.name,
      platform,
      revision: values.revision,
      stableColour: values.stable,
      traffic: { ...values.traffic },
      slots: { blue: { ...values.slots.blue }, green: { ...values.slots.green } },
      alarms,
      routing: built.routing,
      routingUrns: built.resources.filter((resource) => resource.routing).map((resource) => resource.urn),
    },
    resources: built.resources,
  };
}

/** The resources whose inputs differ between two deployments (added and removed ones included). */
export function changedResources(
  before: readonly SimulatedResource[],
  after: readonly SimulatedResource[],
): SimulatedResource[] {
  const old = new Map(before.map((resource) => [resource.urn, resource.inputs]));
  const changed = after.filter((resource) => old.get(resource.urn) !== resource.inputs);
  const kept = new Set(after.map((resource) => resource.urn));
  return [...changed, ...before.filter((resource) => !kept.has(resource.urn))];
}

function ecsDeployment(
  config: BluegreenConfig,
  stackName: string,
  values: ReleaseValues,
): { routing: AlbRouting; resources: SimulatedResource[] } {
  const service = config.service.name;
  const image = config.ecs?.image ?? service;
  const parent = "bluegreen:ecs:BlueGreenService";
  const resources: SimulatedResource[] = [];
  for (const colour of COLOURS) {
    const tag = `${image}:${values.slots[colour].version}`;
    resources.push(
      resource(stackName, parent, "aws:ecs/taskDefinition:TaskDefinition", `${service}-${colour}-task`, {
        image: tag,
      }),
      resource(stackName, parent, "aws:ecs/service:Service", `${service}-${colour}`, { taskDefinition: tag }),
    );
  }
  const alb = albRouting(config, stackName, values, parent);
  return { routing: alb.routing, resources: [...resources, ...alb.resources] };
}

/**
 * Kubernetes: each colour's Deployment runs its slot's image (its Service and disruption budget do
 * not depend on the version, so a deploy changes only the Deployment). In `alb` mode the routing
 * is ECS's weighted ALB; in `gateway` mode it is one HTTPRoute whose backend weights are the split.
 */
function kubernetesDeployment(
  config: BluegreenConfig,
  stackName: string,
  values: ReleaseValues,
): { routing: Routing; resources: SimulatedResource[] } {
  const service = config.service.name;
  const kubernetes = config.kubernetes;
  if (!kubernetes) {
    throw new Error("bluegreen:kubernetes is required on platform kubernetes");
  }
  const parent = "bluegreen:kubernetes:KubernetesBlueGreen";
  const serviceNames = { blue: `${service}-blue`, green: `${service}-green` };
  const resources = COLOURS.map((colour) =>
    resource(stackName, parent, "kubernetes:apps/v1:Deployment", serviceNames[colour], {
      image: `${kubernetes.image}:${values.slots[colour].version}`,
    }),
  );
  if (kubernetes.routing.mode === "alb") {
    const alb = albRouting(config, stackName, values, "bluegreen:aws:AlbBlueGreen");
    return { routing: alb.routing, resources: [...resources, ...alb.resources] };
  }
  resources.push(
    resource(
      stackName,
      "bluegreen:kubernetes:GatewayWeightedRoute",
      "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
      `${service}-route`,
      // The program writes backend weights equal to the percent, under the same rule as the ALB.
      { weights: albTargetGroupWeights(values.traffic) },
      { routing: true, carriesTraffic: true },
    ),
  );
  const routing: GatewayRouting = {
    kind: "gateway",
    namespace: kubernetes.namespace ?? `${service}-${stackName}`,
    routeName: service,
    serviceNames,
  };
  return { routing, resources };
}

/** The weighted ALB with its production and test listeners, shared by ECS and Kubernetes `alb` mode. */
function albRouting(
  config: BluegreenConfig,
  stackName: string,
  values: ReleaseValues,
  parent: string,
): { routing: AlbRouting; resources: SimulatedResource[] } {
  const service = config.service.name;
  const alb = config.alb;
  const lbName = alb?.existingLoadBalancerArn
    ? (/loadbalancer\/app\/([^/]+)\//.exec(alb.existingLoadBalancerArn)?.[1] ?? service)
    : truncateName(`${service}-${stackName}`, 32);
  const lbId = hexId(`${stackName}/${lbName}`);
  const loadBalancerArn =
    alb?.existingLoadBalancerArn ??
    `arn:aws:elasticloadbalancing:${SIMULATED_REGION}:${SIMULATED_ACCOUNT}:loadbalancer/app/${lbName}/${lbId}`;
  const listenerArn = (name: string) =>
    `arn:aws:elasticloadbalancing:${SIMULATED_REGION}:${SIMULATED_ACCOUNT}:listener/app/${lbName}/${lbId}/${hexId(`${stackName}/${name}`)}`;
  const targetGroupArns = Object.fromEntries(
    COLOURS.map((colour) => {
      const name = `${service}-${colour}-${hexId(`${stackName}/${colour}`).slice(0, 7)}`;
      return [
        colour,
        `arn:aws:elasticloadbalancing:${SIMULATED_REGION}:${SIMULATED_ACCOUNT}:targetgroup/${name}/${hexId(`${stackName}/${name}`)}`,
      ];
    }),
  ) as Record<Colour, string>;
  const dnsName = `${alb?.internal ? "internal-" : ""}${lbName}-${parseInt(lbId.slice(0, 8), 16) % 1_000_000_000}.${SIMULATED_REGION}.elb.amazonaws.com`;
  const scheme = alb?.certificateArn ? "https" : "http";
  const testPort = alb?.testListenerPort ?? 8443;
  const idle = otherColour(values.stable);
  const resources: SimulatedResource[] = [
    resource(
      stackName,
      parent,
      "aws:lb/listener:Listener",
      `${service}-listener`,
      { weights: albTargetGroupWeights(values.traffic) },
      { routing: true, carriesTraffic: true },
    ),
    // The test listener always reaches the idle colour, so promoting moves it: that is why a
    // promote is a full update and not a targeted one.
    resource(
      stackName,
      parent,
      "aws:lb/listener:Listener",
      `${service}-test-listener`,
      { targetGroup: targetGroupArns[idle] },
      { routing: true, carriesTraffic: false },
    ),
  ];
  const routing: AlbRouting = {
    kind: "alb",
    loadBalancerArn,
    listenerArn: listenerArn(`${service}-listener`),
    testListenerArn: listenerArn(`${service}-test-listener`),
    targetGroupArns,
    testEndpoint: `${scheme}://${dnsName}:${testPort}`,
    ...(alb?.stickiness?.enabled && alb.stickiness.duration !== undefined
      ? { stickinessSeconds: alb.stickiness.duration }
      : {}),
  };
  return { routing, resources };
}

function lambdaDeployment(
  config: BluegreenConfig,
  stackName: string,
  values: ReleaseValues,
  previous: StackOutputs | undefined,
): { routing: LambdaRouting; resources: SimulatedResource[] } {
  const service = config.service.name;
  const parent = "bluegreen:lambda:BlueGreenFunction";
  const functionName = truncateName(`${service}-${stackName}`, 64);
  const aliasName = config.lambda?.aliasName ?? "live";
  const keyOf = (colour: Colour) =>
    (config.lambda?.code.s3KeyTemplate ?? "{version}").replaceAll("{version}", values.slots[colour].version);
  const versions = lambdaVersions(values, previous);
  const resources: SimulatedResource[] = [
    // $LATEST runs the stable colour's artifact, and each colour's version is published from its
    // own artifact, so the function changes when either artifact or the stable colour changes.
    resource(stackName, parent, "aws:lambda/function:Function", functionName, {
      latest: keyOf(values.stable),
      artifacts: { blue: keyOf("blue"), green: keyOf("green") },
    }),
    ...COLOURS.map((colour) =>
      resource(stackName, parent, "aws:cloudcontrol/resource:Resource", `${service}-${colour}-version`, {
        typeName: "AWS::Lambda::Version",
        s3Key: keyOf(colour),
      }),
    ),
    resource(
      stackName,
      parent,
      "aws:lambda/alias:Alias",
      `${service}-${aliasName}`,
      { routing: lambdaAliasRouting(values.traffic, values.stable, versions) },
      { routing: true, carriesTraffic: true },
    ),
  ];
  const routing: LambdaRouting = {
    kind: "lambda",
    functionName,
    aliasName,
    aliasArn: `arn:aws:lambda:${SIMULATED_REGION}:${SIMULATED_ACCOUNT}:function:${functionName}:${aliasName}`,
    versions,
  };
  return { routing, resources };
}

/** Published version numbers: kept while a colour's slot is unchanged, the next number otherwise. */
function lambdaVersions(values: ReleaseValues, previous: StackOutputs | undefined): Record<Colour, string> {
  if (previous?.routing.kind !== "lambda") return { blue: "1", green: "2" };
  const old = previous.routing.versions;
  let highest = Math.max(Number(old.blue), Number(old.green));
  const result = { ...old };
  for (const colour of COLOURS) {
    if (previous.slots[colour].version !== values.slots[colour].version) {
      highest += 1;
      result[colour] = String(highest);
    }
  }
  return result;
}

function resource(
  stackName: string,
  parentType: string,
  type: string,
  name: string,
  inputs: unknown,
  flags: { routing: boolean; carriesTraffic: boolean } = { routing: false, carriesTraffic: false },
): SimulatedResource {
  return {
    urn: `urn:pulumi:${stackName}::${PROJECT_NAME}::${parentType}$${type}::${name}`,
    type,
    inputs: JSON.stringify(inputs),
    ...flags,
  };
}

/** AWS names have length limits; a name cut at a hyphen would be rejected, so drop trailing ones. */
function truncateName(name: string, max: number): string {
  return name.slice(0, max).replace(/-+$/, "");
}

/** A stable 16-hex-digit identifier, so simulated ARNs look real and differ between stacks. */
function hexId(seed: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let index = 0; index < seed.length; index++) {
    const code = seed.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = Math.imul(b ^ code, 0x85ebca6b) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}
