import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Colour, TrafficSplit, idleColour } from "../../components/domain";
import { EcsBlueGreenService, EcsBlueGreenServiceArgs } from "../../components/ecsBlueGreenService";
import { KubernetesBlueGreen } from "../../components/kubernetesBlueGreen";
import { ECS_IMAGE, ecsSettings, settle } from "../support/awsFixtures";
import { gatewayWorkload } from "../support/kubernetesFixtures";
import { resetResources, resourceNamed } from "../support/pulumi-mocks";

describe("idleColour", () => {
  const cases: { traffic: TrafficSplit; stable: Colour; idle: Colour | undefined; why: string }[] = [
    { traffic: { blue: 100, green: 0 }, stable: "blue", idle: "green", why: "green serves nothing" },
    { traffic: { blue: 0, green: 100 }, stable: "green", idle: "blue", why: "blue serves nothing" },
    { traffic: { blue: 90, green: 10 }, stable: "blue", idle: undefined, why: "a split needs both" },
    { traffic: { blue: 50, green: 50 }, stable: "green", idle: undefined, why: "a split needs both" },
    {
      traffic: { blue: 0, green: 100 },
      stable: "blue",
      idle: undefined,
      why: "the colour at 0 is the revert target",
    },
  ];
  for (const { traffic, stable, idle, why } of cases) {
    it(`blue ${traffic.blue} green ${traffic.green}, stable ${stable}: ${idle ?? "none"} (${why})`, () => {
      assert.equal(idleColour(traffic, stable), idle);
    });
  }
});

/** Options that record each child's ignoreChanges by its logical name, through a transformation. */
function recordIgnoreChanges(): {
  opts: pulumi.ComponentResourceOptions;
  ignored: Map<string, readonly string[] | undefined>;
} {
  const ignored = new Map<string, readonly string[] | undefined>();
  return {
    ignored,
    opts: {
      transformations: [
        (args) => {
          ignored.set(`${args.type} ${args.name}`, args.opts.ignoreChanges);
          return undefined;
        },
      ],
    },
  };
}

describe("the idle colour's count is left to whoever scaled it", () => {
  beforeEach(resetResources);

  const ecsArgs = (idle?: Colour): EcsBlueGreenServiceArgs => ({
    serviceName: "checkout",
    vpcId: "vpc-0abc1234",
    subnetIds: ["subnet-0ccc3333"],
    loadBalancerSecurityGroupId: "sg-0alb000000000001",
    targetGroupArns: { blue: "arn:blue", green: "arn:green" },
    ...ecsSettings({ image: ECS_IMAGE }),
    versions: { blue: "1.4.2", green: "1.5.0" },
    ...(idle ? { idleColour: idle } : {}),
  });

  for (const idle of ["blue", "green"] as const) {
    it(`ECS: the ${idle} service ignores desiredCount, the serving one is held to it`, async () => {
      const { opts, ignored } = recordIgnoreChanges();
      const component = new EcsBlueGreenService("checkout", ecsArgs(idle), opts);
      await settle(component.serviceNames.blue, component.serviceNames.green);
      const serving = idle === "blue" ? "green" : "blue";
      assert.deepEqual(ignored.get(`aws:ecs/service:Service checkout-${idle}`), ["desiredCount"]);
      assert.equal(ignored.get(`aws:ecs/service:Service checkout-${serving}`), undefined);
      // The count written is the serving count either way: a new service starts full.
      assert.equal(resourceNamed("aws:ecs/service:Service", `checkout-${idle}`).inputs.desiredCount, 2);
    });
  }

  it("ECS: with no idle colour (traffic split) both services are held to desiredCount", async () => {
    const { opts, ignored } = recordIgnoreChanges();
    const component = new EcsBlueGreenService("checkout", ecsArgs(), opts);
    await settle(component.serviceNames.blue, component.serviceNames.green);
    for (const colour of ["blue", "green"]) {
      assert.ok(ignored.has(`aws:ecs/service:Service checkout-${colour}`));
      assert.equal(ignored.get(`aws:ecs/service:Service checkout-${colour}`), undefined);
    }
  });

  for (const idle of [undefined, "green"] as const) {
    it(`Kubernetes: idle ${idle ?? "none"}: only the idle Deployment ignores spec.replicas`, async () => {
      const { opts, ignored } = recordIgnoreChanges();
      const component = new KubernetesBlueGreen(
        "checkout",
        {
          serviceName: "checkout",
          namespace: "checkout-prod",
          ...gatewayWorkload(),
          versions: { blue: "1.4.2", green: "1.5.0" },
          ...(idle ? { idleColour: idle } : {}),
        },
        opts,
      );
      await settle(component.deploymentNames.blue, component.deploymentNames.green);
      assert.equal(ignored.get("kubernetes:apps/v1:Deployment checkout-blue"), undefined);
      assert.deepEqual(
        ignored.get("kubernetes:apps/v1:Deployment checkout-green"),
        idle ? ["spec.replicas"] : undefined,
      );
      assert.ok(ignored.has("kubernetes:apps/v1:Deployment checkout-blue"));
    });
  }
});
