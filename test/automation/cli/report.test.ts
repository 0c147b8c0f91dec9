import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { AuditRecord } from "../../../automation/audit";
import { run } from "../../../automation/cli/main";
import type { Outcome } from "../../../automation/events";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import type { DoraReport } from "../../../automation/report";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const START = Date.parse("2025-11-30T21:00:00Z");
const DAY = 86_400_000;
/**
 * An alarm between two polls while the weight writes fail for a few seconds: the revert follows
 * the poll that sees the alarm only after retried writes, so the time to revert is not zero.
 */
const ALARM_AT_12M03S = JSON.stringify({
  events: [
    { at: "723s", alarm: "errorRate", state: "ALARM" },
    { at: "725s", fault: "weight-write-fails", for: "7s" },
  ],
});

describe("bluegreen report", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack(), prod: ecsStack() });
    fs.writeFileSync(path.join(project.dir, "alarm.json"), ALARM_AT_12M03S);
  });
  afterEach(() => project.cleanup());

  async function invoke(argv: string[], now = START) {
    const t = testIo(project.dir);
    const services = testServices({ clock: new VirtualClock(now) });
    const code = await run(argv, t.io, services);
    return { code, stdout: t.stdout(), stderr: t.stderr(), connects: services.connects };
  }

  function write(file: string, text: string): void {
    fs.writeFileSync(path.join(project.dir, file), text);
  }

  /** `rehearse --json` into a file, as a pipeline's rollout step writes events.ndjson. */
  async function rehearseInto(file: string, argv: string[] = []): Promise<number> {
    const result = await invoke(["rehearse", "--stack", "dev", "--version", "2.0.0", "--json", ...argv]);
    write(file, result.stdout);
    return result.code;
  }

  function auditLog(): string {
    return path.join(project.dir, "audit.ndjson");
  }

  describe("--events: the run report", () => {
    it("renders a rolled-back run's stream as Markdown: outcome, start, steps, revert and chart", async () => {
      assert.equal(await rehearseInto("events.ndjson", ["--scenario", "alarm.json"]), 3);
      const result = await invoke(["report", "--events", "events.ndjson"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^### Rollout of `2\.0\.0` to `dev`: rolled back$/m);
      assert.match(result.stdout, /^\| Outcome \| \*\*rolled back\*\* \(exit 3\) \|$/m);
      // The events carry the driver's (virtual) time, so the report knows when the run started.
      assert.match(result.stdout, /^\| Started \| 2025-11-30 21:00:00 UTC \|$/m);
      assert.match(result.stdout, /^\| 3\/4 \| 50% \| 10m \| 2m13s of 5m, then reverted \|/m);
      assert.match(result.stdout, /^\| Time to revert \| 3s from the trigger to the verified revert \|$/m);
      assert.match(result.stdout, /^```mermaid$/m);
      assert.equal(result.stderr, "");
    });

    it("renders the chart alone with --format svg", async () => {
      await rehearseInto("events.ndjson");
      const result = await invoke(["report", "--events", "events.ndjson", "--format", "svg"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(result.stdout, /<\/svg>\n?$/);
    });

    it("renders the stream of a run that a usage error ended: rejected, and why", async () => {
      const rejected = await invoke(["rollout", "--stack", "dev", "--json"]);
      assert.equal(rejected.code, 2);
      write("events.ndjson", rejected.stdout);
      const result = await invoke(["report", "--events", "events.ndjson"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^### Rollout: rejected$/m);
      assert.match(result.stdout, /\| Reason \| required option '--version &lt;v&gt;' not specified \|/);
    });
  });

  describe("--stack: the DORA metrics", () => {
    /** A real rollout of prod `daysAgo` before START. */
    function record(daysAgo: number, outcome: Outcome, extra: Partial<AuditRecord> = {}): AuditRecord {
      return {
        at: new Date(START - daysAgo * DAY).toISOString(),
        stack: "prod",
        command: "rollout",
        who: "ana@example.com",
        versions: { from: "1.0.0", to: "1.1.0" },
        outcome,
        exitCode: { promoted: 0, failed: 1, rejected: 2, "rolled-back": 3, aborted: 4 }[outcome],
        elapsedSeconds: 1500,
        rehearsal: false,
        ...extra,
      };
    }

    function writeLog(records: readonly AuditRecord[]): void {
      fs.writeFileSync(auditLog(), records.map((entry) => `${JSON.stringify(entry)}\n`).join(""));
    }

    beforeEach(() => {
      const commitAt = (daysAgo: number) => new Date(START - daysAgo * DAY - 2 * 3_600_000).toISOString();
      writeLog([
        record(40, "rolled-back", { secondsToRevert: 600 }), // before the 30-day window
        ...[1, 2, 4, 6, 9, 12, 15, 20].map((daysAgo) =>
          record(daysAgo, "promoted", { commitAt: commitAt(daysAgo) }),
        ),
        record(3, "rolled-back", { secondsToRevert: 7 }),
        record(5, "aborted"),
        record(8, "rejected"),
        record(2, "failed", { stack: "dev" }),
        record(1, "promoted", { command: "rehearse", rehearsal: true, stack: "prod" }),
      ]);
    });

    it("counts the stack's real rollouts of the last 30 days, with --format json", async () => {
      const result = await invoke(["report", "--stack", "prod", "--format", "json"]);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as DoraReport;
      assert.deepEqual(report.window, {
        from: new Date(START - 30 * DAY).toISOString(),
        to: new Date(START).toISOString(),
        days: 30,
      });
      assert.deepEqual(report.stacks, ["prod"]);
      assert.deepEqual([report.attempts, report.promoted, report.failed, report.aborted], [10, 8, 1, 1]);
      assert.equal(report.deploymentFrequency.value, Math.round((8 / 30) * 1000) / 1000);
      assert.equal(report.leadTime.value, 2 * 3600 + 1500, "commit to 100%: two hours plus the rollout");
      assert.equal(report.changeFailureRate.value, 0.1);
      assert.equal(report.meanTimeToRecovery.value, 7);
    });

    it("takes --since as a span or a date", async () => {
      const week = JSON.parse(
        (await invoke(["report", "--stack", "prod", "--since", "7d", "--format", "json"])).stdout,
      );
      assert.equal((week as DoraReport).attempts, 6);
      const date = JSON.parse(
        (await invoke(["report", "--stack", "prod", "--since", "2025-10-01", "--format", "json"])).stdout,
      ) as DoraReport;
      assert.equal(date.attempts, 11, "the rollback 40 days ago is inside a window from October 1");
    });

    it("prints a table with the SOP's target and acceptable level beside each metric by default", async () => {
      const result = await invoke(["report", "--stack", "prod"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        /^DORA metrics, stacks prod, 2025-10-31 to 2025-11-30 \(30 days\): 10 rollouts/,
      );
      assert.match(result.stdout, /^deployment frequency\s+1\.9 per week\s+daily\s+weekly\s+acceptable\s/m);
      assert.match(result.stdout, /^lead time for changes\s+2h25m\s+< 1 day\s+< 1 week\s+target\s/m);
      assert.match(result.stdout, /^change failure rate\s+10%\s+< 5%\s+< 15%\s+acceptable\s/m);
      assert.match(result.stdout, /^mean time to recovery\s+7s\s+< 1 hour\s+< 4 hours\s+target\s/m);
    });

    it("prints Markdown with --format markdown", async () => {
      const result = await invoke(["report", "--stack", "prod", "--format", "markdown"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        /^\| metric \| value \| SOP target \| acceptable \| rating \| based on \|$/m,
      );
      assert.match(result.stdout, /^\| change failure rate \| 10% \| < 5% \| < 15% \| acceptable \|/m);
    });

    it("counts rehearsals only with --include-rehearsals", async () => {
      const without = JSON.parse((await invoke(["report", "--stack", "prod", "--format", "json"])).stdout);
      const withRehearsals = JSON.parse(
        (await invoke(["report", "--stack", "prod", "--format", "json", "--include-rehearsals"])).stdout,
      );
      assert.equal((withRehearsals as DoraReport).promoted, (without as DoraReport).promoted + 1);
    });
  });

  it("computes lead time and recovery from what rollouts recorded: --commit-time and the revert", async () => {
    fs.rmSync(auditLog(), { force: true });
    const commit = ["--commit-time", "2025-11-30T20:00:00+01:00"];
    assert.equal(await rehearseInto("promoted.ndjson", commit), 0);
    assert.equal(await rehearseInto("rolled-back.ndjson", [...commit, "--scenario", "alarm.json"]), 3);
    const records = ndjson(fs.readFileSync(auditLog(), "utf8"));
    const reverted = ndjson(fs.readFileSync(path.join(project.dir, "rolled-back.ndjson"), "utf8")).find(
      (event) => event.type === "reverted",
    );
    assert.equal(records[1].secondsToRevert, reverted?.secondsSinceTrigger);
    assert.equal(records[1].runId, reverted?.runId, "the record and the stream of a run share its id");

    const result = await invoke(
      ["report", "--stack", "dev", "--include-rehearsals", "--format", "json"],
      START + DAY,
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as DoraReport;
    assert.equal(
      report.leadTime.value,
      2 * 3600 + 1500,
      "committed two hours before the start, 25 minutes to 100%",
    );
    assert.equal(report.meanTimeToRecovery.value, 2.5, "the retried revert writes");
    assert.equal(Math.round(Number(reverted?.secondsSinceTrigger) * 10) / 10, 2.5);
    assert.equal(report.changeFailureRate.value, 0.5);
  });

  describe("bad input exits 2, names the flag or the line, and prints nothing on stdout", () => {
    beforeEach(async () => {
      await rehearseInto("events.ndjson");
      await invoke(["rehearse", "--stack", "dev", "--version", "1.4.1", "--json"]).then((result) =>
        write("rejected.ndjson", result.stdout),
      );
      write("bad.ndjson", '{"type":"warning","message":"m","elapsedSeconds":0}\n{"type":\n');
      write("empty.ndjson", "\n");
    });

    const cases: { argv: string[]; message: RegExp; log?: string }[] = [
      { argv: [], message: /neither --events nor --stack given: pass --events <file>.* or --stack <env>/ },
      { argv: ["--events", "events.ndjson", "--stack", "dev"], message: /both --events and --stack given/ },
      {
        argv: ["--events", "missing.ndjson"],
        message: /--events "missing\.ndjson": cannot be read \(ENOENT\)/,
      },
      { argv: ["--events", "bad.ndjson"], message: /bad\.ndjson line 2: not valid JSON/ },
      { argv: ["--events", "empty.ndjson"], message: /empty\.ndjson: no events/ },
      {
        argv: ["--events", "rejected.ndjson", "--format", "svg"],
        message: /before any traffic moved: there is no chart to draw/,
      },
      {
        argv: ["--events", "events.ndjson", "--format", "table"],
        message: /--format table does not go with --events: with --events it is one of markdown, svg/,
      },
      {
        argv: ["--stack", "dev", "--format", "svg"],
        message: /--format svg does not go with --stack: with --stack it is one of table, markdown, json/,
      },
      {
        argv: ["--events", "events.ndjson", "--format", "pdf"],
        message: /--format <format>.*'pdf' is invalid/,
      },
      { argv: ["--events", "events.ndjson", "--since", "7d"], message: /--since goes with --stack/ },
      {
        argv: ["--events", "events.ndjson", "--include-rehearsals"],
        message: /--include-rehearsals goes with --stack/,
      },
      { argv: ["--stack", "dev", "--since", "fortnight"], message: /--since "fortnight": expected a span/ },
      {
        argv: ["--stack", "qa"],
        message: /--stack "qa": there is no stacks\/Pulumi\.qa\.yaml; available stacks: dev, prod/,
      },
      {
        argv: ["--stack", "dev"],
        message: /there is no audit log at audit\.ndjson: no rollout has been recorded here/,
        log: "(none)",
      },
      {
        argv: ["--stack", "dev"],
        message: /audit\.ndjson line 2: outcome: .*; fix or remove that line of /,
        log: '{"at":"2025-11-30T20:00:00Z","stack":"dev","command":"rollout","who":"a","versions":{},"outcome":"promoted","exitCode":0,"elapsedSeconds":1,"rehearsal":false}\n{"at":"2025-11-30T20:00:00Z","stack":"dev","command":"rollout","who":"a","versions":{},"outcome":"done","exitCode":0,"elapsedSeconds":1,"rehearsal":false}\n',
      },
    ];
    for (const { argv, message, log } of cases) {
      it(`bluegreen report ${argv.join(" ")}${log ? ` (audit log: ${log === "(none)" ? "none" : "a bad line"})` : ""}`, async () => {
        if (log === "(none)") fs.rmSync(auditLog(), { force: true });
        else if (log !== undefined) fs.writeFileSync(auditLog(), log);
        const result = await invoke(["report", ...argv]);
        assert.equal(result.code, 2, result.stdout + result.stderr);
        assert.match(result.stderr, message);
        assert.equal(result.stdout, "");
        assert.equal(result.connects, 0);
      });
    }
  });
});
