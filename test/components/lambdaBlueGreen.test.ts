import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { LambdaBlueGreen, LambdaBlueGreenArgs, resolveAliasRouting } from "../../components/lambdaBlueGreen";
import { LambdaColourAlarms } from "../../components/lambdaColourAlarms";
import { Colour, TrafficSplit } from "../../components/domain";
import { assertLambdaRules } from "../support/lambdaRules";
import { lambdaFunctionArgs, lambdaThresholds, settled } from "../support/lambdaFixtures";
import { resetResources, resourceNamed, resources, resourcesOfType, valueOf } from "../support/pulumi-mocks";

const ALIAS = "aws:lambda/alias:Alias";
const FUNCTION = "aws:lambda/function:Function";
const VERSION = "aws:cloudcontrol/resource:Resource";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

const SLOTS = { blue: "1.4.2", green: "1.5.0" } as const;

function args(overrides: Partial<LambdaBlueGreenArgs> = {}): LambdaBlueGreenArgs {
  return {
    ...lambdaFunctionArgs(),
    versions: SLOTS,
    stable: "blue",
    traffic: { blue: 100, green: 0 },
    ...overrides,
  };
}

/** Builds the component and waits until every child is recorded. */
async function deploy(name: string, overrides: Partial<LambdaBlueGreenArgs> = {}): Promise<LambdaBlueGreen> {
  const component = new LambdaBlueGreen(name, args(overrides));
  await settled(component.aliasArn, component.versions.blue, component.versions.green, component.routingUrns);
  return component;
}

function desiredState(name: string, colour: Colour): Record<string, unknown> {
  return JSON.parse(resourceNamed(VERSION, `${name}-${colour}`).inputs.desiredState) as Record<
    string,
    unknown
  >;
}

function thrownBy(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  assert.fail("expected the component to reject its arguments");
}

describe("LambdaBlueGreen", () => {
  describe("alias routing", () => {
    const cases: {
      stable: Colour;
      traffic: TrafficSplit;
      additional?: { colour: Colour; weight: number };
    }[] = [
      { stable: "blue", traffic: { blue: 100, green: 0 } },
      { stable: "blue", traffic: { blue: 75, green: 25 }, additional: { colour: "green", weight: 0.25 } },
      { stable: "blue", traffic: { blue: 50, green: 50 }, additional: { colour: "green", weight: 0.5 } },
      { stable: "blue", traffic: { blue: 10, green: 90 }, additional: { colour: "green", weight: 0.9 } },
      { stable: "blue", traffic: { blue: 0, green: 100 }, additional: { colour: "green", weight: 1 } },
      { stable: "green", traffic: { blue: 0, green: 100 } },
      { stable: "green", traffic: { blue: 25, green: 75 }, additional: { colour: "blue", weight: 0.25 } },
      { stable: "green", traffic: { blue: 50, green: 50 }, additional: { colour: "blue", weight: 0.5 } },
      { stable: "green", traffic: { blue: 90, green: 10 }, additional: { colour: "blue", weight: 0.9 } },
      { stable: "green", traffic: { blue: 100, green: 0 }, additional: { colour: "blue", weight: 1 } },
    ];
    for (const { stable, traffic, additional } of cases) {
      const label = `blue ${traffic.blue} / green ${traffic.green} with ${stable} stable`;
      it(`${label}: primary is ${stable}'s version, ${additional ? `${additional.colour} at ${additional.weight}` : "no additional version"}`, async () => {
        const component = await deploy("checkout", { stable, traffic });
        const versions = {
          blue: await valueOf(component.versions.blue),
          green: await valueOf(component.versions.green),
        };
        const alias = resourceNamed(ALIAS, "checkout-alias").inputs;

        assert.equal(alias.functionVersion, versions[stable]);
        const weights = alias.routingConfig?.additionalVersionWeights ?? {};
        assert.deepEqual(weights, additional ? { [versions[additional.colour]]: additional.weight } : {});
        assertLambdaRules(resources());
      });
    }

    it("follows a traffic split that arrives as an output (the program's release guard)", async () => {
      const traffic = pulumi.output({ blue: 90, green: 10 });
      const component = await deploy("checkout", { traffic });
      const green = await valueOf(component.versions.green);
      assert.deepEqual(resourceNamed(ALIAS, "checkout-alias").inputs.routingConfig, {
        additionalVersionWeights: { [green]: 0.1 },
      });
    });

    it("names the alias from config and reports it, with its URN as the only routing URN", async () => {
      const component = await deploy("checkout", { aliasName: "prod" });
      assert.equal(resourceNamed(ALIAS, "checkout-alias").inputs.name, "prod");
      assert.equal(resourceNamed(ALIAS, "checkout-alias").inputs.functionName, "checkout");
      assert.equal(await valueOf(component.aliasName), "prod");
      assert.deepEqual(await valueOf(component.routingUrns), [await valueOf(component.alias.urn)]);
      assert.match((await valueOf(component.routingUrns))[0], /aws:lambda\/alias:Alias::checkout-alias$/);
    });
  });

  describe("version bookkeeping", () => {
    for (const stable of ["blue", "green"] as const) {
      const candidate: Colour = stable === "blue" ? "green" : "blue";
      it(`runs the non-stable colour's artifact in $LATEST when ${stable} is stable`, async () => {
        await deploy("checkout", { stable });
        const fn = resourceNamed(FUNCTION, "checkout-fn").inputs;
        assert.equal(fn.s3Bucket, "artifacts-123456789012");
        assert.equal(fn.s3Key, `checkout/${SLOTS[candidate]}/function.zip`);
        assert.equal(fn.publish, false);
      });
    }

    it("publishes each colour as an AWS::Lambda::Version described with its slot version", async () => {
      const component = await deploy("checkout");
      for (const colour of ["blue", "green"] as const) {
        const version = resourceNamed(VERSION, `checkout-${colour}`).inputs;
        assert.equal(version.typeName, "AWS::Lambda::Version");
        assert.deepEqual(desiredState("checkout", colour), {
          FunctionName: "checkout",
          Description: `bluegreen ${colour} ${SLOTS[colour]}`,
        });
        assert.match(await valueOf(component.versions[colour]), /^\d+$/);
      }
      assert.notEqual(await valueOf(component.versions.blue), await valueOf(component.versions.green));
      assertLambdaRules(resources());
    });

    it("changes only green's desired state when only green's slot version changes", async () => {
      await deploy("before", { functionName: "checkout" });
      const blueBefore = resourceNamed(VERSION, "before-blue").inputs.desiredState as string;
      const greenBefore = resourceNamed(VERSION, "before-green").inputs.desiredState as string;
      resetResources();

      await deploy("after", { functionName: "checkout", versions: { blue: SLOTS.blue, green: "1.6.0" } });
      const blueAfter = resourceNamed(VERSION, "after-blue").inputs.desiredState as string;
      const greenAfter = resourceNamed(VERSION, "after-green").inputs.desiredState as string;

      // Byte-identical: the stable version's resource sees no diff, so it is neither replaced nor republished.
      assert.equal(blueAfter, blueBefore);
      assert.notEqual(greenAfter, greenBefore);
      assert.match(greenAfter, /bluegreen green 1\.6\.0/);
    });

    it("keeps the stable version's desired state when only the stable colour flips", async () => {
      await deploy("before", { functionName: "checkout", stable: "blue" });
      const states = ["blue", "green"].map((c) => resourceNamed(VERSION, `before-${c}`).inputs.desiredState);
      resetResources();
      await deploy("after", { functionName: "checkout", stable: "green", traffic: { blue: 0, green: 100 } });
      assert.deepEqual(
        ["blue", "green"].map((c) => resourceNamed(VERSION, `after-${c}`).inputs.desiredState),
        states,
      );
    });
  });

  describe("resolveAliasRouting", () => {
    it("points at the one shared version on a first deployment with equal slots", () => {
      const routing = resolveAliasRouting(
        { blue: 100, green: 0 },
        "blue",
        { blue: "1.4.2", green: "1.4.2" },
        { blue: "1", green: "1" },
      );
      assert.deepEqual(routing, { functionVersion: "1", additionalVersionWeights: {} });
    });

    it("refuses one shared version for two different slot versions, and says how to recover", () => {
      assert.throws(
        () => resolveAliasRouting({ blue: 100, green: 0 }, "blue", SLOTS, { blue: "1", green: "1" }),
        /both published as version 1.*set both slots to 1\.5\.0/,
      );
    });

    it("refuses to weight a shared version against itself", () => {
      assert.throws(
        () =>
          resolveAliasRouting(
            { blue: 90, green: 10 },
            "blue",
            { blue: "1.4.2", green: "1.4.2" },
            { blue: "1", green: "1" },
          ),
        /must be different published versions/,
      );
    });

    it("rejects $LATEST as a colour's version", () => {
      assert.throws(
        () => resolveAliasRouting({ blue: 90, green: 10 }, "blue", SLOTS, { blue: "1", green: "$LATEST" }),
        /never \$LATEST/,
      );
    });
  });

  describe("execution role, dead-letter queue and logs", () => {
    it("grants no dead-letter permission and sets no dead-letter config when none is configured", async () => {
      await deploy("checkout");
      assert.deepEqual(resourcesOfType(ROLE_POLICY), []);
      assert.equal(resourceNamed(FUNCTION, "checkout-fn").inputs.deadLetterConfig, undefined);
      const attachment = resourceNamed(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "checkout-basic-execution",
      );
      assert.equal(
        attachment.inputs.policyArn,
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      );
    });

    const targets = [
      { arn: "arn:aws:sqs:eu-west-1:123456789012:checkout-dlq", action: "sqs:SendMessage" },
      { arn: "arn:aws:sns:eu-west-1:123456789012:checkout-failures", action: "sns:Publish" },
    ];
    for (const { arn, action } of targets) {
      it(`allows ${action} on the dead-letter target only when one is configured`, async () => {
        await deploy("checkout", { deadLetterTargetArn: arn });
        const policies = resourcesOfType(ROLE_POLICY);
        assert.equal(policies.length, 1);
        assert.deepEqual(JSON.parse(policies[0].inputs.policy).Statement, [
          { Effect: "Allow", Action: action, Resource: arn },
        ]);
        assert.deepEqual(resourceNamed(FUNCTION, "checkout-fn").inputs.deadLetterConfig, { targetArn: arn });
      });
    }

    it("gives both colours the one function's role", async () => {
      await deploy("checkout");
      const role = resourceNamed("aws:iam/role:Role", "checkout-role");
      assert.equal(resourcesOfType(FUNCTION).length, 1);
      assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, {
        Service: "lambda.amazonaws.com",
      });
      assert.match(resourceNamed(FUNCTION, "checkout-fn").inputs.role, /checkout-role/);
    });

    for (const { given, expected } of [
      { given: undefined, expected: 30 },
      { given: 14, expected: 14 },
    ]) {
      it(`keeps logs in /aws/lambda/<function> for ${expected} days${given === undefined ? " by default" : ""}`, async () => {
        await deploy("checkout", { logRetentionDays: given });
        const logGroup = resourceNamed(LOG_GROUP, "checkout-logs").inputs;
        assert.equal(logGroup.name, "/aws/lambda/checkout");
        assert.equal(logGroup.retentionInDays, expected);
      });
    }

    it("configures the function from its args", async () => {
      await deploy("checkout", {
        memorySize: 512,
        timeout: 10,
        environment: { STAGE: "prod" },
        tags: { team: "payments" },
      });
      const fn = resourceNamed(FUNCTION, "checkout-fn").inputs;
      assert.equal(fn.name, "checkout");
      assert.equal(fn.runtime, "nodejs22.x");
      assert.equal(fn.handler, "index.handler");
      assert.deepEqual(fn.architectures, ["arm64"]);
      assert.equal(fn.memorySize, 512);
      assert.equal(fn.timeout, 10);
      assert.deepEqual(fn.environment, { variables: { STAGE: "prod" } });
      assert.deepEqual(fn.tags, { team: "payments" });
    });
  });

  describe("validation", () => {
    it("rejects an artifact template without {version}", () => {
      const error = thrownBy(
        () => new LambdaBlueGreen("checkout", args({ s3KeyTemplate: "checkout/latest.zip" })),
      );
      assert.ok(pulumi.ResourceError.isInstance(error));
      assert.match(error.message, /s3KeyTemplate must contain "\{version\}".*"checkout\/latest\.zip"/);
    });

    it("surfaces the split's problem for a split that does not sum to 100", () => {
      const error = thrownBy(
        () => new LambdaBlueGreen("checkout", args({ traffic: { blue: 60, green: 60 } })),
      );
      assert.ok(pulumi.ResourceError.isInstance(error));
      assert.match(error.message, /^traffic must sum to 100, got blue 60 \+ green 60$/);
    });

    it("rejects an alias name that reads as a version number", () => {
      const error = thrownBy(() => new LambdaBlueGreen("checkout", args({ aliasName: "42" })));
      assert.ok(pulumi.ResourceError.isInstance(error));
      assert.match(
        error.message,
        /aliasName must be letters, digits, "-" and "_", and not all digits, got "42"/,
      );
    });

    it("rejects a dead-letter target that is neither SQS nor SNS", () => {
      const error = thrownBy(
        () =>
          new LambdaBlueGreen("checkout", args({ deadLetterTargetArn: "arn:aws:s3:::checkout-failures" })),
      );
      assert.match(error.message, /deadLetterTargetArn must be an SQS queue or SNS topic ARN/);
    });

    it("rejects a retention CloudWatch Logs does not offer", () => {
      const error = thrownBy(() => new LambdaBlueGreen("checkout", args({ logRetentionDays: 13 })));
      assert.match(error.message, /logRetentionDays must be a retention CloudWatch Logs accepts .* got 13/);
    });

    it("rejects a function name Lambda does not accept", () => {
      const error = thrownBy(() => new LambdaBlueGreen("checkout", args({ functionName: "checkout.v2" })));
      assert.match(error.message, /functionName must be 1-64 letters.*"checkout\.v2"/);
    });
  });

  describe("naming and parenting", () => {
    const expected = [
      `${ALIAS}::checkout-alias`,
      `${VERSION}::checkout-blue`,
      `${VERSION}::checkout-green`,
      `${LOG_GROUP}::checkout-logs`,
      `${FUNCTION}::checkout-fn`,
      "aws:iam/role:Role::checkout-role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::checkout-basic-execution",
    ].sort();

    it("derives every child's name from the component name, the same on every run", async () => {
      await deploy("checkout");
      const first = resources().map((r) => `${r.type}::${r.name}`);
      resetResources();
      await deploy("checkout", { traffic: { blue: 50, green: 50 } });
      const second = resources().map((r) => `${r.type}::${r.name}`);
      assert.deepEqual(first.filter((n) => !n.startsWith("bluegreen:")).sort(), expected);
      assert.deepEqual(second.sort(), first.sort());
    });

    it("parents every child to the component", async () => {
      const component = await deploy("checkout");
      const children: pulumi.Resource[] = [
        component.lambdaFunction,
        component.alias,
        component.role,
        component.logGroup,
        component.versionResources.blue,
        component.versionResources.green,
      ];
      for (const child of children) {
        assert.match(await valueOf(child.urn), /bluegreen:aws:LambdaBlueGreen\$/);
      }
    });
  });
});

describe("LambdaBlueGreen with LambdaColourAlarms", () => {
  it("judges each colour by its own published version behind the alias", async () => {
    const service = await deploy("checkout", { traffic: { blue: 75, green: 25 } });
    const alarms = (["blue", "green"] as const).map(
      (colour) =>
        new LambdaColourAlarms(`checkout-${colour}-alarms`, {
          colour,
          functionName: service.functionName,
          aliasName: service.aliasName,
          version: service.versions[colour],
          thresholds: lambdaThresholds(),
        }),
    );
    await settled(...alarms.map((a) => a.compositeAlarmName));
    for (const colour of ["blue", "green"] as const) {
      const throttles = resourceNamed(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        `checkout-${colour}-alarms-throttles`,
      );
      assert.deepEqual(throttles.inputs.dimensions, {
        FunctionName: "checkout",
        Resource: "checkout:live",
        ExecutedVersion: await valueOf(service.versions[colour]),
      });
    }
    assertLambdaRules(resources());
  });
});
