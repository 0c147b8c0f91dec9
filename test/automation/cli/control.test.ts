import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { BluegreenConfig } from "../../../infra/config/validate";
import { deliver } from "../../../automation/cli/control";
import { run } from "../../../automation/cli/main";
import type { ConnectRequest } from "../../../automation/cli/connection";
import { loadStack } from "../../../automation/cli/stacks";
import type { DriverDeps } from "../../../automation/rollout";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";
import { SimulatedWorld } from "../../../automation/rehearsal/simulatedWorld";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const START = 1_700_000_000_000;

/** A world where green is at 25% with 1.5.0: a rollout a crashed run left in progress. */
function worldInProgress(config: BluegreenConfig, clock: VirtualClock): SimulatedWorld {
  return new SimulatedWorld({
    config,
    stackName: "dev",
    clock,
    deployed: {
      traffic: { blue: 75, green: 25 },
      slots: { blue: { version: "1.4.1" }, green: { version: "1.5.0" } },
      stable: "blue",
      revision: 3,
    },
  });
}

function depsOf(world: SimulatedWorld, clock: VirtualClock, request: ConnectRequest): DriverDeps {
  return world.driverDeps(request.events, { clock, control: request.control });
}

describe("bluegreen abort and promote", () => {
  let project: ReturnType<typeof makeProject>;
  let clock: VirtualClock;
  let control: MemoryControlChannel;
  let config: BluegreenConfig;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
    clock = new VirtualClock(START);
    control = new MemoryControlChannel();
    config = loadStack(project.dir, "dev").config;
  });
  afterEach(() => project.cleanup());

  describe("with a driver watching", () => {
    beforeEach(() => control.heartbeat(START - 15_000));

    it("hands abort to the driver when it takes the request, without touching the stack", async () => {
      clock.schedule(START + 3_000, () => void control.take());
      const t = testIo(project.dir);
      const services = testServices({ clock, control });
      const code = await run(["abort", "--stack", "dev", "--reason", "pager"], t.io, services);
      assert.equal(code, 4, t.stderr());
      assert.deepEqual(control.sent(), [{ kind: "abort", by: "tester@example.com", at: START }]);
      assert.equal(services.connects, 0);
      assert.match(t.stderr(), /last heartbeat 15s ago/);
      assert.match(t.stderr(), /the driver took the abort request/);
    });

    it("leaves it to the driver when another operator's abort replaces its own, without touching the stack", async () => {
      clock.schedule(START + 3_000, () => void control.send({ kind: "abort", by: "ana", at: START + 3_000 }));
      const t = testIo(project.dir);
      const services = testServices({ clock, control });
      const code = await run(["abort", "--stack", "dev"], t.io, services);
      assert.equal(code, 4, t.stderr());
      assert.equal(services.connects, 0, "no direct revert while a driver watches");
      assert.equal((await control.pending())?.by, "ana");
    });

    it("withdraws an abort the driver does not take within two polls and reverts directly", async () => {
      const world = worldInProgress(config, clock);
      const t = testIo(project.dir);
      const services = testServices({
        clock,
        control,
        connect: async (request) => depsOf(world, clock, request),
      });
      const code = await run(["abort", "--stack", "dev"], t.io, services);
      assert.equal(code, 4, t.stdout() + t.stderr());
      assert.match(t.stderr(), /did not take the request in time; withdrew it/);
      assert.equal(clock.now() - START >= 20_000, true, "waited two poll intervals of 10s");
      assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
    });

    it("sends promote-full with --full and exits 0 once the driver takes it", async () => {
      clock.schedule(START + 1_000, () => void control.take());
      const t = testIo(project.dir);
      const code = await run(["promote", "--stack", "dev", "--full"], t.io, testServices({ clock, control }));
      assert.equal(code, 0, t.stderr());
      assert.equal(control.sent()[0].kind, "promote-full");
      assert.match(t.stderr(), /skips the remaining steps/);
    });

    for (const kind of ["pause", "resume"] as const) {
      it(`sends ${kind} and exits 0 once the driver takes it`, async () => {
        clock.schedule(START + 1_000, () => void control.take());
        const t = testIo(project.dir);
        const code = await run([kind, "--stack", "dev"], t.io, testServices({ clock, control }));
        assert.equal(code, 0, t.stderr());
        assert.deepEqual(control.sent(), [{ kind, by: "tester@example.com", at: START }]);
        assert.match(t.stderr(), /the driver took the request/);
      });

      it(`withdraws a ${kind} the driver does not take and exits 2`, async () => {
        const t = testIo(project.dir);
        const code = await run([kind, "--stack", "dev"], t.io, testServices({ clock, control }));
        assert.equal(code, 2);
        assert.match(t.stderr(), new RegExp(`did not take the ${kind} request within 20s; withdrew it`));
        assert.equal(await control.pending(), undefined);
      });
    }

    it("withdraws a promote the driver does not take and exits 2", async () => {
      const t = testIo(project.dir);
      const code = await run(["promote", "--stack", "dev"], t.io, testServices({ clock, control }));
      assert.equal(code, 2);
      assert.equal(control.sent()[0].kind, "promote");
      assert.equal(await control.pending(), undefined, "no request is left behind for a later run");
      assert.match(t.stderr(), /did not take the promote request within 20s; withdrew it/);
    });

    it("leaves a pending abort alone: a promote behind it is not sent (exit 2)", async () => {
      await control.send({ kind: "abort", by: "ana", at: START - 1_000 });
      const t = testIo(project.dir);
      const code = await run(["promote", "--stack", "dev"], t.io, testServices({ clock, control }));
      assert.equal(code, 2);
      assert.deepEqual(await control.pending(), { kind: "abort", by: "ana", at: START - 1_000 });
      assert.match(t.stderr(), /an abort of stack dev is already pending/);
    });

    it("reports a promote that an abort replaced while it waited, and keeps the abort", async () => {
      clock.schedule(START + 5_500, () => void control.send({ kind: "abort", by: "ana", at: START + 5_500 }));
      const t = testIo(project.dir);
      const code = await run(["promote", "--stack", "dev"], t.io, testServices({ clock, control }));
      assert.equal(code, 2);
      assert.equal((await control.pending())?.kind, "abort", "the abort stays pending for the driver");
      assert.match(t.stderr(), /an abort of stack dev is already pending/);
    });

    it("puts back an abort it took by mistake when withdrawing its own request", async () => {
      const promote = { kind: "promote" as const, by: "ben", at: START };
      const abort = { kind: "abort" as const, by: "ana", at: START + 1 };
      // The abort lands between the sender's last look and its withdrawal.
      const racing = new MemoryControlChannel();
      racing.pending = async () => promote;
      racing.take = async () => abort;
      const delivery = await deliver(racing, clock, config, promote);
      assert.equal(delivery, "taken");
      assert.deepEqual(racing.sent().at(-1), abort);
    });
  });

  describe("with nobody watching", () => {
    it("reverts directly, exits 4 and writes an audit record", async () => {
      await control.heartbeat(START - 60_000);
      const world = worldInProgress(config, clock);
      const t = testIo(project.dir);
      const services = testServices({
        clock,
        control,
        connect: async (request) => depsOf(world, clock, request),
      });
      const code = await run(["abort", "--stack", "dev", "--reason", "bad deploy", "--json"], t.io, services);
      assert.equal(code, 4, t.stdout() + t.stderr());
      assert.equal(control.sent().length, 0, "no request is left for a driver that is not there");
      assert.match(
        t.stderr(),
        /no driver is watching stack dev \(last heartbeat 1m ago\); reverting directly/,
      );
      assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
      const events = ndjson(t.stdout());
      assert.equal(events[events.length - 1].outcome, "aborted");
      const [record] = ndjson(fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8"));
      assert.equal(record.command, "abort");
      assert.equal(record.outcome, "aborted");
      assert.equal(record.reason, "bad deploy");
      assert.deepEqual(record.versions, { from: "1.4.1", to: "1.5.0" });
    });

    it("exits 2 without reverting or auditing when a preflight check fails", async () => {
      const world = worldInProgress(config, clock);
      const t = testIo(project.dir);
      const services = testServices({
        clock,
        control,
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
      });
      const code = await run(["abort", "--stack", "dev"], t.io, services);
      assert.equal(code, 2);
      assert.match(t.stderr(), /preflight aws-credentials failed: the SSO session expired/);
      assert.deepEqual(world.liveSplit(), { blue: 75, green: 25 });
      assert.equal(fs.existsSync(path.join(project.dir, "audit.ndjson")), false);
    });

    it("finishes a direct revert that SIGINT and SIGTERM arrive during, then exits 4", async () => {
      const world = worldInProgress(config, clock);
      const t = testIo(project.dir);
      const services = testServices({
        clock,
        control,
        async connect(request) {
          const deps = depsOf(world, clock, request);
          const router = deps.router;
          return {
            ...deps,
            router: {
              read: (signal) => router.read(signal),
              readiness: (colour, signal) => router.readiness(colour, signal),
              preTrafficCheck: (colour, signal) => router.preTrafficCheck(colour, signal),
              async write(split, signal) {
                // A cancelled pipeline job signals while the revert is being written.
                t.raise("SIGINT");
                t.raise("SIGTERM");
                return router.write(split, signal);
              },
            },
          };
        },
      });
      const code = await run(["abort", "--stack", "dev"], t.io, services);
      assert.equal(code, 4, t.stdout() + t.stderr());
      assert.deepEqual(world.liveSplit(), { blue: 100, green: 0 });
      assert.equal(t.stderr().match(/SIGINT: reverting traffic to the stable colour/g)?.length, 1);
      assert.match(t.stderr(), /SIGTERM: a revert is in progress; waiting for it to finish/);
      assert.equal(t.listeners(), 0);
      assert.equal(
        ndjson(fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8"))[0].outcome,
        "aborted",
      );
    });

    it("exits 2 when there is nothing to abort", async () => {
      const world = new SimulatedWorld({ config, stackName: "dev", clock });
      const t = testIo(project.dir);
      const services = testServices({
        clock,
        control,
        connect: async (request) => depsOf(world, clock, request),
      });
      const code = await run(["abort", "--stack", "dev"], t.io, services);
      assert.equal(code, 2);
      assert.match(t.stderr(), /nothing to abort: no rollout is in progress/);
      assert.equal(fs.existsSync(path.join(project.dir, "audit.ndjson")), false);
    });

    it("refuses to resume or pause, sending nothing", async () => {
      for (const kind of ["pause", "resume"]) {
        const t = testIo(project.dir);
        const code = await run([kind, "--stack", "dev"], t.io, testServices({ clock, control }));
        assert.equal(code, 2);
        assert.match(
          t.stderr(),
          new RegExp(`no driver is watching stack dev \\(no heartbeat\\): there is no rollout to ${kind}`),
        );
      }
      assert.equal(control.sent().length, 0);
    });

    it("refuses to promote and points at rollout --resume", async () => {
      const t = testIo(project.dir);
      const code = await run(["promote", "--stack", "dev"], t.io, testServices({ clock, control }));
      assert.equal(code, 2);
      assert.equal(control.sent().length, 0);
      assert.match(t.stderr(), /no driver is watching stack dev \(no heartbeat\)/);
      assert.match(t.stderr(), /bluegreen rollout --stack dev --version <the candidate's version> --resume/);
    });
  });
});
