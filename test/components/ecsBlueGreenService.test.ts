import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EcsBlueGreenService, EcsBlueGreenServiceArgs } from "../../components/ecsBlueGreenService";
import { assertAll } from "../support/awsRules";
import { ECS_IMAGE, captureChildren, ecsSettings, settle, urnsOf } from "../support/awsFixtures";
import { resetResources, resourceNamed, resources, resourcesOfType, valueOf } from "../support/pulumi-mocks";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const SERVICE = "aws:ecs/service:Service";
const CLUSTER = "aws:ecs/cluster:Cluster";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const IMAGE = ECS_IMAGE;
const TARGET_GROUPS = {
  blue: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/checkout-blue-a1b2c3d/73e2d6bc24d8a067",
  green:
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/checkout-green-a1b2c3d/73e2d6bc24d8a067",
};
const DB_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:checkout/db-AbCdEf";
const API_KEY_PARAMETER = "arn:aws:ssm:eu-west-1:123456789012:parameter/checkout/api-key";

/** The args the program passes for a stack that writes only `bluegreen:ecs.image`, plus `overrides`. */
function args(overrides: Partial<EcsBlueGreenServiceArgs> = {}): EcsBlueGreenServiceArgs {
  return {
    serviceName: "checkout",
    vpcId: "vpc-0abc1234",
    subnetIds: ["subnet-0ccc3333", "subnet-0ddd4444"],
    assignPublicIp: false,
    loadBalancerSecurityGroupId: "sg-0alb000000000001",
    targetGroupArns: TARGET_GROUPS,
    ...ecsSettings(),
    versions: { blue: "1.4.2", green: "1.5.0" },
    ...overrides,
  };
}

async function build(overrides: Partial<EcsBlueGreenServiceArgs> = {}) {
  const component = new EcsBlueGreenService("checkout", args(overrides));
  await settle(component.serviceNames.blue, component.serviceNames.green, component.clusterName);
  return component;
}

interface ContainerDefinition {
  name: string;
  image: string;
  portMappings: { containerPort: number }[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

function containerOf(colour: "blue" | "green"): ContainerDefinition {
  const definitions = JSON.parse(
    resourceNamed(TASK_DEFINITION, `checkout-${colour}`).inputs.containerDefinitions,
  );
  assert.equal(definitions.length, 1);
  return definitions[0] as ContainerDefinition;
}

describe("EcsBlueGreenService", () => {
  describe("task definitions", () => {
    it("runs each slot's version of the image in its own colour", async () => {
      await build();
      assert.equal(containerOf("blue").image, `${IMAGE}:1.4.2`);
      assert.equal(containerOf("green").image, `${IMAGE}:1.5.0`);
    });

    it("takes versions as Outputs", async () => {
      await build({ versions: { blue: pulumi.output("2.0.0"), green: pulumi.output("2.1.0-rc.1") } });
      assert.equal(containerOf("blue").image, `${IMAGE}:2.0.0`);
      assert.equal(containerOf("green").image, `${IMAGE}:2.1.0-rc.1`);
    });

    it("names the container after the service and logs each colour under its own stream prefix", async () => {
      await build({ containerPort: 9000, cpu: 512, memory: 1024 });
      for (const colour of ["blue", "green"] as const) {
        const definition = resourceNamed(TASK_DEFINITION, `checkout-${colour}`).inputs;
        assert.equal(definition.family, `checkout-${colour}`);
        assert.deepEqual(definition.requiresCompatibilities, ["FARGATE"]);
        assert.equal(definition.networkMode, "awsvpc");
        assert.equal(definition.cpu, "512");
        assert.equal(definition.memory, "1024");
        const container = containerOf(colour);
        assert.equal(container.name, "checkout");
        assert.deepEqual(
          container.portMappings.map((mapping) => mapping.containerPort),
          [9000],
        );
        assert.equal(container.logConfiguration.logDriver, "awslogs");
        assert.equal(container.logConfiguration.options["awslogs-stream-prefix"], colour);
        assert.equal(container.logConfiguration.options["awslogs-region"], "eu-west-1");
        assert.match(container.logConfiguration.options["awslogs-group"], /^checkout-logs-/);
      }
      assert.equal(
        resourcesOfType("aws:cloudwatch/logGroup:LogGroup").length,
        1,
        "one log group for both colours",
      );
    });

    it("passes environment values and references secrets by ARN only", async () => {
      await build({ environment: { LOG_LEVEL: "info", MODE: "live" }, secrets: { DB_PASSWORD: DB_SECRET } });
      const container = containerOf("green");
      assert.deepEqual(container.environment, [
        { name: "LOG_LEVEL", value: "info" },
        { name: "MODE", value: "live" },
      ]);
      assert.deepEqual(container.secrets, [{ name: "DB_PASSWORD", valueFrom: DB_SECRET }]);
    });
  });

  describe("services", () => {
    it("attaches each colour's service to its own target group and keeps both colours' tasks", async () => {
      await build({ desiredCount: 3, healthCheckGracePeriod: 90 });
      for (const colour of ["blue", "green"] as const) {
        const service = resourceNamed(SERVICE, `checkout-${colour}`).inputs;
        assert.deepEqual(service.loadBalancers, [
          { targetGroupArn: TARGET_GROUPS[colour], containerName: "checkout", containerPort: 8080 },
        ]);
        assert.equal(service.launchType, "FARGATE");
        assert.equal(service.desiredCount, 3);
        assert.equal(service.healthCheckGracePeriodSeconds, 90);
        assert.deepEqual(service.deploymentCircuitBreaker, { enable: true, rollback: true });
        // The deploy must not return while the colour's previous tasks still take its traffic.
        assert.equal(service.waitForSteadyState, true);
        assert.equal(service.propagateTags, "SERVICE");
        assert.deepEqual(service.networkConfiguration.subnets, ["subnet-0ccc3333", "subnet-0ddd4444"]);
        assert.equal(service.networkConfiguration.assignPublicIp, false);
        assert.match(service.taskDefinition, new RegExp(`TaskDefinition/checkout-${colour}-`));
      }
    });

    it("tags each service and its task definition with colour and version", async () => {
      await build({ tags: { team: "payments" } });
      for (const [colour, version] of [
        ["blue", "1.4.2"],
        ["green", "1.5.0"],
      ] as const) {
        for (const type of [SERVICE, TASK_DEFINITION]) {
          assert.deepEqual(resourceNamed(type, `checkout-${colour}`).inputs.tags, {
            team: "payments",
            "bluegreen:colour": colour,
            "bluegreen:version": version,
          });
        }
      }
    });

    it("exports each colour's name as the name of the service behind that colour's target group", async () => {
      const component = await build();
      const exported = {
        blue: await valueOf(component.serviceNames.blue),
        green: await valueOf(component.serviceNames.green),
      };
      assert.notEqual(exported.blue, exported.green);
      for (const colour of ["blue", "green"] as const) {
        const service = resourcesOfType(SERVICE).find(
          (candidate) => candidate.inputs.loadBalancers[0].targetGroupArn === TARGET_GROUPS[colour],
        );
        assert.ok(service, `no service behind the ${colour} target group`);
        // Auto-named, so a replacement can start before the old service is deleted.
        assert.equal(service.inputs.name, undefined);
        assert.equal(exported[colour], service.state?.name, `serviceNames.${colour}`);
      }
    });
  });

  describe("cluster", () => {
    it("creates a cluster with Container Insights when none is given", async () => {
      const component = await build();
      const [cluster] = resourcesOfType(CLUSTER);
      assert.deepEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
      const arn = await valueOf(component.clusterArn);
      for (const service of resourcesOfType(SERVICE)) assert.equal(service.inputs.cluster, arn);
    });

    it("reuses a cluster by ARN", async () => {
      const clusterArn = "arn:aws:ecs:eu-west-1:123456789012:cluster/apps";
      const component = await build({ clusterArn });
      assert.equal(resourcesOfType(CLUSTER).length, 0);
      assert.equal(await valueOf(component.clusterName), "apps");
      for (const service of resourcesOfType(SERVICE)) assert.equal(service.inputs.cluster, clusterArn);
    });
  });

  describe("permissions", () => {
    it("lets the execution role read exactly the referenced secrets and parameters", async () => {
      await build({
        secrets: {
          DB_PASSWORD: DB_SECRET,
          DB_USER: `${DB_SECRET}:username::`,
          API_KEY: API_KEY_PARAMETER,
        },
      });
      const [policy] = resourcesOfType(ROLE_POLICY);
      assert.equal(policy.name, "checkout-execution-secrets");
      assert.match(policy.inputs.role, /^checkout-execution-/);
      const document = JSON.parse(policy.inputs.policy);
      assert.deepEqual(document.Statement, [
        {
          Sid: "ReadSecrets",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue"],
          Resource: [DB_SECRET],
        },
        {
          Sid: "ReadParameters",
          Effect: "Allow",
          Action: ["ssm:GetParameters"],
          Resource: [API_KEY_PARAMETER],
        },
      ]);
    });

    it("grants no secret access when the service has no secrets", async () => {
      await build();
      assert.equal(resourcesOfType(ROLE_POLICY).length, 0);
    });

    it("attaches the task execution managed policy to the execution role and nothing to the task role", async () => {
      await build({ secrets: { DB_PASSWORD: DB_SECRET } });
      const [attachment] = resourcesOfType(ATTACHMENT);
      assert.equal(
        attachment.inputs.policyArn,
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      );
      assert.match(attachment.inputs.role, /^checkout-execution-/);
      const taskRoleName = "checkout-task-a1b2c3d";
      const grants = [...resourcesOfType(ATTACHMENT), ...resourcesOfType(ROLE_POLICY)].filter(
        (grant) => grant.inputs.role === taskRoleName,
      );
      assert.deepEqual(grants, []);
      const taskRole = resourceNamed("aws:iam/role:Role", "checkout-task").inputs;
      assert.equal(taskRole.managedPolicyArns, undefined);
      assert.equal(
        JSON.parse(taskRole.assumeRolePolicy).Statement[0].Principal.Service,
        "ecs-tasks.amazonaws.com",
      );
      for (const definition of resourcesOfType(TASK_DEFINITION)) {
        assert.match(definition.inputs.taskRoleArn, /role\/checkout-task-/i);
        assert.match(definition.inputs.executionRoleArn, /role\/checkout-execution-/i);
      }
    });

    it("admits traffic to the tasks only from the load balancer's security group on the container port", async () => {
      const component = await build({ containerPort: 9000 });
      const group = resourceNamed(SECURITY_GROUP, "checkout-tasks").inputs;
      assert.deepEqual(group.ingress, [
        {
          description: "From the load balancer only",
          protocol: "tcp",
          fromPort: 9000,
          toPort: 9000,
          securityGroups: ["sg-0alb000000000001"],
        },
      ]);
      const id = await valueOf(component.taskSecurityGroupId);
      for (const service of resourcesOfType(SERVICE)) {
        assert.deepEqual(service.inputs.networkConfiguration.securityGroups, [id]);
      }
    });
  });

  describe("identity", () => {
    it("keeps the same logical names across runs", async () => {
      const inventory = () =>
        resources()
          .map((resource) => `${resource.type}::${resource.name}`)
          .sort();
      await build({ secrets: { DB_PASSWORD: DB_SECRET } });
      const first = inventory();
      resetResources();
      await build({ versions: { blue: "1.5.0", green: "1.6.0" }, secrets: { DB_PASSWORD: DB_SECRET } });
      assert.deepEqual(inventory(), first);
    });

    it("parents every child to the component", async () => {
      const { opts, children } = captureChildren();
      const component = new EcsBlueGreenService(
        "checkout",
        args({ secrets: { DB_PASSWORD: DB_SECRET } }),
        opts,
      );
      await settle(component.serviceNames.blue, component.serviceNames.green);
      const urns = await urnsOf(children.filter((child) => child !== component));
      assert.deepEqual(urns.map((urn) => urn.split("::").pop()).sort(), [
        "checkout-blue",
        "checkout-blue",
        "checkout-cluster",
        "checkout-execution",
        "checkout-execution-managed",
        "checkout-execution-secrets",
        "checkout-green",
        "checkout-green",
        "checkout-logs",
        "checkout-task",
        "checkout-tasks",
      ]);
      for (const urn of urns) assert.match(urn, /::bluegreen:aws:EcsBlueGreenService\$aws:[^$]+::checkout-/);
    });

    it("passes the shared AWS rules", async () => {
      await build({ secrets: { DB_PASSWORD: DB_SECRET } });
      assertAll(resources());
    });
  });

  describe("validation", () => {
    const cases: { title: string; overrides: Partial<EcsBlueGreenServiceArgs>; error: RegExp }[] = [
      {
        title: "an upper-case service name",
        overrides: { serviceName: "Checkout" },
        error: /serviceName "Checkout"/,
      },
      { title: "no task subnets", overrides: { subnetIds: [] }, error: /subnetIds is empty/ },
      {
        title: "an image that carries a tag",
        overrides: { image: `${IMAGE}:latest` },
        error: /image: give the repository without a tag .*got ".*checkout:latest"/,
      },
      {
        title: "a secret that is not a Secrets Manager or SSM ARN",
        overrides: { secrets: { TOKEN: "arn:aws:s3:::bucket/token" } },
        error: /secrets\.TOKEN is "arn:aws:s3:::bucket\/token"/,
      },
      {
        title: "memory Fargate does not offer with the CPU",
        overrides: { cpu: 1024, memory: 512 },
        error: /cpu and memory: Fargate with cpu 1024 takes memory from 2048 to 8192 MiB/,
      },
      {
        title: "a CPU size Fargate does not have",
        overrides: { cpu: 300 },
        error: /cpu 300 is not a Fargate size/,
      },
      {
        title: "a cluster that is not a cluster ARN",
        overrides: { clusterArn: "apps" },
        error: /clusterArn "apps" is not a cluster ARN/,
      },
      {
        title: "a log retention CloudWatch does not offer",
        overrides: { logRetentionDays: 10 },
        error: /logRetentionDays is 10/,
      },
      {
        title: "a container port out of range",
        overrides: { containerPort: 0 },
        error: /containerPort is 0; expected a port from 1 to 65535/,
      },
      {
        title: "an environment variable name with a hyphen",
        overrides: { environment: { "LOG-LEVEL": "info" } },
        error: /environment has the name "LOG-LEVEL"/,
      },
    ];
    for (const { title, overrides, error } of cases) {
      it(`rejects ${title}`, () => {
        assert.throws(
          () => new EcsBlueGreenService("checkout", args(overrides)),
          (thrown: Error) => {
            assert.ok(pulumi.ResourceError.isInstance(thrown), "a ResourceError");
            assert.match(thrown.message, error);
            return true;
          },
        );
      });
    }
  });
});
