import assert from "node:assert/strict";
import type { Outcome } from "../../../automation/events";
import {
  AuditLogError,
  computeDora,
  countedRuns,
  type DeploymentRun,
  type DoraRating,
  doraRows,
  parseAuditLog,
  parseSince,
  renderDora,
} from "../../../automation/report";

const NOW = Date.parse("2025-11-30T12:00:00Z");
const DAY = 86_400_000;

/** A run `daysAgo` before NOW; a rollout on prod unless overridden. */
function run(daysAgo: number, outcome: Outcome, overrides: Partial<DeploymentRun> = {}): DeploymentRun {
  return {
    at: new Date(NOW - daysAgo * DAY).toISOString(),
    stack: "prod",
    command: "rollout",
    who: "dev@example.com",
    versions: { from: "1.0.0", to: "1.1.0" },
    outcome,
    exitCode: { promoted: 0, failed: 1, rejected: 2, "rolled-back": 3, aborted: 4 }[outcome],
    elapsedSeconds: 1500,
    rehearsal: false,
    ...overrides,
  };
}

describe("DORA metrics", () => {
  describe("which runs count", () => {
    const cases: { name: string; runs: DeploymentRun[]; options?: object; counted: number }[] = [
      {
        name: "real rollouts of every outcome but rejected",
        runs: (["promoted", "rolled-back", "failed", "aborted", "rejected"] as Outcome[]).map((outcome) =>
          run(1, outcome),
        ),
        counted: 4,
      },
      {
        name: "not rehearsals",
        runs: [run(1, "promoted", { command: "rehearse", rehearsal: true })],
        counted: 0,
      },
      {
        name: "rehearsals when asked",
        runs: [run(1, "promoted", { command: "rehearse", rehearsal: true })],
        options: { includeRehearsals: true },
        counted: 1,
      },
      {
        name: "not direct aborts (a recovery, not a deployment)",
        runs: [run(1, "aborted", { command: "abort" })],
        counted: 0,
      },
      {
        name: "only the stacks asked for",
        runs: [run(1, "promoted"), run(1, "promoted", { stack: "staging" })],
        options: { stacks: ["prod"] },
        counted: 1,
      },
      {
        name: "only inside the window",
        runs: [run(40, "promoted"), run(10, "promoted")],
        options: { since: NOW - 30 * DAY },
        counted: 1,
      },
      {
        name: "the window's start is inclusive",
        runs: [run(30, "promoted")],
        options: { since: NOW - 30 * DAY },
        counted: 1,
      },
      { name: "not after now", runs: [run(-1, "promoted")], counted: 0 },
    ];
    for (const testCase of cases) {
      it(testCase.name, () => {
        assert.equal(countedRuns(testCase.runs, { now: NOW, ...testCase.options }).length, testCase.counted);
      });
    }
  });

  describe("deployment frequency against the SOP (target daily, minimum weekly)", () => {
    const cases: { name: string; promoted: number; days: number; perDay: number; rating: DoraRating }[] = [
      { name: "30 in 30 days is daily", promoted: 30, days: 30, perDay: 1, rating: "target" },
      { name: "45 in 30 days", promoted: 45, days: 30, perDay: 1.5, rating: "target" },
      {
        name: "29 in 30 days is just under daily",
        promoted: 29,
        days: 30,
        perDay: 0.967,
        rating: "acceptable",
      },
      { name: "one a week is the minimum", promoted: 4, days: 28, perDay: 0.143, rating: "acceptable" },
      { name: "3 in 28 days misses weekly", promoted: 3, days: 28, perDay: 0.107, rating: "below" },
      { name: "none", promoted: 0, days: 30, perDay: 0, rating: "below" },
    ];
    for (const testCase of cases) {
      it(`${testCase.name}: ${testCase.perDay}/day, ${testCase.rating}`, () => {
        const runs = Array.from({ length: testCase.promoted }, (_, index) =>
          run((index * testCase.days) / Math.max(1, testCase.promoted), "promoted"),
        );
        const report = computeDora(runs, { now: NOW, since: NOW - testCase.days * DAY });
        assert.equal(report.deploymentFrequency.value, testCase.perDay);
        assert.equal(report.deploymentFrequency.rating, testCase.rating);
        assert.equal(report.deploymentFrequency.target, "daily");
        assert.equal(report.deploymentFrequency.acceptable, "weekly");
      });
    }

    it("only promoted runs are deployments; a failed one is an attempt, not a deployment", () => {
      const report = computeDora([run(1, "promoted"), run(2, "rolled-back"), run(3, "failed")], {
        now: NOW,
        since: NOW - 7 * DAY,
      });
      assert.equal(report.deploymentFrequency.samples, 1);
      assert.equal(report.attempts, 3);
    });

    it("without --since the window starts at the first run, and is never shorter than a day", () => {
      const twoDays = computeDora([run(2, "promoted"), run(1, "promoted")], { now: NOW });
      assert.equal(twoDays.window.days, 2);
      assert.equal(twoDays.window.from, new Date(NOW - 2 * DAY).toISOString());
      const oneHour = computeDora([run(1 / 24, "promoted")], { now: NOW });
      assert.equal(oneHour.window.days, 1);
      assert.equal(oneHour.deploymentFrequency.value, 1);
    });
  });

  describe("change failure rate against the SOP (target < 5%, acceptable < 15%)", () => {
    const cases: { name: string; outcomes: Outcome[]; rate?: number; rating: DoraRating }[] = [
      { name: "none failed", outcomes: Array<Outcome>(20).fill("promoted"), rate: 0, rating: "target" },
      {
        name: "1 rolled back of 25",
        outcomes: [...Array<Outcome>(24).fill("promoted"), "rolled-back"],
        rate: 0.04,
        rating: "target",
      },
      {
        name: "1 of 20 is 5%, not under 5%",
        outcomes: [...Array<Outcome>(19).fill("promoted"), "rolled-back"],
        rate: 0.05,
        rating: "acceptable",
      },
      {
        name: "a failed run counts like a rolled-back one",
        outcomes: [...Array<Outcome>(9).fill("promoted"), "failed"],
        rate: 0.1,
        rating: "acceptable",
      },
      {
        name: "3 of 20 is 15%",
        outcomes: [...Array<Outcome>(17).fill("promoted"), "rolled-back", "failed", "rolled-back"],
        rate: 0.15,
        rating: "below",
      },
      {
        name: "aborts are attempts, not failures",
        outcomes: ["promoted", "aborted", "aborted", "aborted"],
        rate: 0,
        rating: "target",
      },
      { name: "no rollouts", outcomes: [], rate: undefined, rating: "no data" },
    ];
    for (const testCase of cases) {
      it(`${testCase.name}: ${testCase.rating}`, () => {
        const report = computeDora(
          testCase.outcomes.map((outcome) => run(1, outcome)),
          { now: NOW },
        );
        assert.equal(report.changeFailureRate.value, testCase.rate);
        assert.equal(report.changeFailureRate.rating, testCase.rating);
        assert.equal(report.changeFailureRate.target, "< 5%");
      });
    }
  });

  describe("lead time for changes against the SOP (target < 1 day, acceptable < 1 week)", () => {
    const commitBefore = (daysAgo: number, leadSeconds: number) =>
      new Date(NOW - daysAgo * DAY + 1500 * 1000 - leadSeconds * 1000).toISOString();
    const cases: {
      name: string;
      runs: DeploymentRun[];
      median?: number;
      rating: DoraRating;
      note: RegExp;
    }[] = [
      {
        name: "the median from commit to 100% on the new version",
        runs: [
          run(1, "promoted", { commitAt: commitBefore(1, 3600) }),
          run(2, "promoted", { commitAt: commitBefore(2, 7200) }),
          run(3, "promoted", { commitAt: commitBefore(3, 90_000) }),
        ],
        median: 7200,
        rating: "target",
        note: /median of 3 promoted runs/,
      },
      {
        name: "an even count takes the middle two",
        runs: [
          run(1, "promoted", { commitAt: commitBefore(1, 100) }),
          run(2, "promoted", { commitAt: commitBefore(2, 300) }),
        ],
        median: 200,
        rating: "target",
        note: /median of 2/,
      },
      {
        name: "two days",
        runs: [run(1, "promoted", { commitAt: commitBefore(1, 2 * 86_400) })],
        median: 172_800,
        rating: "acceptable",
        note: /median of 1 promoted run,/,
      },
      {
        name: "over a week",
        runs: [run(1, "promoted", { commitAt: commitBefore(1, 8 * 86_400) })],
        median: 691_200,
        rating: "below",
        note: /median of 1/,
      },
      {
        name: "rolled-back runs do not count: the change never reached production",
        runs: [run(1, "rolled-back", { commitAt: commitBefore(1, 60) })],
        rating: "no data",
        note: /no promoted run has a commit time/,
      },
      {
        name: "without commit times there is no value, and it says why",
        runs: [run(1, "promoted")],
        rating: "no data",
        note: /no promoted run has a commit time \(commitAt\)/,
      },
      {
        name: "a commit after the release is ignored, not negative",
        runs: [run(1, "promoted", { commitAt: new Date(NOW).toISOString() })],
        rating: "no data",
        note: /no promoted run/,
      },
    ];
    for (const testCase of cases) {
      it(`${testCase.name}: ${testCase.rating}`, () => {
        const metric = computeDora(testCase.runs, { now: NOW }).leadTime;
        assert.equal(metric.value, testCase.median);
        assert.equal(metric.rating, testCase.rating);
        assert.match(metric.note, testCase.note);
      });
    }
  });

  describe("mean time to recovery against the SOP (target < 1 hour, acceptable < 4 hours)", () => {
    const cases: { name: string; runs: DeploymentRun[]; mean?: number; rating: DoraRating; note: RegExp }[] =
      [
        {
          name: "the mean of the failed changes' trigger-to-revert times",
          runs: [
            run(1, "rolled-back", { secondsToRevert: 7 }),
            run(2, "failed", { secondsToRevert: 13 }),
            run(3, "promoted", { secondsToRevert: 999 }),
          ],
          mean: 10,
          rating: "target",
          note: /mean of 2, trigger to verified revert/,
        },
        {
          name: "two hours",
          runs: [run(1, "rolled-back", { secondsToRevert: 7200 })],
          mean: 7200,
          rating: "acceptable",
          note: /mean of 1/,
        },
        {
          name: "five hours",
          runs: [run(1, "rolled-back", { secondsToRevert: 18_000 })],
          mean: 18_000,
          rating: "below",
          note: /mean of 1/,
        },
        {
          name: "failed changes without secondsToRevert: no value, and it says so",
          runs: [run(1, "rolled-back"), run(2, "failed")],
          rating: "no data",
          note: /2 failed changes have no secondsToRevert/,
        },
        {
          name: "nothing failed",
          runs: [run(1, "promoted")],
          rating: "no data",
          note: /no failed changes to recover from/,
        },
      ];
    for (const testCase of cases) {
      it(`${testCase.name}: ${testCase.rating}`, () => {
        const metric = computeDora(testCase.runs, { now: NOW }).meanTimeToRecovery;
        assert.equal(metric.value, testCase.mean);
        assert.equal(metric.rating, testCase.rating);
        assert.match(metric.note, testCase.note);
      });
    }
  });

  describe("--since", () => {
    const valid: [string, number][] = [
      ["30d", NOW - 30 * DAY],
      ["2w", NOW - 14 * DAY],
      ["12h", NOW - 12 * 3_600_000],
      ["90m", NOW - 90 * 60_000],
      [" 7d ", NOW - 7 * DAY],
      ["2025-11-01", Date.parse("2025-11-01T00:00:00Z")],
      ["2025-11-01T09:30:00Z", Date.parse("2025-11-01T09:30:00Z")],
      ["2025-11-01T09:30:00+02:00", Date.parse("2025-11-01T07:30:00Z")],
    ];
    for (const [text, expected] of valid) {
      it(`${JSON.stringify(text)} starts the window at ${new Date(expected).toISOString()}`, () => {
        assert.equal(parseSince(text, NOW), expected);
      });
    }
    const invalid: [string, RegExp][] = [
      ["30", /expected a span back from now such as 30d, 2w, 12h or 90m, or a date such as 2025-11-01/],
      ["0d", /--since "0d"/],
      ["30 days", /--since "30 days"/],
      ["-3d", /--since "-3d"/],
      ["1y", /--since "1y"/],
      ["2025-13-45", /--since "2025-13-45"/],
      ["2026-01-01", /is in the future/],
      ["", /--since ""/],
    ];
    for (const [text, message] of invalid) {
      it(`refuses ${JSON.stringify(text)}, naming the value and the accepted forms`, () => {
        assert.throws(() => parseSince(text, NOW), message);
      });
    }
  });

  describe("rendering", () => {
    const runs = [
      run(1, "promoted", { commitAt: new Date(NOW - DAY + 1500 * 1000 - 7200 * 1000).toISOString() }),
      run(2, "promoted"),
      run(3, "rolled-back", { secondsToRevert: 7 }),
      run(4, "promoted"),
    ];
    const report = computeDora(runs, { now: NOW, since: NOW - 7 * DAY, stacks: ["prod"] });

    it("one row per metric: value, SOP target, acceptable level, rating, what it rests on", () => {
      assert.deepEqual(doraRows(report), [
        ["deployment frequency", "3 per week", "daily", "weekly", "acceptable", "3 promoted in 7 days"],
        [
          "lead time for changes",
          "2h",
          "< 1 day",
          "< 1 week",
          "target",
          "median of 1 promoted run, commit to 100% on the new version",
        ],
        ["change failure rate", "25%", "< 5%", "< 15%", "below", "1 rolled back or failed of 4"],
        [
          "mean time to recovery",
          "7s",
          "< 1 hour",
          "< 4 hours",
          "target",
          "mean of 1, trigger to verified revert",
        ],
      ]);
    });

    it("as a terminal table: a heading and aligned columns", () => {
      const lines = renderDora(report, "table").split("\n");
      assert.equal(
        lines[0],
        "DORA metrics, stacks prod, 2025-11-23 to 2025-11-30 (7 days): 4 rollouts, 3 promoted, 1 rolled back or failed, 0 aborted",
      );
      const header = lines[2];
      const valueColumn = header.indexOf("value");
      assert.ok(valueColumn > 0);
      assert.equal(lines[4].indexOf("2h"), valueColumn);
      assert.equal(lines[5].indexOf("25%"), valueColumn);
      assert.equal(lines[3].indexOf("3 per week"), valueColumn);
      assert.equal(lines[6].indexOf("7s"), valueColumn);
    });

    it("as Markdown: a heading and a table", () => {
      const lines = renderDora(report, "markdown").split("\n");
      assert.match(lines[0], /^### DORA metrics, stacks prod/);
      assert.equal(lines[2], "| metric | value | SOP target | acceptable | rating | based on |");
      assert.equal(
        lines[4],
        "| deployment frequency | 3 per week | daily | weekly | acceptable | 3 promoted in 7 days |",
      );
      assert.equal(lines.filter((line) => line.startsWith("| ")).length, 6);
    });

    it("as JSON: the whole report, parseable", () => {
      const parsed = JSON.parse(renderDora(report, "json")) as typeof report;
      assert.deepEqual(parsed, JSON.parse(JSON.stringify(report)));
      assert.equal(parsed.changeFailureRate.value, 0.25);
    });
  });

  describe("reading the audit log", () => {
    const record = JSON.stringify(run(1, "promoted"));

    it("reads records the driver writes, with the optional fields", () => {
      const withExtras = JSON.stringify({
        ...run(2, "rolled-back"),
        secondsToRevert: 7,
        commitAt: "2025-11-27T10:00:00Z",
      });
      const runs = parseAuditLog(`${record}\n\n${withExtras}\n`);
      assert.equal(runs.length, 2);
      assert.equal(runs[1].secondsToRevert, 7);
      assert.equal(runs[1].commitAt, "2025-11-27T10:00:00Z");
      assert.deepEqual(runs[0], run(1, "promoted"));
    });

    const bad: [string, string, RegExp][] = [
      ["not JSON", `${record}\n{oops`, /audit\.ndjson line 2: not valid JSON/],
      [
        "an unknown outcome",
        `${record}\n${record.replace('"promoted"', '"shipped"')}`,
        /audit\.ndjson line 2: outcome: /,
      ],
      [
        "a missing stack",
        JSON.stringify({ ...run(1, "promoted"), stack: undefined }),
        /audit\.ndjson line 1: stack: /,
      ],
      [
        "a bad time",
        JSON.stringify({ ...run(1, "promoted"), at: "yesterday" }),
        /audit\.ndjson line 1: at: expected an ISO 8601 time/,
      ],
      [
        "a negative secondsToRevert",
        JSON.stringify({ ...run(1, "promoted"), secondsToRevert: -1 }),
        /line 1: secondsToRevert: /,
      ],
    ];
    for (const [name, text, message] of bad) {
      it(`names the line of ${name}`, () => {
        assert.throws(
          () => parseAuditLog(text, "audit.ndjson"),
          (error: unknown) => error instanceof AuditLogError && message.test(error.message),
        );
      });
    }
  });
});
