import assert from "node:assert/strict";
import { Readable } from "node:stream";
import {
  type FunctionConfiguration,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PreconditionFailedException,
  UpdateAliasCommand,
} from "@aws-sdk/client-lambda";
import { Uint8ArrayBlobAdapter } from "@smithy/core/serde";
import { mockClient } from "aws-sdk-client-mock";
import {
  LambdaTrafficRouter,
  type LambdaRouterTarget,
} from "../../../../automation/adapters/aws/lambda-traffic-router";
import type { RolloutConfig } from "../../../../infra/config/schema";
import { isTransient } from "../../../../automation/core/retry";
import { asTheDriverRetries, awsError, instantClock } from "./helpers";
import type { Colour, LambdaRouting } from "../../../../components/domain";

const ROUTING: LambdaRouting = {
  kind: "lambda",
  functionName: "svc-prod",
  aliasName: "live",
  aliasArn: "arn:aws:lambda:eu-west-1:123456789012:function:svc-prod:live",
  versions: { blue: "7", green: "8" },
};

const CHECK: RolloutConfig["preTrafficCheck"] = {
  paths: [{ path: "/health", expectStatus: 200 }],
  payload: '{"source":"bluegreen.pre-traffic"}',
  timeout: 5,
  attempts: 2,
  enabled: true,
};

const ROLE = "arn:aws:iam::123456789012:role/svc-prod-exec";
const DLQ = "arn:aws:sqs:eu-west-1:123456789012:svc-prod-dlq";

function setup(
  options: { stable?: Colour; target?: LambdaRouterTarget | (() => Promise<LambdaRouterTarget>) } = {},
) {
  const client = new LambdaClient({ region: "eu-west-1" });
  const lambda = mockClient(client);
  const { clock, sleeps } = instantClock();
  const router = new LambdaTrafficRouter({
    client,
    target: options.target ?? { routing: ROUTING, stable: options.stable ?? "blue" },
    preTrafficCheck: CHECK,
    clock,
    checkRetryDelayMs: 1_000,
  });
  return { lambda, router, sleeps };
}

function alias(functionVersion: string, weights?: Record<string, number>, revision = "rev-1") {
  return {
    Name: "live",
    AliasArn: ROUTING.aliasArn,
    FunctionVersion: functionVersion,
    RevisionId: revision,
    ...(weights ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
  };
}

function preconditionFailed(): PreconditionFailedException {
  return new PreconditionFailedException({
    message: "The Revision Id provided does not match the latest Revision Id.",
    $metadata: { httpStatusCode: 412 },
  });
}

describe("LambdaTrafficRouter", () => {
  describe("read", () => {
    const cases = [
      { live: alias("7"), expected: { blue: 100, green: 0 } },
      { live: alias("7", {}), expected: { blue: 100, green: 0 } },
      { live: alias("7", { "8": 0.1 }), expected: { blue: 90, green: 10 } },
      { live: alias("7", { "8": 0.25 }), expected: { blue: 75, green: 25 } },
      { live: alias("7", { "8": 1 }), expected: { blue: 0, green: 100 } },
      { live: alias("8", { "7": 0.5 }), expected: { blue: 50, green: 50 } },
    ];
    for (const { live, expected } of cases) {
      it(`reads primary ${live.FunctionVersion} with ${JSON.stringify(live.RoutingConfig?.AdditionalVersionWeights ?? null)} as ${expected.blue}/${expected.green}`, async () => {
        const { lambda, router } = setup();
        lambda.on(GetAliasCommand).resolves(live);
        assert.deepEqual(await router.read(), expected);
        assert.deepEqual(lambda.commandCalls(GetAliasCommand)[0].args[0].input, {
          FunctionName: "svc-prod",
          Name: "live",
        });
      });
    }

    it("names a primary version that is neither colour's", async () => {
      const { lambda, router } = setup();
      lambda.on(GetAliasCommand).resolves(alias("5"));
      await assert.rejects(router.read(), /primary version 5 is neither colour's \(blue 7, green 8\)/);
    });

    it("reads the versions fresh from the target function on each call", async () => {
      let versions = { blue: "7", green: "8" };
      const { lambda, router } = setup({
        target: async () => ({ routing: { ...ROUTING, versions }, stable: "blue" }),
      });
      lambda.on(GetAliasCommand).resolves(alias("7", { "9": 0.1 }));
      await assert.rejects(router.read(), /additional version 9 is not the other colour's/);
      versions = { blue: "7", green: "9" };
      assert.deepEqual(await router.read(), { blue: 90, green: 10 });
    });
  });

  describe("write", () => {
    const cases = [
      { stable: "blue" as const, split: { blue: 90, green: 10 }, version: "7", weights: { "8": 0.1 } },
      { stable: "blue" as const, split: { blue: 50, green: 50 }, version: "7", weights: { "8": 0.5 } },
      { stable: "blue" as const, split: { blue: 0, green: 100 }, version: "7", weights: { "8": 1 } },
      { stable: "blue" as const, split: { blue: 100, green: 0 }, version: "7", weights: {} },
      { stable: "green" as const, split: { blue: 25, green: 75 }, version: "8", weights: { "7": 0.25 } },
      { stable: "green" as const, split: { blue: 0, green: 100 }, version: "8", weights: {} },
    ];
    for (const { stable, split, version, weights } of cases) {
      it(`stable ${stable}, ${split.blue}/${split.green}: primary ${version} with ${JSON.stringify(weights)}, conditional on the RevisionId`, async () => {
        const { lambda, router } = setup({ stable });
        lambda.on(GetAliasCommand).resolves(alias(stable === "blue" ? "7" : "8", { "8": 0.5 }, "rev-42"));
        lambda.on(UpdateAliasCommand).resolves({});

        await router.write(split);

        const calls = lambda.commandCalls(UpdateAliasCommand);
        assert.equal(calls.length, 1);
        assert.deepEqual(calls[0].args[0].input, {
          FunctionName: "svc-prod",
          Name: "live",
          FunctionVersion: version,
          RoutingConfig: { AdditionalVersionWeights: weights },
          RevisionId: "rev-42",
        });
      });
    }

    it("refuses $LATEST as a colour's version before calling Lambda", async () => {
      const { lambda, router } = setup({
        target: { routing: { ...ROUTING, versions: { blue: "7", green: "$LATEST" } }, stable: "blue" },
      });
      await assert.rejects(
        router.write({ blue: 90, green: 10 }),
        /green version must be a published version number, got "\$LATEST"/,
      );
      assert.equal(lambda.calls().length, 0);
    });

    it("after PreconditionFailedException the driver's next attempt re-reads the alias and writes with the new RevisionId", async () => {
      const { lambda, router } = setup();
      lambda
        .on(GetAliasCommand)
        .resolvesOnce(alias("7", { "8": 0.25 }, "rev-1"))
        .resolves(alias("7", { "8": 0.5 }, "rev-2"));
      lambda.on(UpdateAliasCommand).rejectsOnce(preconditionFailed()).resolves({});

      await asTheDriverRetries(() => router.write({ blue: 100, green: 0 }));

      assert.equal(lambda.commandCalls(GetAliasCommand).length, 2);
      assert.deepEqual(
        lambda.commandCalls(UpdateAliasCommand).map((call) => call.args[0].input.RevisionId),
        ["rev-1", "rev-2"],
      );
    });

    it("a conflict on every attempt ends the driver's retries, saying someone else writes the alias", async () => {
      const { lambda, router } = setup();
      lambda.on(GetAliasCommand).resolves(alias("7", { "8": 0.25 }));
      lambda.on(UpdateAliasCommand).rejects(preconditionFailed());

      await assert.rejects(router.write({ blue: 100, green: 0 }), (error) => isTransient(error));
      assert.equal(lambda.commandCalls(UpdateAliasCommand).length, 1, "the router makes one attempt");
      await assert.rejects(
        asTheDriverRetries(() => router.write({ blue: 100, green: 0 })),
        /alias live of svc-prod changed between read and write \(PreconditionFailedException on its RevisionId\); another process is writing it/,
      );
      assert.equal(lambda.commandCalls(UpdateAliasCommand).length, 4);
    });

    it("throws a throttled UpdateAlias after one call for the driver to retry, and other errors as final", async () => {
      const throttled = setup();
      throttled.lambda.on(GetAliasCommand).resolves(alias("7"));
      throttled.lambda
        .on(UpdateAliasCommand)
        .rejectsOnce(awsError("TooManyRequestsException", { status: 429 }))
        .resolves({});
      await assert.rejects(throttled.router.write({ blue: 90, green: 10 }), (error) => isTransient(error));
      assert.equal(throttled.lambda.commandCalls(UpdateAliasCommand).length, 1);
      assert.deepEqual(throttled.sleeps, [], "the router never pauses to retry");
      await throttled.router.write({ blue: 90, green: 10 });
      assert.equal(throttled.lambda.commandCalls(UpdateAliasCommand).length, 2);

      const denied = setup();
      denied.lambda.on(GetAliasCommand).resolves(alias("7"));
      denied.lambda.on(UpdateAliasCommand).rejects(awsError("AccessDeniedException", { status: 403 }));
      await assert.rejects(
        asTheDriverRetries(() => denied.router.write({ blue: 90, green: 10 })),
        {
          name: "AccessDeniedException",
        },
      );
      assert.equal(denied.lambda.commandCalls(UpdateAliasCommand).length, 1);
    });

    it("sends an empty AdditionalVersionWeights map on the wire to clear the additional version", async () => {
      const bodies: string[] = [];
      const reply = (payload: object) => ({
        response: {
          statusCode: 200,
          headers: { "content-type": "application/json" },
          body: Readable.from([Buffer.from(JSON.stringify(payload))]),
        },
      });
      const client = new LambdaClient({
        region: "eu-west-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "test-only" },
        requestHandler: {
          handle: async (request: { method: string; body?: unknown }) => {
            if (request.method === "GET") return reply(alias("7", { "8": 0.5 }, "rev-9"));
            bodies.push(
              request.body instanceof Uint8Array
                ? new TextDecoder().decode(request.body)
                : String(request.body),
            );
            return reply(alias("7", undefined, "rev-10"));
          },
        },
      });
      const router = new LambdaTrafficRouter({
        client,
        target: { routing: ROUTING, stable: "blue" },
        preTrafficCheck: CHECK,
        clock: instantClock().clock,
      });

      await router.write({ blue: 100, green: 0 });

      assert.equal(bodies.length, 1);
      assert.deepEqual(JSON.parse(bodies[0]), {
        FunctionVersion: "7",
        RoutingConfig: { AdditionalVersionWeights: {} },
        RevisionId: "rev-9",
      });
    });
  });

  describe("readiness", () => {
    function configuration(
      version: string,
      extra: Partial<FunctionConfiguration> = {},
    ): FunctionConfiguration {
      return {
        FunctionName: "svc-prod",
        Version: version,
        State: "Active",
        LastUpdateStatus: "Successful",
        Role: ROLE,
        DeadLetterConfig: { TargetArn: DLQ },
        ...extra,
      };
    }

    const cases = [
      {
        what: "active and alike",
        green: {},
        blue: {},
        ready: true,
        detail:
          /green's version 8 of svc-prod is Active, with the same role and dead-letter config as blue's version 7/,
      },
      {
        what: "pending",
        green: { State: "Pending" as const, StateReason: "The function is being created." },
        blue: {},
        ready: false,
        detail: /version 8 of svc-prod is Pending: The function is being created/,
      },
      {
        what: "failed last update",
        green: { LastUpdateStatus: "Failed" as const, LastUpdateStatusReason: "Image not found" },
        blue: {},
        ready: false,
        detail: /last update status Failed: Image not found/,
      },
      {
        what: "another role",
        green: { Role: "arn:aws:iam::123456789012:role/other" },
        blue: {},
        ready: false,
        detail:
          /runs as role arn:aws:iam::123456789012:role\/other but blue's version 7 as .*svc-prod-exec.*same execution role/,
      },
      {
        what: "no dead-letter queue where the other has one",
        green: { DeadLetterConfig: undefined },
        blue: {},
        ready: false,
        detail: /dead-letter target \(none\) but blue's version 7 has .*svc-prod-dlq/,
      },
    ];
    for (const { what, green, blue, ready, detail } of cases) {
      it(`${what}: ${ready ? "ready" : "not ready"}`, async () => {
        const { lambda, router } = setup();
        lambda.on(GetFunctionConfigurationCommand, { Qualifier: "8" }).resolves(configuration("8", green));
        lambda.on(GetFunctionConfigurationCommand, { Qualifier: "7" }).resolves(configuration("7", blue));
        const result = await router.readiness("green");
        assert.equal(result.ready, ready, result.detail);
        assert.match(result.detail, detail);
        assert.deepEqual(lambda.commandCalls(GetFunctionConfigurationCommand)[0].args[0].input, {
          FunctionName: "svc-prod",
          Qualifier: "8",
        });
      });
    }
  });

  describe("preTrafficCheck", () => {
    // Invoke answers carry the SDK's blob adapter around the payload bytes.
    const encode = (value: object) => Uint8ArrayBlobAdapter.fromString(JSON.stringify(value));

    it("invokes the colour's version synchronously with the configured payload and passes on 200", async () => {
      const { lambda, router } = setup();
      lambda
        .on(InvokeCommand)
        .resolves({ StatusCode: 200, ExecutedVersion: "8", Payload: encode({ ok: true }) });
      const result = await router.preTrafficCheck("green");
      assert.equal(result.ready, true, result.detail);
      const [call] = lambda.commandCalls(InvokeCommand);
      const input = call.args[0].input;
      assert.equal(input.FunctionName, "svc-prod");
      assert.equal(input.Qualifier, "8");
      assert.equal(input.InvocationType, "RequestResponse");
      assert.ok(input.Payload instanceof Uint8Array, "the payload is sent as bytes");
      assert.equal(new TextDecoder().decode(input.Payload), CHECK.payload);
    });

    it("fails on FunctionError with the error type and message, after the configured attempts", async () => {
      const { lambda, router, sleeps } = setup();
      lambda.on(InvokeCommand).resolves({
        StatusCode: 200,
        FunctionError: "Unhandled",
        Payload: encode({ errorType: "TypeError", errorMessage: "x is undefined", trace: ["at handler"] }),
      });
      const result = await router.preTrafficCheck("green");
      assert.equal(result.ready, false);
      assert.match(
        result.detail,
        /green's version 8 of svc-prod failed the test invocation \(Unhandled\): TypeError: x is undefined \(2 attempts\)/,
      );
      assert.doesNotMatch(result.detail, /at handler/);
      assert.equal(lambda.commandCalls(InvokeCommand).length, 2);
      assert.deepEqual(sleeps, [1_000]);
    });

    it("passes when a later attempt succeeds", async () => {
      const { lambda, router } = setup();
      lambda
        .on(InvokeCommand)
        .resolvesOnce({
          StatusCode: 200,
          FunctionError: "Unhandled",
          Payload: encode({ errorMessage: "cold" }),
        })
        .resolves({ StatusCode: 200 });
      assert.equal((await router.preTrafficCheck("blue")).ready, true);
      assert.deepEqual(
        lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input.Qualifier),
        ["7", "7"],
      );
    });

    it("reports an invocation error without throwing", async () => {
      const { lambda, router } = setup();
      lambda
        .on(InvokeCommand)
        .rejects(awsError("ResourceNotFoundException", { status: 404, message: "Function not found" }));
      const result = await router.preTrafficCheck("green");
      assert.equal(result.ready, false);
      assert.match(
        result.detail,
        /invoking green's version 8 of svc-prod failed: ResourceNotFoundException: Function not found/,
      );
    });
  });
});
