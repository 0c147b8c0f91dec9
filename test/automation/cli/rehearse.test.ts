import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { rehearsalRunId } from "../../../automation/cli/commands/rehearse";
import { run } from "../../../automation/cli/main";
import { parseEventStream } from "../../../automation/report";
import type { Clock } from "../../../automation/ports";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const ALARM_AT_12M = JSON.stringify({ events: [{ at: "12m", alarm: "errorRate", state: "ALARM" }] });

describe("bluegreen rehearse", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
    fs.writeFileSync(path.join(project.dir, "alarm.json"), ALARM_AT_12M);
  });
  afterEach(() => project.cleanup());

  async function rehearse(
    argv: string[],
    options: { isTTY?: boolean; clock?: Clock; onTest?: (t: ReturnType<typeof testIo>) => void } = {},
  ) {
    const t = testIo(project.dir, { isTTY: options.isTTY });
    options.onTest?.(t);
    const code = await run(
      ["rehearse", "--stack", "dev", "--version", "1.5.0", ...argv],
      t.io,
      testServices({
        clock: options.clock ?? new VirtualClock(1_700_000_000_000),
      }),
    );
    return { code, stdout: t.stdout(), stderr: t.stderr(), listeners: t.listeners() };
  }

  function audit(): Record<string, unknown>[] {
    return ndjson(fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8"));
  }

  describe("approval pauses", () => {
    const PAUSING = ecsStack({
      extra: [
        "  bluegreen:rollout:",
        "    steps:",
        "      - { weight: 10, bake: 5m }",
        "      - { weight: 50, bake: 5m, pause: { timeout: 1h } }",
        "      - { weight: 100, bake: 5m }",
      ].join("\n"),
    });
    beforeEach(() => fs.writeFileSync(path.join(project.dir, "stacks", "Pulumi.dev.yaml"), PAUSING));

    it("waits at the pause until the scenario's operator resumes, then promotes", async () => {
      fs.writeFileSync(
        path.join(project.dir, "resume.yaml"),
        'events:\n  - { at: "40m", operator: resume, by: alice }\n',
      );
      const result = await rehearse(["--scenario", "resume.yaml"]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /\[ 10m00s\] step 2\/3: holding 50%, alarms still watched; waiting for approval: bluegreen resume --stack dev \(or promote --full, abort; abort in 1h without an answer\)\n/,
      );
      assert.match(result.stdout, /\[ 40m00s\] step 2\/3: pause over: alice \(resume\)\n/);
      assert.match(result.stdout, /\[ 40m00s\] step 3\/3: green 100% \(blue 0%\) verified/);
    });

    it("does what onTimeout says when nobody answers: aborts, exit 4", async () => {
      const result = await rehearse([]);
      assert.equal(result.code, 4, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /\[1h10m00s\] reverted to blue 100% .*nobody approved step 2 within 1h of its pause/,
      );
      assert.equal(audit()[0].outcome, "aborted");
    });

    it("aborts a pause with no timeout that nothing in the scenario answers, saying so, rather than wait forever", async () => {
      fs.writeFileSync(
        path.join(project.dir, "hold.yaml"),
        'events:\n  - { at: "1m", operator: pause, by: carol }\n',
      );
      const result = await rehearse(["--scenario", "hold.yaml", "--json"]);
      assert.equal(result.code, 4, result.stderr);
      const events = ndjson(result.stdout);
      const paused = events.find((event) => event.type === "paused");
      assert.deepEqual([paused?.step, paused?.by, paused?.timeoutSeconds], [1, "carol", undefined]);
      const completed = events[events.length - 1];
      assert.equal(completed.outcome, "aborted");
      assert.match(
        String(completed.reason),
        /aborted by the rehearsal \(nothing in the scenario answers this pause/,
      );
      // Aborted at the first poll after the pause began, not after hours of virtual time.
      assert.equal(completed.elapsedSeconds, 310);
    });
  });

  it("promotes the default plan, 25 virtual minutes, and exits 0", async () => {
    const result = await rehearse([]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /\[ 15m00s\] step 4\/4: green 100% \(blue 0%\) verified/);
    assert.match(result.stdout, /\[ 25m00s\] promoted: green is stable at 1\.5\.0/);
    assert.equal(result.listeners, 0, "signal listeners are removed when the run ends");
    const [record] = audit();
    assert.deepEqual(
      { ...record, at: undefined },
      {
        at: undefined,
        runId: rehearsalRunId(1_700_000_000_000),
        stack: "dev",
        command: "rehearse",
        who: "tester@example.com",
        versions: { from: "1.4.1", to: "1.5.0" },
        outcome: "promoted",
        exitCode: 0,
        elapsedSeconds: 1500,
        rehearsal: true,
        service: "checkout",
        // The services' clock, which this test never moves: the command's end on the wall clock.
        endedAt: "2023-11-14T22:13:20.000Z",
      },
    );
  });

  it("rolls back when a scenario fires an alarm at 12m and exits 3", async () => {
    const result = await rehearse(["--scenario", "alarm.json", "--reason", "drill"]);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(result.stdout, /\[ 12m00s\] alarm checkout-dev-green-error-rate: OK -> ALARM/);
    assert.match(result.stdout, /reverted to blue 100% \(green 0%\)/);
    assert.doesNotMatch(result.stdout, /promoted:/);
    const [record] = audit();
    assert.equal(record.outcome, "rolled-back");
    assert.equal(record.exitCode, 3);
    assert.equal(record.reason, "drill");
    assert.match(String(record.revertReason), /checkout-dev-green-error-rate/);
    assert.equal(typeof record.secondsToRevert, "number");
    assert.equal("region" in record, false, "a rehearsal acts in no region");
  });

  it("prints NDJSON with --json: shifted, reverted and completed, and nothing else on stdout", async () => {
    const result = await rehearse(["--scenario", "alarm.json", "--json"]);
    assert.equal(result.code, 3);
    const events = ndjson(result.stdout);
    const types = events.map((event) => event.type);
    assert.ok(types.includes("shifted"));
    assert.ok(types.includes("reverted"));
    assert.equal(types[types.length - 1], "completed");
    assert.deepEqual(events.find((event) => event.type === "reverted")?.weights, { blue: 100, green: 0 });
    assert.deepEqual(
      { ...events[events.length - 1], elapsedSeconds: undefined, reason: undefined },
      {
        type: "completed",
        outcome: "rolled-back",
        exitCode: 3,
        elapsedSeconds: undefined,
        reason: undefined,
        time: "2023-11-14T22:25:20.000Z",
        runId: rehearsalRunId(1_700_000_000_000),
      },
    );
    for (const event of events) {
      assert.equal(typeof event.elapsedSeconds, "number");
      // Virtual time: the clock started at 1_700_000_000_000 ms, 2023-11-14T22:13:20Z.
      assert.equal(
        event.time,
        new Date(1_700_000_000_000 + (event.elapsedSeconds as number) * 1000).toISOString(),
      );
      assert.equal(event.runId, rehearsalRunId(1_700_000_000_000));
    }
  });

  it("prints the same stream for the same rehearsal at the same virtual moment, and another run id a millisecond later", async () => {
    const first = await rehearse(["--scenario", "alarm.json", "--json"]);
    const again = await rehearse(["--scenario", "alarm.json", "--json"]);
    const later = await rehearse(["--scenario", "alarm.json", "--json"], {
      clock: new VirtualClock(1_700_000_000_001),
    });
    assert.equal(again.stdout, first.stdout);
    const ids = [first, later].map((result) => ndjson(result.stdout)[0].runId);
    assert.match(String(ids[0]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(ids[1], ids[0]);
  });

  it("keeps a credential pasted into --reason out of the output and the audit log", async () => {
    const result = await rehearse(["--json", "--reason", "hotfix, key AKIAIOSFODNN7EXAMPLE"]);
    assert.equal(result.code, 0);
    const log = fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8");
    assert.ok(!(result.stdout + result.stderr + log).includes("AKIAIOSFODNN7EXAMPLE"));
    assert.equal(audit()[0].reason, "hotfix, key [redacted]");
  });

  it("takes a YAML scenario", async () => {
    fs.writeFileSync(path.join(project.dir, "abort.yaml"), 'events:\n  - { at: "7m", operator: abort }\n');
    const result = await rehearse(["--scenario", "abort.yaml"]);
    assert.equal(result.code, 4, result.stdout);
  });

  it("exits 2 naming the file and the key of an invalid scenario, before anything runs", async () => {
    fs.writeFileSync(
      path.join(project.dir, "bad.json"),
      JSON.stringify({ events: [{ at: "12m", alarm: "errorRate", state: "RED" }] }),
    );
    const result = await rehearse(["--scenario", "bad.json"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bad\.json: events\[0\]\.state/);
    assert.equal(result.stdout, "");
    assert.equal(fs.existsSync(path.join(project.dir, "audit.ndjson")), false);
  });

  it("reports an alarm CloudWatch cannot evaluate by its evaluation state, never as OK", async () => {
    fs.writeFileSync(
      path.join(project.dir, "broken.yaml"),
      'events:\n  - { at: "0s", fault: evaluation-error, alarm: "*" }\n',
    );
    const result = await rehearse(["--scenario", "broken.yaml", "--json"]);
    assert.equal(result.code, 3, result.stderr);
    const baking = ndjson(result.stdout).filter((event) => event.type === "baking");
    assert.ok(baking.length > 0, "the candidate baked until the deadline");
    for (const event of baking) {
      const states = Object.values(event.alarms as Record<string, string>);
      assert.ok(
        states.length > 0 && states.every((state) => state === "EVALUATION_ERROR"),
        JSON.stringify(event),
      );
    }
    // The report reads the same stream: the new state is part of the event vocabulary.
    assert.equal(parseEventStream(result.stdout).length, ndjson(result.stdout).length);
  });

  it("tells of an alarm that stops being evaluated mid-bake with an alarm event", async () => {
    fs.writeFileSync(
      path.join(project.dir, "broken.yaml"),
      'events:\n  - { at: "7m", fault: evaluation-error, alarm: errorRate, evaluationState: PARTIAL_DATA }\n',
    );
    const result = await rehearse(["--scenario", "broken.yaml", "--json"]);
    const change = ndjson(result.stdout).find((event) => event.type === "alarm");
    assert.deepEqual(
      { ...change, reason: undefined, time: undefined, runId: undefined },
      {
        type: "alarm",
        name: "checkout-dev-green-error-rate",
        state: "PARTIAL_DATA",
        previous: "OK",
        reason: undefined,
        time: undefined,
        runId: undefined,
        elapsedSeconds: 420,
      },
    );
    assert.equal(typeof change?.time, "string");
    assert.match(String(change?.reason), /EvaluationState PARTIAL_DATA/);
  });

  it("exits 2 naming --scenario when the file is missing", async () => {
    const result = await rehearse(["--scenario", "nope.yaml"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--scenario "nope\.yaml": cannot be read/);
  });

  it("reverts on SIGINT, ignores a second signal, and exits 4", async () => {
    // With --speed the rehearsal waits on the services' clock between polls: the signals arrive
    // during one of those waits, as they would during a real bake.
    let t: ReturnType<typeof testIo> | undefined;
    let sleeps = 0;
    const real: Clock = {
      now: () => 0,
      async sleep(_ms, signal) {
        sleeps += 1;
        if (sleeps === 40) {
          t?.raise("SIGINT");
          t?.raise("SIGTERM");
        }
        if (signal?.aborted) {
          const error = new Error("aborted");
          error.name = "AbortError";
          throw error;
        }
      },
    };
    const result = await rehearse(["--speed", "60"], { clock: real, onTest: (test) => (t = test) });
    assert.equal(result.code, 4, result.stdout + result.stderr);
    assert.match(result.stderr, /SIGINT: reverting traffic to the stable colour/);
    assert.match(result.stderr, /SIGTERM: a revert is in progress; waiting for it to finish/);
    assert.match(result.stdout, /reverted to blue 100% \(green 0%\)/);
    assert.match(result.stdout, /aborted \(exit 4\)/);
  });

  it("rewrites a live line on a terminal", async () => {
    const result = await rehearse([], { isTTY: true });
    assert.equal(result.code, 0);
    assert.ok(result.stdout.includes("\r\x1b[2K"), "the bake line is rewritten in place");
  });
});
