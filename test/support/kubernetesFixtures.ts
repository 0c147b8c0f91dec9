/**
 * Config blocks for the Kubernetes component tests, parsed through the real schema so they carry the
 * same defaults a stack file gets.
 */
import { KubernetesConfig, kubernetesSchema } from "../../infra/config/schema";

/** The image repository the fixtures run. */
export const IMAGE = "registry.example.com/checkout";

/** A `bluegreen:kubernetes` block in gateway mode: the schema's defaults plus `overrides`. */
export function gatewayKubernetesConfig(overrides: Record<string, unknown> = {}): KubernetesConfig {
  return kubernetesSchema.parse({
    image: IMAGE,
    routing: {
      mode: "gateway",
      gateway: { name: "public", namespace: "gateway-system", sectionName: "https" },
    },
    ...overrides,
  });
}

/** A `bluegreen:kubernetes` block in alb mode: the schema's defaults plus `overrides`. */
export function albKubernetesConfig(overrides: Record<string, unknown> = {}): KubernetesConfig {
  return kubernetesSchema.parse({ image: IMAGE, routing: { mode: "alb" }, ...overrides });
}
