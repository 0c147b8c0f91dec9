/**
 * Builders of the plain resources the rules read, shaped as the program declares them
 * (components/albBlueGreen.ts, albColourAlarms.ts, lambdaBlueGreen.ts, lambdaColourAlarms.ts).
 */
import { Colour, PolicyInput, PropertyMap, PropertyValue } from "../../infra/policy/rules";

/** A resource with a test URN. */
export function resource(
  type: string,
  name: string,
  props: PropertyMap,
  dependencies?: readonly string[],
): PolicyInput {
  return {
    type,
    urn: `urn:pulumi:test::bluegreen::${type}::${name}`,
    name,
    props,
    ...(dependencies !== undefined ? { dependencies } : {}),
  };
}

/** Replaces properties of a resource. */
export function withProps(input: PolicyInput, props: PropertyMap): PolicyInput {
  return { ...input, props: { ...input.props, ...props } };
}

/** The `TargetGroup` dimension of a colour's group. */
export function suffixOf(colour: Colour): string {
  return `targetgroup/shop-${colour}-a1b2c3d/73e2d6bc24d8a06${colour === "blue" ? 7 : 8}`;
}

/** A colour's target group, tagged as AlbBlueGreen tags it, with its outputs. */
export function targetGroup(colour: Colour, props: PropertyMap = {}): PolicyInput {
  return resource("aws:lb/targetGroup:TargetGroup", `shop-${colour}`, {
    tags: { service: "shop", "bluegreen:colour": colour },
    arnSuffix: suffixOf(colour),
    ...props,
  });
}

const albDimensions = (colour: Colour): PropertyMap => ({
  LoadBalancer: "app/shop-alb-a1b2c3d/50dc6c495c0c9188",
  TargetGroup: suffixOf(colour),
});

/** A colour's error-rate alarm on 100 * target 5XX / requests, 5% over 2 × 1 minute. */
export function albErrorRateAlarm(
  colour: Colour,
  props: PropertyMap = {},
  dimensions: PropertyValue = albDimensions(colour),
  dependencies?: readonly string[],
): PolicyInput {
  const metric = (metricName: string): PropertyMap => ({
    namespace: "AWS/ApplicationELB",
    metricName,
    stat: "Sum",
    period: 60,
    dimensions,
  });
  return resource(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    `shop-dev-${colour}-error-rate`,
    {
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 2,
      metricQueries: [
        { id: "m_5xx", returnData: false, metric: metric("HTTPCode_Target_5XX_Count") },
        { id: "m_req", returnData: false, metric: metric("RequestCount") },
        { id: "error_rate", expression: "100 * FILL(m_5xx, 0) / m_req", returnData: true },
      ],
      treatMissingData: "missing",
      tags: { "bluegreen:colour": colour },
      ...props,
    },
    dependencies,
  );
}

/** A colour's p95 TargetResponseTime alarm, 3 s over 1 minute. */
export function albLatencyAlarm(
  colour: Colour,
  props: PropertyMap = {},
  dimensions: PropertyValue = albDimensions(colour),
  dependencies?: readonly string[],
): PolicyInput {
  return resource(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    `shop-dev-${colour}-latency-p95`,
    {
      comparisonOperator: "GreaterThanThreshold",
      threshold: 3,
      evaluationPeriods: 1,
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      extendedStatistic: "p95",
      period: 60,
      dimensions,
      tags: { "bluegreen:colour": colour },
      ...props,
    },
    dependencies,
  );
}

/** Both colours' target groups and alarms, as an ECS stack at its defaults declares them. */
export function albStack(): PolicyInput[] {
  return (["blue", "green"] as const).flatMap((colour) => [
    targetGroup(colour),
    albErrorRateAlarm(colour),
    albLatencyAlarm(colour),
  ]);
}

/** A colour's published version: an `AWS::Lambda::Version` through Cloud Control. */
export function lambdaVersion(colour: Colour, published: PropertyValue): PolicyInput {
  return resource("aws:cloudcontrol/resource:Resource", `orders-dev-${colour}`, {
    typeName: "AWS::Lambda::Version",
    desiredState: JSON.stringify({ FunctionName: "orders-dev", Description: `bluegreen ${colour} 2.3.0` }),
    properties:
      typeof published === "string"
        ? JSON.stringify({
            FunctionName: "orders-dev",
            Version: published,
            Description: `bluegreen ${colour} 2.3.0`,
          })
        : published,
  });
}

const lambdaDimensions = (version: string): PropertyMap => ({
  FunctionName: "orders-dev",
  Resource: "orders-dev:live",
  ExecutedVersion: version,
});

/** A version's error-rate alarm on 100 * Errors / Invocations, 5% over 2 × 1 minute. */
export function lambdaErrorRateAlarm(
  colour: Colour,
  dimensions: PropertyValue,
  props: PropertyMap = {},
  dependencies?: readonly string[],
): PolicyInput {
  const metric = (metricName: string): PropertyMap => ({
    namespace: "AWS/Lambda",
    metricName,
    stat: "Sum",
    period: 60,
    dimensions,
  });
  return resource(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    `orders-dev-${colour}-error-rate`,
    {
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 2,
      metricQueries: [
        { id: "errors", metric: metric("Errors"), returnData: false },
        { id: "invocations", metric: metric("Invocations"), returnData: false },
        { id: "error_rate", expression: "100 * FILL(errors, 0) / invocations", returnData: true },
      ],
      ...props,
    },
    dependencies,
  );
}

/** A version's p95 Duration alarm: 3000 ms over 1 minute. */
export function lambdaDurationAlarm(
  colour: Colour,
  dimensions: PropertyValue,
  props: PropertyMap = {},
  dependencies?: readonly string[],
): PolicyInput {
  return resource(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    `orders-dev-${colour}-duration-p95`,
    {
      comparisonOperator: "GreaterThanThreshold",
      threshold: 3000,
      evaluationPeriods: 1,
      namespace: "AWS/Lambda",
      metricName: "Duration",
      extendedStatistic: "p95",
      period: 60,
      dimensions,
      ...props,
    },
    dependencies,
  );
}

/** Both colours' versions (published as 1 and 2) and their alarms, as a Lambda stack declares them. */
export function lambdaStack(): PolicyInput[] {
  return (["blue", "green"] as const).flatMap((colour, index) => {
    const version = String(index + 1);
    return [
      lambdaVersion(colour, version),
      lambdaErrorRateAlarm(colour, lambdaDimensions(version)),
      lambdaDurationAlarm(colour, lambdaDimensions(version)),
    ];
  });
}

/** Replaces the resource of the same type and name in a stack. */
export function replace(stack: readonly PolicyInput[], replacement: PolicyInput): PolicyInput[] {
  return stack.map((entry) =>
    entry.type === replacement.type && entry.name === replacement.name ? replacement : entry,
  );
}

/** Removes the resource of a type and name from a stack. */
export function remove(stack: readonly PolicyInput[], type: string, name: string): PolicyInput[] {
  return stack.filter((entry) => !(entry.type === type && entry.name === name));
}
