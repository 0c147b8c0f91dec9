import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "commander";
import { parseCommitTime } from "../../../automation/cli/commandLine";
import { run } from "../../../automation/cli/main";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

describe("--commit-time", () => {
  describe("parseCommitTime", () => {
    const accepted: { text: string; utc: string }[] = [
      { text: "2025-11-30T21:00:00Z", utc: "2025-11-30T21:00:00.000Z" },
      { text: "2025-11-30T22:00:00+01:00", utc: "2025-11-30T21:00:00.000Z" },
      { text: "2025-11-30T16:30:00-0430", utc: "2025-11-30T21:00:00.000Z" },
      { text: "2025-11-30T21:00Z", utc: "2025-11-30T21:00:00.000Z" },
      { text: "2025-11-30T21:00:00.123456Z", utc: "2025-11-30T21:00:00.123Z" },
      { text: "2024-02-29T12:00:00Z", utc: "2024-02-29T12:00:00.000Z" },
      { text: " 2025-11-30T21:00:00Z ", utc: "2025-11-30T21:00:00.000Z" },
    ];
    for (const { text, utc } of accepted) {
      it(`reads ${JSON.stringify(text)} as ${utc}`, () => {
        assert.equal(parseCommitTime(text), utc);
      });
    }

    const refused: { text: string; why: string }[] = [
      { text: "2025-11-30T21:00:00", why: "no zone: the runner's is not the committer's" },
      { text: "2025-11-30", why: "a date is not a commit time" },
      { text: "2025-02-30T12:00:00Z", why: "February has no 30th (Date.parse would say March 2)" },
      { text: "2025-02-29T12:00:00Z", why: "2025 is no leap year" },
      { text: "2025-13-01T12:00:00Z", why: "no 13th month" },
      { text: "2025-11-30T24:00:00Z", why: "hour 24" },
      { text: "2025-11-30T21:60:00Z", why: "minute 60" },
      { text: "2025-11-30T21:00:00+15:00", why: "no zone is 15 hours off" },
      { text: "1732996800", why: "epoch seconds" },
      { text: "yesterday", why: "words" },
      { text: "", why: "empty" },
    ];
    for (const { text, why } of refused) {
      it(`refuses ${JSON.stringify(text)}: ${why}`, () => {
        assert.throws(
          () => parseCommitTime(text),
          (error: unknown) =>
            error instanceof InvalidArgumentError && /ISO 8601 time with a zone/.test(error.message),
        );
      });
    }
  });

  describe("on the command line", () => {
    let project: ReturnType<typeof makeProject>;
    beforeEach(() => {
      project = makeProject({ dev: ecsStack() });
    });
    afterEach(() => project.cleanup());

    it("puts the commit time into the audit record, in UTC", async () => {
      const t = testIo(project.dir);
      const code = await run(
        ["rehearse", "--stack", "dev", "--version", "1.5.0", "--commit-time", "2023-11-14T20:00:00+01:00"],
        t.io,
        testServices({ clock: new VirtualClock(1_700_000_000_000) }),
      );
      assert.equal(code, 0, t.stderr());
      const [record] = ndjson(fs.readFileSync(path.join(project.dir, "audit.ndjson"), "utf8"));
      assert.equal(record.commitAt, "2023-11-14T19:00:00.000Z");
    });

    it("exits 2 on a bad value, naming the option, before anything is reached", async () => {
      const t = testIo(project.dir);
      const services = testServices({ clock: new VirtualClock(1_700_000_000_000) });
      const code = await run(
        ["rollout", "--stack", "dev", "--version", "1.5.0", "--commit-time", "2025-11-30 21:00"],
        t.io,
        services,
      );
      assert.equal(code, 2);
      assert.match(t.stderr(), /--commit-time <iso>.*'2025-11-30 21:00' is invalid/);
      assert.equal(services.connects, 0);
      assert.equal(fs.existsSync(path.join(project.dir, "audit.ndjson")), false);
    });
  });
});
