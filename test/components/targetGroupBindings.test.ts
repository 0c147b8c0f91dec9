import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AlbBlueGreen } from "../../components/albBlueGreen";
import { KubernetesBlueGreen } from "../../components/kubernetesBlueGreen";
import { TargetGroupBindings, TargetGroupBindingsArgs } from "../../components/targetGroupBindings";
import { COLOURS } from "../../components/domain";
import { assertAll } from "../support/awsRules";
import { captureChildren, settle, urnsOf } from "../support/awsFixtures";
import { albWorkload } from "../support/kubernetesFixtures";
import { assertKubernetesRules, assertServiceReferences } from "../support/kubernetesRules";
import {
  RecordedResource,
  resetResources,
  resourceNamed,
  resources,
  resourcesOfType,
  valueOf,
} from "../support/pulumi-mocks";

const BINDING = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding";
const TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
const TG_ARN = (colour: string) =>
  `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/checkout-${colour}/0123456789abcdef`;

/** Everything alb mode needs, wired as the program wires it: the ALB, the colours, and the bindings. */
async function buildAlbMode(containerPort = 8080): Promise<{
  alb: AlbBlueGreen;
  app: KubernetesBlueGreen;
  bindings: TargetGroupBindings;
}> {
  const workload = albWorkload({ containerPort });
  const alb = new AlbBlueGreen("checkout", {
    vpcId: "vpc-0abc1234",
    subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
    ingressCidrs: ["0.0.0.0/0"],
    testIngressCidrs: ["10.0.0.0/8"],
    targetPort: workload.containerPort,
    targetType: "ip",
    traffic: { blue: 100, green: 0 },
    testColour: "green",
  });
  const app = new KubernetesBlueGreen("checkout", {
    serviceName: "checkout",
    namespace: "checkout-prod",
    ...workload,
    versions: { blue: "1.4.2", green: "1.5.0" },
  });
  const bindings = new TargetGroupBindings("checkout", {
    namespace: app.namespace,
    serviceNames: app.serviceNames,
    servicePort: app.servicePort,
    targetGroupArns: alb.targetGroupArns,
    loadBalancerSecurityGroupId: alb.securityGroupId,
    containerPort: workload.containerPort,
  });
  await settle(
    bindings.bindingNames.blue,
    bindings.bindingNames.green,
    alb.listenerArn,
    app.deploymentNames.green,
  );
  return { alb, app, bindings };
}

function args(overrides: Partial<TargetGroupBindingsArgs> = {}): TargetGroupBindingsArgs {
  return {
    namespace: "checkout-prod",
    serviceNames: { blue: "checkout-blue", green: "checkout-green" },
    servicePort: 8080,
    targetGroupArns: { blue: TG_ARN("blue"), green: TG_ARN("green") },
    loadBalancerSecurityGroupId: "sg-0alb000000000000",
    containerPort: 8080,
    ...overrides,
  };
}

async function build(
  overrides: Partial<TargetGroupBindingsArgs> = {},
  opts?: pulumi.ComponentResourceOptions,
): Promise<TargetGroupBindings> {
  const bindings = new TargetGroupBindings("checkout", args(overrides), opts);
  await settle(bindings.bindingNames.blue, bindings.bindingNames.green);
  return bindings;
}

function binding(colour: string): RecordedResource {
  return resourceNamed(BINDING, `checkout-${colour}`);
}

describe("TargetGroupBindings", () => {
  it("binds each colour's target group to that colour's Service", async () => {
    const { alb } = await buildAlbMode();
    for (const colour of COLOURS) {
      const spec = binding(colour).inputs.spec;
      assert.equal(spec.targetGroupARN, await valueOf(alb.targetGroupArns[colour]));
      assert.match(spec.targetGroupARN, new RegExp(`targetgroup/checkout-${colour}-`));
      assert.deepEqual(spec.serviceRef, { name: `checkout-${colour}`, port: 8080 });
      assert.equal(spec.targetType, "ip");
    }
    assertKubernetesRules(resources());
    assertServiceReferences(resources());
    assertAll(resources());
  });

  it("registers pod IPs into target groups of type ip on the container port", async () => {
    await buildAlbMode(9000);
    for (const colour of COLOURS) {
      const group = resourceNamed(TARGET_GROUP, `checkout-${colour}`);
      assert.equal(group.inputs.targetType, "ip");
      assert.equal(group.inputs.port, 9000);
      assert.deepEqual(
        binding(colour).inputs.spec.serviceRef.port,
        9000,
        "alb mode Services listen on the container port",
      );
    }
    assertServiceReferences(resources());
  });

  it("admits only the load balancer's security group to the pods, on the container port", async () => {
    const { alb } = await buildAlbMode(9000);
    const securityGroup = await valueOf(alb.securityGroupId);
    for (const colour of COLOURS) {
      assert.deepEqual(binding(colour).inputs.spec.networking, {
        ingress: [
          { from: [{ securityGroup: { groupID: securityGroup } }], ports: [{ protocol: "TCP", port: 9000 }] },
        ],
      });
    }
    assertKubernetesRules(resources());
  });

  it("lives in the Services' namespace and exports each binding's name", async () => {
    const { bindings } = await buildAlbMode();
    for (const colour of COLOURS) {
      assert.equal(binding(colour).inputs.metadata.namespace, "checkout-prod");
      assert.equal(binding(colour).inputs.apiVersion, "elbv2.k8s.aws/v1beta1");
      assert.equal(binding(colour).inputs.kind, "TargetGroupBinding");
      assert.equal(await valueOf(bindings.bindingNames[colour]), `checkout-${colour}`);
    }
  });

  it("keeps the same names across runs", async () => {
    const inventory = () =>
      resourcesOfType(BINDING)
        .map((resource) => `${resource.name}::${String(resource.inputs.metadata.name)}`)
        .sort();
    await build();
    const first = inventory();
    resetResources();
    await build({ targetGroupArns: { blue: TG_ARN("green"), green: TG_ARN("blue") } });
    assert.deepEqual(inventory(), first);
    assert.deepEqual(first, ["checkout-blue::checkout-blue", "checkout-green::checkout-green"]);
  });

  it("parents both bindings to the component", async () => {
    const { opts, children } = captureChildren();
    const bindings = await build({}, opts);
    const urns = await urnsOf(children.filter((child) => child !== bindings));
    assert.deepEqual(urns.sort(), [
      "urn:pulumi:test::bluegreen::bluegreen:kubernetes:TargetGroupBindings$kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding::checkout-blue",
      "urn:pulumi:test::bluegreen::bluegreen:kubernetes:TargetGroupBindings$kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding::checkout-green",
    ]);
  });

  describe("validation", () => {
    const cases: { title: string; overrides: Partial<TargetGroupBindingsArgs>; error: RegExp }[] = [
      {
        title: "a container port of 0",
        overrides: { containerPort: 0 },
        error: /containerPort is 0; expected a port from 1 to 65535/,
      },
      {
        title: "a service port above 65535",
        overrides: { servicePort: 65_536 },
        error: /servicePort is 65536/,
      },
      {
        title: "a load balancer ARN in place of a target group ARN",
        overrides: {
          targetGroupArns: {
            blue: TG_ARN("blue"),
            green:
              "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/checkout/50dc6c495c0c9188",
          },
        },
        error: /targetGroupArns\.green is .*expected a target group ARN/,
      },
    ];
    for (const { title, overrides, error } of cases) {
      it(`rejects ${title}`, () => {
        assert.throws(
          () => new TargetGroupBindings("checkout", args(overrides)),
          (thrown: Error) => {
            assert.ok(pulumi.ResourceError.isInstance(thrown), "a ResourceError");
            assert.match(thrown.message, error);
            return true;
          },
        );
      });
    }

    it("rejects a component name that cannot name a Kubernetes object", () => {
      assert.throws(
        () => new TargetGroupBindings("Checkout_API", args()),
        /the name "Checkout_API" names the bindings/,
      );
    });
  });
});
