/**
 * Rule: the test listener's port is not open to the whole internet. The test listener sends every
 * request to the idle colour, the candidate that has not yet passed its pre-traffic check; only the
 * pipelines that run that check should reach it.
 *
 * The test listener is the listener AlbBlueGreen names `<name>-test-listener` (a child name is part
 * of the URN, so it is stable). Every security group rule in the stack that admits its port is
 * checked: inline `ingress` blocks of `aws.ec2.SecurityGroup`, `aws.ec2.SecurityGroupRule` of type
 * ingress and `aws.vpc.SecurityGroupIngressRule`.
 */
import {
  LISTENER_TYPES,
  PolicyInput,
  PropertyMap,
  PropertyValue,
  Violation,
  asList,
  asMap,
  asNumber,
  asString,
  named,
} from "./resource";

/** The suffix of the test listener's logical name. */
export const TEST_LISTENER_SUFFIX = "-test-listener";

const SECURITY_GROUP_TYPE = "aws:ec2/securityGroup:SecurityGroup";
const WORLD = ["0.0.0.0/0", "::/0"];
const ALL_PROTOCOLS = ["-1", "all"];
const TCP = ["tcp", "6"];

interface IngressRule {
  readonly protocol: PropertyValue;
  readonly fromPort: PropertyValue;
  readonly toPort: PropertyValue;
  readonly cidrs: readonly PropertyValue[];
}

function list(value: PropertyValue): readonly PropertyValue[] {
  return asList(value) ?? [];
}

function ingressRules(resource: PolicyInput): IngressRule[] {
  const { props } = resource;
  switch (resource.type) {
    case SECURITY_GROUP_TYPE:
      return list(props.ingress)
        .map(asMap)
        .filter((rule): rule is PropertyMap => rule !== undefined)
        .map((rule) => ({
          protocol: rule.protocol,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
          cidrs: [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)],
        }));
    case "aws:ec2/securityGroupRule:SecurityGroupRule":
      if (props.type !== "ingress") return [];
      return [
        {
          protocol: props.protocol,
          fromPort: props.fromPort,
          toPort: props.toPort,
          cidrs: [...list(props.cidrBlocks), ...list(props.ipv6CidrBlocks)],
        },
      ];
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      return [
        {
          protocol: props.ipProtocol,
          fromPort: props.fromPort,
          toPort: props.toPort,
          cidrs: [props.cidrIpv4, props.cidrIpv6],
        },
      ];
    default:
      return [];
  }
}

function admits(rule: IngressRule, port: number): boolean {
  const protocol = String(asString(rule.protocol) ?? asNumber(rule.protocol) ?? "").toLowerCase();
  if (ALL_PROTOCOLS.includes(protocol)) return true;
  if (!TCP.includes(protocol)) return false;
  const from = asNumber(rule.fromPort);
  const to = asNumber(rule.toPort);
  return from !== undefined && to !== undefined && from <= port && port <= to;
}

/** Violations of the test-listener ingress rule over a whole stack. */
export function testListenerIngressViolations(resources: readonly PolicyInput[]): Violation[] {
  const testListeners = resources.filter(
    (resource) => LISTENER_TYPES.includes(resource.type) && resource.name.endsWith(TEST_LISTENER_SUFFIX),
  );
  const violations: Violation[] = [];
  for (const listener of testListeners) {
    const port = asNumber(listener.props.port);
    if (port === undefined) continue;
    for (const group of resources) {
      const open = ingressRules(group).filter((rule) => admits(rule, port));
      const world = [
        ...new Set(open.flatMap((rule) => rule.cidrs.filter((cidr) => WORLD.includes(String(cidr))))),
      ];
      if (world.length === 0) continue;
      violations.push({
        urn: group.urn,
        message: `${named(group.type === SECURITY_GROUP_TYPE ? "security group" : "security group rule", group)} admits ${world.join(" and ")} on port ${port}, the port of ${named("test listener", listener)}, which serves the candidate colour before its checks pass. Fix: set bluegreen:network.testIngressCidrs to the CIDRs of the pipeline runners that run the pre-traffic check.`,
      });
    }
  }
  return violations;
}
