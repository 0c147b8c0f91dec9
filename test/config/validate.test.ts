import assert from "node:assert/strict";
import * as path from "node:path";
import { listStacks, parseStackFile, stackFilePath, validateStackFile } from "../../infra/config/stackFile";
import { evaluationWindow, validateConfig } from "../../infra/config/validate";
import { BUILT_IN_ALARM_DEFAULTS, BUILT_IN_ALARM_SCHEMAS } from "../../infra/config/rollout";
import { RAW_ZOD_MESSAGE } from "../../infra/config/validate";
import { namespaceSchema } from "../../infra/config/schema";
import { fieldsOf, unwrap } from "../../infra/config/fields";
import { z } from "zod";
import { parseDuration, formatDuration } from "../../infra/config/duration";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/** A minimal valid ECS stack; each case changes one key. */
function ecsStack(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "aws:region": "eu-west-1",
    "bluegreen:service": { name: "checkout", platform: "ecs" },
    "bluegreen:slots": { blue: { version: "1.0.0" }, green: { version: "1.0.0" } },
    "bluegreen:traffic": { blue: 100, green: 0 },
    "bluegreen:network": {
      vpcId: "vpc-0abc1234",
      publicSubnetIds: ["subnet-0abc1234", "subnet-0def5678"],
      privateSubnetIds: ["subnet-0aaa1111"],
    },
    "bluegreen:ecs": { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout" },
    ...overrides,
  };
}

function lambdaStack(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "bluegreen:service": { name: "orders", platform: "lambda" },
    "bluegreen:slots": { blue: { version: "2.0.0" }, green: { version: "2.0.0" } },
    "bluegreen:traffic": { blue: 100, green: 0 },
    "bluegreen:lambda": { code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/{version}.zip" } },
    ...overrides,
  };
}

function validate(values: Record<string, unknown>, secretKeys: string[] = []) {
  return validateConfig({ values, secretKeys: new Set(secretKeys) });
}

function errorsOf(values: Record<string, unknown>, secretKeys: string[] = []): string[] {
  const result = validate(values, secretKeys);
  assert.equal(result.ok, false, "expected the config to be rejected");
  return result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
}

describe("stack config validation", () => {
  describe("valid configs", () => {
    const cases: {
      name: string;
      values: Record<string, unknown>;
      check: (config: ReturnType<typeof requireOk>) => void;
    }[] = [
      {
        name: "defaults come from the SOP when rollout and alarms are absent",
        values: ecsStack(),
        check: (config) => {
          assert.deepEqual(config.rollout.plan, [
            { weight: 10, bakeSeconds: 300 },
            { weight: 25, bakeSeconds: 300 },
            { weight: 50, bakeSeconds: 300 },
            { weight: 100, bakeSeconds: 600 },
          ]);
          assert.equal(config.alarms.errorRate.threshold, 5);
          assert.equal(config.alarms.errorRate.period * config.alarms.errorRate.evaluationPeriods, 120);
          assert.equal(config.alarms.latencyP95.threshold, 3);
          assert.equal(config.alarms.unhealthyHosts.threshold, 0);
          assert.equal(config.rollout.pollInterval, 10);
          assert.equal(config.rollout.insufficientData.policy, "wait");
        },
      },
      {
        name: "the stable colour is the one at 100 when not written",
        values: ecsStack({ "bluegreen:traffic": { blue: 0, green: 100 } }),
        check: (config) => assert.equal(config.stable, "green"),
      },
      {
        name: "a split with an explicit stable colour",
        values: ecsStack({ "bluegreen:traffic": { blue: 90, green: 10 }, "bluegreen:stable": "blue" }),
        check: (config) => assert.deepEqual([config.stable, config.traffic.green], ["blue", 10]),
      },
      {
        name: "structured values as JSON text, as the Pulumi runtime hands them over",
        values: ecsStack({
          "bluegreen:traffic": '{"blue":75,"green":25}',
          "bluegreen:stable": "blue",
          "bluegreen:revision": "4",
        }),
        check: (config) => assert.deepEqual([config.traffic.green, config.revision], [25, 4]),
      },
      {
        name: "custom steps with durations in several forms",
        values: ecsStack({
          "bluegreen:rollout": {
            steps: [
              { weight: 20, bake: "3m" },
              { weight: 100, bake: "1h30m" },
            ],
          },
        }),
        check: (config) =>
          assert.deepEqual(config.rollout.plan, [
            { weight: 20, bakeSeconds: 180 },
            { weight: 100, bakeSeconds: 5400 },
          ]),
      },
      {
        name: "a named preset",
        values: ecsStack({ "bluegreen:rollout": { preset: "careful" } }),
        check: (config) => assert.equal(config.rollout.plan[0].weight, 5),
      },
      {
        name: "the careful preset pauses for approval before 100%, aborting after 2h",
        values: ecsStack({ "bluegreen:rollout": { preset: "careful" } }),
        check: (config) =>
          assert.deepEqual(
            config.rollout.plan.map((step) => step.pause),
            [undefined, undefined, undefined, { timeoutSeconds: 7200, onTimeout: "abort" }, undefined],
          ),
      },
      {
        name: "pause steps: true, a timeout with onTimeout, abort by default, and a bake from the alarms when none is given",
        values: ecsStack({
          "bluegreen:rollout": {
            steps: [
              { weight: 10, bake: "5m", pause: { timeout: "2h" } },
              { weight: 25, pause: true },
              { weight: 50, bake: "4m", pause: { timeout: "30m", onTimeout: "promote" } },
              { weight: 75, bake: "4m", pause: false },
              { weight: 100, bake: "5m" },
            ],
          },
        }),
        check: (config) =>
          assert.deepEqual(config.rollout.plan, [
            { weight: 10, bakeSeconds: 300, pause: { timeoutSeconds: 7200, onTimeout: "abort" } },
            { weight: 25, bakeSeconds: 180, pause: { onTimeout: "abort" } },
            { weight: 50, bakeSeconds: 240, pause: { timeoutSeconds: 1800, onTimeout: "promote" } },
            { weight: 75, bakeSeconds: 240 },
            { weight: 100, bakeSeconds: 300 },
          ]),
      },
      {
        name: "a Lambda stack gets Lambda alarm defaults",
        values: lambdaStack(),
        check: (config) => {
          assert.equal(config.alarms.lambdaErrorRate.threshold, 5);
          assert.equal(config.alarms.lambdaDurationP95.threshold, 3);
          assert.equal(config.lambda?.aliasName, "live");
        },
      },
      {
        name: "stickiness with a duration",
        values: ecsStack({ "bluegreen:alb": { stickiness: { enabled: true, duration: 600 } } }),
        check: (config) => assert.equal(config.alb?.stickiness?.duration, 600),
      },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => testCase.check(requireOk(testCase.values)));
    }
  });

  describe("invalid configs name the key, the value and the fix", () => {
    const cases: {
      name: string;
      values: Record<string, unknown>;
      secretKeys?: string[];
      expect: RegExp[];
    }[] = [
      {
        name: "a split that does not sum to 100",
        values: ecsStack({ "bluegreen:traffic": { blue: 80, green: 30 }, "bluegreen:stable": "blue" }),
        expect: [/^bluegreen:traffic: blue 80 \+ green 30 = 110; the two must sum to 100/],
      },
      {
        name: "a weight given as a string with a percent sign",
        values: ecsStack({ "bluegreen:traffic": { blue: 90, green: "10%" }, "bluegreen:stable": "blue" }),
        expect: [/^bluegreen:traffic\.green: .*"10%".*write 10 without the % sign/],
      },
      {
        name: "a negative weight",
        values: ecsStack({ "bluegreen:traffic": { blue: 110, green: -10 } }),
        expect: [/^bluegreen:traffic\.green: expected a whole-number percent from 0 to 100, got -10/],
      },
      {
        name: "a fractional weight",
        values: ecsStack({ "bluegreen:traffic": { blue: 89.5, green: 10.5 }, "bluegreen:stable": "blue" }),
        expect: [/^bluegreen:traffic\.blue: .*89\.5/],
      },
      {
        name: "a typo in a top-level key",
        values: ecsStack({ "bluegreen:trafic": { blue: 100, green: 0 } }),
        expect: [/^bluegreen:trafic: unknown key; did you mean bluegreen:traffic\?/],
      },
      {
        name: "a typo inside a block",
        values: ecsStack({
          "bluegreen:ecs": { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout", desiredCont: 2 },
        }),
        expect: [/^bluegreen:ecs: unknown key "desiredCont"/],
      },
      {
        name: "a missing required key",
        values: (() => {
          const values = ecsStack();
          delete values["bluegreen:slots"];
          return values;
        })(),
        expect: [/^bluegreen:slots: is required; for example/],
      },
      {
        name: "a wrong type",
        values: ecsStack({
          "bluegreen:ecs": {
            image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout",
            desiredCount: "two",
          },
        }),
        expect: [/^bluegreen:ecs\.desiredCount: expected a task count .*"two"/],
      },
      {
        name: "an empty plan",
        values: ecsStack({ "bluegreen:rollout": { steps: [] } }),
        expect: [/^bluegreen:rollout\.steps: the plan is empty/],
      },
      {
        name: "a plan that does not increase",
        values: ecsStack({
          "bluegreen:rollout": {
            steps: [
              { weight: 50, bake: "5m" },
              { weight: 25, bake: "5m" },
              { weight: 100, bake: "5m" },
            ],
          },
        }),
        expect: [
          /^bluegreen:rollout\.steps\[1\]\.weight: weights must strictly increase: step 2 has 25 after 50/,
        ],
      },
      {
        name: "a plan that does not end at 100",
        values: ecsStack({
          "bluegreen:rollout": {
            steps: [
              { weight: 10, bake: "5m" },
              { weight: 50, bake: "5m" },
            ],
          },
        }),
        expect: [
          /^bluegreen:rollout\.steps\[1\]\.weight: the last step must send 100% to the new colour, got 50/,
        ],
      },
      {
        name: "a bake shorter than the alarms can evaluate",
        values: ecsStack({
          "bluegreen:rollout": {
            steps: [
              { weight: 10, bake: "90s" },
              { weight: 100, bake: "5m" },
            ],
          },
        }),
        expect: [
          /^bluegreen:rollout\.steps\[0\]\.bake: a bake of 1m30s is shorter than the alarms can evaluate: alarm errorRate \(2 x 1m, plus 1m metric lag\) needs at least 3m/,
        ],
      },
      {
        name: "a pause on the 100% step",
        values: ecsStack({
          "bluegreen:rollout": {
            steps: [
              { weight: 50, bake: "5m" },
              { weight: 100, bake: "5m", pause: true },
            ],
          },
        }),
        expect: [
          /^bluegreen:rollout\.steps\[1\]\.pause: a pause on the 100% step has nothing left to approve: .*Put the pause on the step before it \(step 1\)/,
        ],
      },
      {
        name: "a pause that is neither true nor a timeout, and one with a bad onTimeout",
        values: ecsStack({
          "bluegreen:rollout": {
            steps: [
              { weight: 25, bake: "5m", pause: "yes" },
              { weight: 50, bake: "5m", pause: { timeout: "2h", onTimeout: "continue" } },
              { weight: 100, bake: "5m" },
            ],
          },
        }),
        expect: [
          /^bluegreen:rollout\.steps\[0\]\.pause: expected true, or \{ timeout: "2h", onTimeout: "abort" \| "promote" \}, got "yes"/,
          /^bluegreen:rollout\.steps\[1\]\.pause/,
        ],
      },
      {
        name: "a step without a bake or a pause",
        values: ecsStack({ "bluegreen:rollout": { steps: [{ weight: 50 }, { weight: 100, bake: "5m" }] } }),
        expect: [
          /^bluegreen:rollout\.steps\[0\]\.bake: is required: .*only a step with a pause may leave it out/,
        ],
      },
      {
        name: "a bake that cannot cover the Lambda metric lag",
        values: lambdaStack({ "bluegreen:rollout": { steps: [{ weight: 100, bake: "3m" }] } }),
        expect: [/bake of 3m is shorter .* lambdaErrorRate .*needs at least 4m/],
      },
      {
        name: "a bad duration",
        values: ecsStack({ "bluegreen:rollout": { steps: [{ weight: 100, bake: "5 minutes" }] } }),
        expect: [
          /^bluegreen:rollout\.steps\[0\]\.bake: expected a duration such as "90s", "5m" or "1h30m", got "5 minutes"/,
        ],
      },
      {
        name: "both a preset and steps",
        values: ecsStack({ "bluegreen:rollout": { preset: "sop", steps: [{ weight: 100, bake: "5m" }] } }),
        expect: [/^bluegreen:rollout: give either preset or steps, not both/],
      },
      {
        name: "a 30-second period on a one-minute AWS metric",
        values: ecsStack({ "bluegreen:alarms": { errorRate: { period: "30s" } } }),
        expect: [/^bluegreen:alarms\.errorRate\.period: is 30s; AWS publishes these metrics once a minute/],
      },
      {
        name: "an evaluation window over one day",
        values: ecsStack({ "bluegreen:alarms": { latencyP95: { period: "1h", evaluationPeriods: 25 } } }),
        expect: [
          /^bluegreen:alarms\.latencyP95: period x evaluationPeriods is 90000s; CloudWatch allows at most one day/,
        ],
      },
      {
        name: "stickiness on without a duration",
        values: ecsStack({ "bluegreen:alb": { stickiness: { enabled: true } } }),
        expect: [/^bluegreen:alb\.stickiness\.duration: required when stickiness is enabled/],
      },
      {
        name: "a stickiness duration over a week",
        values: ecsStack({ "bluegreen:alb": { stickiness: { enabled: true, duration: 604801 } } }),
        expect: [
          /^bluegreen:alb\.stickiness\.duration: expected a number of seconds \(a whole number from 1 to 604800\), got 604801/,
        ],
      },
      {
        name: "a service name too long for target group names",
        values: ecsStack({ "bluegreen:service": { name: "a-very-long-checkout-service", platform: "ecs" } }),
        expect: [/^bluegreen:service\.name: must be at most 18 characters .*32-character target group limit/],
      },
      {
        name: "a Kubernetes stack without its block",
        values: ecsStack({
          "bluegreen:service": { name: "checkout", platform: "kubernetes" },
          "bluegreen:ecs": undefined,
        }),
        expect: [/^bluegreen:kubernetes: is required for platform kubernetes/],
      },
      {
        name: "a Kubernetes gateway stack without per-colour alarms",
        values: {
          "bluegreen:service": { name: "checkout", platform: "kubernetes" },
          "bluegreen:slots": { blue: { version: "1.0.0" }, green: { version: "1.0.0" } },
          "bluegreen:traffic": { blue: 100, green: 0 },
          "bluegreen:kubernetes": {
            image: "registry.example.com/checkout",
            routing: { mode: "gateway", gateway: { name: "public" } },
          },
        },
        expect: [/^bluegreen:alarms\.colourAlarms: is required in gateway mode/],
      },
      {
        name: "a Kubernetes version that cannot be a label value",
        values: {
          "bluegreen:service": { name: "checkout", platform: "kubernetes" },
          "bluegreen:slots": { blue: { version: "1.0.0" }, green: { version: "1.0.0-" } },
          "bluegreen:traffic": { blue: 100, green: 0 },
          "bluegreen:network": {
            vpcId: "vpc-0abc1234",
            publicSubnetIds: ["subnet-0abc1234", "subnet-0def5678"],
            privateSubnetIds: ["subnet-0aaa1111"],
          },
          "bluegreen:kubernetes": { image: "registry.example.com/checkout", routing: { mode: "alb" } },
        },
        expect: [/^bluegreen:slots\.green\.version: on Kubernetes the version is a label value/],
      },
      {
        name: "an unknown Kubernetes routing mode",
        values: {
          "bluegreen:service": { name: "checkout", platform: "kubernetes" },
          "bluegreen:slots": { blue: { version: "1.0.0" }, green: { version: "1.0.0" } },
          "bluegreen:traffic": { blue: 100, green: 0 },
          "bluegreen:kubernetes": { image: "registry.example.com/checkout", routing: { mode: "istio" } },
        },
        expect: [/^bluegreen:kubernetes\.routing(\.mode)?: .*"alb" or "gateway"/],
      },
      {
        name: "a block for another platform",
        values: lambdaStack({
          "bluegreen:ecs": { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout" },
        }),
        expect: [/^bluegreen:ecs: is not used by platform lambda/],
      },
      {
        name: "an alarm for another platform",
        values: ecsStack({ "bluegreen:alarms": { lambdaThrottles: { threshold: 1 } } }),
        expect: [/^bluegreen:alarms\.lambdaThrottles: does not apply to platform ecs/],
      },
      {
        name: "a platform block missing",
        values: (() => {
          const values = ecsStack();
          delete values["bluegreen:network"];
          return values;
        })(),
        expect: [/^bluegreen:network: is required for platform ecs/],
      },
      {
        name: "a split without a stable colour",
        values: ecsStack({ "bluegreen:traffic": { blue: 50, green: 50 } }),
        expect: [/^bluegreen:stable: is required while traffic is split/],
      },
      {
        name: "an image with a tag",
        values: ecsStack({
          "bluegreen:ecs": { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:1.0.0" },
        }),
        expect: [/^bluegreen:ecs\.image: give the repository without a tag/],
      },
      {
        name: "Fargate memory that does not fit the CPU",
        values: ecsStack({
          "bluegreen:ecs": {
            image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout",
            cpu: 1024,
            memory: 512,
          },
        }),
        expect: [/^bluegreen:ecs\.memory: Fargate with cpu 1024 takes memory from 2048 to 8192 MiB/],
      },
      {
        name: "a Lambda artifact template without {version}",
        values: lambdaStack({
          "bluegreen:lambda": { code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/latest.zip" } },
        }),
        expect: [/^bluegreen:lambda\.code\.s3KeyTemplate: must contain "\{version\}"/],
      },
      {
        name: "a plain value where a secret belongs",
        values: ecsStack({ "bluegreen:kubeconfig": "apiVersion: v1" }),
        expect: [/^bluegreen:kubeconfig: must be a secret/],
      },
      {
        name: "a misspelled namespace, which would silently have no effect",
        values: ecsStack({ "bluegren:rollout": { preset: "careful" } }),
        expect: [
          /^bluegren:rollout: unknown namespace "bluegren", so nothing reads this key; did you mean bluegreen:rollout\?$/,
        ],
      },
      {
        name: "the namespace with a hyphen",
        values: ecsStack({ "blue-green:alarms": { extra: ["checkout-orders-drop"] } }),
        expect: [/^blue-green:alarms: unknown namespace "blue-green".*did you mean bluegreen:alarms\?$/],
      },
      {
        name: "the namespace in another case with an underscore, and a typo in the key too",
        values: ecsStack({ "Blue_Green:rollot": { preset: "careful" } }),
        expect: [/^Blue_Green:rollot: unknown namespace "Blue_Green".*did you mean bluegreen:rollout\?$/],
      },
      {
        name: "every built-in ECS alarm disabled",
        values: ecsStack({
          "bluegreen:alarms": {
            errorRate: { enabled: false },
            latencyP95: { enabled: false },
            unhealthyHosts: { enabled: false },
            extra: ["checkout-orders-drop"],
          },
        }),
        expect: [
          /^bluegreen:alarms: no alarm judges the new colour: every built-in alarm of platform ecs \(errorRate, latencyP95, unhealthyHosts\) is disabled, .*set bluegreen:alarms\.allowNone: true/,
        ],
      },
      {
        name: "every built-in Lambda alarm disabled, allowNone written as false",
        values: lambdaStack({
          "bluegreen:alarms": {
            lambdaErrorRate: { enabled: false },
            lambdaThrottles: { enabled: false },
            lambdaDurationP95: { enabled: false },
            allowNone: false,
          },
        }),
        expect: [
          /^bluegreen:alarms: no alarm judges the new colour: every built-in alarm of platform lambda/,
        ],
      },
      {
        name: "allowNone as text",
        values: ecsStack({ "bluegreen:alarms": { allowNone: "yes" } }),
        expect: [/^bluegreen:alarms\.allowNone: expected true or false, got "yes"$/],
      },
      {
        name: "an extra alarm named twice",
        values: ecsStack({ "bluegreen:alarms": { extra: ["orders-drop", "payments-5xx", "orders-drop"] } }),
        expect: [
          /^bluegreen:alarms\.extra\[2\]: names "orders-drop" again \(first at \[0\]\): list each alarm once$/,
        ],
      },
      {
        name: "a colour alarm named twice",
        values: {
          "bluegreen:service": { name: "checkout", platform: "kubernetes" },
          "bluegreen:slots": { blue: { version: "1.0.0" }, green: { version: "1.0.0" } },
          "bluegreen:traffic": { blue: 100, green: 0 },
          "bluegreen:kubernetes": {
            image: "registry.example.com/checkout",
            routing: { mode: "gateway", gateway: { name: "public" } },
          },
          "bluegreen:alarms": { colourAlarms: { blue: ["b-5xx"], green: ["g-5xx", "g-5xx"] } },
        },
        expect: [/^bluegreen:alarms\.colourAlarms\.green\[1\]: names "g-5xx" again/],
      },
      {
        name: "an empty extra alarm name",
        values: ecsStack({ "bluegreen:alarms": { extra: [""] } }),
        expect: [/^bluegreen:alarms\.extra\[0\]: must have 1-255 characters, got ""$/],
      },
      {
        name: "an empty list of pre-traffic paths",
        values: ecsStack({ "bluegreen:rollout": { preTrafficCheck: { paths: [] } } }),
        expect: [
          /^bluegreen:rollout\.preTrafficCheck\.paths: list at least one path to request, or set preTrafficCheck\.enabled: false$/,
        ],
      },
      {
        name: "an empty list of ingress CIDRs",
        values: ecsStack({
          "bluegreen:network": {
            vpcId: "vpc-0abc1234",
            publicSubnetIds: ["subnet-0abc1234", "subnet-0def5678"],
            privateSubnetIds: ["subnet-0aaa1111"],
            ingressCidrs: [],
          },
        }),
        expect: [/^bluegreen:network\.ingressCidrs: list at least one CIDR/],
      },
      {
        name: "a bucket name too short",
        values: lambdaStack({
          "bluegreen:lambda": { code: { s3Bucket: "ab", s3KeyTemplate: "orders/{version}.zip" } },
        }),
        expect: [
          /^bluegreen:lambda\.code\.s3Bucket: expected an S3 bucket name of 3 to 63 characters, got "ab"$/,
        ],
      },
      {
        name: "an unknown Lambda architecture",
        values: lambdaStack({
          "bluegreen:lambda": {
            architecture: "arm",
            code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/{version}.zip" },
          },
        }),
        expect: [/^bluegreen:lambda\.architecture: expected "x86_64" or "arm64", got "arm"$/],
      },
      {
        name: "an environment variable with an empty name",
        values: ecsStack({
          "bluegreen:ecs": {
            image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout",
            environment: { "": "x" },
          },
        }),
        expect: [
          /^bluegreen:ecs\.environment\.: expected an environment variable name such as LOG_LEVEL, got ""$/,
        ],
      },
      {
        name: "a secret inside a plain key, never echoing the ciphertext",
        values: ecsStack({
          "bluegreen:ecs": {
            image: { secure: "AAABAJ0xyzciphertext" },
            environment: { TOKEN: { secure: "AAAB" } },
          },
        }),
        expect: [
          /^bluegreen:ecs\.image: this key cannot be a secret: set it in plain text \(`pulumi config set` without `--secret`\)$/,
          /^bluegreen:ecs\.environment\.TOKEN: this key cannot be a secret: /,
        ],
      },
      {
        name: "a secret deep in a list",
        values: ecsStack({ "bluegreen:alarms": { extra: ["orders-drop", { secure: "AAAB" }] } }),
        expect: [/^bluegreen:alarms\.extra\[1\]: this key cannot be a secret: /],
      },
      {
        name: "a 10 kB version, echoed cut",
        values: ecsStack({
          "bluegreen:slots": { blue: { version: "v".repeat(10240) }, green: { version: "1.0.0" } },
        }),
        expect: [
          /^bluegreen:slots\.blue\.version: expected a version .*, got "v{60}…" \(10240 characters\)$/,
        ],
      },
      {
        name: "a secret where plain config belongs",
        values: ecsStack({ "bluegreen:traffic": "[secret]" }),
        secretKeys: ["bluegreen:traffic"],
        expect: [
          /^bluegreen:traffic: this key cannot be a secret: set it in plain text \(`pulumi config set` without `--secret`\)$/,
        ],
      },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        const errors = errorsOf(testCase.values, testCase.secretKeys);
        for (const pattern of testCase.expect) {
          assert.ok(
            errors.some((error) => pattern.test(error)),
            `no error matches ${pattern}; got:\n${errors.join("\n")}`,
          );
        }
      });
    }
  });

  it("accepts the kubeconfig as a secret, lists it, and never parses its value", () => {
    const result = validate(
      {
        ...ecsStack({
          "bluegreen:service": { name: "checkout", platform: "kubernetes" },
          "bluegreen:ecs": undefined,
        }),
        "bluegreen:kubernetes": { image: "registry.example.com/checkout", routing: { mode: "alb" } },
        "bluegreen:kubeconfig": "apiVersion: v1\nusers: [{ name: ci, user: { token: s3cr3t-token } }]",
      },
      ["bluegreen:kubeconfig"],
    );
    assert.ok(result.ok, result.ok ? "" : result.errors.map((error) => error.message).join("\n"));
    assert.deepEqual(result.config.secretKeys, ["kubeconfig"]);
    assert.ok(!JSON.stringify(result).includes("s3cr3t-token"));
  });

  it("reports every problem of a file at once, each key's own before the rules across keys", () => {
    const errors = errorsOf(
      lambdaStack({
        "bluegreen:traffic": { blue: 60, green: 40 },
        "bluegreen:lambda": { code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/latest.zip" } },
        "bluegreen:alarms": { errorRate: { threshold: 1 }, lambdaThrottles: { period: "30s" } },
      }),
    );
    assert.deepEqual(errors, [
      'bluegreen:lambda.code.s3KeyTemplate: must contain "{version}" so each colour gets its own artifact, got "orders/latest.zip"',
      'bluegreen:alarms.lambdaThrottles.period: is 30s; AWS publishes these metrics once a minute, so any other period evaluates gaps: use a multiple of 60s such as "1m"',
      "bluegreen:alarms.errorRate: does not apply to platform lambda; its built-in alarms are lambdaErrorRate, lambdaThrottles, lambdaDurationP95",
      'bluegreen:stable: is required while traffic is split (blue 60, green 40): name the colour a revert goes back to, "blue" or "green"',
    ]);
  });

  it("checks a block's own rules even when one of its fields is wrong", () => {
    const errors = errorsOf(
      ecsStack({
        "bluegreen:trafic": { blue: 100, green: 0 },
        "bluegreen:ecs": {
          image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout:1.0.0",
          cpu: 1024,
          memory: 512,
        },
      }),
    );
    assert.deepEqual(
      errors.map((error) => error.split(":").slice(0, 2).join(":")),
      ["bluegreen:ecs.image", "bluegreen:ecs.memory", "bluegreen:trafic"],
      errors.join("\n"),
    );
  });

  it("lists the known keys for an unknown key that is no near typo", () => {
    const errors = errorsOf(ecsStack({ "bluegreen:canary": true }));
    assert.match(
      errors[0],
      /^bluegreen:canary: unknown key\. Known keys: bluegreen:service, bluegreen:slots, .*bluegreen:kubeconfig, bluegreen:notifications, bluegreen:slackWebhookUrl$/,
    );
  });

  it("suggests the nearest key for a typo inside a block", () => {
    const errors = errorsOf(ecsStack({ "bluegreen:rollout": { pollIntervall: "10s" } }));
    assert.match(errors[0], /^bluegreen:rollout: unknown key "pollIntervall"; did you mean "pollInterval"\?/);
  });

  it("never echoes a secret value in an error", () => {
    const result = validate(ecsStack({ "bluegreen:traffic": "s3cr3t-value" }), ["bluegreen:traffic"]);
    assert.equal(result.ok, false);
    assert.ok(!JSON.stringify(result).includes("s3cr3t-value"));
  });

  it("warns when stickiness outlasts every bake", () => {
    const result = validate(
      ecsStack({ "bluegreen:alb": { stickiness: { enabled: true, duration: 86400 } } }),
    );
    assert.equal(result.ok, true);
    assert.match(
      result.warnings[0]?.message ?? "",
      /clients stay pinned to a colour for 24h0m0s|clients stay pinned to a colour for 24h/,
    );
  });

  it("states each built-in alarm's defaults as its schema makes them of an empty block", () => {
    for (const [name, schema] of Object.entries(BUILT_IN_ALARM_SCHEMAS)) {
      assert.deepEqual(
        schema.unwrap().parse({}),
        BUILT_IN_ALARM_DEFAULTS[name as keyof typeof BUILT_IN_ALARM_DEFAULTS],
        name,
      );
    }
  });

  it("still warns about stickiness when another key of the load balancer is wrong", () => {
    const result = validate(
      ecsStack({ "bluegreen:alb": { stickiness: { enabled: true, duration: 86400 }, idleTimeout: 0 } }),
    );
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.warnings.map((warning) => warning.path),
      ["bluegreen:alb.stickiness.duration"],
    );
  });

  it("computes the evaluation window of the enabled alarms only", () => {
    const config = requireOk(
      ecsStack({
        "bluegreen:alarms": { errorRate: { enabled: false }, latencyP95: { evaluationPeriods: 3 } },
      }),
    );
    assert.equal(evaluationWindow("ecs", config.alarms)?.seconds, 3 * 60 + 60);
  });

  describe("durations", () => {
    const cases: [string, number | undefined][] = [
      ["90s", 90],
      ["5m", 300],
      ["1h30m", 5400],
      ["1h2m3s", 3723],
      ["", undefined],
      ["5", undefined],
      ["m", undefined],
      ["-5m", undefined],
    ];
    for (const [text, seconds] of cases) {
      it(`parses ${JSON.stringify(text)}`, () => assert.equal(parseDuration(text), seconds));
    }
    it("formats seconds back", () =>
      assert.deepEqual(
        [formatDuration(0), formatDuration(90), formatDuration(3723)],
        ["0s", "1m30s", "1h2m3s"],
      ));
  });

  describe("stack files", () => {
    const stacks = listStacks(PROJECT_DIR);
    it("ships dev, staging, prod and a Lambda stack", () => {
      for (const name of ["dev", "staging", "prod", "orders-dev"])
        assert.ok(stacks.includes(name), `missing stacks/Pulumi.${name}.yaml`);
    });
    for (const stack of stacks) {
      it(`stacks/Pulumi.${stack}.yaml is valid`, () => {
        const result = validateStackFile(stackFilePath(PROJECT_DIR, stack));
        assert.ok(
          result.ok,
          result.ok ? "" : result.errors.map((error) => `${error.path}: ${error.message}`).join("\n"),
        );
      });
    }
    it("prod follows a slower plan than dev", () => {
      const plan = (stack: string) => {
        const result = validateStackFile(stackFilePath(PROJECT_DIR, stack));
        assert.ok(result.ok);
        return result.config.rollout.plan;
      };
      const total = (steps: readonly { bakeSeconds: number }[]) =>
        steps.reduce((sum, step) => sum + step.bakeSeconds, 0);
      assert.ok(total(plan("prod")) > total(plan("dev")));
      assert.ok(plan("prod")[0].weight < plan("dev")[0].weight);
    });
    it("reads secure values as secrets without decoding them", () => {
      const parsed = parseStackFile("config:\n  bluegreen:kubeconfig:\n    secure: AAABAJ0xyz\n");
      assert.ok("raw" in parsed);
      if ("raw" in parsed) {
        assert.ok(parsed.raw.secretKeys.has("bluegreen:kubeconfig"));
        assert.ok(!JSON.stringify(parsed.raw.values).includes("AAABAJ0xyz"));
      }
    });
    it("reports a file that is not YAML at the file, with the parser's reason", () => {
      const parsed = parseStackFile("config: [unclosed");
      assert.ok("problems" in parsed, "a problem, not config");
      assert.equal(parsed.problems.length, 1);
      assert.equal(parsed.problems[0].path, "(file)");
      assert.match(parsed.problems[0].message, /^is not valid YAML: .+/);
    });

    const notStackFiles: { title: string; text: string; problem: { path: string; message: string } }[] = [
      {
        title: "a list",
        text: "- config",
        problem: { path: "(file)", message: "expected a mapping with a `config:` key" },
      },
      {
        title: "a config that is not a mapping",
        text: "config: [a, b]",
        problem: { path: "config", message: "expected a mapping of config keys" },
      },
    ];
    for (const { title, text, problem } of notStackFiles) {
      it(`reports ${title} as not a stack file`, () => {
        assert.deepEqual(parseStackFile(text), { problems: [problem] });
      });
    }

    it("validates an empty file as one missing every required key", () => {
      const parsed = parseStackFile("");
      assert.ok("raw" in parsed);
      const result = validateConfig(parsed.raw);
      assert.equal(result.ok, false);
      assert.deepEqual(result.ok ? [] : result.errors.map((error) => error.path), [
        "bluegreen:service",
        "bluegreen:slots",
        "bluegreen:traffic",
      ]);
    });
  });
});

describe("stack config: guardrails on what a stack file says", () => {
  it("leaves the other namespaces alone", () => {
    requireOk(
      ecsStack({
        "aws:profile": "platform",
        "kubernetes:context": "eks-dev",
        "pulumi:template": "bluegreen",
        "bluegreenish:x": 1,
        "green:x": 1,
      }),
    );
  });

  it("refuses a quoted revision in a stack file, like any other number written as text", () => {
    const text = (revision: string) =>
      `config:\n  bluegreen:service: { name: checkout, platform: lambda }\n  bluegreen:slots: { blue: { version: "1" }, green: { version: "1" } }\n  bluegreen:traffic: { blue: 100, green: 0 }\n  bluegreen:lambda: { code: { s3Bucket: artifacts, s3KeyTemplate: "o/{version}.zip" } }\n  bluegreen:revision: ${revision}\n`;
    const outcome = (revision: string) => {
      const parsed = parseStackFile(text(revision));
      assert.ok("raw" in parsed);
      const result = validateConfig(parsed.raw);
      return result.ok
        ? `ok ${result.config.revision}`
        : result.errors.map((e) => `${e.path}: ${e.message}`).join("\n");
    };
    assert.equal(outcome("3"), "ok 3");
    assert.equal(
      outcome('"3"'),
      'bluegreen:revision: expected a release revision (a whole number from 0 to 9007199254740991), got "3"',
    );
    assert.match(outcome("2.5"), /^bluegreen:revision: expected a release revision .*, got 2\.5$/);
  });

  it("never echoes a secret written inside a plain key", () => {
    const parsed = parseStackFile(
      "config:\n  bluegreen:alb:\n    certificateArn:\n      secure: AAABAJ0xyzciphertext\n",
    );
    assert.ok("raw" in parsed);
    const result = validateConfig(parsed.raw);
    assert.equal(result.ok, false);
    assert.ok(!JSON.stringify(result).includes("AAABAJ0xyz"), JSON.stringify(result));
  });

  it("allows a stack with nothing judging the new colour only when it says so, and then warns", () => {
    const result = validate(
      ecsStack({
        "bluegreen:alarms": {
          errorRate: { enabled: false },
          latencyP95: { enabled: false },
          unhealthyHosts: { enabled: false },
          allowNone: true,
        },
      }),
    );
    assert.ok(result.ok, result.ok ? "" : result.errors.map((e) => e.message).join("\n"));
    assert.deepEqual(
      result.warnings.map((warning) => warning.path),
      ["bluegreen:alarms.allowNone"],
    );
    assert.match(
      result.warnings[0].message,
      /^NOTHING JUDGES THE NEW COLOUR: every built-in alarm of platform ecs/,
    );
  });

  it("does not warn about allowNone while an alarm judges the new colour", () => {
    const result = validate(
      ecsStack({ "bluegreen:alarms": { errorRate: { enabled: false }, allowNone: true } }),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.warnings, []);
  });

  describe("never words a problem in zod's own terms, nor echoes a value whole", () => {
    const long = "x".repeat(300);
    const badValues: { name: string; value: unknown }[] = [
      { name: "an empty object", value: {} },
      { name: "an empty list", value: [] },
      { name: "a list of one empty string", value: [""] },
      { name: "an empty string", value: "" },
      { name: "a negative number", value: -1 },
      { name: "a huge number", value: 1e12 },
      { name: "a boolean", value: true },
      { name: "a 300-character string", value: long },
      { name: "a list of 300-character strings", value: [long, long] },
      { name: "a map with an empty key", value: { "": long } },
    ];
    const paths = leafPaths(namespaceSchema, []);
    it("walks every key of the namespace", () => assert.ok(paths.length > 100, `${paths.length} paths`));
    for (const { name, value } of badValues) {
      it(`${name} at every key`, () => {
        const leaks: string[] = [];
        for (const at of paths) {
          const [key, ...rest] = at;
          const result = validate(ecsStack({ [`bluegreen:${String(key)}`]: nest(rest, value) }));
          for (const problem of result.ok ? [] : result.errors) {
            if (RAW_ZOD_MESSAGE.test(problem.message) || problem.message.includes("x".repeat(61))) {
              leaks.push(`${problem.path}: ${problem.message}`);
            }
          }
        }
        assert.deepEqual(leaks, []);
      });
    }
  });
});

/** Every path into the schema's objects (an array's element at index 0), the key itself first. */
function leafPaths(schema: z.core.$ZodType, prefix: PropertyKey[]): PropertyKey[][] {
  const fields = fieldsOf(schema);
  if (fields !== undefined) {
    return [
      ...(prefix.length > 0 ? [prefix] : []),
      ...Object.entries(fields).flatMap(([name, field]) => leafPaths(field, [...prefix, name])),
    ];
  }
  const { inner } = unwrap(schema);
  if (inner instanceof z.ZodArray && fieldsOf(inner.element) !== undefined) {
    return [prefix, ...leafPaths(inner.element, [...prefix, 0])];
  }
  return [prefix];
}

/** `value` at `path` inside otherwise empty objects and lists. */
function nest(path: readonly PropertyKey[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [part, ...rest] = path;
  return typeof part === "number" ? [nest(rest, value)] : { [part]: nest(rest, value) };
}

function requireOk(values: Record<string, unknown>) {
  const result = validate(values);
  assert.ok(
    result.ok,
    result.ok ? "" : result.errors.map((error) => `${error.path}: ${error.message}`).join("\n"),
  );
  return result.config;
}
