import assert from "node:assert/strict";
import * as path from "node:path";
import * as vm from "node:vm";
import * as pulumi from "@pulumi/pulumi";
import { GUARDIAN_TARGET_ENV, GuardianTarget } from "../../components/domain";
import { buildGuardianBundle, bundleGuardianHandler } from "../../components/guardianBundle";
import { RolloutGuardian, scheduleExpression } from "../../components/rolloutGuardian";
import { GUARDIAN_ENTRY_FILE } from "../../infra/program";
import { captureChildren, urnsOf } from "../support/awsFixtures";
import { resourcesOfType, valueOf } from "../support/pulumi-mocks";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const FIXTURE = path.join(__dirname, "fixtures", "guardianEntry.ts");

const TARGET: GuardianTarget = {
  stack: "dev",
  service: "orders",
  platform: "lambda",
  region: "eu-west-1",
  routing: {
    kind: "lambda",
    functionName: "orders-dev",
    aliasName: "live",
    aliasArn: "arn:aws:lambda:eu-west-1:123456789012:function:orders-dev:live",
    versions: { blue: "3", green: "4" },
  },
  alarms: {
    blue: { composite: "orders-dev-blue", members: ["orders-dev-blue-errors"] },
    green: { composite: "orders-dev-green", members: ["orders-dev-green-errors"] },
  },
  controlTableName: "bluegreen-orders-dev",
  driverTimeoutSeconds: 300,
};

/** Loads a CommonJS bundle as Lambda's runtime does, without touching the module cache. */
function loadBundle(code: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  vm.runInThisContext(`(function (exports, require, module) {${code}\n})`)(module.exports, require, module);
  return module.exports;
}

describe("RolloutGuardian", () => {
  describe("the handler's bundle", () => {
    it("is byte-identical from one build to the next, SDK and project modules included", () => {
      const first = buildGuardianBundle(FIXTURE);
      const second = buildGuardianBundle(FIXTURE);
      assert.ok(first.length > 10_000, "the SDK client is in the bundle");
      assert.equal(first, second);
    });

    it("names no path of the machine that built it, so the asset hash is the same everywhere", () => {
      const code = buildGuardianBundle(FIXTURE);
      for (const local of [
        PROJECT_DIR,
        path.dirname(PROJECT_DIR),
        "node_modules",
        "/tmp/",
        "sourceMappingURL",
      ]) {
        assert.ok(!code.includes(local), `the bundle names ${local}`);
      }
    });

    it("exports the handler as index.handler finds it", () => {
      assert.equal(typeof loadBundle(buildGuardianBundle(GUARDIAN_ENTRY_FILE)).handler, "function");
      assert.equal(typeof loadBundle(buildGuardianBundle(FIXTURE)).handler, "function");
    });

    it("is built once per program run", () => {
      assert.equal(bundleGuardianHandler(FIXTURE), bundleGuardianHandler(FIXTURE));
      assert.equal(
        bundleGuardianHandler(path.relative(process.cwd(), FIXTURE)),
        bundleGuardianHandler(FIXTURE),
      );
    });
  });

  it("refuses an entry file that does not exist, naming it, before any child", () => {
    const missing = path.join(__dirname, "fixtures", "missing.ts");
    assert.throws(
      () => new RolloutGuardian("orders-dev", { target: TARGET, entryFile: missing }),
      (error: Error) =>
        error instanceof pulumi.ResourceError && error.message.includes(`${missing} does not exist`),
    );
    assert.deepEqual(resourcesOfType("aws:lambda/function:Function"), []);
  });

  it("ships the bundle as index.js and the target as JSON in its environment", async () => {
    const guardian = new RolloutGuardian("orders-dev", { target: TARGET, entryFile: FIXTURE });
    await valueOf(guardian.functionArn);
    const [fn] = resourcesOfType("aws:lambda/function:Function");
    const assets = await (fn.inputs.code as pulumi.asset.AssetArchive).assets;
    assert.deepEqual(Object.keys(assets), ["index.js"]);
    assert.equal(await (assets["index.js"] as pulumi.asset.StringAsset).text, bundleGuardianHandler(FIXTURE));
    assert.deepEqual(JSON.parse(fn.inputs.environment.variables[GUARDIAN_TARGET_ENV]), TARGET);
    assert.deepEqual(fn.inputs.loggingConfig, {
      logFormat: "Text",
      logGroup: "/bluegreen/guardian/orders-dev",
    });
  });

  it("parents every child to the component", async () => {
    const { opts, children } = captureChildren();
    const component = new RolloutGuardian("orders-dev", { target: TARGET, entryFile: FIXTURE }, opts);
    const urns = await urnsOf(children.filter((child) => child !== component));
    assert.equal(urns.length, 10, urns.join("\n"));
    for (const urn of urns) assert.match(urn, /bluegreen:guardian:RolloutGuardian\$/);
  });

  describe("the schedule's rate expression", () => {
    const cases: [number, string | RegExp][] = [
      [60, "rate(1 minute)"],
      [300, "rate(5 minutes)"],
      [30, /at most once a minute, in whole minutes; got 30s/],
      [90, /in whole minutes; got 90s/],
    ];
    for (const [seconds, expected] of cases) {
      it(`${seconds}s`, () => {
        if (typeof expected === "string") assert.equal(scheduleExpression(seconds), expected);
        else assert.throws(() => scheduleExpression(seconds), expected);
      });
    }
  });
});
