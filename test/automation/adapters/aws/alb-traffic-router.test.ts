import assert from "node:assert/strict";
import {
  type Action,
  DescribeListenersCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { AlbTrafficRouter } from "../../../../automation/adapters/aws/alb-traffic-router";
import type { FetchLike } from "../../../../automation/adapters/aws/http-check";
import type { RolloutConfig } from "../../../../infra/config/schema";
import { isTransient } from "../../../../automation/core/retry";
import { asTheDriverRetries, awsError, instantClock } from "./helpers";
import type { AlbRouting } from "../../../../components/domain";

// Mocking the instance, not the class, leaves every other ELBv2 client in the test run alone.
const client = new ElasticLoadBalancingV2Client({ region: "eu-west-1" });
const elb = mockClient(client);

const PREFIX = "arn:aws:elasticloadbalancing:eu-west-1:123456789012";
const ROUTING: AlbRouting = {
  kind: "alb",
  loadBalancerArn: `${PREFIX}:loadbalancer/app/svc-prod/50dc6c495c0c9188`,
  listenerArn: `${PREFIX}:listener/app/svc-prod/50dc6c495c0c9188/f2f7dc8efc522ab2`,
  testListenerArn: `${PREFIX}:listener/app/svc-prod/50dc6c495c0c9188/0467ef3c8400ae65`,
  targetGroupArns: {
    blue: `${PREFIX}:targetgroup/svc-blue-1a2b3c4/73e2d6bc24d8a067`,
    green: `${PREFIX}:targetgroup/svc-green-5d6e7f8/6d0ecf831eec9f09`,
  },
  testEndpoint: "http://svc-prod-123.eu-west-1.elb.amazonaws.com:8080/",
  stickinessSeconds: 300,
};
const BLUE = ROUTING.targetGroupArns.blue;
const GREEN = ROUTING.targetGroupArns.green;

const CHECK: RolloutConfig["preTrafficCheck"] = {
  paths: [
    { path: "/health", expectStatus: 200 },
    { path: "/ready", expectStatus: 204 },
  ],
  payload: "{}",
  timeout: 5,
  attempts: 2,
  enabled: true,
};

function forward(
  weights: { blue: number; green: number },
  stickiness = { Enabled: true, DurationSeconds: 300 },
): Action {
  return {
    Type: "forward",
    Order: 2,
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupArn: BLUE, Weight: weights.blue },
        { TargetGroupArn: GREEN, Weight: weights.green },
      ],
      TargetGroupStickinessConfig: stickiness,
    },
  };
}

const AUTH: Action = {
  Type: "authenticate-oidc",
  Order: 1,
  AuthenticateOidcConfig: {
    Issuer: "https://idp.example.com",
    AuthorizationEndpoint: "https://idp.example.com/authorize",
    TokenEndpoint: "https://idp.example.com/token",
    UserInfoEndpoint: "https://idp.example.com/userinfo",
    ClientId: "svc-prod",
    SessionCookieName: "AWSELBAuthSessionCookie",
    Scope: "openid",
    SessionTimeout: 604800,
    OnUnauthenticatedRequest: "authenticate",
  },
};

function listeners(actions: Action[], listenerArn = ROUTING.listenerArn) {
  return {
    Listeners: [{ ListenerArn: listenerArn, Port: 443, Protocol: "HTTPS" as const, DefaultActions: actions }],
  };
}

function router(extra: { fetch?: FetchLike; timeoutSignal?: (ms: number) => AbortSignal } = {}) {
  const { clock, sleeps } = instantClock();
  const instance = new AlbTrafficRouter({
    client,
    routing: ROUTING,
    preTrafficCheck: CHECK,
    clock,
    checkRetryDelayMs: 1_500,
    ...extra,
  });
  return { router: instance, sleeps };
}

describe("AlbTrafficRouter", () => {
  beforeEach(() => elb.reset());

  describe("read", () => {
    const cases = [
      { weights: { blue: 100, green: 0 }, expected: { blue: 100, green: 0 } },
      { weights: { blue: 90, green: 10 }, expected: { blue: 90, green: 10 } },
      { weights: { blue: 50, green: 50 }, expected: { blue: 50, green: 50 } },
      { weights: { blue: 0, green: 100 }, expected: { blue: 0, green: 100 } },
      { weights: { blue: 3, green: 1 }, expected: { blue: 75, green: 25 } },
    ];
    for (const { weights, expected } of cases) {
      it(`reads weights blue ${weights.blue} / green ${weights.green} as ${expected.blue}/${expected.green}`, async () => {
        elb.on(DescribeListenersCommand).resolves(listeners([AUTH, forward(weights)]));
        assert.deepEqual(await router().router.read(), expected);
        assert.deepEqual(elb.commandCalls(DescribeListenersCommand)[0].args[0].input, {
          ListenerArns: [ROUTING.listenerArn],
        });
      });
    }

    it("reads a forward to one target group as 100% to its colour", async () => {
      elb.on(DescribeListenersCommand).resolves(
        listeners([
          {
            Type: "forward",
            TargetGroupArn: GREEN,
            ForwardConfig: { TargetGroups: [{ TargetGroupArn: GREEN, Weight: 1 }] },
          },
        ]),
      );
      assert.deepEqual(await router().router.read(), { blue: 0, green: 100 });
    });

    it("names a target group that is neither colour's", async () => {
      const stranger = `${PREFIX}:targetgroup/other/0000000000000000`;
      elb.on(DescribeListenersCommand).resolves(
        listeners([
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: BLUE, Weight: 90 },
                { TargetGroupArn: stranger, Weight: 10 },
              ],
            },
          },
        ]),
      );
      await assert.rejects(router().router.read(), (error: Error) => {
        assert.match(error.message, /forwards to target group .*targetgroup\/other\/0000000000000000/);
        assert.match(error.message, /neither blue's .*svc-blue.* nor green's .*svc-green/);
        return true;
      });
    });

    it("names the listener when it has no forward action", async () => {
      elb
        .on(DescribeListenersCommand)
        .resolves(listeners([{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "503" } }]));
      await assert.rejects(
        router().router.read(),
        /listener .*f2f7dc8efc522ab2 has no forward default action \(its default actions: fixed-response\)/,
      );
    });

    it("makes one call and throws a throttled DescribeListeners as transient, for the driver to retry", async () => {
      const throttled = awsError("Throttling", { message: "Rate exceeded" });
      elb
        .on(DescribeListenersCommand)
        .rejectsOnce(throttled)
        .resolves(listeners([forward({ blue: 75, green: 25 })]));
      const { router: instance, sleeps } = router();
      await assert.rejects(instance.read(), (error) => error === throttled && isTransient(error));
      assert.equal(elb.commandCalls(DescribeListenersCommand).length, 1, "the router never retries");
      assert.deepEqual(sleeps, []);
      assert.deepEqual(await instance.read(), { blue: 75, green: 25 }, "the next attempt gets through");
    });

    it("throws an access error as final: the driver does not ask again", async () => {
      elb.on(DescribeListenersCommand).rejects(awsError("AccessDenied", { status: 403 }));
      await assert.rejects(
        asTheDriverRetries(() => router().router.read()),
        { name: "AccessDenied" },
      );
      assert.equal(elb.commandCalls(DescribeListenersCommand).length, 1);
    });
  });

  describe("write", () => {
    const cases = [
      { split: { blue: 90, green: 10 } },
      { split: { blue: 0, green: 100 } },
      { split: { blue: 100, green: 0 } },
    ];
    for (const { split } of cases) {
      it(`writes ${split.blue}/${split.green} as the weights and sends the whole action list back`, async () => {
        elb.on(DescribeListenersCommand).resolves(listeners([AUTH, forward({ blue: 50, green: 50 })]));
        elb.on(ModifyListenerCommand).resolves({});

        await router().router.write(split);

        const calls = elb.commandCalls(ModifyListenerCommand);
        assert.equal(calls.length, 1);
        assert.deepEqual(calls[0].args[0].input, {
          ListenerArn: ROUTING.listenerArn,
          DefaultActions: [
            // The OIDC secret is never returned by DescribeListeners; the write keeps the existing one.
            {
              ...AUTH,
              AuthenticateOidcConfig: { ...AUTH.AuthenticateOidcConfig, UseExistingClientSecret: true },
            },
            forward(split),
          ],
        });
      });
    }

    it("keeps the stickiness block as it was", async () => {
      const stickiness = { Enabled: true, DurationSeconds: 3_600 };
      elb.on(DescribeListenersCommand).resolves(listeners([forward({ blue: 100, green: 0 }, stickiness)]));
      elb.on(ModifyListenerCommand).resolves({});

      await router().router.write({ blue: 75, green: 25 });

      const [action] = elb.commandCalls(ModifyListenerCommand)[0].args[0].input.DefaultActions ?? [];
      assert.deepEqual(action.ForwardConfig?.TargetGroupStickinessConfig, stickiness);
      assert.deepEqual(action.ForwardConfig?.TargetGroups, [
        { TargetGroupArn: BLUE, Weight: 75 },
        { TargetGroupArn: GREEN, Weight: 25 },
      ]);
    });

    it("drops the single TargetGroupArn once the forward action carries both groups", async () => {
      elb.on(DescribeListenersCommand).resolves(
        listeners([
          {
            Type: "forward",
            TargetGroupArn: BLUE,
            ForwardConfig: {
              TargetGroups: [{ TargetGroupArn: BLUE, Weight: 1 }],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          },
        ]),
      );
      elb.on(ModifyListenerCommand).resolves({});

      await router().router.write({ blue: 90, green: 10 });

      const [action] = elb.commandCalls(ModifyListenerCommand)[0].args[0].input.DefaultActions ?? [];
      assert.deepEqual(action, {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE, Weight: 90 },
            { TargetGroupArn: GREEN, Weight: 10 },
          ],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      });
      assert.equal("TargetGroupArn" in action, false);
    });

    it("refuses to write over a target group it does not know, and writes nothing", async () => {
      const stranger = `${PREFIX}:targetgroup/other/0000000000000000`;
      elb.on(DescribeListenersCommand).resolves(
        listeners([
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: BLUE, Weight: 1 },
                { TargetGroupArn: stranger, Weight: 1 },
              ],
            },
          },
        ]),
      );
      await assert.rejects(router().router.write({ blue: 100, green: 0 }), /targetgroup\/other/);
      assert.equal(elb.commandCalls(ModifyListenerCommand).length, 0);
    });

    it("rejects a split that does not sum to 100 before calling AWS", async () => {
      await assert.rejects(router().router.write({ blue: 90, green: 20 }), /must sum to 100/);
      assert.equal(elb.calls().length, 0);
    });

    it("a throttled ModifyListener fails the write once; the driver's next attempt reads again and sends the same full list", async () => {
      elb.on(DescribeListenersCommand).resolves(listeners([AUTH, forward({ blue: 90, green: 10 })]));
      elb.on(ModifyListenerCommand).rejectsOnce(awsError("Throttling")).resolves({});
      const instance = router().router;

      await assert.rejects(instance.write({ blue: 100, green: 0 }), (error) => isTransient(error));
      assert.equal(elb.commandCalls(ModifyListenerCommand).length, 1, "the router never retries");
      await asTheDriverRetries(() => instance.write({ blue: 100, green: 0 }));

      const calls = elb.commandCalls(ModifyListenerCommand);
      assert.equal(calls.length, 2);
      assert.equal(
        elb.commandCalls(DescribeListenersCommand).length,
        2,
        "each attempt reads the listener first",
      );
      assert.deepEqual(calls[1].args[0].input, calls[0].args[0].input);
      assert.equal(calls[1].args[0].input.DefaultActions?.length, 2);
    });
  });

  describe("readiness", () => {
    function targets(...states: (string | [string, string])[]): {
      TargetHealthDescriptions: TargetHealthDescription[];
    } {
      return {
        TargetHealthDescriptions: states.map((entry, i) => {
          const [State, Reason] = Array.isArray(entry) ? entry : [entry, undefined];
          return {
            Target: { Id: `10.0.1.${i + 10}`, Port: 8080 },
            TargetHealth: { State, Reason } as TargetHealthDescription["TargetHealth"],
          };
        }),
      };
    }

    const cases = [
      {
        what: "all healthy",
        answer: targets("healthy", "healthy"),
        ready: true,
        detail: /^2 of 2 targets healthy/,
      },
      {
        what: "some unhealthy",
        answer: targets("healthy", ["unhealthy", "Target.FailedHealthChecks"], "healthy"),
        ready: true,
        detail: /2 of 3 targets healthy .*; 1 unhealthy \(Target.FailedHealthChecks\)/,
      },
      {
        what: "all unhealthy",
        answer: targets(["unhealthy", "Target.Timeout"], ["unhealthy", "Target.Timeout"]),
        ready: false,
        detail: /0 of 2 targets healthy.*2 unhealthy \(Target.Timeout\).*fails open/,
      },
      {
        what: "still registering",
        answer: targets(["initial", "Elb.RegistrationInProgress"]),
        ready: false,
        detail: /0 of 1 targets healthy.*1 initial \(Elb.RegistrationInProgress\)/,
      },
      {
        what: "empty",
        answer: { TargetHealthDescriptions: [] },
        ready: false,
        detail: /no targets are registered .*503/,
      },
    ];
    for (const { what, answer, ready, detail } of cases) {
      it(`${what}: ${ready ? "ready" : "not ready"}`, async () => {
        elb.on(DescribeTargetHealthCommand).resolves(answer);
        const result = await router().router.readiness("green");
        assert.equal(result.ready, ready);
        assert.match(result.detail, detail);
        assert.deepEqual(elb.commandCalls(DescribeTargetHealthCommand)[0].args[0].input, {
          TargetGroupArn: GREEN,
        });
      });
    }
  });

  describe("preTrafficCheck", () => {
    function testListenerTo(weights: { blue: number; green: number }) {
      elb
        .on(DescribeListenersCommand, { ListenerArns: [ROUTING.testListenerArn] })
        .resolves(listeners([forward(weights)], ROUTING.testListenerArn));
    }

    function fakeFetch(answers: Record<string, (number | Error)[]>) {
      const requests: { url: string; redirect: string }[] = [];
      const fetch: FetchLike = async (url, init) => {
        requests.push({ url, redirect: init.redirect });
        const next = answers[url]?.shift();
        if (next === undefined) throw new Error(`unexpected request ${url}`);
        if (next instanceof Error) throw next;
        return { status: next, body: null };
      };
      return { fetch, requests };
    }

    const base = "http://svc-prod-123.eu-west-1.elb.amazonaws.com:8080";

    it("passes when every path answers the expected status through the test listener", async () => {
      testListenerTo({ blue: 0, green: 100 });
      const { fetch, requests } = fakeFetch({ [`${base}/health`]: [200], [`${base}/ready`]: [204] });
      const result = await router({ fetch }).router.preTrafficCheck("green");
      assert.equal(result.ready, true, result.detail);
      assert.deepEqual(requests, [
        { url: `${base}/health`, redirect: "manual" },
        { url: `${base}/ready`, redirect: "manual" },
      ]);
      assert.deepEqual(elb.commandCalls(DescribeListenersCommand)[0].args[0].input, {
        ListenerArns: [ROUTING.testListenerArn],
      });
    });

    it("retries a path up to the configured attempts, pausing between them", async () => {
      testListenerTo({ blue: 0, green: 100 });
      const { fetch, requests } = fakeFetch({ [`${base}/health`]: [503, 200], [`${base}/ready`]: [204] });
      const { router: instance, sleeps } = router({ fetch });
      const result = await instance.preTrafficCheck("green");
      assert.equal(result.ready, true, result.detail);
      assert.equal(requests.length, 3);
      assert.deepEqual(sleeps, [1_500]);
    });

    it("fails naming the path, the status and the expected one when attempts run out", async () => {
      testListenerTo({ blue: 0, green: 100 });
      const { fetch } = fakeFetch({ [`${base}/health`]: [200], [`${base}/ready`]: [500, 302] });
      const result = await router({ fetch }).router.preTrafficCheck("green");
      assert.equal(result.ready, false);
      assert.match(result.detail, /GET \/ready answered 302, expected 204 \(2 attempts/);
    });

    it("reports a request that times out", async () => {
      testListenerTo({ blue: 0, green: 100 });
      const fetch: FetchLike = async (_url, init) => {
        assert.equal(init.signal.aborted, true);
        throw Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
      };
      const result = await router({ fetch, timeoutSignal: () => AbortSignal.abort() }).router.preTrafficCheck(
        "green",
      );
      assert.equal(result.ready, false);
      assert.match(result.detail, /GET \/health did not answer within 5s/);
    });

    it("refuses to vouch for a colour the test listener does not send everything to", async () => {
      testListenerTo({ blue: 100, green: 0 });
      const { fetch, requests } = fakeFetch({});
      const result = await router({ fetch }).router.preTrafficCheck("green");
      assert.equal(result.ready, false);
      assert.match(result.detail, /sends 0% to green .*would not test green alone/);
      assert.equal(requests.length, 0);
    });
  });
});
