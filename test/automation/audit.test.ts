import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type AuditRecord,
  REDACTED,
  appendAuditRecord,
  auditLogPath,
  buildAuditRecord,
  detectWho,
  redactReason,
} from "../../automation/audit";

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    at: "2025-01-02T03:04:05.000Z",
    stack: "prod",
    command: "rollout",
    who: "ana@example.com",
    versions: { from: "1.4.1", to: "1.4.2" },
    reason: "checkout fix",
    outcome: "promoted",
    exitCode: 0,
    elapsedSeconds: 1523.4567,
    rehearsal: false,
    ...overrides,
  };
}

describe("audit", () => {
  describe("detectWho", () => {
    const cases: { name: string; env: Record<string, string>; expected: string }[] = [
      { name: "GitHub Actions", env: { GITHUB_ACTOR: "octocat", USER: "runner" }, expected: "octocat" },
      { name: "GitLab CI", env: { GITLAB_USER_LOGIN: "ana" }, expected: "ana" },
      { name: "Buildkite", env: { BUILDKITE_BUILD_CREATOR: "Ana B" }, expected: "Ana B" },
      { name: "a generic CI user variable", env: { CI_USER: "deployer" }, expected: "deployer" },
      {
        name: "the triggering user before a generic variable",
        env: { CI_USER: "service-account", GITHUB_ACTOR: "octocat" },
        expected: "octocat",
      },
      { name: "a blank CI variable is skipped", env: { GITHUB_ACTOR: "  " }, expected: "dev@example.com" },
    ];
    for (const { name, env, expected } of cases) {
      it(`takes ${name}`, () => {
        assert.equal(detectWho(env, { gitEmail: () => "dev@example.com", osUser: () => "dev" }), expected);
      });
    }

    it("falls back to the git e-mail, then the OS user", () => {
      assert.equal(
        detectWho({}, { gitEmail: () => "dev@example.com", osUser: () => "dev" }),
        "dev@example.com",
      );
      assert.equal(
        detectWho(
          {},
          {
            gitEmail: () => {
              throw new Error("git: not found");
            },
            osUser: () => "dev",
          },
        ),
        "dev",
      );
      assert.equal(detectWho({}, { gitEmail: () => "", osUser: () => undefined }), "unknown");
    });
  });

  describe("redactReason", () => {
    const cases: { name: string; reason: string; leaked: string }[] = [
      {
        name: "an AWS access key ID",
        reason: "rotated AKIAIOSFODNN7EXAMPLE today",
        leaked: "AKIAIOSFODNN7EXAMPLE",
      },
      {
        name: "an AWS secret access key",
        reason: "key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked",
        leaked: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
      {
        name: "a GitHub token",
        reason: "used ghp_abcdefghijklmnopqrstuvwxyz0123456789 for the tag",
        leaked: "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      },
      { name: "a GitLab token", reason: "glpat-abcdefghij0123456789", leaked: "glpat-abcdefghij0123456789" },
      { name: "a password assignment", reason: "db password=hunter2!x fixed", leaked: "hunter2!x" },
      { name: "a quoted token", reason: 'token: "s3cr3t value"', leaked: "s3cr3t value" },
      {
        name: "a bearer token",
        reason: "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abcdefghijkl",
        leaked: "eyJhbGciOiJIUzI1NiJ9",
      },
      {
        name: "credentials in a URL",
        reason: "pulled from https://deploy:pa55word@registry.example.com/repo",
        leaked: "pa55word",
      },
      {
        name: "a Pulumi access token",
        reason: "PULUMI pul-0123456789abcdef0123456789abcdef01234567",
        leaked: "pul-0123456789abcdef0123456789abcdef01234567",
      },
    ];
    for (const { name, reason, leaked } of cases) {
      it(`removes ${name}`, () => {
        const redacted = redactReason(reason);
        assert.ok(!redacted.includes(leaked), redacted);
        assert.ok(redacted.includes(REDACTED), redacted);
      });
    }

    it("keeps ordinary reasons, commit hashes and ticket numbers as written", () => {
      const reason = "JIRA-1234: checkout fix, commit 3f2a9c1d0e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c";
      assert.equal(redactReason(reason), reason);
    });

    it("drops control characters and caps the length", () => {
      assert.equal(redactReason("line one\nline two\x1b[31m"), "line one line two [31m");
      assert.equal(redactReason("x".repeat(2000)).length, 500);
    });
  });

  describe("buildAuditRecord", () => {
    it("redacts the reason and keeps exactly the known fields", () => {
      const built = buildAuditRecord({
        ...record({ reason: "hotfix with AKIAIOSFODNN7EXAMPLE" }),
        // A field that is not part of the record must not reach the log.
        ...({ secret: "do-not-log" } as object),
      });
      assert.deepEqual(Object.keys(built), [
        "at",
        "stack",
        "command",
        "who",
        "versions",
        "reason",
        "outcome",
        "exitCode",
        "elapsedSeconds",
        "rehearsal",
      ]);
      assert.equal(built.reason, `hotfix with ${REDACTED}`);
      assert.equal(built.elapsedSeconds, 1523.457);
    });

    it("adds the run id, the time to revert and the commit time after them, when the run has them", () => {
      const built = buildAuditRecord(
        record({
          outcome: "rolled-back",
          exitCode: 3,
          runId: "0b6f7c1e-4f0a-4c39-9d6e-2b1f3c4d5e6f",
          secondsToRevert: 7.00049,
          commitAt: "2025-01-01T18:00:00.000Z",
        }),
      );
      assert.deepEqual(Object.keys(built).slice(-3), ["runId", "secondsToRevert", "commitAt"]);
      assert.equal(built.secondsToRevert, 7);
      assert.equal(built.runId, "0b6f7c1e-4f0a-4c39-9d6e-2b1f3c4d5e6f");
      assert.equal(built.commitAt, "2025-01-01T18:00:00.000Z");
      assert.equal("secondsToRevert" in buildAuditRecord(record()), false, "a promoted run has no revert");
    });

    it("adds the service, region, end and the revert's reason last, the revert's reason scrubbed", () => {
      const built = buildAuditRecord(
        record({
          outcome: "aborted",
          exitCode: 4,
          service: "checkout",
          region: "eu-west-1",
          endedAt: "2025-01-02T10:30:00.000Z",
          revertReason: "aborted by ops: rotate token=ghp_abcdefghijklmnopqrstuvwxyz0123\nnow",
        }),
      );
      assert.deepEqual(Object.keys(built).slice(-4), ["service", "region", "endedAt", "revertReason"]);
      assert.equal(built.revertReason, `aborted by ops: rotate token=${REDACTED} now`);
      assert.equal("revertReason" in buildAuditRecord(record()), false, "a run that did not revert has none");
    });
  });

  describe("appendAuditRecord", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-audit-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("appends one line per record and keeps earlier lines", async () => {
      const file = path.join(dir, "nested", "audit.ndjson");
      await appendAuditRecord(file, record());
      await appendAuditRecord(file, record({ outcome: "rolled-back", exitCode: 3, rehearsal: true }));
      const lines = fs.readFileSync(file, "utf8").split("\n");
      assert.equal(lines.length, 3);
      assert.equal(lines[2], "");
      assert.equal(JSON.parse(lines[0]).outcome, "promoted");
      assert.equal(JSON.parse(lines[1]).outcome, "rolled-back");
      assert.equal(JSON.parse(lines[1]).rehearsal, true);
    });

    it("never writes a credential from the reason to the file", async () => {
      const file = path.join(dir, "audit.ndjson");
      await appendAuditRecord(
        file,
        record({ reason: "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }),
      );
      assert.ok(!fs.readFileSync(file, "utf8").includes("wJalrXUtnFEMI"));
    });
  });

  describe("auditLogPath", () => {
    it("defaults under the project and honours an override relative to it", () => {
      assert.equal(auditLogPath("/srv/app"), path.resolve("/srv/app/.bluegreen/audit.ndjson"));
      assert.equal(auditLogPath("/srv/app", "logs/audit.ndjson"), path.resolve("/srv/app/logs/audit.ndjson"));
      assert.equal(auditLogPath("/srv/app", "/var/log/bg.ndjson"), path.resolve("/var/log/bg.ndjson"));
    });
  });
});
