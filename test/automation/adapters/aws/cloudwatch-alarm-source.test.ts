import assert from "node:assert/strict";
import {
  CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { CloudWatchAlarmSource } from "../../../../automation/adapters/aws/cloudwatch-alarm-source";
import { awsError } from "./helpers";

// Mocking the instance, not the class, leaves every other CloudWatch client in the test run alone.
const client = new CloudWatchClient({ region: "eu-west-1" });
const cloudwatch = mockClient(client);

function metric(
  name: string,
  state: MetricAlarm["StateValue"],
  extra: Partial<MetricAlarm> = {},
): MetricAlarm {
  return { AlarmName: name, StateValue: state, ...extra };
}

function composite(name: string, state: CompositeAlarm["StateValue"]): CompositeAlarm {
  return {
    AlarmName: name,
    StateValue: state,
    StateUpdatedTimestamp: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
  };
}

describe("CloudWatchAlarmSource", () => {
  let source: CloudWatchAlarmSource;

  beforeEach(() => {
    cloudwatch.reset();
    source = new CloudWatchAlarmSource({ client });
  });

  it("asks for metric and composite alarms by name and maps state, reason and time", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        metric("svc-prod-green-errorRate", "ALARM", {
          StateReason: "Threshold Crossed: 2 datapoints were greater than 5",
          StateUpdatedTimestamp: new Date(Date.UTC(2025, 0, 2, 3, 0, 0)),
        }),
      ],
      CompositeAlarms: [composite("svc-prod-green-deploy", "OK")],
    });

    const readings = await source.read(["svc-prod-green-deploy", "svc-prod-green-errorRate"]);

    const calls = cloudwatch.commandCalls(DescribeAlarmsCommand);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].args[0].input, {
      AlarmNames: ["svc-prod-green-deploy", "svc-prod-green-errorRate"],
      AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
      MaxRecords: 100,
      NextToken: undefined,
    });
    assert.deepEqual(readings, [
      {
        name: "svc-prod-green-errorRate",
        state: "ALARM",
        reason: "Threshold Crossed: 2 datapoints were greater than 5",
        updatedAt: Date.UTC(2025, 0, 2, 3, 0, 0),
      },
      { name: "svc-prod-green-deploy", state: "OK", updatedAt: Date.UTC(2025, 0, 2, 3, 4, 5) },
    ]);
  });

  const evaluationStates = ["EVALUATION_ERROR", "EVALUATION_FAILURE", "PARTIAL_DATA"] as const;
  for (const evaluationState of evaluationStates) {
    it(`carries EvaluationState ${evaluationState} through`, async () => {
      cloudwatch.on(DescribeAlarmsCommand).resolves({
        MetricAlarms: [metric("svc-prod-green-latencyP95", "OK", { EvaluationState: evaluationState })],
      });
      const [reading] = await source.read(["svc-prod-green-latencyP95"]);
      assert.equal(reading.state, "OK");
      assert.equal(reading.evaluationState, evaluationState);
    });
  }

  it("leaves names CloudWatch does not know out of the answer", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [metric("known", "INSUFFICIENT_DATA")] });
    const readings = await source.read(["known", "typo-in-extra"]);
    assert.deepEqual(
      readings.map((reading) => [reading.name, reading.state]),
      [["known", "INSUFFICIENT_DATA"]],
    );
  });

  it("splits more than 100 names into requests of at most 100", async () => {
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${String(i).padStart(3, "0")}`);
    cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
      MetricAlarms: input.AlarmNames.map((name) => metric(name, "OK")),
    }));

    const readings = await source.read(names);

    const calls = cloudwatch.commandCalls(DescribeAlarmsCommand);
    assert.deepEqual(
      calls.map((call) => call.args[0].input.AlarmNames),
      [names.slice(0, 100), names.slice(100)],
    );
    for (const call of calls)
      assert.deepEqual(call.args[0].input.AlarmTypes, ["MetricAlarm", "CompositeAlarm"]);
    assert.deepEqual(
      readings.map((reading) => reading.name),
      names,
    );
  });

  it("asks for a name given twice once", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [metric("a", "OK")] });
    await source.read(["a", "a"]);
    assert.deepEqual(cloudwatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input.AlarmNames, ["a"]);
  });

  it("follows NextToken until the last page", async () => {
    cloudwatch
      .on(DescribeAlarmsCommand, { NextToken: undefined })
      .resolves({ MetricAlarms: [metric("m1", "OK")], NextToken: "page-2" })
      .on(DescribeAlarmsCommand, { NextToken: "page-2" })
      .resolves({ CompositeAlarms: [composite("c1", "ALARM")], NextToken: "page-3" })
      .on(DescribeAlarmsCommand, { NextToken: "page-3" })
      .resolves({ MetricAlarms: [metric("m2", "INSUFFICIENT_DATA")] });

    const readings = await source.read(["m1", "m2", "c1"]);

    const calls = cloudwatch.commandCalls(DescribeAlarmsCommand);
    assert.deepEqual(
      calls.map((call) => call.args[0].input.NextToken),
      [undefined, "page-2", "page-3"],
    );
    for (const call of calls) assert.deepEqual(call.args[0].input.AlarmNames, ["m1", "m2", "c1"]);
    assert.deepEqual(
      readings.map((reading) => [reading.name, reading.state]),
      [
        ["m1", "OK"],
        ["c1", "ALARM"],
        ["m2", "INSUFFICIENT_DATA"],
      ],
    );
  });

  it("makes no request for no names", async () => {
    assert.deepEqual(await source.read([]), []);
    assert.equal(cloudwatch.commandCalls(DescribeAlarmsCommand).length, 0);
  });

  it("throws the service error for the driver's retry policy to judge", async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejects(awsError("Throttling", { message: "Rate exceeded" }));
    await assert.rejects(source.read(["a"]), { name: "Throttling", message: "Rate exceeded" });
    assert.equal(cloudwatch.commandCalls(DescribeAlarmsCommand).length, 1);
  });

  it("rejects a state it cannot interpret, naming the alarm", async () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [{ AlarmName: "odd", StateValue: "MAYBE" as MetricAlarm["StateValue"] }] });
    await assert.rejects(source.read(["odd"]), /alarm odd has StateValue "MAYBE"/);
  });
});
