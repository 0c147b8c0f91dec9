import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import {
  assertAlarmsValid,
  assertAll,
  assertForwardActions,
  assertListenerPortsUnique,
  assertLoadBalancerNames,
  assertTargetGroupsValid,
  Recorded,
} from "./awsRules";
import type { RecordedResource } from "./pulumi-mocks";

const LB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188";
const TG_BLUE = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-blue/1";
const TG_GREEN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-green/2";

function resource(type: string, name: string, inputs: Record<string, unknown>): RecordedResource {
  return { type, name, inputs, id: `${name}-id` };
}

const loadBalancer = (name: string, inputs: Record<string, unknown> = {}) =>
  resource("aws:lb/loadBalancer:LoadBalancer", name, inputs);
const targetGroup = (name: string, inputs: Record<string, unknown> = {}) =>
  resource("aws:lb/targetGroup:TargetGroup", name, inputs);

function listener(name: string, inputs: Record<string, unknown>): RecordedResource {
  return resource("aws:lb/listener:Listener", name, {
    loadBalancerArn: LB,
    protocol: "HTTP",
    port: 80,
    ...inputs,
  });
}

function forwardListener(
  name: string,
  forward: Record<string, unknown>,
  inputs: Record<string, unknown> = {},
) {
  return listener(name, { defaultActions: [{ type: "forward", forward }], ...inputs });
}

const weighted = (blue: unknown, green: unknown) => ({
  targetGroups: [
    { arn: TG_BLUE, weight: blue },
    { arn: TG_GREEN, weight: green },
  ],
});

const metric = (overrides: Record<string, unknown> = {}) =>
  resource("aws:cloudwatch/metricAlarm:MetricAlarm", "shop-unhealthy", {
    namespace: "AWS/ApplicationELB",
    metricName: "UnHealthyHostCount",
    statistic: "Maximum",
    period: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    ...overrides,
  });

const query = (id: string, returnData: boolean, period = 60) => ({
  id,
  returnData,
  metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", stat: "Sum", period },
});

const math = (queries: unknown[], overrides: Record<string, unknown> = {}) =>
  resource("aws:cloudwatch/metricAlarm:MetricAlarm", "shop-error-rate", {
    metricQueries: queries,
    evaluationPeriods: 2,
    threshold: 5,
    comparisonOperator: "GreaterThanThreshold",
    ...overrides,
  });

const composite = (alarmRule: string) =>
  resource("aws:cloudwatch/compositeAlarm:CompositeAlarm", "shop-composite", {
    alarmName: "shop-blue",
    alarmRule,
  });

type Check = (resources: Recorded) => void;

const failing: { title: string; check: Check; resources: RecordedResource[]; error: RegExp }[] = [
  {
    title: "an explicit target group name over 32 characters",
    check: assertLoadBalancerNames,
    resources: [targetGroup("tg", { name: "a-target-group-name-of-33-chars-x" })],
    error: /"tg".*33 characters/,
  },
  {
    title: "an auto-named target group whose suffix overflows",
    check: assertLoadBalancerNames,
    resources: [targetGroup("checkout-payments-1-green")],
    error: /auto-name from "checkout-payments-1-green"/,
  },
  {
    title: "a name with an underscore",
    check: assertLoadBalancerNames,
    resources: [loadBalancer("lb", { name: "shop_alb" })],
    error: /letters, digits and hyphens/,
  },
  {
    title: "a name ending with a hyphen",
    check: assertLoadBalancerNames,
    resources: [targetGroup("tg", { name: "shop-" })],
    error: /not starting or ending with a hyphen/,
  },
  {
    title: "a load balancer named internal-*",
    check: assertLoadBalancerNames,
    resources: [loadBalancer("lb", { name: "internal-shop" })],
    error: /cannot start with "internal-"/,
  },
  {
    title: "a namePrefix over 6 characters",
    check: assertLoadBalancerNames,
    resources: [targetGroup("tg", { namePrefix: "shop-blue" })],
    error: /namePrefix "shop-blue"/,
  },
  {
    title: "six target groups in one forward action",
    check: assertForwardActions,
    resources: [
      forwardListener("l", {
        targetGroups: [1, 2, 3, 4, 5, 6].map((n) => ({ arn: `${TG_BLUE}${n}`, weight: 1 })),
      }),
    ],
    error: /1-5 target groups, got 6/,
  },
  {
    title: "a weight of 1000",
    check: assertForwardActions,
    resources: [forwardListener("l", weighted(1000, 0))],
    error: /weight 1000/,
  },
  {
    title: "a fractional weight",
    check: assertForwardActions,
    resources: [forwardListener("l", weighted(0.9, 0.1))],
    error: /weight 0\.9/,
  },
  {
    title: "weights that are all zero",
    check: assertForwardActions,
    resources: [forwardListener("l", weighted(0, 0))],
    error: /sends traffic nowhere/,
  },
  {
    title: "stickiness without a duration",
    check: assertForwardActions,
    resources: [forwardListener("l", { ...weighted(90, 10), stickiness: { enabled: true } })],
    error: /stickiness duration undefined/,
  },
  {
    title: "stickiness over seven days",
    check: assertForwardActions,
    resources: [
      forwardListener("l", { ...weighted(90, 10), stickiness: { enabled: true, duration: 604_801 } }),
    ],
    error: /stickiness duration 604801/,
  },
  {
    title: "two listeners on one port",
    check: assertListenerPortsUnique,
    resources: [listener("a", { port: 8443 }), listener("b", { port: 8443 })],
    error: /"b": port 8443 .* taken by .*"a"/,
  },
  {
    title: "an HTTPS listener without a certificate",
    check: assertListenerPortsUnique,
    resources: [listener("a", { protocol: "HTTPS", port: 443 })],
    error: /needs certificateArn/,
  },
  {
    title: "a health check timeout as long as its interval",
    check: assertTargetGroupsValid,
    resources: [targetGroup("tg", { healthCheck: { interval: 10, timeout: 10 } })],
    error: /timeout 10 must be shorter than interval 10/,
  },
  {
    title: "a 30-second period on AWS/ApplicationELB",
    check: assertAlarmsValid,
    resources: [metric({ period: 30 })],
    error: /period 30s on AWS\/ApplicationELB/,
  },
  {
    title: "a 45-second period anywhere",
    check: assertAlarmsValid,
    resources: [metric({ namespace: "Custom/Shop", period: 45 })],
    error: /period 45 must be 10, 20, 30 or a multiple of 60/,
  },
  {
    title: "a 30-second period inside metric math on AWS/Lambda",
    check: assertAlarmsValid,
    resources: [
      math([
        {
          ...query("m_a", false),
          metric: { ...query("m_a", false).metric, namespace: "AWS/Lambda", period: 30 },
        },
        { id: "e", expression: "m_a * 2", returnData: true },
      ]),
    ],
    error: /query m_a period 30s on AWS\/Lambda/,
  },
  {
    title: "more than a day of evaluation",
    check: assertAlarmsValid,
    resources: [metric({ period: 3_600, evaluationPeriods: 25 })],
    error: /90000s exceeds one day/,
  },
  {
    title: "more datapoints than evaluation periods",
    check: assertAlarmsValid,
    resources: [metric({ evaluationPeriods: 2, datapointsToAlarm: 3 })],
    error: /datapointsToAlarm 3/,
  },
  {
    title: "metric math returning two series",
    check: assertAlarmsValid,
    resources: [math([query("m_a", true), { id: "e", expression: "m_a * 2", returnData: true }])],
    error: /exactly one series .* got 2: m_a, e/,
  },
  {
    title: "metric math whose metrics leave returnData unset",
    check: assertAlarmsValid,
    resources: [
      math([
        { ...query("m_a", false), returnData: undefined },
        { id: "e", expression: "m_a * 2", returnData: true },
      ]),
    ],
    error: /exactly one series .* got 2/,
  },
  {
    title: "metric math returning nothing",
    check: assertAlarmsValid,
    resources: [math([query("m_a", false), { id: "e", expression: "m_a * 2", returnData: false }])],
    error: /got 0: none/,
  },
  {
    title: "metric math with a top-level statistic and metric name",
    check: assertAlarmsValid,
    resources: [
      math([query("m_a", false), { id: "e", expression: "m_a * 2", returnData: true }], {
        statistic: "Sum",
        metricName: "RequestCount",
      }),
    ],
    error: /no top-level metricName[\s\S]*no top-level statistic/,
  },
  {
    title: "an expression naming an unknown query",
    check: assertAlarmsValid,
    resources: [math([query("m_a", false), { id: "e", expression: "FILL(m_b, 0) / m_a", returnData: true }])],
    error: /references unknown query m_b/,
  },
  {
    title: "a composite rule naming an alarm that does not exist",
    check: assertAlarmsValid,
    resources: [
      metric({ name: "shop-unhealthy" }),
      composite('ALARM("shop-unhealthy") OR ALARM("shop-typo")'),
    ],
    error: /references "shop-typo"/,
  },
];

describe("awsRules", () => {
  for (const { title, check, resources, error } of failing) {
    it(`rejects ${title}`, () => {
      assert.throws(
        () => check(resources),
        (thrown: unknown) => thrown instanceof AssertionError && error.test(thrown.message),
      );
      assert.throws(() => assertAll(resources), AssertionError, "assertAll runs this rule too");
    });
  }

  it("accepts a valid ALB with weighted, sticky and redirect listeners", () => {
    const resources = [
      loadBalancer("shop-alb"),
      targetGroup("shop-blue", {
        healthCheck: { interval: 15, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 3 },
      }),
      targetGroup("shop-green"),
      forwardListener(
        "prod",
        { ...weighted(90, 10), stickiness: { enabled: true, duration: 300 } },
        { port: 443, protocol: "HTTPS", certificateArn: "arn:aws:acm:x" },
      ),
      forwardListener("test", weighted(0, 100), { port: 8443 }),
      listener("redirect", {
        port: 80,
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      }),
    ];
    assertAll(resources);
  });

  it("accepts auto-named alarms referenced by their generated names, and external alarms when listed", () => {
    const resources = [
      metric(),
      math([query("m_a", false), { id: "e", expression: "100 * FILL(m_a, 0) / m_a", returnData: true }]),
      composite(
        'ALARM("shop-unhealthy-1a2b3c4") OR ALARM("shop-error-rate-9f8e7d6") OR ALARM("team-orders")',
      ),
    ];
    assert.throws(() => assertAlarmsValid(resources), /"team-orders"/);
    assertAlarmsValid(resources, ["team-orders"]);
  });

  it("names every violating resource in one error", () => {
    assert.throws(
      () =>
        assertForwardActions([
          forwardListener("one", weighted(0, 0)),
          forwardListener("two", weighted(1000, 1)),
        ]),
      (thrown: unknown) =>
        thrown instanceof AssertionError &&
        /2 violation/.test(thrown.message) &&
        /"one"/.test(thrown.message) &&
        /"two"/.test(thrown.message),
    );
  });
});
