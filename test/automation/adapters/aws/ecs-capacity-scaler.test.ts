import assert from "node:assert/strict";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { EcsCapacityScaler } from "../../../../automation/adapters/aws/ecs-capacity-scaler";
import { awsClient } from "../../../../automation/adapters/aws/clients";

const CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/checkout-prod";
const SERVICES = {
  cluster: CLUSTER,
  serviceNames: { blue: "checkout-blue-a1b2c3d", green: "checkout-green-a1b2c3d" },
};

describe("EcsCapacityScaler", () => {
  const ecs = mockClient(ECSClient);
  beforeEach(() => ecs.reset());
  const scaler = () => new EcsCapacityScaler(awsClient(ECSClient, "eu-west-1"), SERVICES);

  const cases: {
    name: string;
    service: { desiredCount: number; runningCount: number; deployments: number };
    expect: { desired: number; running: number; ready: number };
  }[] = [
    {
      name: "steady at 2",
      service: { desiredCount: 2, runningCount: 2, deployments: 1 },
      expect: { desired: 2, running: 2, ready: 2 },
    },
    {
      name: "scaled to 0",
      service: { desiredCount: 0, runningCount: 0, deployments: 1 },
      expect: { desired: 0, running: 0, ready: 0 },
    },
    {
      name: "starting: 1 of 2",
      service: { desiredCount: 2, runningCount: 1, deployments: 1 },
      expect: { desired: 2, running: 1, ready: 0 },
    },
    {
      name: "a deployment in progress",
      service: { desiredCount: 2, runningCount: 2, deployments: 2 },
      expect: { desired: 2, running: 2, ready: 0 },
    },
  ];
  for (const { name, service, expect } of cases) {
    it(`capacity: ${name}`, async () => {
      ecs.on(DescribeServicesCommand, { cluster: CLUSTER, services: ["checkout-green-a1b2c3d"] }).resolves({
        services: [
          {
            serviceName: "checkout-green-a1b2c3d",
            desiredCount: service.desiredCount,
            runningCount: service.runningCount,
            deployments: Array.from({ length: service.deployments }, (_, index) => ({
              id: `ecs-svc/${index}`,
            })),
          },
        ],
      });
      assert.deepEqual(await scaler().capacity("green"), expect);
    });
  }

  it("a missing service names it, the cluster and ECS's reason", async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [
        {
          arn: "arn:aws:ecs:eu-west-1:123456789012:service/checkout-prod/checkout-blue-a1b2c3d",
          reason: "MISSING",
        },
      ],
    });
    await assert.rejects(
      scaler().capacity("blue"),
      /ECS service checkout-blue-a1b2c3d not found in cluster .*checkout-prod \(MISSING\)/,
    );
  });

  it("scale sets the colour's desired count with UpdateService and nothing else", async () => {
    ecs.on(UpdateServiceCommand).resolves({});
    await scaler().scale("blue", 0);
    const calls = ecs.commandCalls(UpdateServiceCommand);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].args[0].input, {
      cluster: CLUSTER,
      service: "checkout-blue-a1b2c3d",
      desiredCount: 0,
    });
  });

  it("refuses a count ECS would refuse, without calling it", async () => {
    await assert.rejects(scaler().scale("blue", -1), /a task count is a whole number of at least 0, got -1/);
    assert.equal(ecs.commandCalls(UpdateServiceCommand).length, 0);
  });

  it("makes one attempt per call: a throttle reaches the driver's own retry", async () => {
    ecs
      .on(UpdateServiceCommand)
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    await assert.rejects(scaler().scale("green", 2), /Rate exceeded/);
    assert.equal(ecs.commandCalls(UpdateServiceCommand).length, 1);
  });
});
