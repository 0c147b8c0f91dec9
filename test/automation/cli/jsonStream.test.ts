import assert from "node:assert/strict";
import { run } from "../../../automation/cli/main";
import { loadStack } from "../../../automation/cli/stacks";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { type TestIo, ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const START = 1_700_000_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * With --json, a command whose output is the event stream ends it with exactly one `completed`
 * event whatever ended it, so `bluegreen report --events` always finds an outcome.
 */
describe("--json: every outcome ends the stream with one completed event", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack(), broken: ecsStack().replace("blue: 100", "blue: 90") });
  });
  afterEach(() => project.cleanup());

  /** The one line on stdout, parsed; fails when there is not exactly one. */
  function onlyLine(t: TestIo): Record<string, unknown> {
    const lines = ndjson(t.stdout());
    assert.equal(lines.length, 1, t.stdout());
    return lines[0];
  }

  const rejected: { argv: string[]; reason: RegExp }[] = [
    {
      argv: ["rollout", "--version", "1.5.0", "--json"],
      reason: /^required option '--stack <env>' not specified$/,
    },
    {
      argv: ["rollout", "--stack", "dev", "--version", "1.5.0", "--colour", "red", "--json"],
      reason: /^unknown option '--colour'$/,
    },
    { argv: ["rehearse", "--json", "--stack", "dev"], reason: /required option '--version <v>'/ },
    {
      argv: ["rehearse", "--stack", "dev", "--version", "1.5.0", "--speed", "fast", "--json"],
      reason: /--speed <n>.*'fast' is invalid/,
    },
    {
      argv: ["rollout", "--json", "--stack", "dev", "--version", "1.5.0:latest"],
      reason: /^--version "1\.5\.0:latest": expected a version/,
    },
    {
      argv: ["rollout", "--stack", "dev", "--version", "1.5.0", "--commit-time", "today", "--json"],
      reason: /--commit-time <iso>.*'today' is invalid/,
    },
    {
      argv: ["abort", "--stack", "qa", "--json"],
      reason: /^--stack "qa": there is no stacks\/Pulumi\.qa\.yaml; available stacks: broken, dev$/,
    },
    {
      argv: ["rollout", "--stack", "broken", "--version", "1.5.0", "--json"],
      reason:
        /^stacks\/Pulumi\.broken\.yaml is not a valid stack file: 1 problem: bluegreen:traffic: blue 90 \+ green 0 = 90/,
    },
    { argv: ["deploy", "--json"], reason: /^unknown command 'deploy'$/ },
  ];
  for (const { argv, reason } of rejected) {
    it(`exit 2, rejected: ${argv.join(" ")}`, async () => {
      const t = testIo(project.dir);
      const services = testServices({ clock: new VirtualClock(START) });
      const code = await run(argv, t.io, services);
      assert.equal(code, 2, t.stderr());
      const completed = onlyLine(t);
      assert.deepEqual(
        { ...completed, reason: undefined, runId: undefined },
        {
          type: "completed",
          outcome: "rejected",
          exitCode: 2,
          reason: undefined,
          elapsedSeconds: 0,
          time: new Date(START).toISOString(),
          runId: undefined,
        },
      );
      assert.match(String(completed.reason), reason);
      assert.match(String(completed.runId), UUID);
      assert.notEqual(t.stderr(), "", "the human message still goes to stderr");
      assert.equal(services.connects, 0);
    });
  }

  it("ends with completed when a preflight check fails before a direct abort", async () => {
    const clock = new VirtualClock(START);
    const world = new SimulatedWorld({
      config: loadStack(project.dir, "dev").config,
      stackName: "dev",
      clock,
    });
    const t = testIo(project.dir);
    const code = await run(
      ["abort", "--stack", "dev", "--json"],
      t.io,
      testServices({
        clock,
        connect: async (request) =>
          world.driverDeps(request.events, {
            clock,
            control: request.control,
            preflightChecks: [
              {
                name: "aws-credentials",
                run: async () => ({ ok: false, detail: "the SSO session expired" }),
              },
            ],
          }),
      }),
    );
    assert.equal(code, 2);
    const completed = onlyLine(t);
    assert.equal(completed.outcome, "rejected");
    assert.equal(completed.reason, "preflight aws-credentials failed: the SSO session expired");
  });

  it("ends with completed (aborted, exit 4) when the watching driver takes the abort", async () => {
    const clock = new VirtualClock(START);
    const control = new MemoryControlChannel();
    await control.heartbeat(START - 15_000);
    clock.schedule(START + 3_000, () => void control.take());
    const t = testIo(project.dir);
    const code = await run(["abort", "--stack", "dev", "--json"], t.io, testServices({ clock, control }));
    assert.equal(code, 4, t.stderr());
    const completed = onlyLine(t);
    assert.equal(completed.outcome, "aborted");
    assert.equal(completed.exitCode, 4);
    assert.match(String(completed.reason), /the driver watching stack dev took the abort request/);
    assert.equal(completed.elapsedSeconds, 3, "the command waited three seconds for the driver");
  });

  it("does not add a second completed after a run that ended the stream itself", async () => {
    const t = testIo(project.dir);
    const code = await run(
      ["rehearse", "--stack", "dev", "--version", "1.4.1", "--json"],
      t.io,
      testServices({ clock: new VirtualClock(START) }),
    );
    assert.equal(code, 2, "1.4.1 already serves: rejected in the driver's preflight");
    const events = ndjson(t.stdout());
    assert.deepEqual(
      events.filter((event) => event.type === "completed").map((event) => event.outcome),
      ["rejected"],
    );
    assert.equal(events.at(-1)?.type, "completed");
  });

  const noStream: { argv: string[]; why: string }[] = [
    {
      argv: ["rollout", "--stack", "dev", "--version", "1.5.0", "--reason", "--json", "--colour", "red"],
      why: "--json is the value of --reason here",
    },
    { argv: ["status", "--json"], why: "status prints one JSON document, not an event stream" },
    { argv: ["rollout", "--json", "--help"], why: "help is no outcome" },
    { argv: ["rollout", "--stack", "dev", "--version", "1.5.0", "--colour", "red"], why: "no --json" },
  ];
  for (const { argv, why } of noStream) {
    it(`writes no completed event: ${argv.join(" ")} (${why})`, async () => {
      const t = testIo(project.dir);
      await run(argv, t.io, testServices({ clock: new VirtualClock(START) }));
      assert.doesNotMatch(t.stdout(), /"type":"completed"/);
    });
  }
});
