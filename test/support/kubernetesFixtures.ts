/**
 * Args for the Kubernetes component tests with the defaults a stack file gets (taken from the
 * config schema, so a component is tested with what the program passes it).
 */
import type { KubernetesBlueGreenArgs } from "../../components/kubernetesBlueGreen";
import { KubernetesConfig, kubernetesSchema } from "../../infra/config/schema";

/** The image repository the fixtures run. */
export const IMAGE = "registry.example.com/checkout";

/** What the program passes KubernetesBlueGreen from a stack's `bluegreen:kubernetes`. */
export type WorkloadArgs = Omit<
  KubernetesBlueGreenArgs,
  "serviceName" | "namespace" | "versions" | "labels" | "createNamespace"
>;

function workload(config: KubernetesConfig): WorkloadArgs {
  return {
    image: config.image,
    containerPort: config.containerPort,
    replicas: config.replicas,
    minAvailable: config.minAvailable,
    resources: config.resources,
    probes: config.probes,
    environment: config.environment,
  };
}

/** A workload behind a Gateway (`routing.mode: gateway`): the schema's defaults plus `overrides`. */
export function gatewayWorkload(overrides: Partial<WorkloadArgs> = {}): WorkloadArgs {
  const config = kubernetesSchema.parse({
    image: IMAGE,
    routing: {
      mode: "gateway",
      gateway: { name: "public", namespace: "gateway-system", sectionName: "https" },
    },
  });
  const servicePort = config.routing.mode === "gateway" ? config.routing.servicePort : undefined;
  return { ...workload(config), servicePort, targetGroupReadinessGate: false, ...overrides };
}

/** A workload behind an ALB (`routing.mode: alb`): the schema's defaults plus `overrides`. */
export function albWorkload(overrides: Partial<WorkloadArgs> = {}): WorkloadArgs {
  const config = kubernetesSchema.parse({ image: IMAGE, routing: { mode: "alb" } });
  return { ...workload(config), servicePort: undefined, targetGroupReadinessGate: true, ...overrides };
}
