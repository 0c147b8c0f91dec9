import assert from "node:assert/strict";
import {
  OUTPUT_KEYS,
  type RawOutput,
  StackOutputsError,
  parseStackOutputs,
} from "../../../../automation/adapters/pulumi/outputs";
import { stackOutputsSchema } from "../../../../components/domain";

const GATEWAY_OUTPUTS = {
  service: "catalog",
  platform: "kubernetes",
  revision: 2,
  stableColour: "green",
  traffic: { blue: 10, green: 90 },
  slots: { blue: { version: "3.2.0" }, green: { version: "3.1.0" } },
  alarms: {
    blue: { composite: "catalog-dev-blue", members: ["catalog-dev-blue-5xx-rate"] },
    green: { composite: "catalog-dev-green", members: ["catalog-dev-green-5xx-rate"] },
    extra: ["catalog-orders-drop"],
  },
  routing: {
    kind: "gateway",
    namespace: "catalog-dev",
    routeName: "catalog",
    serviceNames: { blue: "catalog-blue", green: "catalog-green" },
  },
  routingUrns: [
    "urn:pulumi:dev::bluegreen::kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::catalog-route",
  ],
};

function raw(outputs: Record<string, unknown>, secret: readonly string[] = []): Record<string, RawOutput> {
  return Object.fromEntries(
    Object.entries(outputs).map(([key, value]) => [key, { value, secret: secret.includes(key) }]),
  );
}

function rejection(outputs: Record<string, RawOutput>): StackOutputsError {
  try {
    parseStackOutputs("dev", outputs);
  } catch (error) {
    assert.ok(error instanceof StackOutputsError, String(error));
    return error;
  }
  assert.fail("expected the outputs to be refused");
}

describe("parseStackOutputs", () => {
  it("parses a deployment made before the control table existed, and reads the table when exported", () => {
    assert.equal(parseStackOutputs("dev", raw(GATEWAY_OUTPUTS))?.control, undefined);
    const control = {
      tableName: "bluegreen-catalog-dev",
      tableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/bluegreen-catalog-dev",
    };
    assert.deepEqual(parseStackOutputs("dev", raw({ ...GATEWAY_OUTPUTS, control }))?.control, control);
    assert.deepEqual(rejection(raw({ ...GATEWAY_OUTPUTS, control: { tableName: "" } })).keys, ["control"]);
  });

  it("reads every output the contract names, and only those", () => {
    assert.deepEqual(OUTPUT_KEYS, Object.keys(stackOutputsSchema.shape));
    const parsed = parseStackOutputs("dev", raw({ ...GATEWAY_OUTPUTS, debug: "ignored" }));
    assert.deepEqual(parsed, GATEWAY_OUTPUTS);
  });

  it("reads a stack that was never deployed as no outputs", () => {
    assert.equal(parseStackOutputs("dev", {}), undefined);
  });

  it("names every missing output and every malformed one in one error", () => {
    const { routing: _routing, ...withoutRouting } = GATEWAY_OUTPUTS;
    const error = rejection(raw({ ...withoutRouting, revision: -1 }));
    assert.deepEqual(error.keys, ["revision", "routing"]);
    assert.match(
      error.message,
      /^stack dev outputs cannot drive a rollout: output `revision`: .+; output `routing` is missing\. Run `pulumi up`/,
    );
  });

  it("names the key inside an output, and keeps a secret output's value out of the message", () => {
    const error = rejection(
      raw({ ...GATEWAY_OUTPUTS, routing: { ...GATEWAY_OUTPUTS.routing, routeName: "" } }, ["routing"]),
    );
    assert.deepEqual(error.keys, ["routing"]);
    assert.match(
      error.message,
      /output `routing\.routeName` has an unexpected shape \(secret value not shown\)/,
    );
  });
});
