/**
 * Rule: a listener with a certificate serves HTTPS under a security policy whose oldest protocol is
 * TLS 1.2, and where a load balancer terminates HTTPS none of its listeners forwards traffic over
 * plain HTTP (an HTTP listener there may only redirect). An HTTPS listener without a policy gets
 * AWS's API default, `ELBSecurityPolicy-2016-08`, which still accepts TLS 1.0.
 */
import {
  LISTENER_TYPES,
  PolicyInput,
  PropertyMap,
  Violation,
  asList,
  asMap,
  asString,
  named,
  isUnknown,
} from "./resource";

/**
 * Predefined ELB security policies whose minimum protocol is TLS 1.2 or 1.3: the `TLS13-1-2`,
 * `TLS13-1-3`, `TLS-1-2` and `FS-1-2` families (2016-08, TLS-1-1, FS-1-1, TLS13-1-0 and TLS13-1-1
 * still accept older protocols).
 */
const TLS12_POLICY = /^ELBSecurityPolicy-(?:TLS13-1-[23]|TLS-1-2|FS-1-2)-/;
const ENCRYPTED_PROTOCOLS = ["HTTPS", "TLS"];
const RECOMMENDED_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** True for a predefined ELB security policy that refuses everything older than TLS 1.2. */
export function isTls12Policy(policy: string): boolean {
  return TLS12_POLICY.test(policy);
}

function hasCertificate(props: PropertyMap): boolean {
  return (asString(props.certificateArn) ?? "") !== "";
}

function forwardsTraffic(props: PropertyMap): boolean {
  return (asList(props.defaultActions) ?? []).some((action) => asMap(action)?.type === "forward");
}

function tlsViolations(listener: PolicyInput): Violation[] {
  const { props } = listener;
  const protocol = props.protocol;
  if (isUnknown(protocol)) return [];
  const encrypted = typeof protocol === "string" && ENCRYPTED_PROTOCOLS.includes(protocol);
  if (!encrypted && !hasCertificate(props)) return [];
  const subject = named("listener", listener);
  if (!encrypted) {
    return [
      {
        urn: listener.urn,
        message: `${subject} has a certificate but listens over ${asString(protocol) ?? "HTTP"}. Fix: set its protocol to HTTPS (with bluegreen:alb.certificateArn the program does).`,
      },
    ];
  }
  const policy = props.sslPolicy;
  if (isUnknown(policy)) return [];
  const name = asString(policy) ?? "";
  if (isTls12Policy(name)) return [];
  const found =
    name === ""
      ? "sets no sslPolicy, so AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0"
      : `uses ${name}, which accepts protocols older than TLS 1.2`;
  return [
    {
      urn: listener.urn,
      message: `${subject} ${found}. Fix: set bluegreen:alb.sslPolicy to a TLS 1.2+ policy such as ${RECOMMENDED_POLICY} (the default).`,
    },
  ];
}

/** Violations of the TLS rule over a whole stack. */
export function listenerTlsViolations(resources: readonly PolicyInput[]): Violation[] {
  const listeners = resources.filter((resource) => LISTENER_TYPES.includes(resource.type));
  const violations = listeners.flatMap(tlsViolations);
  const httpsLoadBalancers = new Set(
    listeners
      .filter((listener) => hasCertificate(listener.props))
      .map((listener) => asString(listener.props.loadBalancerArn))
      .filter((arn): arn is string => arn !== undefined),
  );
  for (const listener of listeners) {
    const { props } = listener;
    const loadBalancer = asString(props.loadBalancerArn);
    const protocol = props.protocol ?? "HTTP";
    if (loadBalancer === undefined || !httpsLoadBalancers.has(loadBalancer) || protocol !== "HTTP") continue;
    // One with a certificate of its own is reported above, with its own fix.
    if (!forwardsTraffic(props) || hasCertificate(props)) continue;
    violations.push({
      urn: listener.urn,
      message: `${named("listener", listener)} forwards plain HTTP on a load balancer that serves HTTPS. Fix: make it an HTTPS listener with the certificate, or a redirect to HTTPS.`,
    });
  }
  return violations;
}
