import assert from "node:assert/strict";
import {
  PolicyInput,
  PropertyMap,
  SOP_LIMITS,
  SopLimits,
  UNKNOWN,
  colourAlarmViolations,
} from "../../infra/policy/rules";
import {
  albErrorRateAlarm,
  albLatencyAlarm,
  albStack,
  lambdaDurationAlarm,
  lambdaErrorRateAlarm,
  lambdaStack,
  lambdaVersion,
  remove,
  replace,
  suffixOf,
  targetGroup,
} from "./fixtures";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ALB_ERROR_FIX =
  /Fix: keep bluegreen:alarms\.errorRate enabled with threshold at most 5 and period × datapointsToAlarm at most 2m, or alarm on 100 \* HTTPCode_Target_5XX_Count \/ RequestCount with the group's TargetGroup dimension\.$/;
const ALB_LATENCY_FIX =
  /Fix: keep bluegreen:alarms\.latencyP95 enabled with threshold at most 3 and period × datapointsToAlarm at most 1m, or alarm on p95 TargetResponseTime with the group's TargetGroup dimension\.$/;

const blueErrorWithin = (problem: string) =>
  new RegExp(
    `^target group "shop-blue" \\(blue\\) has no error-rate alarm within the SOP \\(error rate above 5% for at most 120 s\\): alarm "shop-dev-blue-error-rate": ${problem}\\. Fix:`,
  );
const blueLatencyWithin = (problem: string) =>
  new RegExp(
    `^target group "shop-blue" \\(blue\\) has no latency alarm within the SOP \\(p95 latency above 3 s for at most 60 s\\): alarm "shop-dev-blue-latency-p95": ${problem}\\. Fix:`,
  );
const missing = (subject: string, kind: string) =>
  new RegExp(`^${subject} has no ${kind} alarm, so nothing reverts a rollout when it breaches the SOP`);

const errorMetrics = (period: number, expression = "100 * FILL(m_5xx, 0) / m_req") => {
  const metric = (metricName: string) => ({
    namespace: "AWS/ApplicationELB",
    metricName,
    stat: "Sum",
    period,
    dimensions: { TargetGroup: suffixOf("blue") },
  });
  return [
    { id: "m_5xx", returnData: false, metric: metric("HTTPCode_Target_5XX_Count") },
    { id: "m_req", returnData: false, metric: metric("RequestCount") },
    { id: "error_rate", expression, returnData: true },
  ];
};

/** Both target groups unknown, as in a first preview, and alarms whose dimensions are unknown too. */
function previewStack(link: "dependency" | "tag" | "none"): PolicyInput[] {
  return (["blue", "green"] as const).flatMap((colour) => {
    const group = targetGroup(colour, { arnSuffix: UNKNOWN });
    const dependencies = link === "dependency" ? [group.urn] : [];
    const tags = link === "tag" ? { "bluegreen:colour": colour } : {};
    return [
      group,
      albErrorRateAlarm(colour, { tags }, UNKNOWN, dependencies),
      albLatencyAlarm(colour, { tags }, { TargetGroup: UNKNOWN }, dependencies),
    ];
  });
}

const lambdaPreview = (linked: boolean): PolicyInput[] =>
  (["blue", "green"] as const).flatMap((colour) => {
    const version = lambdaVersion(colour, UNKNOWN);
    const dimensions: PropertyMap = {
      FunctionName: "orders-dev",
      Resource: "orders-dev:live",
      ExecutedVersion: UNKNOWN,
    };
    const dependencies = linked ? [version.urn] : [];
    return [
      version,
      lambdaErrorRateAlarm(colour, dimensions, {}, dependencies),
      lambdaDurationAlarm(colour, dimensions, {}, dependencies),
    ];
  });

interface Case {
  readonly name: string;
  readonly stack: () => PolicyInput[];
  readonly limits?: SopLimits;
  /** One pattern per expected violation, in order. */
  readonly expected: readonly RegExp[];
}

const cases: Case[] = [
  { name: "an ALB stack at the SOP's defaults", stack: albStack, expected: [] },
  {
    name: "an error-rate threshold of 5.5%",
    stack: () => replace(albStack(), albErrorRateAlarm("blue", { threshold: 5.5 })),
    expected: [blueErrorWithin("its threshold 5.5% is above the SOP's 5%")],
  },
  {
    name: "an error rate written as a fraction, 0.05",
    stack: () =>
      replace(
        albStack(),
        albErrorRateAlarm("blue", { threshold: 0.05, metricQueries: errorMetrics(60, "m_5xx / m_req") }),
      ),
    expected: [],
  },
  {
    name: "an error rate written as a fraction, 0.1",
    stack: () =>
      replace(
        albStack(),
        albErrorRateAlarm("blue", { threshold: 0.1, metricQueries: errorMetrics(60, "m_5xx / m_req") }),
      ),
    expected: [blueErrorWithin("its threshold 10% is above the SOP's 5%")],
  },
  {
    name: "an error rate sustained for 3 minutes",
    stack: () => replace(albStack(), albErrorRateAlarm("blue", { evaluationPeriods: 3 })),
    expected: [
      blueErrorWithin(
        "it needs 180 s of breach to fire \\(60 s × 3 datapoint\\(s\\)\\), longer than the SOP's 120 s",
      ),
    ],
  },
  {
    name: "2 of 5 datapoints: fires after 2 minutes",
    stack: () =>
      replace(albStack(), albErrorRateAlarm("blue", { evaluationPeriods: 5, datapointsToAlarm: 2 })),
    expected: [],
  },
  {
    name: "5-minute periods",
    stack: () => replace(albStack(), albErrorRateAlarm("blue", { metricQueries: errorMetrics(300) })),
    expected: [
      blueErrorWithin(
        "it needs 600 s of breach to fire \\(300 s × 2 datapoint\\(s\\)\\), longer than the SOP's 120 s",
      ),
    ],
  },
  {
    name: "an alarm that fires when the rate falls",
    stack: () => replace(albStack(), albErrorRateAlarm("blue", { comparisonOperator: "LessThanThreshold" })),
    expected: [
      blueErrorWithin("it fires on LessThanThreshold, not when the value rises above the threshold"),
    ],
  },
  {
    name: "no error-rate alarm for green",
    stack: () => remove(albStack(), ALARM, "shop-dev-green-error-rate"),
    expected: [missing('target group "shop-green" \\(green\\)', "error-rate")],
  },
  {
    name: "blue's error-rate alarm reading green's group (its tag says blue)",
    stack: () => replace(albStack(), albErrorRateAlarm("blue", {}, { TargetGroup: suffixOf("green") })),
    expected: [missing('target group "shop-blue" \\(blue\\)', "error-rate")],
  },
  {
    name: "a 5XX count instead of a rate",
    stack: () =>
      replace(
        albStack(),
        albErrorRateAlarm("blue", {
          metricQueries: [],
          namespace: "AWS/ApplicationELB",
          metricName: "HTTPCode_Target_5XX_Count",
          statistic: "Sum",
          period: 60,
          dimensions: { TargetGroup: suffixOf("blue") },
        }),
      ),
    expected: [missing('target group "shop-blue" \\(blue\\)', "error-rate")],
  },
  {
    name: "a latency threshold of 4 s",
    stack: () => replace(albStack(), albLatencyAlarm("blue", { threshold: 4 })),
    expected: [blueLatencyWithin("its threshold 4 s is above the SOP's 3 s")],
  },
  {
    name: "latency judged at p90",
    stack: () => replace(albStack(), albLatencyAlarm("blue", { extendedStatistic: "p90" })),
    expected: [blueLatencyWithin("it judges p90, not p95 or a higher percentile")],
  },
  {
    name: "latency judged at p99",
    stack: () => replace(albStack(), albLatencyAlarm("blue", { extendedStatistic: "p99" })),
    expected: [],
  },
  {
    name: "latency judged at the maximum",
    stack: () =>
      replace(albStack(), albLatencyAlarm("blue", { extendedStatistic: undefined, statistic: "Maximum" })),
    expected: [],
  },
  {
    name: "latency judged on average",
    stack: () =>
      replace(albStack(), albLatencyAlarm("blue", { extendedStatistic: undefined, statistic: "Average" })),
    expected: [blueLatencyWithin("it judges Average, not p95 or a higher percentile")],
  },
  {
    name: "latency sustained for 2 minutes",
    stack: () => replace(albStack(), albLatencyAlarm("blue", { evaluationPeriods: 2 })),
    expected: [
      blueLatencyWithin(
        "it needs 120 s of breach to fire \\(60 s × 2 datapoint\\(s\\)\\), longer than the SOP's 60 s",
      ),
    ],
  },
  {
    name: "no latency alarm at all",
    stack: () =>
      remove(remove(albStack(), ALARM, "shop-dev-blue-latency-p95"), ALARM, "shop-dev-green-latency-p95"),
    expected: [
      missing('target group "shop-blue" \\(blue\\)', "latency"),
      missing('target group "shop-green" \\(green\\)', "latency"),
    ],
  },
  {
    name: "a target group that is no colour's",
    stack: () => [targetGroup("blue", { tags: { service: "shop" } })],
    expected: [],
  },
  {
    name: "outputs as stack validation reads them: unset fields empty or zero, the suffix only in the ARN",
    stack: () => [
      targetGroup("blue", {
        arnSuffix: undefined,
        arn: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:${suffixOf("blue")}`,
      }),
      albErrorRateAlarm("blue", {
        namespace: "",
        metricName: "",
        period: 0,
        statistic: "",
        datapointsToAlarm: 0,
      }),
      albLatencyAlarm("blue", { metricQueries: [], statistic: "", datapointsToAlarm: 0 }),
    ],
    expected: [],
  },
  {
    name: "a first preview: alarms tied to their groups by dependency",
    stack: () => previewStack("dependency"),
    expected: [],
  },
  {
    name: "a first preview: alarms tied to their groups by colour tag",
    stack: () => previewStack("tag"),
    expected: [],
  },
  {
    name: "a first preview: alarms tied to nothing",
    stack: () => previewStack("none"),
    expected: [
      missing('target group "shop-blue" \\(blue\\)', "error-rate"),
      missing('target group "shop-blue" \\(blue\\)', "latency"),
      missing('target group "shop-green" \\(green\\)', "error-rate"),
      missing('target group "shop-green" \\(green\\)', "latency"),
    ],
  },
  { name: "a Lambda stack at the SOP's defaults", stack: lambdaStack, expected: [] },
  {
    name: "a Lambda duration threshold of 3500 ms",
    stack: () =>
      replace(
        lambdaStack(),
        lambdaDurationAlarm(
          "blue",
          { FunctionName: "orders-dev", Resource: "orders-dev:live", ExecutedVersion: "1" },
          { threshold: 3500 },
        ),
      ),
    expected: [
      /^Lambda version "orders-dev-blue" \(blue\) has no latency alarm within the SOP \(p95 latency above 3 s for at most 60 s\): alarm "orders-dev-blue-duration-p95": its threshold 3\.5 s is above the SOP's 3 s\. Fix: keep bluegreen:alarms\.lambdaDurationP95 enabled/,
    ],
  },
  {
    name: "a Lambda error-rate alarm on the other version",
    stack: () =>
      replace(
        lambdaStack(),
        lambdaErrorRateAlarm("green", {
          FunctionName: "orders-dev",
          Resource: "orders-dev:live",
          ExecutedVersion: "1",
        }),
      ),
    expected: [
      /^Lambda version "orders-dev-green" \(green\) has no error-rate alarm, so nothing reverts .*Fix: keep bluegreen:alarms\.lambdaErrorRate enabled .*with the version's FunctionName and ExecutedVersion dimensions\.$/,
    ],
  },
  {
    name: "a first Lambda preview: alarms that depend on their versions",
    stack: () => lambdaPreview(true),
    expected: [],
  },
  {
    name: "a first Lambda preview: alarms tied to nothing",
    stack: () => lambdaPreview(false),
    expected: [
      missing('Lambda version "orders-dev-blue" \\(blue\\)', "error-rate"),
      missing('Lambda version "orders-dev-blue" \\(blue\\)', "latency"),
      missing('Lambda version "orders-dev-green" \\(green\\)', "error-rate"),
      missing('Lambda version "orders-dev-green" \\(green\\)', "latency"),
    ],
  },
  {
    name: "limits stricter than the SOP: 2%",
    stack: albStack,
    limits: { ...SOP_LIMITS, maxErrorRatePercent: 2 },
    expected: [
      /^target group "shop-blue" \(blue\) has no error-rate alarm within the SOP \(error rate above 2% for at most 120 s\): alarm "shop-dev-blue-error-rate": its threshold 5% is above the SOP's 2%\. Fix: keep bluegreen:alarms\.errorRate enabled with threshold at most 2 /,
      /^target group "shop-green" \(green\) has no error-rate alarm within the SOP/,
    ],
  },
];

describe("rule: colour alarms", () => {
  for (const { name, stack, limits, expected } of cases) {
    it(`${name}: ${expected.length === 0 ? "complies" : `${expected.length} violation(s)`}`, () => {
      const resources = stack();
      const violations = colourAlarmViolations(resources, limits);
      const found = violations.map((violation) => violation.message);
      assert.equal(found.length, expected.length, found.join("\n"));
      expected.forEach((pattern, index) => assert.match(found[index], pattern));
      for (const violation of violations) {
        assert.ok(
          resources.some((resource) => resource.urn === violation.urn),
          violation.urn,
        );
        assert.match(violation.message, /\. Fix: .+\.$/);
      }
    });
  }

  it("names each SOP fix for the ALB alarms", () => {
    const [errorRate, latency] = colourAlarmViolations(
      remove(remove(albStack(), ALARM, "shop-dev-blue-error-rate"), ALARM, "shop-dev-blue-latency-p95"),
    );
    assert.match(errorRate.message, ALB_ERROR_FIX);
    assert.match(latency.message, ALB_LATENCY_FIX);
  });
});
