import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  LambdaColourAlarms,
  LambdaColourAlarmsArgs,
  compositeRule,
} from "../../components/lambdaColourAlarms";
import { lambdaThresholds, settled } from "../support/lambdaFixtures";
import { RecordedResource, resetResources, resourceNamed, resources, valueOf } from "../support/pulumi-mocks";

const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";

function args(overrides: Partial<LambdaColourAlarmsArgs> = {}): LambdaColourAlarmsArgs {
  return {
    colour: "green",
    functionName: "checkout",
    aliasName: "live",
    version: "7",
    thresholds: lambdaThresholds(),
    ...overrides,
  };
}

async function deploy(
  name: string,
  overrides: Partial<LambdaColourAlarmsArgs> = {},
): Promise<LambdaColourAlarms> {
  const component = new LambdaColourAlarms(name, args(overrides));
  await settled(component.compositeAlarmName, component.memberAlarmNames);
  return component;
}

function alarm(name: string): RecordedResource["inputs"] {
  return resourceNamed(METRIC_ALARM, name).inputs;
}

function thrownBy(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  assert.fail("expected the component to reject its arguments");
}

/** The recorded shape of one `metricQueries` entry. */
interface MetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly returnData?: boolean;
  readonly metric?: Record<string, unknown>;
}

const VERSION_DIMENSIONS = { FunctionName: "checkout", Resource: "checkout:live", ExecutedVersion: "7" };

describe("LambdaColourAlarms", () => {
  it("judges the error rate with metric math over the colour's executed version", async () => {
    await deploy("checkout-green");
    const errorRate = alarm("checkout-green-error-rate");
    assert.equal(errorRate.comparisonOperator, "GreaterThanThreshold");
    assert.equal(errorRate.threshold, 5);
    assert.equal(errorRate.evaluationPeriods, 2);
    assert.equal(errorRate.treatMissingData, "missing");
    assert.equal(errorRate.metricName, undefined, "a metric-math alarm names no metric of its own");

    const queries = errorRate.metricQueries as MetricQuery[];
    const returned = queries.filter((query) => query.returnData === true);
    assert.equal(returned.length, 1, "CloudWatch requires exactly one returned series");
    assert.equal(returned[0].expression, "100 * FILL(errors, 0) / invocations");
    const byId = Object.fromEntries(queries.map((query) => [query.id, query]));
    for (const [id, metricName] of [
      ["errors", "Errors"],
      ["invocations", "Invocations"],
    ]) {
      assert.equal(byId[id].returnData, false);
      assert.deepEqual(byId[id].metric, {
        namespace: "AWS/Lambda",
        metricName,
        stat: "Sum",
        period: 60,
        dimensions: VERSION_DIMENSIONS,
      });
    }
  });

  it("counts throttles of the executed version, treating a missing point as none throttled", async () => {
    await deploy("checkout-green");
    const throttles = alarm("checkout-green-throttles");
    assert.equal(throttles.namespace, "AWS/Lambda");
    assert.equal(throttles.metricName, "Throttles");
    assert.equal(throttles.statistic, "Sum");
    assert.equal(throttles.threshold, 0);
    assert.equal(throttles.period, 60);
    assert.deepEqual(throttles.dimensions, VERSION_DIMENSIONS);
    assert.equal(throttles.treatMissingData, "notBreaching");
  });

  it("judges p95 duration in milliseconds, as Lambda publishes it", async () => {
    await deploy("checkout-green", {
      thresholds: lambdaThresholds({
        lambdaDurationP95: { threshold: 2.5, period: 120, evaluationPeriods: 3 },
      }),
    });
    const duration = alarm("checkout-green-duration-p95");
    assert.equal(duration.metricName, "Duration");
    assert.equal(duration.extendedStatistic, "p95");
    assert.equal(duration.statistic, undefined);
    assert.equal(duration.threshold, 2500);
    assert.equal(duration.period, 120);
    assert.equal(duration.evaluationPeriods, 3);
    assert.deepEqual(duration.dimensions, VERSION_DIMENSIONS);
    assert.equal(duration.treatMissingData, "missing");
  });

  it("puts each colour's own version in its dimensions", async () => {
    await deploy("checkout-blue", { colour: "blue", version: "6" });
    await deploy("checkout-green", { colour: "green", version: "7", aliasName: pulumi.output("live") });
    assert.equal(alarm("checkout-blue-throttles").dimensions.ExecutedVersion, "6");
    assert.equal(alarm("checkout-green-throttles").dimensions.ExecutedVersion, "7");
    assert.equal(alarm("checkout-green-throttles").dimensions.Resource, "checkout:live");
  });

  it("passes datapointsToAlarm through when given", async () => {
    await deploy("checkout-green", {
      thresholds: lambdaThresholds({ lambdaErrorRate: { evaluationPeriods: 3, datapointsToAlarm: 2 } }),
    });
    assert.equal(alarm("checkout-green-error-rate").datapointsToAlarm, 2);
    assert.equal(alarm("checkout-green-throttles").datapointsToAlarm, undefined);
  });

  it("raises a composite that is in ALARM when any member is, and notifies only through it", async () => {
    const topic = "arn:aws:sns:eu-west-1:123456789012:deployments";
    const component = await deploy("checkout-green", { alarmActions: [topic] });
    const members = await valueOf(component.memberAlarmNames);
    assert.equal(members.length, 3);
    const composite = resourceNamed(COMPOSITE, "checkout-green-composite").inputs;
    assert.equal(composite.alarmName, "checkout-green");
    assert.equal(composite.alarmRule, members.map((name) => `ALARM("${name}")`).join(" OR "));
    assert.deepEqual(composite.alarmActions, [topic]);
    assert.equal(composite.actionsEnabled, true);
    for (const name of ["error-rate", "throttles", "duration-p95"]) {
      assert.equal(alarm(`checkout-green-${name}`).alarmActions, undefined);
    }
    assert.equal(await valueOf(component.compositeAlarmName), "checkout-green");
  });

  it("takes an explicit composite alarm name", async () => {
    const component = await deploy("checkout-green", { compositeAlarmName: "prod-checkout-green" });
    assert.equal(await valueOf(component.compositeAlarmName), "prod-checkout-green");
  });

  const disabledCases = [
    { key: "lambdaErrorRate", child: "error-rate" },
    { key: "lambdaThrottles", child: "throttles" },
    { key: "lambdaDurationP95", child: "duration-p95" },
  ] as const;
  for (const { key, child } of disabledCases) {
    it(`creates no ${child} alarm when ${key} is disabled, and leaves it out of the composite`, async () => {
      const component = await deploy("checkout-green", {
        thresholds: lambdaThresholds({ [key]: { enabled: false } }),
      });
      const names = resources()
        .filter((r) => r.type === METRIC_ALARM)
        .map((r) => r.name);
      assert.equal(names.length, 2);
      assert.ok(!names.includes(`checkout-green-${child}`));
      const members = await valueOf(component.memberAlarmNames);
      assert.equal(members.length, 2);
      assert.equal(
        resourceNamed(COMPOSITE, "checkout-green-composite").inputs.alarmRule,
        compositeRule(members),
      );
    });
  }

  describe("validation", () => {
    const cases: { why: string; thresholds: LambdaColourAlarmsArgs["thresholds"]; message: RegExp }[] = [
      {
        why: "a 30-second period on one-minute metrics",
        thresholds: {
          ...lambdaThresholds(),
          lambdaThrottles: { enabled: true, threshold: 0, period: 30, evaluationPeriods: 1 },
        },
        message:
          /thresholds\.lambdaThrottles\.period is 30s; AWS publishes these metrics once a minute.*multiple of 60s/,
      },
      {
        why: "an evaluation window over one day",
        thresholds: {
          ...lambdaThresholds(),
          lambdaDurationP95: { enabled: true, threshold: 3, period: 3600, evaluationPeriods: 25 },
        },
        message: /thresholds\.lambdaDurationP95: period x evaluationPeriods is 90000s/,
      },
      {
        why: "an error rate above 100%",
        thresholds: {
          ...lambdaThresholds(),
          lambdaErrorRate: { enabled: true, threshold: 150, period: 60, evaluationPeriods: 2 },
        },
        message: /cannot exceed 100%, got 150/,
      },
      {
        why: "more data points than evaluation periods",
        thresholds: {
          ...lambdaThresholds(),
          lambdaErrorRate: {
            enabled: true,
            threshold: 5,
            period: 60,
            evaluationPeriods: 2,
            datapointsToAlarm: 3,
          },
        },
        message:
          /thresholds\.lambdaErrorRate\.datapointsToAlarm is 3; expected a whole number from 1 to evaluationPeriods \(2\)/,
      },
      {
        why: "every alarm disabled",
        thresholds: lambdaThresholds({
          lambdaErrorRate: { enabled: false },
          lambdaThrottles: { enabled: false },
          lambdaDurationP95: { enabled: false },
        }),
        message: /every Lambda alarm is disabled/,
      },
    ];
    for (const { why, thresholds, message } of cases) {
      it(`rejects ${why}`, () => {
        const error = thrownBy(() => new LambdaColourAlarms("checkout-green", args({ thresholds })));
        assert.ok(pulumi.ResourceError.isInstance(error));
        assert.match(error.message, message);
      });
    }

    it("rejects a name that would break the composite rule", () => {
      const error = thrownBy(() => new LambdaColourAlarms('checkout "green"', args()));
      assert.match(
        error.message,
        /the component name cannot contain a double quote .*got "checkout \\"green\\""/,
      );
    });
  });

  describe("naming and parenting", () => {
    it("derives every alarm's name from the component name, the same on every run", async () => {
      await deploy("checkout-green");
      const first = resources().map((r) => `${r.type}::${r.name}`);
      resetResources();
      await deploy("checkout-green", { version: "8" });
      const second = resources().map((r) => `${r.type}::${r.name}`);
      assert.deepEqual(second.sort(), first.sort());
      assert.deepEqual(first.filter((n) => !n.startsWith("bluegreen:")).sort(), [
        `${COMPOSITE}::checkout-green-composite`,
        `${METRIC_ALARM}::checkout-green-duration-p95`,
        `${METRIC_ALARM}::checkout-green-error-rate`,
        `${METRIC_ALARM}::checkout-green-throttles`,
      ]);
    });

    it("parents every alarm to the component", async () => {
      const component = await deploy("checkout-green");
      for (const child of [...component.memberAlarms, component.compositeAlarm]) {
        assert.match(await valueOf(child.urn), /bluegreen:aws:LambdaColourAlarms\$/);
      }
    });
  });
});
