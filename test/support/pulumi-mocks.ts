/**
 * Pulumi engine mocks, installed before any test module loads a component or the program.
 * Every registered resource is recorded with its inputs so tests can assert on what the program
 * would send to AWS; `resetResources()` runs before each test.
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  // Resource inputs are whatever the provider schema says; tests read them by key.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: Record<string, any>;
  /**
   * What the engine answered for the resource: its inputs plus the provider's computed outputs.
   * Recorded by the mocks; absent on resources the rule tests build by hand.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly state?: Record<string, any>;
  readonly id: string;
}

const recorded: RecordedResource[] = [];
let previousOutputs: Record<string, unknown> = {};
let versionCounter = 0;

/** Everything registered since the last reset. */
export function resources(): readonly RecordedResource[] {
  return recorded;
}

/** Resources of one type token, such as `aws:lb/listener:Listener`. */
export function resourcesOfType(type: string): RecordedResource[] {
  return recorded.filter((resource) => resource.type === type);
}

/** The one resource of a type with a logical name; fails the test when it is missing. */
export function resourceNamed(type: string, name: string): RecordedResource {
  const found = recorded.find((resource) => resource.type === type && resource.name === name);
  if (!found) {
    const names = resourcesOfType(type).map((resource) => resource.name);
    throw new Error(`no ${type} named ${name}; registered: ${names.join(", ") || "none"}`);
  }
  return found;
}

/** Forgets the recorded resources and the previous deployment's outputs. */
export function resetResources(): void {
  recorded.length = 0;
  previousOutputs = {};
  versionCounter = 0;
}

/** The outputs a self stack reference sees: what the last deployment of the stack exported. */
export function setPreviousOutputs(outputs: Record<string, unknown>): void {
  previousOutputs = outputs;
}

/** Resolves an Output in a test. */
export function valueOf<T>(output: pulumi.Input<T> | pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";

function physicalName(name: string, inputs: Record<string, unknown>): string {
  const explicit = inputs.name;
  return typeof explicit === "string" ? explicit : `${name}-a1b2c3d`;
}

function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  const name = physicalName(args.name, inputs);
  const state: Record<string, unknown> = { ...inputs, name };
  switch (args.type) {
    case "pulumi:pulumi:StackReference":
      return { name: inputs.name, outputs: previousOutputs, secretOutputNames: [] };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        ...state,
        arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/${name}/50dc6c495c0c9188`,
        arnSuffix: `app/${name}/50dc6c495c0c9188`,
        dnsName: `${name}-1234567890.${REGION}.elb.amazonaws.com`,
        zoneId: "Z32O12XQLNTSW2",
      };
    case "aws:lb/targetGroup:TargetGroup":
      return {
        ...state,
        arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}/73e2d6bc24d8a067`,
        arnSuffix: `targetgroup/${name}/73e2d6bc24d8a067`,
      };
    case "aws:lb/listener:Listener":
      return {
        ...state,
        arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/lb/50dc6c495c0c9188/${args.name}`,
      };
    case "aws:lambda/function:Function":
      return {
        ...state,
        arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}/invocations`,
        version: "$LATEST",
        codeSha256: "c2hhMjU2",
      };
    case "aws:cloudcontrol/resource:Resource": {
      const desired = JSON.parse(String(inputs.desiredState ?? "{}")) as Record<string, unknown>;
      versionCounter += 1;
      return { ...state, properties: JSON.stringify({ ...desired, Version: String(versionCounter) }) };
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
    case "aws:cloudwatch/compositeAlarm:CompositeAlarm":
      return { ...state, arn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}` };
    default:
      return { ...state, arn: `arn:aws:mock:${REGION}:${ACCOUNT}:${args.type.split(":").pop()}/${name}` };
  }
}

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      const id = args.type === "pulumi:pulumi:StackReference" ? String(args.inputs.name) : `${args.name}-id`;
      const state = mockState(args);
      recorded.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs as Record<string, unknown>,
        state,
        id,
      });
      return { id, state };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getRegion:getRegion":
          return { name: REGION, region: REGION, id: REGION };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "AIDATEST" };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:ec2/getVpc:getVpc":
          return { id: args.inputs.id, cidrBlock: "10.0.0.0/16" };
        case "aws:lb/getLoadBalancer:getLoadBalancer": {
          // An existing load balancer looked up by ARN: derive what the real API would return from it.
          const arn = String(args.inputs.arn);
          const arnSuffix = arn.slice(arn.indexOf(":loadbalancer/") + ":loadbalancer/".length);
          const lbName = arnSuffix.split("/")[1];
          return {
            arn,
            arnSuffix,
            name: lbName,
            dnsName: `${lbName}-1234567890.${REGION}.elb.amazonaws.com`,
            loadBalancerType: "application",
            securityGroups: ["sg-0platform00000000b", "sg-0platform00000000a"],
          };
        }
        default:
          return args.inputs;
      }
    },
  },
  "bluegreen",
  "test",
  false,
  "organization",
);

export const mochaHooks = {
  beforeEach(): void {
    resetResources();
  },
};
