import assert from "node:assert/strict";
import { DynamoControlChannel } from "../../../automation/adapters/control/dynamoControlChannel";
import { FileControlChannel } from "../../../automation/adapters/control/fileControlChannel";
import { controlLocation } from "../../../automation/cli/controlAccess";
import { defaultServices } from "../../../automation/cli/services";
import { loadStack } from "../../../automation/cli/stacks";
import { ecsStack, makeProject, testIo } from "./support";

describe("the control channel a stack file chooses", () => {
  const project = makeProject({
    dev: ecsStack(),
    shared: ecsStack({ extra: "  bluegreen:control: { channel: file }" }),
    noregion: ecsStack({ region: false }),
  });
  after(() => project.cleanup());

  const cases: { stack: string; env?: Record<string, string>; kind: unknown; where: RegExp }[] = [
    {
      stack: "dev",
      kind: DynamoControlChannel,
      where: /^control table bluegreen-checkout-dev \(eu-west-1\)$/,
    },
    {
      stack: "shared",
      kind: FileControlChannel,
      where: /^control directory .*\.bluegreen\/control$/,
    },
    {
      stack: "noregion",
      env: { AWS_REGION: "us-east-2" },
      kind: DynamoControlChannel,
      where: /^control table bluegreen-checkout-noregion \(us-east-2\)$/,
    },
  ];
  for (const { stack, env, kind, where } of cases) {
    it(`${stack}: ${(kind as { name: string }).name}, described as ${where.source}`, () => {
      const t = testIo(project.dir, { env });
      const loaded = loadStack(project.dir, stack);
      const channel = defaultServices().control(loaded, t.io);
      assert.ok(channel instanceof (kind as new (...args: never[]) => object));
      assert.match(controlLocation(loaded, t.io), where);
      if (channel instanceof DynamoControlChannel) {
        assert.equal(channel.table, `bluegreen-checkout-${stack}`);
        assert.equal(channel.staleAfterMs, 60_000, "six 10s polls, at least a minute");
      }
    });
  }

  it("refuses a DynamoDB stack with no region anywhere, naming the fix", () => {
    const t = testIo(project.dir);
    assert.throws(
      () => defaultServices().control(loadStack(project.dir, "noregion"), t.io),
      /no AWS region for stack noregion: set it in .* with `pulumi config set aws:region/,
    );
  });
});
