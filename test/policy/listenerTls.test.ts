import assert from "node:assert/strict";
import {
  PolicyInput,
  PropertyMap,
  UNKNOWN,
  isTls12Policy,
  listenerTlsViolations,
} from "../../infra/policy/rules";
import { resource } from "./fixtures";

const LB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/1";
const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/1";
const FORWARD = [{ type: "forward", forward: { targetGroups: [{ arn: "tg-blue", weight: 100 }] } }];
const REDIRECT = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];

const listener = (name: string, props: PropertyMap): PolicyInput =>
  resource("aws:lb/listener:Listener", name, { loadBalancerArn: LB, defaultActions: FORWARD, ...props });

const https = (name: string, props: PropertyMap = {}) =>
  listener(name, {
    protocol: "HTTPS",
    port: 443,
    certificateArn: CERT,
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ...props,
  });

const FIX =
  /Fix: set bluegreen:alb\.sslPolicy to a TLS 1\.2\+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06 \(the default\)\.$/;

const cases: { name: string; stack: PolicyInput[]; expected: RegExp[] }[] = [
  {
    name: "HTTPS listeners under the default policy and a redirect from 80",
    stack: [
      https("shop-listener"),
      https("shop-test-listener", { port: 8443 }),
      listener("shop-http-redirect", { protocol: "HTTP", port: 80, defaultActions: REDIRECT }),
    ],
    expected: [],
  },
  {
    name: "HTTP listeners without a certificate",
    stack: [
      listener("shop-listener", { protocol: "HTTP", port: 80 }),
      listener("shop-test-listener", { protocol: "HTTP", port: 8443 }),
    ],
    expected: [],
  },
  {
    name: "a TLS 1.0 policy",
    stack: [https("shop-listener", { sslPolicy: "ELBSecurityPolicy-2016-08" })],
    expected: [
      /^listener "shop-listener" uses ELBSecurityPolicy-2016-08, which accepts protocols older than TLS 1\.2\. /,
    ],
  },
  {
    name: "no policy: AWS's API default",
    stack: [https("shop-listener", { sslPolicy: undefined })],
    expected: [
      /^listener "shop-listener" sets no sslPolicy, so AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1\.0\. /,
    ],
  },
  {
    name: "an empty policy, as outputs report an unset one",
    stack: [https("shop-listener", { sslPolicy: "" })],
    expected: [/^listener "shop-listener" sets no sslPolicy/],
  },
  {
    name: "a certificate on an HTTP listener",
    stack: [https("shop-listener", { protocol: "HTTP" })],
    expected: [
      /^listener "shop-listener" has a certificate but listens over HTTP\. Fix: set its protocol to HTTPS/,
    ],
  },
  {
    name: "a production listener forwarding HTTP beside an HTTPS test listener",
    stack: [
      listener("shop-listener", { protocol: "HTTP", port: 80 }),
      https("shop-test-listener", { port: 8443 }),
    ],
    expected: [
      /^listener "shop-listener" forwards plain HTTP on a load balancer that serves HTTPS\. Fix: make it an HTTPS listener with the certificate, or a redirect to HTTPS\.$/,
    ],
  },
  {
    name: "an HTTP listener on another load balancer",
    stack: [
      listener("other-listener", { protocol: "HTTP", loadBalancerArn: `${LB}0` }),
      https("shop-listener"),
    ],
    expected: [],
  },
  {
    name: "a policy a preview does not know yet",
    stack: [https("shop-listener", { sslPolicy: UNKNOWN })],
    expected: [],
  },
  {
    name: "load balancers a preview does not know yet",
    stack: [
      listener("shop-listener", { protocol: "HTTP", loadBalancerArn: UNKNOWN }),
      https("shop-test-listener", { loadBalancerArn: UNKNOWN }),
    ],
    expected: [],
  },
];

describe("rule: listener TLS", () => {
  for (const { name, stack, expected } of cases) {
    it(`${name}: ${expected.length === 0 ? "complies" : `${expected.length} violation(s)`}`, () => {
      const violations = listenerTlsViolations(stack);
      const found = violations.map((violation) => violation.message);
      assert.equal(found.length, expected.length, found.join("\n"));
      expected.forEach((pattern, index) => assert.match(found[index], pattern));
      for (const violation of violations) {
        assert.ok(stack.some((entry) => entry.urn === violation.urn));
        if (/sslPolicy|older than TLS/.test(violation.message)) assert.match(violation.message, FIX);
      }
    });
  }

  const policies: [string, boolean][] = [
    ["ELBSecurityPolicy-TLS13-1-2-2021-06", true],
    ["ELBSecurityPolicy-TLS13-1-2-Res-2021-06", true],
    ["ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", true],
    ["ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", true],
    ["ELBSecurityPolicy-TLS13-1-3-2021-06", true],
    ["ELBSecurityPolicy-TLS-1-2-2017-01", true],
    ["ELBSecurityPolicy-TLS-1-2-Ext-2018-06", true],
    ["ELBSecurityPolicy-FS-1-2-Res-2020-10", true],
    ["ELBSecurityPolicy-2016-08", false],
    ["ELBSecurityPolicy-2015-05", false],
    ["ELBSecurityPolicy-TLS-1-1-2017-01", false],
    ["ELBSecurityPolicy-FS-2018-06", false],
    ["ELBSecurityPolicy-FS-1-1-2019-08", false],
    ["ELBSecurityPolicy-TLS13-1-0-2021-06", false],
    ["ELBSecurityPolicy-TLS13-1-1-2021-06", false],
    ["ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04", false],
  ];
  for (const [policy, tls12] of policies) {
    it(`${policy} ${tls12 ? "refuses" : "accepts"} protocols older than TLS 1.2`, () => {
      assert.equal(isTls12Policy(policy), tls12);
    });
  }
});
