import assert from "node:assert/strict";
import * as path from "node:path";
import { benchGuardian } from "../../../automation/bench/guardian";
import { GUARDIAN_ENTRY_FILE } from "../../../infra/program";

const FIXTURES = path.join(__dirname, "fixtures");

describe("the guardian's bench", function () {
  // Each case bundles a handler and starts a fresh Node process.
  this.timeout(60_000);

  it("times a cold start that reverts the listener and records the trip", async () => {
    const result = await benchGuardian(path.join(FIXTURES, "standInGuardian.ts"));
    assert.ok(result.invokeMs > 0);
    assert.ok(result.requireMs > 0 && result.bundleBytes > 10_000);
    assert.deepEqual(result.listenerAfter, { blue: 100, green: 0 });
    assert.equal(result.tripRecorded, true);
  });

  it("refuses to report a revert that did not happen", async () => {
    await assert.rejects(
      benchGuardian(path.join(FIXTURES, "idleGuardian.ts")),
      /answered but did not revert: the listener serves blue 90, green 10; trip recorded: false/,
    );
  });

  it("times the handler the program ships: a cold start that reverts and records the trip", async () => {
    const result = await benchGuardian(GUARDIAN_ENTRY_FILE);
    assert.ok(result.invokeMs > 0);
    assert.deepEqual(result.listenerAfter, { blue: 100, green: 0 });
    assert.equal(result.tripRecorded, true);
  });
});
