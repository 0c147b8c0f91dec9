import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ColourCompositeAlarm, ColourCompositeAlarmArgs } from "../../components/colourCompositeAlarm";
import { anyAlarmRule } from "../../components/domain";
import { alarmsSchema } from "../../infra/config/schema";
import { captureChildren, settle, urnsOf } from "../support/awsFixtures";
import { assertAlarmsValid } from "../support/awsRules";
import {
  RecordedResource,
  resetResources,
  resources,
  resourcesOfType,
  valueOf,
} from "../support/pulumi-mocks";

const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:deployments";

function args(overrides: Partial<ColourCompositeAlarmArgs> = {}): ColourCompositeAlarmArgs {
  return { colour: "green", alarmNames: ["checkout-green-5xx", "checkout-green-p95"], ...overrides };
}

async function build(
  overrides: Partial<ColourCompositeAlarmArgs> = {},
  name = "checkout-green",
  opts?: pulumi.ComponentResourceOptions,
): Promise<ColourCompositeAlarm> {
  const component = new ColourCompositeAlarm(name, args(overrides), opts);
  await settle(component.compositeAlarmName, component.memberAlarmNames);
  return component;
}

function composite(): RecordedResource["inputs"] {
  const composites = resourcesOfType(COMPOSITE);
  assert.equal(composites.length, 1, "one composite alarm");
  return composites[0].inputs;
}

describe("ColourCompositeAlarm", () => {
  const memberLists: { title: string; names: string[]; rule: string }[] = [
    { title: "one alarm", names: ["checkout-green-5xx"], rule: 'ALARM("checkout-green-5xx")' },
    {
      title: "two alarms",
      names: ["checkout-green-5xx", "checkout-green-p95"],
      rule: 'ALARM("checkout-green-5xx") OR ALARM("checkout-green-p95")',
    },
    {
      title: "names with spaces and slashes",
      names: ["Checkout green / 5XX rate", "orders per minute (green)"],
      rule: 'ALARM("Checkout green / 5XX rate") OR ALARM("orders per minute (green)")',
    },
  ];
  for (const { title, names, rule } of memberLists) {
    it(`goes to ALARM when any of ${title} does`, async () => {
      const component = await build({ alarmNames: names });
      assert.equal(composite().alarmRule, rule);
      assert.deepEqual(await valueOf(component.memberAlarmNames), names);
      assertAlarmsValid(resources(), names);
    });
  }

  it("builds its rule from the config's colourAlarms for each colour", async () => {
    const colourAlarms = alarmsSchema.parse({
      colourAlarms: { blue: ["checkout-blue-5xx"], green: ["checkout-green-5xx", "orders-green-drop"] },
    }).colourAlarms;
    assert.ok(colourAlarms);
    for (const colour of ["blue", "green"] as const) {
      resetResources();
      await build({ colour, alarmNames: colourAlarms[colour] }, `checkout-${colour}`);
      assert.equal(composite().alarmRule, anyAlarmRule(colourAlarms[colour]));
      assert.equal(composite().tags["bluegreen:colour"], colour);
      assertAlarmsValid(resources(), colourAlarms[colour]);
    }
  });

  it("is named after the component, or as given", async () => {
    const component = await build();
    assert.equal(composite().alarmName, "checkout-green");
    assert.equal(await valueOf(component.compositeAlarmName), "checkout-green");
    resetResources();
    const named = await build({ compositeAlarmName: "prod-checkout-green" });
    assert.equal(composite().alarmName, "prod-checkout-green");
    assert.equal(await valueOf(named.compositeAlarmName), "prod-checkout-green");
  });

  it("notifies on ALARM and on OK when given a topic, and stays silent otherwise", async () => {
    await build({ alarmActions: [TOPIC] });
    assert.equal(composite().actionsEnabled, true);
    assert.deepEqual(composite().alarmActions, [TOPIC]);
    assert.deepEqual(composite().okActions, [TOPIC]);
    resetResources();
    await build();
    assert.equal(composite().actionsEnabled, false);
    assert.deepEqual(composite().alarmActions, []);
  });

  it("keeps the team's tags and adds the colour", async () => {
    await build({ tags: { team: "payments" } });
    assert.deepEqual(composite().tags, { team: "payments", "bluegreen:colour": "green" });
  });

  it("keeps the same names across runs and parents the alarm to the component", async () => {
    const { opts, children } = captureChildren();
    const component = await build({}, "checkout-green", opts);
    const urns = await urnsOf(children.filter((child) => child !== component));
    assert.deepEqual(urns, [
      "urn:pulumi:test::bluegreen::bluegreen:aws:ColourCompositeAlarm$aws:cloudwatch/compositeAlarm:CompositeAlarm::checkout-green-composite",
    ]);
    resetResources();
    await build({ alarmNames: ["checkout-green-5xx"] });
    assert.deepEqual(
      resources().map((resource) => resource.name),
      ["checkout-green", "checkout-green-composite"],
    );
  });

  describe("validation", () => {
    const cases: { title: string; overrides: Partial<ColourCompositeAlarmArgs>; error: RegExp }[] = [
      {
        title: "no alarms",
        overrides: { alarmNames: [] },
        error: /alarmNames is empty.*colourAlarms\.green/,
      },
      {
        title: "a name with a double quote",
        overrides: { alarmNames: ['5xx "green"'] },
        error: /alarmNames holds "5xx \\"green\\""; an alarm name cannot contain a double quote/,
      },
      { title: "an empty name", overrides: { alarmNames: [""] }, error: /alarmNames holds ""/ },
      {
        title: "a name of 256 characters",
        overrides: { alarmNames: ["a".repeat(256)] },
        error: /1-255 characters/,
      },
      { title: "a name listed twice", overrides: { alarmNames: ["a", "b", "a"] }, error: /lists "a" twice/ },
      {
        title: "the composite's own name",
        overrides: { alarmNames: ["checkout-green"] },
        error: /the composite's own name; a composite cannot watch itself/,
      },
      {
        title: "101 alarms",
        overrides: { alarmNames: Array.from({ length: 101 }, (_, i) => `alarm-${i}`) },
        error: /101 alarms; a composite alarm rule references at most 100/,
      },
      {
        title: "a rule longer than CloudWatch allows",
        overrides: { alarmNames: Array.from({ length: 50 }, (_, i) => `${"x".repeat(240)}-${i}`) },
        error: /characters; CloudWatch allows 10240/,
      },
      {
        title: "a colour that is neither blue nor green",
        overrides: { colour: "red" as unknown as ColourCompositeAlarmArgs["colour"] },
        error: /colour is "red"/,
      },
    ];
    for (const { title, overrides, error } of cases) {
      it(`rejects ${title}`, () => {
        assert.throws(
          () => new ColourCompositeAlarm("checkout-green", args(overrides)),
          (thrown: Error) => {
            assert.ok(pulumi.ResourceError.isInstance(thrown), "a ResourceError");
            assert.match(thrown.message, error);
            return true;
          },
        );
      });
    }
  });
});
