/**
 * `bluegreen:kubernetes`: the two Deployments and how their traffic is weighted.
 */
import { z } from "zod";
import {
  DNS_LABEL_PATTERN,
  ENVIRONMENT_NAME_PATTERN,
  MAX_LABEL_LENGTH,
  MAX_ROUTE_HOSTNAMES,
  QUANTITY_PATTERN,
  describe,
  isDnsSubdomain,
  isRouteHostname,
} from "../../components/domain";
import { imageRepository } from "./aws";
import { documented } from "./docs";
import { environment, integer, matching, port } from "./fields";

/** How a Kubernetes service's traffic is weighted. */
export const KUBERNETES_ROUTING_MODES = ["alb", "gateway"] as const;
/** A Kubernetes routing mode. */
export type KubernetesRoutingMode = (typeof KUBERNETES_ROUTING_MODES)[number];

const quantity = (example: string) =>
  matching(QUANTITY_PATTERN, `a Kubernetes quantity such as "${example}"`);
const dnsLabel = matching(
  DNS_LABEL_PATTERN,
  "a DNS label (lower-case letters, digits, hyphens; at most 63)",
).max(MAX_LABEL_LENGTH, {
  error: (issue) => `expected a DNS label of at most 63 characters, got ${describe(issue.input)}`,
});

function validated(rule: (value: string) => boolean, form: string) {
  return z.string().check((ctx) => {
    if (!rule(ctx.value))
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: `expected ${form}, got ${describe(ctx.value)}`,
      });
  });
}

const MODE = "`alb` or `gateway`: how the colours' traffic is weighted";

const gatewayRouting = z.strictObject({
  mode: documented(z.literal("gateway"), MODE),
  gateway: documented(
    z.strictObject({
      name: documented(validated(isDnsSubdomain, 'a Gateway name such as "public"'), "the Gateway's name"),
      namespace: documented(dnsLabel.optional(), "the Gateway's namespace", { default: "the route's" }),
      sectionName: documented(
        validated(isDnsSubdomain, 'a listener name of the Gateway such as "https"').optional(),
        "the Gateway listener to attach to",
        { default: "every listener" },
      ),
    }),
    "the Gateway the route attaches to",
    { required: "gateway mode" },
  ),
  hostnames: documented(
    z
      .array(
        validated(isRouteHostname, 'a lower-case host name such as "shop.example.com" or "*.example.com"'),
      )
      .max(MAX_ROUTE_HOSTNAMES, { error: `an HTTPRoute takes at most ${MAX_ROUTE_HOSTNAMES} host names` })
      .prefault([]),
    "gateway mode: host names the route answers; none means every host name of the Gateway's listener",
  ),
  servicePort: documented(port().prefault(80), "gateway mode: the port of each colour's Service"),
});

/** `bluegreen:kubernetes`: the two Deployments and how their traffic is weighted. */
export const kubernetesSchema = z
  .strictObject({
    namespace: documented(dnsLabel.optional(), "the namespace of the stack's resources", {
      default: "`<service>-<stack>`",
    }),
    image: documented(
      imageRepository("registry.example.com/checkout"),
      "repository without a tag; each colour runs `<image>:<slot version>`",
    ),
    containerPort: documented(port().prefault(8080), "the port the container listens on"),
    replicas: documented(
      integer("a replica count", 1, 1_000).prefault(2),
      "pods per colour; both colours keep their pods, so a revert needs no scale-up",
    ),
    resources: documented(
      z
        .strictObject({
          requests: z
            .strictObject({
              cpu: documented(quantity("250m").prefault("250m"), "CPU each pod requests"),
              memory: documented(quantity("256Mi").prefault("256Mi"), "memory each pod requests"),
            })
            .prefault({}),
          limits: z
            .strictObject({
              cpu: documented(quantity("500m").prefault("500m"), "CPU each pod may use"),
              memory: documented(quantity("512Mi").prefault("512Mi"), "memory each pod may use"),
            })
            .prefault({}),
        })
        .prefault({}),
      "requests and limits of each pod",
    ),
    probes: documented(
      z
        .strictObject({
          readinessPath: documented(
            matching(/^\//, 'a path starting with "/"').prefault("/health"),
            "readiness probe path",
          ),
          livenessPath: documented(
            matching(/^\//, 'a path starting with "/"').prefault("/health"),
            "liveness probe path",
          ),
          initialDelaySeconds: documented(
            integer("seconds", 0, 3_600).prefault(5),
            "seconds before the first probe",
          ),
          periodSeconds: documented(integer("seconds", 1, 3_600).prefault(10), "seconds between probes"),
        })
        .prefault({}),
      "the pods' HTTP probes",
    ),
    minAvailable: documented(
      integer("a pod count", 0, 1_000).prefault(1),
      "pods of a colour that stay up during voluntary disruptions; must stay below `replicas`",
    ),
    environment: documented(environment(ENVIRONMENT_NAME_PATTERN).prefault({}), "environment variables"),
    routing: documented(
      z.discriminatedUnion(
        "mode",
        [z.strictObject({ mode: documented(z.literal("alb"), MODE) }), gatewayRouting],
        {
          error: (issue) =>
            `expected routing.mode "alb" or "gateway", got ${describe((issue.input as { mode?: unknown } | undefined)?.mode)}`,
        },
      ),
      "how the colours' traffic is weighted",
    ),
  })
  .superRefine((k8s, ctx) => {
    if (k8s.minAvailable >= k8s.replicas) {
      ctx.addIssue({
        code: "custom",
        path: ["minAvailable"],
        message: `must be below replicas (${k8s.replicas}), or no pod could ever be evicted for node maintenance`,
      });
    }
  });
