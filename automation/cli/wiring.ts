/**
 * The ports of a real run: the Pulumi stack through the Automation API, CloudWatch alarms, the
 * ALB listener, Lambda alias or Gateway API HTTPRoute, the stack's control channel and the wall
 * clock, with the preflight checks that must pass before any of them is used to change something.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { STSClient } from "@aws-sdk/client-sts";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import type { BluegreenConfig } from "../../infra/config/validate";
import { CloudWatchAlarmSource, awsClient, checkAwsCredentials } from "../adapters/aws";
import { awsRouterFactories } from "../adapters/aws/routers";
import {
  GatewayTrafficRouter,
  KubeconfigKubernetesApi,
  type KubernetesAccessReview,
  type KubernetesApi,
  type KubernetesScaleApi,
  checkGatewayAccess,
} from "../adapters/kubernetes";
import { AutomationStack, checkPulumiCli, checkStackExists } from "../adapters/pulumi";
import { commandErrorHint, commandErrorSummary } from "../adapters/pulumi/errors";
import { checkControlTable } from "../adapters/control/dynamoAccessCheck";
import { DynamoTable } from "../adapters/control/dynamoTable";
import { RoutingRouter, unsupportedRouting } from "../adapters/routingRouter";
import { OutputsCapacityScaler } from "../adapters/outputsScaler";
import { EcsCapacityScaler } from "../adapters/aws/ecs-capacity-scaler";
import { DeploymentScaler } from "../adapters/kubernetes/deploymentScaler";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SystemClock } from "../adapters/systemClock";
import { TrackedStack } from "../adapters/trackedStack";
import type { DriverDeps, PreflightCheck } from "../rollout";
import type { StackPort } from "../ports";
import { stackRegion } from "./region";
import { controlTableAccess } from "./controlWiring";
import type { ConnectRequest } from "./connection";
import type { LoadedStack } from "./stacks";
import type { AlbRouting, GatewayRouting, LambdaRouting, StackOutputs } from "../../components/domain";

// Re-exported: the driver's wiring has always offered it; the control channel's wiring shares it.
export { stackRegion } from "./region";

/** The stack's secret that holds the cluster's kubeconfig. */
export const KUBECONFIG_KEY = "bluegreen:kubeconfig";

/**
 * Reads one secret of the stack's config (`pulumi config get`, decrypted by the stack's secrets
 * provider) into memory. The value is never written anywhere and never part of a message; a
 * failure names the key, never a value.
 */
export async function readStackSecret(
  projectDir: string,
  stackName: string,
  key: string,
  signal?: AbortSignal,
): Promise<string> {
  signal?.throwIfAborted();
  try {
    const stack = await LocalWorkspace.selectStack({ stackName, workDir: projectDir });
    return (await stack.getConfig(key)).value;
  } catch (error) {
    throw new Error(
      `cannot read ${key} of stack ${stackName}: ${commandErrorSummary(error as Error)}${commandErrorHint(error as Error)}`,
    );
  }
}

/** Reads the stack's `bluegreen:kubeconfig` secret into memory. */
export function readStackKubeconfig(
  projectDir: string,
  stackName: string,
  signal?: AbortSignal,
): Promise<string> {
  return readStackSecret(projectDir, stackName, KUBECONFIG_KEY, signal);
}

/**
 * Where a gateway stack's Kubernetes credentials come from: the stack's `bluegreen:kubeconfig`
 * secret when the stack file sets one (the program deploys with it, so the driver reaches the same
 * cluster), else undefined: KUBECONFIG or ~/.kube/config, as kubectl finds them.
 */
export function kubeconfigSource(
  stack: Pick<LoadedStack, "config">,
  read: (signal?: AbortSignal) => Promise<string>,
): ((signal?: AbortSignal) => Promise<string>) | undefined {
  return stack.config.secretKeys.includes("kubeconfig") ? read : undefined;
}

/** The scale calls of a Kubernetes API; one given without them (a test's) refuses to scale. */
function scaleApi(api: KubernetesApi & Partial<KubernetesScaleApi>): KubernetesScaleApi {
  return {
    getDeployment: (namespace, name, signal) => api.getDeployment(namespace, name, signal),
    scaleDeployment: async (namespace, name, replicas, signal) => {
      if (api.scaleDeployment === undefined) throw new Error("this Kubernetes API cannot scale Deployments");
      await api.scaleDeployment(namespace, name, replicas, signal);
    },
  };
}

/** The port of the colours' Services in gateway mode (`bluegreen:kubernetes.routing.servicePort`). */
export function gatewayServicePort(config: BluegreenConfig): number {
  const routing = config.kubernetes?.routing;
  if (routing?.mode !== "gateway") {
    throw new Error(
      `the deployed stack routes through an HTTPRoute, but its stack file sets ${routing ? `bluegreen:kubernetes.routing.mode ${routing.mode}` : "no bluegreen:kubernetes block"}; deploy the stack file with \`pulumi up\` first`,
    );
  }
  return routing.servicePort;
}

/** Replacements for parts of the wiring, for tests. */
export interface ConnectOverrides {
  /** The stack port. @default an AutomationStack on the project directory */
  readonly stack?: StackPort;
  /**
   * The Kubernetes API of a gateway stack.
   * @default the cluster of the stack's `bluegreen:kubeconfig` secret, else the ambient kubeconfig
   */
  readonly kubernetes?: KubernetesApi & KubernetesAccessReview;
  /** The DynamoDB client of the control table's preflight. @default a client of the stack's region */
  readonly controlTableClient?: DynamoDBClient;
}

/** Builds the driver's ports for a real run of the stack. */
export async function connectStack(
  request: ConnectRequest,
  overrides: ConnectOverrides = {},
): Promise<DriverDeps> {
  const { stack, io, events, control } = request;
  const region = stackRegion(request);
  const verbose = io.env.BLUEGREEN_VERBOSE !== undefined && io.env.BLUEGREEN_VERBOSE !== "";
  const tracked = new TrackedStack(
    overrides.stack ??
      new AutomationStack({
        projectDir: io.cwd,
        stackName: stack.name,
        // Updates and previews load the program transpile-only unless the user chose otherwise there.
        environment: io.env,
        // A hung update is cancelled once at the deadline, then abandoned (FAILURE-MODES 21).
        deadline: { timeoutMs: stack.config.rollout.operationTimeout * 1_000 },
        // The Pulumi engine's own progress would break the live line and the NDJSON stream; it is
        // there on stderr when someone needs to see an update's details.
        onOutput: verbose ? (text) => io.stderr.write(text) : undefined,
      }),
  );
  const current = async (signal?: AbortSignal): Promise<StackOutputs> => {
    const outputs = await tracked.current(signal);
    if (outputs === undefined)
      throw new Error(`stack ${stack.name} has no outputs: deploy it with \`pulumi up\` first`);
    return outputs;
  };
  const preTrafficCheck = stack.config.rollout.preTrafficCheck;
  let kubernetes = overrides.kubernetes;
  // Built on first use: only a gateway stack needs a cluster, and the secret is read only then.
  const kubernetesApi = (): KubernetesApi & KubernetesAccessReview =>
    (kubernetes ??= new KubeconfigKubernetesApi({
      kubeconfig: kubeconfigSource(stack, (signal) => readStackKubeconfig(io.cwd, stack.name, signal)),
    }));
  const router = new RoutingRouter(stack.name, (signal) => tracked.current(signal), {
    ...awsRouterFactories({
      region,
      preTrafficCheck,
      alb: async (signal) => (await current(signal)).routing as AlbRouting,
      // Read on every use: a deploy publishes a new version for the candidate, a promote changes the stable colour.
      lambda: async (signal) => {
        const outputs = await current(signal);
        return { routing: outputs.routing as LambdaRouting, stable: outputs.stableColour };
      },
    }),
    gateway: () =>
      new GatewayTrafficRouter({
        api: kubernetesApi(),
        routing: async (signal) => (await current(signal)).routing as GatewayRouting,
        servicePort: gatewayServicePort(stack.config),
        preTrafficCheck,
      }),
  });
  const sts = awsClient(STSClient, region);
  const preflightChecks: PreflightCheck[] = [
    checkPulumiCli({ env: io.env }),
    { name: "aws-credentials", run: (signal) => checkAwsCredentials(sts, signal) },
    checkStackExists(io.cwd, stack.name, { env: io.env }),
    {
      name: "routing",
      async run(signal) {
        let outputs: StackOutputs | undefined;
        try {
          outputs = await tracked.current(signal);
        } catch (error) {
          return {
            ok: false,
            detail: `cannot read the outputs of stack ${stack.name}: ${(error as Error).message}`,
          };
        }
        // A stack never deployed is the driver's own preflight's to reject, with its own message.
        if (outputs === undefined) return { ok: true, detail: "the stack has not been deployed yet" };
        const routing = outputs.routing;
        switch (routing.kind) {
          case "alb":
          case "lambda":
            return { ok: true, detail: `${routing.kind} routing in ${region}` };
          case "gateway":
            // The direct revert path must be allowed before traffic moves, not found out during a revert.
            try {
              return await checkGatewayAccess(kubernetesApi(), routing, signal);
            } catch (error) {
              return {
                ok: false,
                detail: `cannot reach the Kubernetes API of HTTPRoute ${routing.namespace}/${routing.routeName}: ${(error as Error).message}`,
              };
            }
          default:
            return { ok: false, detail: unsupportedRouting(stack.name, (routing as { kind: string }).kind) };
        }
      },
    },
  ];
  const controlActions = request.controlActions ?? [];
  if (stack.config.control.channel === "dynamodb" && controlActions.length > 0) {
    preflightChecks.push({
      name: "control-table",
      run: (signal) => {
        const access = controlTableAccess(stack, io);
        const table = new DynamoTable({
          client: overrides.controlTableClient ?? access.client,
          table: access.table,
        });
        return checkControlTable(table, controlActions, signal);
      },
    });
  }
  // The idle colour's scale-up before traffic; Lambda stacks export no capacity and never scale.
  const scaler =
    stack.config.service.platform === "lambda"
      ? undefined
      : new OutputsCapacityScaler(stack.name, (signal) => tracked.current(signal), {
          ecs: (capacity) => new EcsCapacityScaler(awsClient(ECSClient, region), capacity),
          kubernetes: (capacity) => new DeploymentScaler(scaleApi(kubernetesApi()), capacity),
        });
  return {
    stack: tracked,
    router,
    ...(scaler ? { scaler } : {}),
    alarms: new CloudWatchAlarmSource({ client: awsClient(CloudWatchClient, region) }),
    control,
    clock: new SystemClock(),
    events,
    random: Math.random,
    preflightChecks,
  };
}
