import assert from "node:assert/strict";
import type { BluegreenConfig } from "../../infra/config/validate";
import { runRollout, RolloutResult } from "../../automation/rollout";
import type { Outcome, RolloutEvent } from "../../automation/events";
import { parseScenario, SimulatedWorld, VirtualClock } from "../../automation/rehearsal";
import { EPOCH, testConfig } from "./support";

/**
 * The driver against the rehearsal environment: the same scenarios `bluegreen rehearse` runs,
 * with the world's own fault model, alarm composites and update accounting.
 */

const VERSION = "1.5.0";
const POLL_SECONDS = 10;

interface Rehearsal {
  readonly world: SimulatedWorld;
  readonly events: RolloutEvent[];
  readonly result: RolloutResult;
}

async function rehearse(
  events: string,
  options: {
    config?: BluegreenConfig;
    version?: string;
    updateDurations?: { fullMs?: number; targetedMs?: number };
  } = {},
): Promise<Rehearsal> {
  const config = options.config ?? testConfig();
  const clock = new VirtualClock(EPOCH);
  const world = new SimulatedWorld({
    config,
    stackName: "dev",
    clock,
    scenario: parseScenario(`events:\n${events}`),
    updateDurations: options.updateDurations,
  });
  const recorded: RolloutEvent[] = [];
  const result = await runRollout(world.driverDeps({ emit: (event) => recorded.push(event) }), {
    config,
    version: options.version ?? VERSION,
    resume: false,
    signal: world.signal,
  });
  return { world, events: recorded, result };
}

function ofType<T extends RolloutEvent["type"]>(
  events: RolloutEvent[],
  type: T,
): Extract<RolloutEvent, { type: T }>[] {
  return events.filter((event): event is Extract<RolloutEvent, { type: T }> => event.type === type);
}

const PRE_ROLLOUT = {
  traffic: { blue: 100, green: 0 },
  slots: { blue: { version: "1.4.0" }, green: { version: "1.3.0" } },
  stable: "blue",
};

interface Case {
  readonly name: string;
  readonly events: string;
  readonly outcome: Outcome;
  readonly exitCode: number;
  readonly reason?: RegExp;
  /** Virtual seconds of the moment that should trigger the revert; it must follow within a poll. */
  readonly triggerAt?: number;
  readonly shifts?: number[];
  readonly config?: BluegreenConfig;
}

const CASES: Case[] = [
  {
    name: "no events: promotes",
    events: "  []",
    outcome: "promoted",
    exitCode: 0,
    shifts: [10, 25, 50, 100],
  },
  {
    name: "the candidate's errorRate alarm at 12m",
    events: '  - { at: "12m", alarm: errorRate, state: ALARM }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /checkout-dev-green is ALARM|checkout-dev-green-error-rate is ALARM/,
    triggerAt: 720,
    shifts: [10, 25, 50],
  },
  {
    name: "every watched alarm in the final 100% bake",
    events: '  - { at: "24m30s", alarm: "*", state: ALARM }',
    outcome: "rolled-back",
    exitCode: 3,
    triggerAt: 1470,
    shifts: [10, 25, 50, 100],
  },
  {
    name: "an alarm already firing before the start",
    events: '  - { at: "0s", alarm: latencyP95, state: ALARM }',
    outcome: "rejected",
    exitCode: 2,
    reason: /in ALARM: refusing to start/,
    shifts: [],
  },
  {
    name: "CloudWatch throttled for 5 minutes",
    events: '  - { at: "6m", fault: alarms-unreadable, for: "5m" }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /alarms unreadable: 4 consecutive polls/,
    shifts: [10, 25],
  },
  {
    name: "CloudWatch throttled for 15 seconds",
    events: '  - { at: "6m", fault: alarms-unreadable, for: "15s" }',
    outcome: "promoted",
    exitCode: 0,
    shifts: [10, 25, 50, 100],
  },
  {
    name: "weight writes failing as step 2 shifts",
    events: '  - { at: "4m59s", fault: weight-write-fails, for: "30s" }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /shifting to 25% on green \(step 2 of 4\) failed/,
    shifts: [10],
  },
  {
    name: "someone else writes the weights",
    events: '  - { at: "8m", fault: weights-drift, weights: { blue: 30, green: 70 } }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /live split changed to blue 30 \/ green 70/,
    triggerAt: 480,
    shifts: [10, 25],
  },
  {
    name: "the stack locked by a live process at the start",
    events: '  - { at: "0s", fault: stack-locked, alive: true }',
    outcome: "rejected",
    exitCode: 2,
    reason: /locked by deploy@ci-runner-7 \(pid 4242\), a process that is still running/,
    shifts: [],
  },
  {
    name: "up() throws after saving the deploy",
    events: '  - { at: "0s", fault: up-throws-after-save }',
    outcome: "promoted",
    exitCode: 0,
    shifts: [10, 25, 50, 100],
  },
  {
    name: "up() fails before saving the deploy",
    events: '  - { at: "0s", fault: up-fails }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /deploying 1.5.0 to green failed/,
    shifts: [],
  },
  {
    name: "a watched alarm deleted during a bake",
    events: '  - { at: "9m", fault: alarm-missing, alarm: unhealthyHosts }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /checkout-dev-green-unhealthy-hosts not found/,
    triggerAt: 540,
  },
  {
    name: "a candidate with no healthy targets",
    events: '  - { at: "0s", fault: candidate-unhealthy }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /green was not ready .*0 of 2 targets healthy/,
    shifts: [],
  },
  {
    name: "a failing pre-traffic check",
    events: '  - { at: "0s", fault: pre-traffic-check-fails }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /pre-traffic check of green failed/,
    shifts: [],
  },
  {
    name: "an evaluation error on the composite, past the wait deadline",
    events: '  - { at: "2m", fault: evaluation-error, alarm: "checkout-dev-green" }',
    outcome: "rolled-back",
    exitCode: 3,
    reason: /EvaluationState EVALUATION_ERROR for 300s/,
    triggerAt: 420,
    shifts: [10],
  },
  {
    name: "INSUFFICIENT_DATA under wait, past the deadline",
    events: '  - { at: "1m", alarm: errorRate, state: INSUFFICIENT_DATA }',
    outcome: "rolled-back",
    exitCode: 3,
    triggerAt: 360,
    shifts: [10],
  },
  {
    name: "INSUFFICIENT_DATA under ignore",
    events: '  - { at: "1m", alarm: errorRate, state: INSUFFICIENT_DATA }',
    config: testConfig({ rollout: { insufficientData: { policy: "ignore" } } }),
    outcome: "promoted",
    exitCode: 0,
    shifts: [10, 25, 50, 100],
  },
  {
    name: "an operator abort",
    events: '  - { at: "7m", operator: abort, by: alice }',
    outcome: "aborted",
    exitCode: 4,
    reason: /aborted by alice/,
    triggerAt: 420,
  },
  {
    name: "an operator promote-full",
    events: '  - { at: "6m", operator: promote-full, by: bob }',
    outcome: "promoted",
    exitCode: 0,
    shifts: [10, 25],
  },
  {
    name: "SIGTERM mid-bake",
    events: '  - { at: "8m3s", signal: SIGTERM }',
    outcome: "aborted",
    exitCode: 4,
    reason: /interrupted \(received SIGTERM\)/,
    triggerAt: 483,
  },
  {
    name: "SIGINT in the final bake",
    events: '  - { at: "20m", signal: SIGINT }',
    outcome: "aborted",
    exitCode: 4,
    triggerAt: 1200,
  },
];

describe("driver against the rehearsal world", () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.outcome} (exit ${c.exitCode})`, async () => {
      const { world, events, result } = await rehearse(c.events, { config: c.config });
      assert.deepEqual([result.outcome, result.exitCode], [c.outcome, c.exitCode], result.reason);
      if (c.reason) assert.match(result.reason, c.reason);
      const last = events[events.length - 1];
      assert.equal(last.type, "completed");
      if (c.shifts) {
        assert.deepEqual(
          ofType(events, "shifted").map((event) => event.weights.green),
          c.shifts,
        );
      }

      const values = world.stackValues();
      const outputs = world.deployedOutputs();
      if (c.outcome === "promoted") {
        assert.deepEqual(world.liveSplit(), { blue: 0, green: 100 });
        assert.equal(values.stable, "green");
        assert.equal(outputs.stableColour, "green");
        assert.equal(outputs.slots.green.version, VERSION);
      } else {
        assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
        const { revision, ...rest } = values;
        assert.deepEqual(rest, PRE_ROLLOUT);
        if (c.outcome === "rejected") {
          assert.equal(revision, 7, "a rejected run writes nothing");
          assert.deepEqual(world.updates(), []);
          assert.deepEqual(world.routerWrites(), []);
        } else {
          assert.ok(revision > 7);
          assert.equal(outputs.stableColour, "blue");
          assert.deepEqual(outputs.traffic, { blue: 100, green: 0 });
          const reverted = ofType(events, "reverted");
          assert.equal(reverted.length, 1);
          const restored = ofType(events, "restored");
          assert.deepEqual(
            restored.map((event) => event.drift),
            [0],
            "config, state and cloud agree after the restore",
          );
          const types = events.map((event) => event.type);
          assert.ok(!types.slice(types.indexOf("reverted")).includes("shifted"), "never re-advances");
          if (c.triggerAt !== undefined) {
            const delay = reverted[0].elapsedSeconds - c.triggerAt;
            assert.ok(delay >= 0 && delay <= POLL_SECONDS, `reverted ${delay}s after the trigger`);
          }
        }
      }
    });
  }

  it("each step's update targets exactly the deployed outputs' routingUrns", async () => {
    const { world } = await rehearse("  []");
    const routingUrns = world.deployedOutputs().routingUrns;
    const updates = world.updates();
    assert.deepEqual(
      updates.map((update) => update.targets),
      [undefined, routingUrns, routingUrns, routingUrns, routingUrns, undefined],
    );
    assert.ok(updates.slice(1, 5).every((update) => update.changed >= 1));
  });

  it("a lock taken by a live process during the rollout: reverted by the direct path, lock kept, reported", async () => {
    const { world, events, result } = await rehearse(
      [
        '  - { at: "7m", fault: stack-locked, alive: true, holder: "alice@laptop (pid 311)" }',
        '  - { at: "7m", alarm: errorRate, state: ALARM }',
      ].join("\n"),
    );
    assert.deepEqual([result.outcome, result.exitCode], ["rolled-back", 3]);
    assert.match(
      result.reason,
      /through the direct path, but stack dev is locked by alice@laptop \(pid 311\)/,
    );
    assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
    assert.equal(ofType(events, "restored").length, 0);
    assert.deepEqual(await world.stack.lock(), { holder: "alice@laptop (pid 311)", alive: true });
    assert.deepEqual(
      world.routerWrites().map((write) => write.split),
      [{ blue: 100, green: 0 }],
    );
  });

  it("with updates that take virtual time, an alarm during a shift still reverts within a poll", async () => {
    // The deploy takes 2m and each shift 20s: step 2's update runs from 7m20s to 7m40s.
    const { events, result } = await rehearse('  - { at: "7m30s", alarm: errorRate, state: ALARM }', {
      updateDurations: { fullMs: 120_000, targetedMs: 20_000 },
    });
    assert.equal(result.exitCode, 3);
    const shifted = ofType(events, "shifted");
    assert.equal(shifted.length, 2);
    assert.equal(shifted[1].elapsedSeconds, 460);
    const reverted = ofType(events, "reverted")[0];
    assert.equal(reverted.elapsedSeconds, 460, "seen at the first poll after the shift");
    assert.ok(reverted.elapsedSeconds - 450 <= POLL_SECONDS);
  });

  it("a Lambda stack rolls back on its own alarms", async () => {
    const config = testConfig({
      service: { name: "orders", platform: "lambda" },
      network: undefined,
      ecs: undefined,
      lambda: { code: { s3Bucket: "artifacts", s3KeyTemplate: "orders/{version}.zip" } },
      slots: { blue: { version: "1.4.0" }, green: { version: "1.3.0" } },
    });
    const { world, result } = await rehearse('  - { at: "3m", alarm: lambdaErrorRate, state: ALARM }', {
      config,
    });
    assert.equal(result.exitCode, 3);
    assert.match(result.reason, /orders-dev-green-error-rate is ALARM/);
    assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
  });
});
