/**
 * The guardian's real connections, built from its target alone: the control table through the
 * DynamoDB control channel, the routing through the same AWS traffic routers the driver uses, and
 * the SNS topic when the target names one. Shared by the Lambda handler and `bluegreen guardian`,
 * so both act through exactly the same code. It reads no environment: the caller hands the target.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SNSClient } from "@aws-sdk/client-sns";
import { awsClient } from "../adapters/aws/clients";
import { EcsCapacityScaler } from "../adapters/aws/ecs-capacity-scaler";
import { type AwsRouterSources, awsRouterFactories } from "../adapters/aws/routers";
import { DynamoControlChannel } from "../adapters/control/dynamoControlChannel";
import { DynamoHistoryStore } from "../adapters/control/dynamoHistoryStore";
import type { Notifier } from "../adapters/notify/notifier";
import { SnsTopicNotifier } from "../adapters/notify/snsTopic";
import { SystemClock } from "../adapters/systemClock";
import type { TrafficRouter } from "../ports";
import type { GuardianDeps } from "./guardian";
import type { AlbRouting, Colour, GuardianTarget, LambdaRouting } from "../../components/domain";

/**
 * The guardian never runs a pre-traffic check (it only takes traffic away from the candidate);
 * the routers need one configured, so it is a disabled one.
 */
const NO_PRE_TRAFFIC_CHECK: AwsRouterSources["preTrafficCheck"] = {
  paths: [{ path: "/", expectStatus: 200 }],
  payload: "{}",
  timeout: 5,
  attempts: 1,
  enabled: false,
};

/** The guardian's ports for `target`, over real AWS SDK clients of the target's region. */
export function guardianDeps(target: GuardianTarget): GuardianDeps {
  const dynamo = awsClient(DynamoDBClient, target.region);
  const record = new DynamoControlChannel({
    client: dynamo,
    table: target.controlTableName,
    owner: `guardian-${target.stack}`,
  });
  return {
    target,
    record,
    router: (stable) => guardianRouter(target, stable),
    ...notifierOf(target),
    ...(target.idle === undefined
      ? {}
      : {
          idle: {
            control: record,
            scaler: new EcsCapacityScaler(awsClient(ECSClient, target.region), target.idle),
            capacity: target.idle.capacity,
            history: {
              store: new DynamoHistoryStore({ client: dynamo, table: target.controlTableName }),
              stack: target.stack,
              service: target.service,
              region: target.region,
              who: `guardian of ${target.service}-${target.stack}`,
            },
          },
        }),
    clock: new SystemClock(),
  };
}

/**
 * The router of the target's routing. A Lambda alias keeps the stable colour as its primary
 * version; with no run recorded the router is only read, and the colour does not matter to a read.
 */
export function guardianRouter(target: GuardianTarget, stable: Colour | undefined): TrafficRouter {
  const routing = target.routing;
  const factories = awsRouterFactories({
    region: target.region,
    preTrafficCheck: NO_PRE_TRAFFIC_CHECK,
    alb: routing as AlbRouting,
    lambda: { routing: routing as LambdaRouting, stable: stable ?? "blue" },
  });
  return routing.kind === "alb" ? factories.alb() : factories.lambda();
}

function notifierOf(target: GuardianTarget): { notifier?: Notifier } {
  if (target.notificationTopicArn === undefined) return {};
  try {
    return {
      notifier: new SnsTopicNotifier({
        client: awsClient(SNSClient, target.region),
        topicArn: target.notificationTopicArn,
      }),
    };
  } catch {
    // A topic ARN SNS would refuse only loses the announcement, never the revert.
    return {};
  }
}
