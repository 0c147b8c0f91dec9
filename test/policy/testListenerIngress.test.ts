import assert from "node:assert/strict";
import {
  PolicyInput,
  PropertyMap,
  PropertyValue,
  UNKNOWN,
  testListenerIngressViolations,
} from "../../infra/policy/rules";
import { resource } from "./fixtures";

const testListener = (props: PropertyMap = {}) =>
  resource("aws:lb/listener:Listener", "shop-test-listener", { protocol: "HTTP", port: 8443, ...props });
const production = resource("aws:lb/listener:Listener", "shop-listener", { protocol: "HTTP", port: 80 });

/** The load balancer's security group as AlbBlueGreen declares it. */
const albGroup = (testCidrs: PropertyValue[], extra: PropertyMap = {}) =>
  resource("aws:ec2/securityGroup:SecurityGroup", "shop-alb", {
    ingress: [
      {
        description: "Production listener",
        protocol: "tcp",
        fromPort: 80,
        toPort: 80,
        cidrBlocks: ["0.0.0.0/0"],
      },
      {
        description: "Test listener",
        protocol: "tcp",
        fromPort: 8443,
        toPort: 8443,
        cidrBlocks: testCidrs,
        ...extra,
      },
    ],
  });

const FIX =
  /Fix: set bluegreen:network\.testIngressCidrs to the CIDRs of the pipeline runners that run the pre-traffic check\.$/;

const cases: { name: string; stack: PolicyInput[]; expected: RegExp[] }[] = [
  {
    name: "the test port open to 10.0.0.0/8",
    stack: [production, testListener(), albGroup(["10.0.0.0/8"])],
    expected: [],
  },
  {
    name: "the test port open to the internet",
    stack: [production, testListener(), albGroup(["10.0.0.0/8", "0.0.0.0/0"])],
    expected: [
      /^security group "shop-alb" admits 0\.0\.0\.0\/0 on port 8443, the port of test listener "shop-test-listener", which serves the candidate colour before its checks pass\. /,
    ],
  },
  {
    name: "the test port open to every IPv6 address",
    stack: [testListener(), albGroup(["10.0.0.0/8"], { ipv6CidrBlocks: ["::/0"] })],
    expected: [/^security group "shop-alb" admits ::\/0 on port 8443/],
  },
  {
    name: "every port open through protocol -1",
    stack: [
      testListener(),
      resource("aws:ec2/securityGroup:SecurityGroup", "shop-wide", {
        ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      }),
    ],
    expected: [/^security group "shop-wide" admits 0\.0\.0\.0\/0 on port 8443/],
  },
  {
    name: "a port range that covers the test port",
    stack: [
      testListener(),
      resource("aws:ec2/securityGroupRule:SecurityGroupRule", "shop-range", {
        type: "ingress",
        protocol: "tcp",
        fromPort: 8000,
        toPort: 9000,
        cidrBlocks: ["0.0.0.0/0"],
      }),
    ],
    expected: [/^security group rule "shop-range" admits 0\.0\.0\.0\/0 on port 8443/],
  },
  {
    name: "an egress rule to the world",
    stack: [
      testListener(),
      resource("aws:ec2/securityGroupRule:SecurityGroupRule", "shop-out", {
        type: "egress",
        protocol: "tcp",
        fromPort: 8443,
        toPort: 8443,
        cidrBlocks: ["0.0.0.0/0"],
      }),
    ],
    expected: [],
  },
  {
    name: "a VPC ingress rule open to the world",
    stack: [
      testListener(),
      resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "shop-test-in", {
        ipProtocol: "tcp",
        fromPort: 8443,
        toPort: 8443,
        cidrIpv4: "0.0.0.0/0",
      }),
    ],
    expected: [/^security group rule "shop-test-in" admits 0\.0\.0\.0\/0 on port 8443/],
  },
  {
    name: "UDP on the test port",
    stack: [
      testListener(),
      resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "shop-udp", {
        ipProtocol: "udp",
        fromPort: 8443,
        toPort: 8443,
        cidrIpv4: "0.0.0.0/0",
      }),
    ],
    expected: [],
  },
  {
    name: "the production port open to the internet",
    stack: [production, testListener(), albGroup(["10.0.0.0/8"])],
    expected: [],
  },
  {
    name: "no test listener",
    stack: [production, albGroup(["0.0.0.0/0"])],
    expected: [],
  },
  {
    name: "CIDRs a preview does not know yet",
    stack: [testListener(), albGroup([UNKNOWN])],
    expected: [],
  },
  {
    name: "a test port a preview does not know yet",
    stack: [testListener({ port: UNKNOWN }), albGroup(["0.0.0.0/0"])],
    expected: [],
  },
];

describe("rule: test listener ingress", () => {
  for (const { name, stack, expected } of cases) {
    it(`${name}: ${expected.length === 0 ? "complies" : `${expected.length} violation(s)`}`, () => {
      const violations = testListenerIngressViolations(stack);
      const found = violations.map((violation) => violation.message);
      assert.equal(found.length, expected.length, found.join("\n"));
      expected.forEach((pattern, index) => assert.match(found[index], pattern));
      for (const violation of violations) {
        assert.match(violation.message, FIX);
        assert.ok(stack.some((entry) => entry.urn === violation.urn && !entry.type.includes("listener")));
      }
    });
  }
});
