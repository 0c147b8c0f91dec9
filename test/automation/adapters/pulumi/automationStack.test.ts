import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CommandError, ConcurrentUpdateError, StackNotFoundError } from "@pulumi/pulumi/automation";
import {
  AutomationStack,
  type AutomationStackOptions,
} from "../../../../automation/adapters/pulumi/automationStack";
import {
  OperationNotStartedError,
  PulumiOperationError,
  StackLockedError,
  StackMissingError,
  StateUnknownError,
} from "../../../../automation/adapters/pulumi/errors";
import type { LocalStackOptions } from "../../../../automation/adapters/pulumi/handle";
import { processIsAlive } from "../../../../automation/adapters/pulumi/lock";
import { StackOutputsError } from "../../../../automation/adapters/pulumi/outputs";
import { StackConfigError } from "../../../../automation/adapters/pulumi/values";
import type { ReleaseValues } from "../../../../automation/ports";
import { FakeStackHandle, albOutputs, commandText, rawConfig, rawOutputs } from "./fakeStackHandle";

const PROJECT_DIR = path.resolve(__dirname, "../../../..");
const HOST = "runner-7";
const LIVE_PID = 4242;
const DEAD_PID = 999;

function stackWith(fake: FakeStackHandle, options: Partial<AutomationStackOptions> = {}): AutomationStack {
  return new AutomationStack({
    projectDir: PROJECT_DIR,
    stackName: "dev",
    hostname: HOST,
    isProcessAlive: (pid) => pid === LIVE_PID,
    connect: async () => fake,
    ...options,
  });
}

const deployedValues: ReleaseValues = {
  traffic: { blue: 100, green: 0 },
  slots: { blue: { version: "1.0.0" }, green: { version: "1.0.0" } },
  stable: "blue",
  revision: 3,
};

function configOf(values: ReleaseValues, extra: Record<string, unknown> = {}) {
  return rawConfig({
    "bluegreen:traffic": values.traffic,
    "bluegreen:slots": values.slots,
    "bluegreen:stable": values.stable,
    "bluegreen:revision": values.revision,
    ...extra,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail("expected the call to reject");
}

function lockMessage(host: string, pid: number): string {
  return commandText(
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end " +
      "or delete the lock file with `pulumi cancel`.\n" +
      `  file:///state/.pulumi/locks/organization/bluegreen/dev/0b1c.json: created by ci@${host} (pid ${pid}) at 2025-01-01T10:00:00Z`,
  );
}

describe("AutomationStack", () => {
  describe("outputs()", () => {
    it("parses the deployed outputs into StackOutputs: values unwrapped, secret ones too, and only what the driver reads", async () => {
      const fake = new FakeStackHandle();
      const expected = albOutputs();
      fake.outputsValue = rawOutputs(
        {
          ...expected,
          // The program may export more than the driver reads; none of it reaches StackOutputs.
          loadBalancerDnsName: "shop-1234567890.eu-west-1.elb.amazonaws.com",
          routing: { ...expected.routing, securityGroupId: "sg-0a1b2c3d4e5f60718" },
          alarms: { ...expected.alarms, topicArn: "arn:aws:sns:eu-west-1:123456789012:shop-pager" },
        },
        ["routing"],
      );
      const outputs = await stackWith(fake).outputs();
      assert.deepEqual(outputs, expected);
    });

    it("returns undefined for a stack that was never deployed", async () => {
      const fake = new FakeStackHandle();
      fake.outputsValue = {};
      assert.equal(await stackWith(fake).outputs(), undefined);
    });

    const malformed: { name: string; outputs: Record<string, unknown>; key: string; text: RegExp }[] = [
      {
        name: "a missing output",
        outputs: { ...albOutputs(), routingUrns: undefined },
        key: "routingUrns",
        text: /output `routingUrns` is missing/,
      },
      {
        name: "traffic that does not sum to 100",
        outputs: { ...albOutputs(), traffic: { blue: 90, green: 20 } },
        key: "traffic",
        text: /output `traffic`: blue 90 \+ green 20 = 110/,
      },
      {
        name: "an unknown routing kind",
        outputs: { ...albOutputs(), routing: { kind: "nginx" } },
        key: "routing",
        text: /output `routing\.kind`/,
      },
      {
        name: "a stable colour that is not a colour",
        outputs: { ...albOutputs(), stableColour: "red" },
        key: "stableColour",
        text: /output `stableColour`/,
      },
    ];
    for (const testCase of malformed) {
      it(`names the output key for ${testCase.name}`, async () => {
        const fake = new FakeStackHandle();
        fake.outputsValue = rawOutputs(
          Object.fromEntries(Object.entries(testCase.outputs).filter(([, value]) => value !== undefined)),
        );
        const error = await rejection(stackWith(fake).outputs());
        assert.ok(error instanceof StackOutputsError, String(error));
        assert.deepEqual(error.keys, [testCase.key]);
        assert.match(error.message, testCase.text);
      });
    }

    it("never prints the value of a malformed secret output", async () => {
      const fake = new FakeStackHandle();
      fake.outputsValue = rawOutputs(
        { ...albOutputs(), routing: { kind: "alb", listenerArn: "s3cr3t-listener-value" } },
        ["routing"],
      );
      const error = await rejection(stackWith(fake).outputs());
      assert.ok(error instanceof StackOutputsError);
      assert.doesNotMatch(error.message, /s3cr3t/);
      assert.match(
        error.message,
        /output `routing\.[a-zA-Z]+` has an unexpected shape \(secret value not shown\)/,
      );
    });

    it("accepts a secret output of the right shape", async () => {
      const fake = new FakeStackHandle();
      fake.outputsValue = rawOutputs({ ...albOutputs() }, ["routing"]);
      assert.deepEqual((await stackWith(fake).outputs())?.routing, albOutputs().routing);
    });
  });

  describe("readValues()", () => {
    it("reads the structured release values and ignores the other keys", async () => {
      const fake = new FakeStackHandle();
      fake.config = {
        ...configOf(deployedValues),
        ...rawConfig({ "bluegreen:kubeconfig": "apiVersion: v1" }, ["bluegreen:kubeconfig"]),
      };
      assert.deepEqual(await stackWith(fake).readValues(), deployedValues);
    });

    it("reads a revision the CLI prints as plain text", async () => {
      const fake = new FakeStackHandle();
      fake.config = { ...configOf(deployedValues), "bluegreen:revision": { value: "7", secret: false } };
      assert.equal((await stackWith(fake).readValues()).revision, 7);
    });

    it("applies the config defaults: stable from a 100% colour, revision 0", async () => {
      const fake = new FakeStackHandle();
      fake.config = rawConfig({
        "bluegreen:traffic": { blue: 0, green: 100 },
        "bluegreen:slots": deployedValues.slots,
      });
      const values = await stackWith(fake).readValues();
      assert.equal(values.stable, "green");
      assert.equal(values.revision, 0);
    });

    const bad: { name: string; config: Record<string, unknown>; key: RegExp }[] = [
      {
        name: "traffic is not set",
        config: { "bluegreen:slots": deployedValues.slots },
        key: /^bluegreen:traffic$/,
      },
      {
        name: "traffic does not sum to 100",
        config: { "bluegreen:traffic": { blue: 90, green: 20 }, "bluegreen:slots": deployedValues.slots },
        key: /^bluegreen:traffic/,
      },
      {
        name: "the split has no stable colour",
        config: { "bluegreen:traffic": { blue: 90, green: 10 }, "bluegreen:slots": deployedValues.slots },
        key: /^bluegreen:stable$/,
      },
    ];
    for (const testCase of bad) {
      it(`names the config key when ${testCase.name}`, async () => {
        const fake = new FakeStackHandle();
        fake.config = rawConfig(testCase.config);
        const error = await rejection(stackWith(fake).readValues());
        assert.ok(error instanceof StackConfigError, String(error));
        assert.match(error.key, testCase.key);
        assert.match(error.message, /^stack dev config bluegreen:/);
      });
    }
  });

  describe("writeValues()", () => {
    it("writes only the keys that differ, as structured values", async () => {
      const fake = new FakeStackHandle();
      fake.config = configOf(deployedValues);
      await stackWith(fake).writeValues({
        ...deployedValues,
        traffic: { blue: 90, green: 10 },
        slots: { blue: { version: "1.0.0" }, green: { version: "42" } },
        revision: 4,
      });
      assert.equal(fake.configWrites.length, 1);
      const document = JSON.parse(fake.configWrites[0]) as Record<string, { objectValue?: unknown }>;
      assert.deepEqual(Object.keys(document).sort(), [
        "bluegreen:revision",
        "bluegreen:slots",
        "bluegreen:traffic",
      ]);
      assert.deepEqual(document["bluegreen:traffic"].objectValue, { blue: 90, green: 10 });
      // A numeric-looking version must stay a string in the stack file.
      assert.deepEqual(document["bluegreen:slots"].objectValue, {
        blue: { version: "1.0.0" },
        green: { version: "42" },
      });
      assert.equal(document["bluegreen:revision"].objectValue, 4);
    });

    it("writes stable as plain text when the config does not set it yet", async () => {
      const fake = new FakeStackHandle();
      fake.config = rawConfig({
        "bluegreen:traffic": deployedValues.traffic,
        "bluegreen:slots": deployedValues.slots,
        "bluegreen:revision": 3,
      });
      await stackWith(fake).writeValues(deployedValues);
      assert.deepEqual(JSON.parse(fake.configWrites[0]), {
        "bluegreen:stable": { value: "blue", secret: false },
      });
    });

    it("runs no config command when nothing differs", async () => {
      const fake = new FakeStackHandle();
      fake.config = configOf(deployedValues);
      await stackWith(fake).writeValues(deployedValues);
      assert.deepEqual(fake.configWrites, []);
    });

    it("round-trips: what it writes reads back the same", async () => {
      const fake = new FakeStackHandle();
      fake.config = configOf(deployedValues);
      const stack = stackWith(fake);
      const wanted: ReleaseValues = {
        traffic: { blue: 75, green: 25 },
        slots: { blue: { version: "1.0.0" }, green: { version: "1.1.0" } },
        stable: "blue",
        revision: 9,
      };
      await stack.writeValues(wanted);
      assert.deepEqual(await stack.readValues(), wanted);
    });

    it("refuses a key outside the release values and writes nothing", async () => {
      const fake = new FakeStackHandle();
      fake.config = configOf(deployedValues);
      const values = { ...deployedValues, kubeconfig: "apiVersion: v1" } as ReleaseValues;
      const error = await rejection(stackWith(fake).writeValues(values));
      assert.ok(error instanceof StackConfigError);
      assert.match(error.message, /bluegreen:kubeconfig: not writable by the rollout driver/);
      assert.deepEqual(fake.configWrites, []);
    });

    it("refuses invalid values before touching the config", async () => {
      const fake = new FakeStackHandle();
      fake.config = configOf(deployedValues);
      const error = await rejection(
        stackWith(fake).writeValues({ ...deployedValues, traffic: { blue: 90, green: 20 } }),
      );
      assert.ok(error instanceof StackConfigError);
      assert.match(error.key, /^bluegreen:traffic/);
      assert.deepEqual(fake.calls, []);
    });
  });

  describe("update()", () => {
    it("runs a targeted update with the message and counts the changed resources", async () => {
      const fake = new FakeStackHandle();
      fake.upResult = {
        summary: {
          resourceChanges: {
            same: 8,
            update: 1,
            create: 1,
            replace: 1,
            "create-replacement": 1,
            "delete-replaced": 1,
            read: 2,
          },
        },
        outputs: rawOutputs({ ...albOutputs({ revision: 4 }) }),
      };
      const targets = ["urn:pulumi:dev::bluegreen::aws:lb/listener:Listener::shop-listener"];
      const result = await stackWith(fake).update({ targets, message: "step 1/4: green 10% (revision 4)" });
      assert.deepEqual(fake.upCalls[0].target, targets);
      assert.equal(fake.upCalls[0].message, "step 1/4: green 10% (revision 4)");
      assert.equal(result.changed, 3);
      assert.equal(result.outputs.revision, 4);
    });

    it("runs a full update when no targets are given", async () => {
      const fake = new FakeStackHandle();
      fake.upResult = {
        summary: { resourceChanges: { same: 10 } },
        outputs: rawOutputs({ ...albOutputs() }),
      };
      const result = await stackWith(fake).update({ message: "promote green" });
      assert.equal(fake.upCalls[0].target, undefined);
      assert.equal(result.changed, 0);
    });

    it("refuses an empty target list instead of updating the whole stack", async () => {
      const fake = new FakeStackHandle();
      const error = await rejection(stackWith(fake).update({ targets: [], message: "step" }));
      assert.match(error.message, /targets is empty/);
      assert.deepEqual(fake.upCalls, []);
    });

    it("hands what the CLI prints during an update and a preview to onOutput, chunk by chunk, in order", async () => {
      const fake = new FakeStackHandle();
      const printedByUp = [
        "Updating (dev)\n\n",
        "    ~  aws:lb/listener:Listener shop-listener updated (1s) [diff: ~defaultActions]\n",
        "Resources:\n    ~ 1 updated\n    10 unchanged\n",
      ];
      const printedByPreview = "Previewing update (dev)\n\nResources:\n    10 unchanged\n";
      // The CLI streams its stdout to the options' onOutput as it prints.
      fake.duringUp = async (options) => printedByUp.forEach((chunk) => options.onOutput?.(chunk));
      const preview = fake.preview.bind(fake);
      fake.preview = async (options) => {
        options.onOutput?.(printedByPreview);
        return preview(options);
      };
      const received: string[] = [];
      const stack = stackWith(fake, { onOutput: (text) => received.push(text) });
      await stack.update({ message: "deploy" });
      await stack.previewChanges();
      assert.deepEqual(received, [...printedByUp, printedByPreview]);
    });

    it("does not start when the signal is already aborted", async () => {
      const fake = new FakeStackHandle();
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(stackWith(fake).update({ message: "deploy", signal: controller.signal }));
      assert.ok(error instanceof OperationNotStartedError);
      assert.equal(error.name, "AbortError");
      assert.deepEqual(fake.upCalls, []);
    });

    it("cancels once through the signal and reports the state as unknown", async () => {
      const fake = new FakeStackHandle();
      const caller = new AbortController();
      let abortsSeen = 0;
      fake.duringUp = async (options) => {
        options.signal?.addEventListener("abort", () => abortsSeen++);
        caller.abort();
        caller.abort();
      };
      fake.upError = new CommandError(commandText("error: update canceled"));
      const error = await rejection(stackWith(fake).update({ message: "deploy", signal: caller.signal }));
      assert.ok(error instanceof StateUnknownError, String(error));
      assert.equal(error.cancelled, true);
      assert.equal(abortsSeen, 1);
      assert.match(error.message, /was cancelled/);
    });

    it("detaches from the caller's signal when the update ends", async () => {
      const fake = new FakeStackHandle();
      const caller = new AbortController();
      await stackWith(fake).update({ message: "deploy", signal: caller.signal });
      const commandSignal = fake.upCalls[0].signal;
      assert.ok(commandSignal !== undefined && commandSignal !== caller.signal);
      caller.abort();
      assert.equal(commandSignal.aborted, false);
    });

    it("fails with StackOutputsError when the update exported nothing", async () => {
      const fake = new FakeStackHandle();
      fake.upResult = { summary: { resourceChanges: { create: 1 } }, outputs: {} };
      const error = await rejection(stackWith(fake).update({ message: "deploy" }));
      assert.ok(error instanceof StackOutputsError);
    });
  });

  describe("error mapping", () => {
    const cases: {
      name: string;
      error: () => Error;
      check: (error: Error) => void;
    }[] = [
      {
        name: "ConcurrentUpdateError from a holder on this host that no longer runs -> stale lock",
        error: () => new ConcurrentUpdateError(lockMessage(HOST, DEAD_PID)),
        check: (error) => {
          assert.ok(error instanceof StackLockedError);
          assert.equal(error.lock.alive, false);
          assert.match(error.lock.holder, new RegExp(`ci@${HOST} \\(pid ${DEAD_PID}\\)`));
          assert.match(error.message, /stale/);
          assert.match(error.message, /pulumi cancel --stack dev/);
        },
      },
      {
        name: "ConcurrentUpdateError from a holder on this host that still runs -> live lock",
        error: () => new ConcurrentUpdateError(lockMessage(HOST, LIVE_PID)),
        check: (error) => {
          assert.ok(error instanceof StackLockedError);
          assert.equal(error.lock.alive, true);
          assert.match(error.message, /wait for that update to finish/);
          assert.doesNotMatch(error.message, /pulumi cancel/);
        },
      },
      {
        name: "ConcurrentUpdateError from a holder on another host -> alive (its pid cannot be checked here)",
        error: () => new ConcurrentUpdateError(lockMessage("other-host", DEAD_PID)),
        check: (error) => {
          assert.ok(error instanceof StackLockedError);
          assert.equal(error.lock.alive, true);
        },
      },
      {
        name: "a Pulumi Cloud 409 (no holder named) -> alive",
        error: () =>
          new ConcurrentUpdateError(
            commandText("error: [409] Conflict: Another update is currently in progress."),
          ),
        check: (error) => {
          assert.ok(error instanceof StackLockedError);
          assert.equal(error.lock.alive, true);
        },
      },
      {
        name: "StackNotFoundError -> StackMissingError naming the stack and how to create it",
        error: () => new StackNotFoundError(commandText("error: no stack named 'dev' found")),
        check: (error) => {
          assert.ok(error instanceof StackMissingError);
          assert.match(error.message, /stack dev does not exist/);
          assert.match(error.message, /pulumi stack init dev/);
        },
      },
      {
        name: "any other CommandError -> state unknown, reconcile",
        error: () =>
          new CommandError(
            commandText("Updating (dev):\nerror: update failed\n  aws:ecs:Service shop-green: timeout"),
          ),
        check: (error) => {
          assert.ok(error instanceof StateUnknownError);
          assert.equal(error.cancelled, false);
          assert.match(error.message, /^state unknown: .*error: update failed/);
          assert.match(error.message, /reconcile from the stack's history and outputs/);
        },
      },
    ];
    for (const testCase of cases) {
      it(`update(): ${testCase.name}`, async () => {
        const fake = new FakeStackHandle();
        fake.upError = testCase.error();
        testCase.check(await rejection(stackWith(fake).update({ message: "deploy" })));
      });
    }

    it("maps a missing stack when the workspace is opened", async () => {
      const stack = stackWith(new FakeStackHandle(), {
        connect: async () => {
          throw new StackNotFoundError(commandText("error: no stack named 'dev' found"));
        },
      });
      const error = await rejection(stack.outputs());
      assert.ok(error instanceof StackMissingError);
    });

    it("reports a failed read as PulumiOperationError with a passphrase hint", async () => {
      const fake = new FakeStackHandle();
      fake.outputsError = new CommandError(
        commandText(
          "error: constructing secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE",
        ),
      );
      const error = await rejection(stackWith(fake).outputs());
      assert.ok(error instanceof PulumiOperationError);
      assert.match(error.message, /reading the stack outputs failed: error: constructing secrets manager/);
      assert.match(error.message, /PULUMI_CONFIG_PASSPHRASE_FILE/);
    });
  });

  describe("loading the program: transpile-only unless the user chose", () => {
    const cases: {
      name: string;
      environment?: Record<string, string | undefined>;
      envVars?: Record<string, string>;
      expected: Record<string, string>;
    }[] = [
      { name: "nothing chosen: transpile-only", expected: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } },
      {
        name: "the user's false in the environment: the CLI inherits it, nothing overrides it",
        environment: { PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
        expected: {},
      },
      {
        name: "the user's true in the environment: inherited as it is",
        environment: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
        expected: {},
      },
      {
        name: "an empty value is a choice too (the language host then type-checks)",
        environment: { PULUMI_NODEJS_TRANSPILE_ONLY: "" },
        expected: {},
      },
      {
        name: "other variables of the environment do not count",
        environment: { PULUMI_NODEJS_TYPESCRIPT: "true", PATH: "/usr/bin" },
        expected: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
      },
      {
        name: "the caller's variables are kept beside it",
        envVars: { PULUMI_BACKEND_URL: "file:///state" },
        expected: { PULUMI_NODEJS_TRANSPILE_ONLY: "true", PULUMI_BACKEND_URL: "file:///state" },
      },
      {
        name: "the caller's own choice wins",
        envVars: { PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
        expected: { PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
      },
    ];
    for (const { name, environment, envVars, expected } of cases) {
      it(name, async () => {
        const fake = new FakeStackHandle();
        fake.previewSummary = { same: 12 };
        const opened: LocalStackOptions[] = [];
        const stack = stackWith(fake, {
          environment,
          envVars,
          connect: async (options) => {
            opened.push(options);
            return fake;
          },
        });
        await stack.update({ message: "deploy 1.5.0 to green" });
        await stack.previewChanges();
        // One workspace runs the update and the preview: both load the program with these variables.
        assert.equal(opened.length, 1);
        assert.deepEqual(opened[0].envVars, expected);
        assert.equal(fake.upCalls.length, 1);
        assert.deepEqual(
          { projectDir: opened[0].projectDir, stackName: opened[0].stackName },
          { projectDir: PROJECT_DIR, stackName: "dev" },
        );
      });
    }
  });

  describe("previewChanges()", () => {
    it("counts the changes a preview finds", async () => {
      const fake = new FakeStackHandle();
      fake.previewSummary = { same: 12, update: 2, delete: 1 };
      assert.equal(await stackWith(fake).previewChanges(), 3);
    });

    it("returns 0 when everything is the same", async () => {
      const fake = new FakeStackHandle();
      fake.previewSummary = { same: 12 };
      assert.equal(await stackWith(fake).previewChanges(), 0);
    });

    it("refuses to call an empty summary 'no drift'", async () => {
      const fake = new FakeStackHandle();
      fake.previewSummary = {};
      const error = await rejection(stackWith(fake).previewChanges());
      assert.ok(error instanceof PulumiOperationError);
      assert.match(error.message, /no change summary/);
    });
  });

  describe("lock()", () => {
    let backendDir: string;
    beforeEach(() => {
      backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-backend-"));
    });
    afterEach(() => {
      fs.rmSync(backendDir, { recursive: true, force: true });
    });

    function writeLock(dir: string[], content: Record<string, unknown>) {
      const lockDir = path.join(backendDir, ".pulumi", "locks", ...dir);
      fs.mkdirSync(lockDir, { recursive: true });
      fs.writeFileSync(path.join(lockDir, "5f0e.json"), JSON.stringify(content));
    }

    function fileBackend(): FakeStackHandle {
      const fake = new FakeStackHandle();
      fake.backendUrl = `file://${backendDir}`;
      return fake;
    }

    it("reports no lock when the file backend holds none", async () => {
      assert.equal(await stackWith(fileBackend()).lock(), undefined);
    });

    const holders: { name: string; host: string; pid: number; alive: boolean }[] = [
      { name: "a dead process on this host is a stale lock", host: HOST, pid: DEAD_PID, alive: false },
      { name: "a live process on this host is a live lock", host: HOST, pid: LIVE_PID, alive: true },
      { name: "a process on another host counts as alive", host: "ci-box", pid: DEAD_PID, alive: true },
    ];
    for (const holder of holders) {
      it(`file backend: ${holder.name}`, async () => {
        writeLock(["organization", "bluegreen", "dev"], {
          pid: holder.pid,
          username: "ci",
          hostname: holder.host,
          timestamp: "2025-01-01T10:00:00Z",
        });
        const lock = await stackWith(fileBackend()).lock();
        assert.deepEqual(lock, {
          holder: `ci@${holder.host} (pid ${holder.pid}) since 2025-01-01T10:00:00Z`,
          alive: holder.alive,
        });
      });
    }

    it("file backend: reads the legacy layout too", async () => {
      writeLock(["dev"], {
        pid: DEAD_PID,
        username: "ci",
        hostname: HOST,
        timestamp: "2025-01-01T10:00:00Z",
      });
      assert.equal((await stackWith(fileBackend()).lock())?.alive, false);
    });

    it("file backend: ignores the locks of other stacks", async () => {
      writeLock(["organization", "bluegreen", "prod"], { pid: LIVE_PID, username: "ci", hostname: HOST });
      assert.equal(await stackWith(fileBackend()).lock(), undefined);
    });

    it("file backend: an unreadable lock file is a lock with an unknown holder, alive", async () => {
      const lockDir = path.join(backendDir, ".pulumi", "locks", "organization", "bluegreen", "dev");
      fs.mkdirSync(lockDir, { recursive: true });
      fs.writeFileSync(path.join(lockDir, "5f0e.json"), "{not json");
      assert.equal((await stackWith(fileBackend()).lock())?.alive, true);
    });

    it("Pulumi Cloud: an update in progress in the history is a live lock", async () => {
      const fake = new FakeStackHandle();
      fake.historyEntries = [
        {
          kind: "update",
          result: "in-progress",
          version: 12,
          message: "deploy 2.0.0",
          startTime: new Date(0),
        },
      ];
      const lock = await stackWith(fake).lock();
      assert.equal(lock?.alive, true);
      assert.match(lock?.holder ?? "", /update in progress .*deploy 2\.0\.0/);
    });

    it("Pulumi Cloud: a stack summary with an update in progress is a live lock", async () => {
      const fake = new FakeStackHandle();
      fake.stacks = [{ name: "acme/bluegreen/dev", updateInProgress: true }];
      assert.equal((await stackWith(fake).lock())?.alive, true);
    });

    it("Pulumi Cloud: no lock when nothing runs", async () => {
      const fake = new FakeStackHandle();
      fake.historyEntries = [{ kind: "update", result: "succeeded", version: 12 }];
      assert.equal(await stackWith(fake).lock(), undefined);
    });

    it("reads history without secrets", async () => {
      const fake = new FakeStackHandle();
      await stackWith(fake).lock();
      assert.ok(fake.calls.includes("history(1,1,false)"));
    });
  });

  describe("reconcileAfterFailedUpdate()", () => {
    const previous = {
      kind: "update" as const,
      result: "succeeded" as const,
      version: 5,
      message: "step 1/4",
      startTime: new Date("2025-01-01T10:00:00Z"),
    };

    function failingAfter(entry: typeof previous | undefined): FakeStackHandle {
      const fake = new FakeStackHandle();
      fake.historyEntries = [previous];
      fake.duringUp = async () => {
        if (entry) fake.historyEntries = [entry, ...fake.historyEntries];
      };
      // The CLI saved (or not) and then a follow-up call failed: up() throws either way.
      fake.upError = new CommandError(commandText("error: getting stack outputs: connection reset"));
      return fake;
    }

    async function attempt(fake: FakeStackHandle) {
      const stack = stackWith(fake);
      const error = await rejection(stack.update({ message: "step 2/4" }));
      assert.ok(error instanceof StateUnknownError);
      return stack.reconcileAfterFailedUpdate();
    }

    it("says saved when the latest update is this one, succeeded and newer", async () => {
      const fake = failingAfter({
        ...previous,
        version: 6,
        message: "step 2/4",
        startTime: new Date("2025-01-01T10:05:00Z"),
      });
      fake.outputsValue = rawOutputs({ ...albOutputs({ revision: 6 }) });
      const reconciliation = await attempt(fake);
      assert.equal(reconciliation.saved, true);
      assert.equal(reconciliation.outputs?.revision, 6);
      assert.equal(reconciliation.latest?.version, 6);
    });

    it("says not saved when the update failed", async () => {
      const fake = failingAfter({ ...previous, version: 6, result: "failed" as never, message: "step 2/4" });
      const reconciliation = await attempt(fake);
      assert.equal(reconciliation.saved, false);
      assert.match(reconciliation.detail, /failed/);
    });

    it("says not saved when the history did not move", async () => {
      const reconciliation = await attempt(failingAfter(undefined));
      assert.equal(reconciliation.saved, false);
      assert.match(reconciliation.detail, /not the update started here/);
    });

    it("compares start times where the backend does not number versions", async () => {
      const unnumbered = { ...previous, version: 0 };
      const fake = new FakeStackHandle();
      fake.historyEntries = [unnumbered];
      fake.duringUp = async () => {
        fake.historyEntries = [
          { ...unnumbered, message: "step 2/4", startTime: new Date("2025-01-01T10:05:00Z") },
          unnumbered,
        ];
      };
      fake.upError = new CommandError(commandText("error: getting stack outputs: connection reset"));
      assert.equal((await attempt(fake)).saved, true);
    });

    it("says not saved when no update was started by this adapter", async () => {
      const fake = new FakeStackHandle();
      fake.historyEntries = [previous];
      const reconciliation = await stackWith(fake).reconcileAfterFailedUpdate();
      assert.equal(reconciliation.saved, false);
      assert.ok(reconciliation.outputs !== undefined);
    });
  });
});

describe("processIsAlive", () => {
  it("finds this process and not a pid above the kernel's limit", () => {
    assert.equal(processIsAlive(process.pid), true);
    assert.equal(processIsAlive(2 ** 30), false);
  });
});
