import assert from "node:assert/strict";
import type { ReleaseValues } from "../../../automation/ports";
import { ScenarioError, parseScenario } from "../../../automation/rehearsal/scenario";
import { simulateProgram } from "../../../automation/rehearsal/simulatedProgram";
import { SimulatedWorld, SimulatedWorldOptions } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { exampleConfig } from "../../support/exampleConfigs";

const START = 1_700_000_000_000;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;

function setup(
  platform: "ecs" | "lambda" = "ecs",
  scenarioYaml?: string,
  options: Partial<SimulatedWorldOptions> = {},
) {
  const config = exampleConfig(platform);
  const clock = new VirtualClock(START);
  const scenario = scenarioYaml === undefined ? undefined : parseScenario(scenarioYaml, "test.yaml");
  const world = new SimulatedWorld({ config, stackName: "dev", clock, scenario, ...options });
  /** Sleeps until `ms` after the start. */
  const at = (ms: number) => clock.sleep(START + ms - clock.now());
  return { config, clock, world, at };
}

/** The values of a rollout step: green runs 1.5.0 and gets `weight` percent. */
function stepValues(world: SimulatedWorld, weight: number): ReleaseValues {
  const values = world.stackValues();
  return {
    ...values,
    slots: { ...values.slots, green: { version: "1.5.0" } },
    traffic: { blue: 100 - weight, green: weight },
    revision: values.revision + 1,
  };
}

describe("SimulatedWorld", () => {
  describe("at the start", () => {
    it("is deployed from the config: outputs as the program exports them, live split, stack values", async () => {
      const { config, world } = setup("ecs");
      const expected = simulateProgram(config, "dev", {
        traffic: config.traffic,
        slots: config.slots,
        stable: config.stable,
        revision: config.revision,
      }).outputs;
      assert.deepEqual(await world.stack.outputs(), expected);
      assert.deepEqual(world.deployedOutputs(), expected);
      assert.deepEqual(await world.router.read(), { blue: 100, green: 0 });
      assert.deepEqual(await world.stack.readValues(), {
        traffic: { blue: 100, green: 0 },
        slots: { blue: { version: "1.4.0" }, green: { version: "1.3.9" } },
        stable: "blue",
        revision: 7,
      });
      assert.equal(await world.stack.previewChanges(), 0);
      assert.equal(await world.stack.lock(), undefined);
      assert.equal(world.stack.name, "dev");
      assert.deepEqual(world.updates(), []);
    });

    it("has every alarm OK", async () => {
      const { world } = setup("ecs");
      const names = world.alarmNames();
      const all = [
        names.composite.blue,
        names.composite.green,
        ...names.members.blue,
        ...names.members.green,
        ...names.extra,
      ];
      const readings = await world.alarms.read(all);
      assert.equal(readings.length, 9);
      assert.ok(readings.every((reading) => reading.state === "OK" && reading.evaluationState === undefined));
    });

    it("can start from deployed values and a live split other than the config's", async () => {
      const { world } = setup("ecs", undefined, {
        deployed: {
          traffic: { blue: 75, green: 25 },
          slots: { blue: { version: "1.4.0" }, green: { version: "1.5.0" } },
          stable: "blue",
          revision: 9,
        },
        live: { blue: 50, green: 50 },
      });
      assert.deepEqual(world.deployedOutputs().traffic, { blue: 75, green: 25 });
      assert.equal(world.deployedOutputs().revision, 9);
      assert.deepEqual(world.liveSplit(), { blue: 50, green: 50 });
      assert.equal(world.stackValues().revision, 7);
    });

    it("can start never deployed: no outputs, no routing, until a full update", async () => {
      const { world } = setup("ecs", undefined, { deployed: false });
      assert.equal(await world.stack.outputs(), undefined);
      await assert.rejects(world.router.read(), { name: "ListenerNotFoundException" });
      const result = await world.stack.update({ message: "first deployment" });
      assert.equal(result.changed, 6);
      assert.deepEqual(await world.router.read(), { blue: 100, green: 0 });
    });
  });

  describe("alarms", () => {
    it("answers only for alarms that exist, as DescribeAlarms does", async () => {
      const { world } = setup("ecs");
      const names = world.alarmNames();
      const readings = await world.alarms.read([
        names.composite.green,
        "checkout-dev-green-typo",
        names.extra[0],
      ]);
      assert.deepEqual(
        readings.map((reading) => reading.name),
        [names.composite.green, names.extra[0]],
      );
    });

    it("sets a built-in key on the candidate colour at its time, and the candidate's composite follows", async () => {
      const { world, at } = setup("ecs", "events:\n  - { at: 12m, alarm: errorRate, state: ALARM }");
      const names = world.alarmNames();
      const watched = [
        names.composite.green,
        "checkout-dev-green-error-rate",
        "checkout-dev-blue-error-rate",
      ];
      await at(12 * MINUTE - 1);
      assert.deepEqual(
        (await world.alarms.read(watched)).map((reading) => reading.state),
        ["OK", "OK", "OK"],
      );
      await at(12 * MINUTE);
      const readings = await world.alarms.read(watched);
      assert.deepEqual(
        readings.map((reading) => reading.state),
        ["ALARM", "ALARM", "OK"],
      );
      assert.equal(readings[1].updatedAt, START + 12 * MINUTE);
      assert.match(readings[0].reason ?? "", /ALARM\(checkout-dev-green-error-rate\)/);
    });

    it("sets every watched alarm of the candidate and the extra alarms for *", async () => {
      const { world } = setup("ecs", "events:\n  - { at: 0s, alarm: '*', state: INSUFFICIENT_DATA }");
      const names = world.alarmNames();
      const readings = await world.alarms.read([
        names.composite.green,
        ...names.members.green,
        ...names.extra,
        names.composite.blue,
        ...names.members.blue,
      ]);
      assert.deepEqual(
        readings.map((reading) => reading.state),
        [...Array(5).fill("INSUFFICIENT_DATA"), ...Array(4).fill("OK")],
      );
    });

    it("lets the latest event at or before now win", async () => {
      const { world, at } = setup(
        "ecs",
        [
          "events:",
          "  - { at: 8m, alarm: checkout-dev-green-latency-p95, state: OK, reason: recovered }",
          "  - { at: 5m, alarm: checkout-dev-green-latency-p95, state: ALARM }",
        ].join("\n"),
      );
      const read = async () => (await world.alarms.read(["checkout-dev-green-latency-p95"]))[0];
      await at(6 * MINUTE);
      assert.equal((await read()).state, "ALARM");
      await at(8 * MINUTE);
      assert.deepEqual(
        { state: (await read()).state, reason: (await read()).reason },
        { state: "OK", reason: "recovered" },
      );
    });

    it("takes the candidate as it is when the event fires: after a promote it is the other colour", async () => {
      const { world, at } = setup("ecs", "events:\n  - { at: 10m, alarm: errorRate, state: ALARM }");
      await world.stack.writeValues({ ...stepValues(world, 100), stable: "green" });
      await world.stack.update({ message: "promote green" });
      await at(10 * MINUTE);
      const readings = await world.alarms.read([
        "checkout-dev-blue-error-rate",
        "checkout-dev-green-error-rate",
      ]);
      assert.deepEqual(
        readings.map((reading) => reading.state),
        ["ALARM", "OK"],
      );
    });

    it("refuses a scenario alarm that the stack does not have, listing what it has", () => {
      assert.throws(
        () => setup("ecs", "events:\n  - { at: 1m, alarm: lambdaErrorRate, state: ALARM }"),
        (error: unknown) => {
          assert.ok(error instanceof ScenarioError);
          assert.match(error.message, /events\[0\]\.alarm: "lambdaErrorRate" is not an alarm of stack dev/);
          assert.match(error.message, /errorRate, latencyP95, unhealthyHosts/);
          return true;
        },
      );
    });
  });

  describe("faults change the ports only inside their window", () => {
    const probes: { fault: string; extra?: string; observed: (world: SimulatedWorld) => Promise<boolean> }[] =
      [
        {
          fault: "alarms-unreadable",
          observed: async (world) =>
            world.alarms.read(["checkout-dev-green"]).then(
              () => false,
              (error: Error) => error.name === "ThrottlingException" && error.message === "Rate exceeded",
            ),
        },
        {
          fault: "weight-write-fails",
          observed: async (world) =>
            world.router.write({ blue: 100, green: 0 }).then(
              () => false,
              (error: Error) => error.name === "InternalFailure",
            ),
        },
        {
          fault: "stack-locked",
          extra: ", alive: true",
          observed: async (world) => {
            const lock = await world.stack.lock();
            const refused = await world.stack.update({ message: "probe" }).then(
              () => false,
              (error: Error) => error.name === "ConcurrentUpdateError",
            );
            assert.equal(lock !== undefined, refused, "lock() and update() disagree about the lock");
            return refused;
          },
        },
        {
          fault: "alarm-missing",
          extra: ", alarm: errorRate",
          observed: async (world) =>
            (await world.alarms.read(["checkout-dev-green-error-rate"])).length === 0,
        },
        {
          fault: "evaluation-error",
          extra: ", alarm: errorRate",
          observed: async (world) =>
            (await world.alarms.read(["checkout-dev-green-error-rate"]))[0].evaluationState ===
            "EVALUATION_ERROR",
        },
        {
          fault: "candidate-unhealthy",
          observed: async (world) => !(await world.router.readiness("green")).ready,
        },
        {
          fault: "pre-traffic-check-fails",
          observed: async (world) => !(await world.router.preTrafficCheck("green")).ready,
        },
      ];
    for (const { fault, extra, observed } of probes) {
      it(`${fault}: from 2m for 3m`, async () => {
        const { world, at } = setup("ecs", `events:\n  - { at: 2m, fault: ${fault}, for: 3m${extra ?? ""} }`);
        const timeline: [number, boolean][] = [];
        for (const time of [2 * MINUTE - 1, 2 * MINUTE, 5 * MINUTE - 1, 5 * MINUTE, 30 * MINUTE]) {
          await at(time);
          timeline.push([time, await observed(world)]);
        }
        assert.deepEqual(timeline, [
          [2 * MINUTE - 1, false],
          [2 * MINUTE, true],
          [5 * MINUTE - 1, true],
          [5 * MINUTE, false],
          [30 * MINUTE, false],
        ]);
      });
    }

    it("a fault without `for` lasts to the end", async () => {
      const { world, at } = setup("ecs", "events:\n  - { at: 1m, fault: candidate-unhealthy }");
      await at(10 * 60 * MINUTE);
      assert.equal((await world.router.readiness("green")).ready, false);
    });

    it("an unhealthy candidate fails its pre-traffic check too, and leaves the stable colour alone", async () => {
      const { world } = setup("ecs", "events:\n  - { at: 0s, fault: candidate-unhealthy }");
      const readiness = await world.router.readiness("green");
      assert.equal(readiness.ready, false);
      assert.match(
        readiness.detail,
        /^0 of 2 targets healthy in checkout-green-[0-9a-f]{7} \(Target\.FailedHealthChecks\)$/,
      );
      assert.equal((await world.router.preTrafficCheck("green")).ready, false);
      assert.equal((await world.router.readiness("blue")).ready, true);
    });

    it("evaluation-error carries the evaluation state the scenario names", async () => {
      const { world } = setup(
        "ecs",
        "events:\n  - { at: 0s, fault: evaluation-error, alarm: '*', evaluationState: PARTIAL_DATA }",
      );
      const [reading] = await world.alarms.read(["checkout-orders-per-minute"]);
      assert.equal(reading.evaluationState, "PARTIAL_DATA");
    });

    it("stack-locked by a dead process reports it as not alive, with the holder", async () => {
      const { world } = setup(
        "ecs",
        "events:\n  - { at: 0s, fault: stack-locked, alive: false, holder: 'ci@runner-3 (pid 31337)' }",
      );
      assert.deepEqual(await world.stack.lock(), { holder: "ci@runner-3 (pid 31337)", alive: false });
      await assert.rejects(world.stack.update({ message: "x" }), {
        name: "ConcurrentUpdateError",
        message: /locked by 1 lock\(s\): ci@runner-3 \(pid 31337\) \(that process is no longer running\)/,
      });
    });

    it("weight-write-fails also fails a stack update that moves traffic, before changing anything", async () => {
      const { world } = setup("ecs", "events:\n  - { at: 0s, fault: weight-write-fails, for: 1m }");
      await world.stack.writeValues(stepValues(world, 0));
      const deploy = await world.stack.update({ message: "deploy green" });
      assert.equal(deploy.changed, 2);
      const before = world.deployedOutputs();
      await world.stack.writeValues(stepValues(world, 10));
      await assert.rejects(world.stack.update({ targets: before.routingUrns, message: "step 1" }), {
        name: "CommandError",
        message: /InternalFailure/,
      });
      assert.deepEqual(world.deployedOutputs(), before);
      assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
      assert.deepEqual(
        world.routerWrites().map((write) => write.error),
        [],
      );
    });

    it("weights-drift sets the live split someone else wrote; a write sets it back", async () => {
      const { world, at } = setup(
        "ecs",
        "events:\n  - { at: 4m, fault: weights-drift, weights: { blue: 50, green: 50 } }",
      );
      await at(4 * MINUTE - 1);
      assert.deepEqual(await world.router.read(), { blue: 100, green: 0 });
      await at(4 * MINUTE);
      assert.deepEqual(await world.router.read(), { blue: 50, green: 50 });
      assert.equal(await world.stack.previewChanges(), 1);
      await world.router.write({ blue: 100, green: 0 });
      assert.deepEqual(await world.router.read(), { blue: 100, green: 0 });
      assert.equal(await world.stack.previewChanges(), 0);
    });

    it("up-fails fails the next update before it changes anything; the one after works", async () => {
      const { world } = setup("ecs", "events:\n  - { at: 0s, fault: up-fails }");
      const before = world.deployedOutputs();
      await world.stack.writeValues(stepValues(world, 0));
      await assert.rejects(world.stack.update({ message: "deploy green" }), { name: "CommandError" });
      assert.deepEqual(world.deployedOutputs(), before);
      assert.deepEqual(world.updates(), []);
      const result = await world.stack.update({ message: "deploy green" });
      assert.equal(result.outputs.slots.green.version, "1.5.0");
    });

    it("up-throws-after-save applies and saves the next update, then throws", async () => {
      const { world } = setup("ecs", "events:\n  - { at: 0s, fault: up-throws-after-save }");
      await world.stack.writeValues(stepValues(world, 0));
      await assert.rejects(world.stack.update({ message: "deploy green" }), { name: "CommandError" });
      assert.equal((await world.stack.outputs())?.slots.green.version, "1.5.0");
      assert.equal(world.updates().length, 1);
      assert.match(world.updates()[0].error ?? "", /reading its outputs failed/);
      await world.stack.writeValues(stepValues(world, 10));
      const step = await world.stack.update({
        targets: world.deployedOutputs().routingUrns,
        message: "step",
      });
      assert.equal(step.changed, 1);
    });

    it("a locked update does not use up a pending up-fails", async () => {
      const { world, at } = setup(
        "ecs",
        "events:\n  - { at: 0s, fault: stack-locked, alive: true, for: 1m }\n  - { at: 0s, fault: up-fails }",
      );
      await assert.rejects(world.stack.update({ message: "a" }), { name: "ConcurrentUpdateError" });
      await at(MINUTE);
      await assert.rejects(world.stack.update({ message: "b" }), { name: "CommandError" });
      await world.stack.update({ message: "c" });
      assert.deepEqual(
        world.updates().map((update) => update.message),
        ["c"],
      );
    });
  });

  describe("operator and signal events", () => {
    it("sends an operator request into the control channel at its time", async () => {
      const { world, at } = setup("ecs", "events:\n  - { at: 7m, operator: promote-full, by: alice }");
      await at(7 * MINUTE - 1);
      assert.equal(await world.control.take(), undefined);
      await at(7 * MINUTE);
      assert.deepEqual(await world.control.take(), {
        kind: "promote-full",
        by: "alice",
        at: START + 7 * MINUTE,
      });
      assert.equal(await world.control.take(), undefined);
    });

    it("aborts world.signal at its time, so a sleep on it stops there", async () => {
      const { world, clock } = setup("ecs", "events:\n  - { at: 8m, signal: SIGTERM }");
      assert.equal(world.signal.aborted, false);
      await assert.rejects(clock.sleep(60 * MINUTE, world.signal), { name: "AbortError" });
      assert.equal(clock.now(), START + 8 * MINUTE);
      assert.equal(world.signal.aborted, true);
      assert.equal(world.deliveredSignal(), "SIGTERM");
    });

    it("counts scenario times from startMs when given", async () => {
      const { world, clock } = setup("ecs", "events:\n  - { at: 1m, operator: abort }", {
        startMs: START + 10 * MINUTE,
      });
      await clock.sleep(5 * MINUTE);
      assert.equal(await world.control.take(), undefined);
      await clock.sleep(6 * MINUTE);
      assert.equal((await world.control.take())?.kind, "abort");
    });
  });

  describe("updates", () => {
    for (const platform of ["ecs", "lambda"] as const) {
      it(`${platform}: a full deploy changes 2 resources, a targeted step only the routing, and the live split follows`, async () => {
        const { world, clock } = setup(platform);
        const deployed = stepValues(world, 0);
        await world.stack.writeValues(deployed);
        const deploy = await world.stack.update({ message: "deploy green 1.5.0" });
        assert.equal(deploy.changed, 2);
        assert.equal(deploy.outputs.slots.green.version, "1.5.0");
        assert.equal(deploy.outputs.revision, 8);

        await world.stack.writeValues({ ...stepValues(world, 10), revision: 9 });
        const step = await world.stack.update({
          targets: deploy.outputs.routingUrns,
          message: "step 1 of 4: 10%",
        });
        assert.equal(step.changed, 1);
        assert.deepEqual(step.outputs.traffic, { blue: 90, green: 10 });
        assert.deepEqual(await world.router.read(), { blue: 90, green: 10 });
        assert.deepEqual(world.updates(), [
          {
            changed: 2,
            at: clock.now(),
            message: "deploy green 1.5.0",
            values: { ...deployed, revision: 8 },
          },
          {
            targets: deploy.outputs.routingUrns,
            changed: 1,
            at: clock.now(),
            message: "step 1 of 4: 10%",
            values: { ...deployed, traffic: { blue: 90, green: 10 }, revision: 9 },
          },
        ]);
        assert.equal(await world.stack.previewChanges(), 0);
      });
    }

    it("lambda: the alias carries the new version once the candidate's slot is deployed", async () => {
      const { world } = setup("lambda");
      await world.stack.writeValues(stepValues(world, 0));
      const deploy = await world.stack.update({ message: "deploy" });
      assert.deepEqual(deploy.outputs.routing.kind === "lambda" && deploy.outputs.routing.versions, {
        blue: "1",
        green: "3",
      });
      assert.equal((await world.router.readiness("green")).detail, "version 3 is Active");
      assert.match((await world.router.preTrafficCheck("green")).detail, /orders-dev:3 returned 200/);
    });

    it("a targeted update applies only the traffic: other changes stay pending for a full update", async () => {
      const { world } = setup("ecs");
      await world.stack.writeValues(stepValues(world, 10));
      const urns = world.deployedOutputs().routingUrns;
      const step = await world.stack.update({ targets: urns, message: "targeted" });
      assert.equal(step.changed, 1);
      assert.equal(step.outputs.slots.green.version, "1.3.9");
      assert.equal(await world.stack.previewChanges(), 2);
      const full = await world.stack.update({ message: "full" });
      assert.equal(full.changed, 2);
      assert.equal(await world.stack.previewChanges(), 0);
    });

    it("a full update writes a drifted live split back and counts the routing as changed", async () => {
      const { world } = setup("ecs");
      await world.router.write({ blue: 40, green: 60 });
      const result = await world.stack.update({ message: "restore" });
      assert.equal(result.changed, 1);
      assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
    });

    it("previews the pending changes of new stack values", async () => {
      const { world } = setup("ecs");
      await world.stack.writeValues(stepValues(world, 25));
      assert.equal(await world.stack.previewChanges(), 3);
    });

    it("refuses a target that is not in the stack", async () => {
      const { world } = setup("ecs");
      await assert.rejects(
        world.stack.update({ targets: ["urn:pulumi:dev::bluegreen::x::y"], message: "x" }),
        {
          name: "CommandError",
          message: /target 'urn:pulumi:dev::bluegreen::x::y' does not exist/,
        },
      );
    });

    it("refuses values the program would reject, changing nothing", async () => {
      const { world } = setup("ecs");
      await world.stack.writeValues({ ...world.stackValues(), traffic: { blue: 90, green: 20 } });
      await assert.rejects(world.stack.update({ message: "bad" }), {
        name: "CommandError",
        message: /traffic must sum to 100/,
      });
      assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
    });

    it("does not start an update whose signal is aborted", async () => {
      const { world } = setup("ecs");
      await world.stack.writeValues(stepValues(world, 0));
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(world.stack.update({ message: "x", signal: controller.signal }), {
        name: "AbortError",
      });
      assert.equal(world.deployedOutputs().slots.green.version, "1.3.9");
    });

    it("takes virtual time when given update durations, and events fire meanwhile", async () => {
      const { world, clock } = setup("ecs", "events:\n  - { at: 1m, alarm: errorRate, state: ALARM }", {
        updateDurations: { fullMs: 2 * MINUTE, targetedMs: 10 * SECOND },
      });
      await world.stack.writeValues(stepValues(world, 0));
      await world.stack.update({ message: "deploy" });
      assert.equal(clock.now(), START + 2 * MINUTE);
      const [reading] = await world.alarms.read(["checkout-dev-green-error-rate"]);
      assert.equal(reading.state, "ALARM");
      assert.equal(reading.updatedAt, START + MINUTE);
    });
  });

  describe("router", () => {
    it("writes the split directly and records the write", async () => {
      const { world, clock } = setup("ecs");
      await world.router.write({ blue: 75, green: 25 });
      assert.deepEqual(await world.router.read(), { blue: 75, green: 25 });
      assert.deepEqual(world.routerWrites(), [{ split: { blue: 75, green: 25 }, at: clock.now() }]);
      assert.deepEqual(world.deployedOutputs().traffic, { blue: 100, green: 0 });
    });

    it("rejects a split that does not sum to 100 as the platform would", async () => {
      const { world } = setup("lambda");
      await assert.rejects(world.router.write({ blue: 60, green: 60 }), {
        name: "InvalidParameterValueException",
      });
      assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
    });

    it("reports a passing pre-traffic check per configured path on the test endpoint", async () => {
      const { world } = setup("ecs");
      const routing = world.deployedOutputs().routing;
      assert.equal(routing.kind, "alb");
      const endpoint = routing.kind === "alb" ? routing.testEndpoint : "";
      assert.deepEqual(await world.router.preTrafficCheck("green"), {
        ready: true,
        detail: `GET ${endpoint}/health -> 200`,
      });
    });
  });

  describe("inject", () => {
    it("takes effect now by default", async () => {
      const { world, at } = setup("ecs");
      await at(3 * MINUTE);
      world.inject({ fault: "alarms-unreadable", for: MINUTE });
      await assert.rejects(world.alarms.read(["checkout-dev-green"]), { name: "ThrottlingException" });
      await at(4 * MINUTE);
      assert.equal((await world.alarms.read(["checkout-dev-green"])).length, 1);
    });

    it("schedules a later event like a scenario event", async () => {
      const { world, at } = setup("ecs");
      world.inject({ at: 5 * MINUTE, alarm: "*", state: "ALARM" });
      await at(5 * MINUTE - 1);
      assert.equal((await world.alarms.read(["checkout-orders-per-minute"]))[0].state, "OK");
      await at(5 * MINUTE);
      assert.equal((await world.alarms.read(["checkout-orders-per-minute"]))[0].state, "ALARM");
    });

    it("refuses an alarm the stack does not have", () => {
      const { world } = setup("ecs");
      assert.throws(() => world.inject({ alarm: "nope", state: "ALARM" }), /injected event 1\.alarm: "nope"/);
    });
  });
});
