import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DynamoControlChannel } from "../../../../automation/adapters/control/dynamoControlChannel";
import { FileControlChannel } from "../../../../automation/adapters/control/fileControlChannel";
import type { ControlChannel, ControlRequest } from "../../../../automation/ports";
import { MemoryControlChannel } from "../../../../automation/rehearsal/memoryControlChannel";
import { useDynalite } from "./dynalite";

/** A channel under test, with a way to look at the pending request without taking it. */
type Channel = ControlChannel & { pending(): Promise<ControlRequest | undefined> };

const request = (kind: ControlRequest["kind"], by: string, at: number): ControlRequest => ({ kind, by, at });

/** A channel opened for one test, and how to put it away. */
interface Opened {
  channel: Channel;
  dispose(): void;
}

/**
 * Every control channel keeps the same contract, so what the driver's tests prove over the
 * in-memory channel holds over the files a real `bluegreen abort` writes and over the DynamoDB
 * control table. `use` runs inside the channel's `describe`, where it may add the hooks of a
 * server the channel needs, and returns how to open a fresh channel for each test.
 */
const channels: { name: string; use(): () => Promise<Opened> }[] = [
  {
    name: "MemoryControlChannel",
    use: () => async () => ({ channel: new MemoryControlChannel(), dispose: () => undefined }),
  },
  {
    name: "FileControlChannel",
    use: () => async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-contract-"));
      return {
        channel: new FileControlChannel({ dir: path.join(dir, "control"), stack: "prod" }),
        dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "DynamoControlChannel",
    use: () => {
      const dynamo = useDynalite();
      return async () => ({
        channel: new DynamoControlChannel({ client: dynamo().client, table: await dynamo().createTable() }),
        dispose: () => undefined,
      });
    },
  },
];

for (const { name, use } of channels) {
  describe(`${name}: the control channel contract`, () => {
    const open = use();
    let channel: Channel;
    let dispose: () => void;
    beforeEach(async () => ({ channel, dispose } = await open()));
    afterEach(() => dispose());

    it("shows a pending request without taking it, then hands it to one take only", async () => {
      await channel.send(request("promote", "bob", 1));
      assert.deepEqual(await channel.pending(), request("promote", "bob", 1));
      assert.deepEqual(await channel.take(), request("promote", "bob", 1));
      assert.equal(await channel.take(), undefined);
      assert.equal(await channel.pending(), undefined);
    });

    const combinations: { name: string; sent: ControlRequest[]; kept: ControlRequest }[] = [
      {
        name: "a later promote replaces a pending promote",
        sent: [request("promote", "bob", 1), request("promote-full", "bob", 2)],
        kept: request("promote-full", "bob", 2),
      },
      {
        name: "a promote never replaces a pending abort",
        sent: [request("abort", "alice", 1), request("promote-full", "bob", 2)],
        kept: request("abort", "alice", 1),
      },
      {
        name: "a pause or a resume never replaces a pending abort",
        sent: [request("abort", "alice", 1), request("pause", "bob", 2), request("resume", "bob", 3)],
        kept: request("abort", "alice", 1),
      },
      {
        name: "a resume replaces a pending pause",
        sent: [request("pause", "bob", 1), request("resume", "carol", 2)],
        kept: request("resume", "carol", 2),
      },
      {
        name: "an abort replaces a pending pause",
        sent: [request("pause", "bob", 1), request("abort", "alice", 2)],
        kept: request("abort", "alice", 2),
      },
      {
        name: "an abort replaces a pending promote",
        sent: [request("promote", "bob", 1), request("abort", "alice", 2)],
        kept: request("abort", "alice", 2),
      },
    ];
    for (const combination of combinations) {
      it(combination.name, async () => {
        for (const sent of combination.sent) await channel.send(sent);
        assert.deepEqual(await channel.take(), combination.kept);
        assert.equal(await channel.take(), undefined);
      });
    }

    for (const kind of ["pause", "resume"] as const) {
      it(`carries a ${kind} request`, async () => {
        await channel.send(request(kind, "bob", 7));
        assert.deepEqual(await channel.take(), request(kind, "bob", 7));
      });
    }

    it("records, reads and clears the heartbeat", async () => {
      assert.equal(await channel.lastHeartbeat(), undefined);
      await channel.heartbeat(1_700_000_000_123);
      assert.equal(await channel.lastHeartbeat(), 1_700_000_000_123);
      await channel.clearHeartbeat();
      assert.equal(await channel.lastHeartbeat(), undefined);
    });
  });
}

describe("MemoryControlChannel", () => {
  it("keeps every request sent, taken or replaced, in order", async () => {
    const channel = new MemoryControlChannel();
    await channel.send(request("abort", "alice", 1));
    channel.post(request("promote-full", "bob", 2));
    await channel.take();
    assert.deepEqual(channel.sent(), [request("abort", "alice", 1), request("promote-full", "bob", 2)]);
  });
});
