import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FileControlChannel } from "../../../../automation/adapters/control/fileControlChannel";

describe("FileControlChannel", () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-control-")), "control");
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it("hands a sent request to exactly one take, then nothing", async () => {
    const sender = new FileControlChannel({ dir, stack: "prod" });
    const driver = new FileControlChannel({ dir, stack: "prod" });
    await sender.send({ kind: "abort", by: "ana", at: 1_700_000_000_000 });
    assert.deepEqual(await driver.pending(), { kind: "abort", by: "ana", at: 1_700_000_000_000 });
    assert.deepEqual(await driver.take(), { kind: "abort", by: "ana", at: 1_700_000_000_000 });
    assert.equal(await driver.take(), undefined);
    assert.equal(await sender.pending(), undefined);
  });

  it("keeps a pending abort when a promote arrives, and lets an abort replace a pending promote", async () => {
    const channel = new FileControlChannel({ dir, stack: "prod" });
    await channel.send({ kind: "abort", by: "ana", at: 1 });
    await channel.send({ kind: "promote-full", by: "ben", at: 2 });
    assert.deepEqual(await channel.pending(), { kind: "abort", by: "ana", at: 1 });
    await channel.take();
    await channel.send({ kind: "promote", by: "ben", at: 3 });
    await channel.send({ kind: "abort", by: "ana", at: 4 });
    assert.deepEqual(await channel.take(), { kind: "abort", by: "ana", at: 4 });
  });

  it("gives a request to one of two concurrent takers", async () => {
    const channel = new FileControlChannel({ dir, stack: "prod" });
    await channel.send({ kind: "promote", by: "ana", at: 1 });
    const results = await Promise.all([
      new FileControlChannel({ dir, stack: "prod" }).take(),
      new FileControlChannel({ dir, stack: "prod" }).take(),
    ]);
    assert.equal(results.filter((result) => result !== undefined).length, 1);
  });

  it("keeps stacks apart", async () => {
    await new FileControlChannel({ dir, stack: "dev" }).send({ kind: "abort", by: "ana", at: 1 });
    assert.equal(await new FileControlChannel({ dir, stack: "prod" }).take(), undefined);
    assert.equal((await new FileControlChannel({ dir, stack: "dev" }).take())?.kind, "abort");
  });

  it("leaves no temporary files behind", async () => {
    const channel = new FileControlChannel({ dir, stack: "prod" });
    await channel.send({ kind: "promote-full", by: "ana", at: 1 });
    await channel.heartbeat(5);
    await channel.take();
    assert.deepEqual(fs.readdirSync(dir), ["prod.heartbeat"]);
  });

  it("records, reads and clears the heartbeat", async () => {
    const channel = new FileControlChannel({ dir, stack: "prod" });
    assert.equal(await channel.lastHeartbeat(), undefined);
    await channel.heartbeat(1_700_000_000_123);
    assert.equal(await new FileControlChannel({ dir, stack: "prod" }).lastHeartbeat(), 1_700_000_000_123);
    await channel.clearHeartbeat();
    assert.equal(await channel.lastHeartbeat(), undefined);
    await channel.clearHeartbeat();
  });

  it("refuses a request file it cannot understand, naming it", async () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "prod.request.json"), '{"kind":"explode"}');
    const channel = new FileControlChannel({ dir, stack: "prod" });
    await assert.rejects(channel.pending(), /prod\.request\.json is not a control request/);
  });

  it("refuses a stack name that would escape the directory", () => {
    assert.throws(() => new FileControlChannel({ dir, stack: "../etc" }), /cannot name a control file/);
  });
});
