import assert from "node:assert/strict";
import { guardianTargetOf } from "../../../automation/guardian/target";
import { run } from "../../../automation/cli/main";
import { loadStack } from "../../../automation/cli/stacks";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import type { StackOutputs } from "../../../components/domain";
import { ecsStack, makeProject, testIo, testServices } from "../cli/support";
import * as fs from "node:fs";
import * as path from "node:path";

describe("the guardian's target from a deployed stack", () => {
  let project: ReturnType<typeof makeProject>;
  let outputs: StackOutputs;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
    const config = loadStack(project.dir, "dev").config;
    outputs = new SimulatedWorld({ config, stackName: "dev", clock: new VirtualClock(0) }).deployedOutputs();
  });
  afterEach(() => project.cleanup());

  const cases: {
    label: string;
    change: (outputs: StackOutputs) => StackOutputs;
    options?: { driverTimeoutSeconds?: number; notificationTopicArn?: string };
    expect: (target: ReturnType<typeof guardianTargetOf>, outputs: StackOutputs) => void;
  }[] = [
    {
      label: "routing and each colour's alarms from the outputs, the driver timeout as given",
      change: (given) => given,
      expect: (target, given) => {
        assert.deepEqual(target.routing, given.routing);
        assert.deepEqual(target.alarms, { blue: given.alarms.blue, green: given.alarms.green });
        assert.equal(target.driverTimeoutSeconds, 300);
        assert.equal(target.region, "eu-west-1");
        assert.equal(target.notificationTopicArn, undefined);
      },
    },
    {
      label: "the control table the outputs name",
      change: (given) => ({
        ...given,
        control: { tableName: "custom-table", tableArn: "arn:aws:dynamodb:eu-west-1:1:table/custom-table" },
      }),
      expect: (target) => assert.equal(target.controlTableName, "custom-table"),
    },
    {
      label: "the control table's conventional name without a control output",
      change: ({ control: _none, ...rest }) => rest,
      expect: (target, given) => assert.equal(target.controlTableName, `bluegreen-${given.service}-dev`),
    },
    {
      label: "a driver timeout and a topic when the stack file gives them",
      change: (given) => given,
      options: {
        driverTimeoutSeconds: 120,
        notificationTopicArn: "arn:aws:sns:eu-west-1:123456789012:rollouts",
      },
      expect: (target) => {
        assert.equal(target.driverTimeoutSeconds, 120);
        assert.equal(target.notificationTopicArn, "arn:aws:sns:eu-west-1:123456789012:rollouts");
      },
    },
  ];
  for (const { label, change, options, expect } of cases) {
    it(label, () => {
      const given = change(outputs);
      expect(
        guardianTargetOf({
          stack: "dev",
          outputs: given,
          region: "eu-west-1",
          driverTimeoutSeconds: 300,
          ...options,
        }),
        given,
      );
    });
  }

  it("refuses a stack routed by an HTTPRoute", () => {
    const gateway = {
      ...outputs,
      routing: {
        kind: "gateway",
        namespace: "shop",
        routeName: "checkout",
        serviceNames: { blue: "b", green: "g" },
      },
    } as unknown as StackOutputs;
    assert.throws(
      () =>
        guardianTargetOf({ stack: "dev", outputs: gateway, region: "eu-west-1", driverTimeoutSeconds: 300 }),
      /acts only on an ALB listener or a Lambda alias/,
    );
  });

  it("bluegreen guardian refuses a --target file that is not a guardian target: exit 2", async () => {
    fs.writeFileSync(path.join(project.dir, "target.json"), JSON.stringify({ stack: "dev" }));
    const t = testIo(project.dir);
    const code = await run(
      ["guardian", "--stack", "dev", "--once", "--target", "target.json"],
      t.io,
      testServices({ clock: new VirtualClock(0) }),
    );
    assert.equal(code, 2, t.stderr());
    assert.match(t.stderr(), /--target target\.json: not a guardian target: /);
  });
});
