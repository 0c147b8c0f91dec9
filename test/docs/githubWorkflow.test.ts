import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { parse } from "yaml";
import type { CliIo } from "../../automation/cli/io";
import { buildProgram } from "../../automation/cli/program";
import { defaultServices } from "../../automation/cli/services";

/**
 * The release workflow in docs/github-actions: its shape (triggers, staging before prod,
 * environments, one rollout per stack, what runs even after a failed rollout), and every
 * `npx bluegreen` command in it held against the CLI's real command tree.
 */

const WORKFLOW_FILE = path.join(__dirname, "..", "..", "docs", "github-actions", "bluegreen-release.yml");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { push?: { tags?: string[] }; workflow_dispatch?: { inputs?: Record<string, { required?: boolean }> } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = parse(fs.readFileSync(WORKFLOW_FILE, "utf8")) as Workflow;

/** What the test knows of a command: its options and how many positional arguments it takes. */
interface CommandSpec {
  readonly options: readonly { long: string; takesValue: boolean; mandatory: boolean }[];
  /** Undefined: any number (a variadic argument). */
  readonly maxArguments?: number;
}

function realCommands(): Map<string, CommandSpec> {
  const io: CliIo = {
    stdout: { write: () => undefined },
    stderr: { write: () => undefined },
    env: {},
    cwd: process.cwd(),
    isTTY: false,
    onSignal: () => () => undefined,
    who: () => "test",
  };
  const program: Command = buildProgram(io, defaultServices(), () => undefined);
  return new Map(
    program.commands.map((command) => [
      command.name(),
      {
        options: command.options.map((option) => ({
          long: option.long ?? "",
          takesValue: option.required || option.optional,
          mandatory: option.mandatory,
        })),
        maxArguments: command.registeredArguments.some((argument) => argument.variadic)
          ? undefined
          : command.registeredArguments.length,
      },
    ]),
  );
}

/**
 * Shell words of one command line, quotes removed; stops at a redirection, pipe or list operator.
 * An unquoted `${NAME:+words}` stands for its words, as when NAME is set: the workflow passes an
 * option only when it has a value that way.
 */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    const alternative = quote ? null : /^\$\{[A-Za-z_][A-Za-z0-9_]*:\+([^}]*)\}/.exec(text.slice(index));
    if (alternative) {
      if (inWord) words.push(current);
      words.push(...shellWords(alternative[1]));
      current = "";
      inWord = false;
      index += alternative[0].length - 1;
      continue;
    }
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else if (/[<>|;&]/.test(char)) {
      break;
    } else {
      current += char;
      inWord = true;
    }
  }
  assert.equal(quote, undefined, `unterminated quote in: ${text}`);
  if (inWord) words.push(current);
  return words;
}

/** Every `npx bluegreen ...` or `bin/bluegreen.js ...` invocation in the workflow's scripts, as words after `bluegreen`. */
function bluegreenInvocations(): { job: string; step: string; words: string[]; line: string }[] {
  const found: { job: string; step: string; words: string[]; line: string }[] = [];
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps) {
      for (const line of (step.run ?? "").replace(/\\\n/g, " ").split("\n")) {
        for (const match of line.matchAll(/(?:\bnpx\s+bluegreen\b|\bbin\/bluegreen\.js\b)(.*)/g)) {
          found.push({ job: jobName, step: step.name ?? "", words: shellWords(match[1]), line: line.trim() });
        }
      }
    }
  }
  return found;
}

/** What is wrong with one invocation (words after `bluegreen`), held against the command tree. */
function checkInvocation(words: readonly string[], commands: ReadonlyMap<string, CommandSpec>): string[] {
  const [name, ...rest] = words;
  const spec = commands.get(name);
  if (!spec) return [`bluegreen has no command "${name}" (it has ${[...commands.keys()].join(", ")})`];
  const problems: string[] = [];
  const given = new Set<string>();
  let positional = 0;
  for (let index = 0; index < rest.length; index++) {
    const word = rest[index];
    if (!word.startsWith("--")) {
      positional += 1;
      continue;
    }
    const [flag, inlineValue] = word.split(/=(.*)/s);
    const option = spec.options.find((candidate) => candidate.long === flag);
    if (!option) {
      problems.push(
        `bluegreen ${name} has no option ${flag} (it has ${spec.options.map((o) => o.long).join(", ")})`,
      );
      continue;
    }
    given.add(flag);
    if (option.takesValue && inlineValue === undefined) {
      const value = rest[index + 1];
      if (value === undefined || value.startsWith("--")) problems.push(`${flag} needs a value`);
      else index += 1;
    }
    if (!option.takesValue && inlineValue !== undefined) problems.push(`${flag} takes no value`);
  }
  for (const option of spec.options.filter((candidate) => candidate.mandatory)) {
    if (!given.has(option.long)) problems.push(`bluegreen ${name} needs ${option.long}`);
  }
  if (spec.maxArguments !== undefined && positional > spec.maxArguments) {
    problems.push(`bluegreen ${name} takes ${spec.maxArguments} arguments, got ${positional}`);
  }
  return problems;
}

function stepNamed(job: Job, name: string): Step {
  const step = job.steps.find((candidate) => candidate.name === name);
  assert.ok(step, `a step named "${name}"`);
  return step;
}

describe("docs: the GitHub Actions release workflow", () => {
  const commands = realCommands();

  describe("every bluegreen command it runs is a real command with valid flags", () => {
    const invocations = bluegreenInvocations();

    it("runs validate, rollout and report in every job", () => {
      for (const job of Object.keys(workflow.jobs)) {
        assert.deepEqual(
          invocations.filter((invocation) => invocation.job === job).map((invocation) => invocation.words[0]),
          ["validate", "rollout", "report"],
          job,
        );
      }
    });

    for (const invocation of invocations) {
      it(`${invocation.job}: ${invocation.line}`, () => {
        assert.deepEqual(checkInvocation(invocation.words, commands), []);
      });
    }

    const wrong: [string, RegExp][] = [
      ["deploy --stack prod", /bluegreen has no command "deploy"/],
      ["rollout --stacks prod --version 1", /bluegreen rollout has no option --stacks/],
      ["rollout --stack prod", /bluegreen rollout needs --version/],
      ["rollout --stack prod --version --json", /--version needs a value/],
      ["rollout --stack prod --version 1 --json=yes", /--json takes no value/],
      ["plan --stack prod extra", /bluegreen plan takes 0 arguments/],
      ["report --event events.ndjson", /bluegreen report has no option --event\b/],
      ["report --events", /--events needs a value/],
    ];
    for (const [command, problem] of wrong) {
      it(`the check catches: bluegreen ${command}`, () => {
        const problems = checkInvocation(shellWords(command), commands);
        assert.ok(
          problems.some((text) => problem.test(text)),
          problems.join("; "),
        );
      });
    }

    it("reads shell words as the shell does: quotes joined, redirections not arguments", () => {
      assert.deepEqual(shellWords(`rollout --stack "$STACK" --json > events.ndjson`), [
        "rollout",
        "--stack",
        "$STACK",
        "--json",
      ]);
      assert.deepEqual(shellWords(`report --events 'a b.ndjson' >> "$GITHUB_STEP_SUMMARY"`), [
        "report",
        "--events",
        "a b.ndjson",
      ]);
      assert.deepEqual(shellWords(`rollout \${T:+--commit-time "$T"} --json`), [
        "rollout",
        "--commit-time",
        "$T",
        "--json",
      ]);
    });
  });

  describe("its shape", () => {
    it("runs on a release tag or by hand with a required version", () => {
      assert.deepEqual(workflow.on.push?.tags, ["v*"]);
      assert.equal(workflow.on.workflow_dispatch?.inputs?.version?.required, true);
    });

    it("staging, then prod, each in its GitHub environment", () => {
      assert.deepEqual(Object.keys(workflow.jobs), ["staging", "prod"]);
      assert.equal(workflow.jobs.staging.environment, "staging");
      assert.equal(workflow.jobs.prod.environment, "prod");
      assert.equal(workflow.jobs.prod.needs, "staging");
    });

    it("one rollout per stack at a time, never cancelled by a newer run", () => {
      for (const [name, job] of Object.entries(workflow.jobs)) {
        assert.deepEqual(job.concurrency, { group: `bluegreen-${name}`, "cancel-in-progress": false });
        assert.equal(job.env?.STACK, name);
        assert.ok(
          fs.existsSync(path.join(__dirname, "..", "..", "stacks", `Pulumi.${name}.yaml`)),
          `a ${name} stack file`,
        );
      }
    });

    it("the jobs run the same steps, only the stack differs", () => {
      const normalise = (job: Job) =>
        JSON.stringify(job.steps.map((step) => ({ ...step, with: { ...step.with, ref: undefined } })))
          .replaceAll("prod", "<stack>")
          .replaceAll("staging", "<stack>");
      assert.equal(normalise(workflow.jobs.prod), normalise(workflow.jobs.staging));
    });

    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      describe(`the ${jobName} job`, () => {
        it("checks out, sets up Node.js, installs with npm ci and validates before rolling out", () => {
          const order = job.steps.map((step) => step.uses?.split("@")[0] ?? step.run?.trim());
          const at = (entry: string) => order.indexOf(entry);
          assert.ok(at("actions/checkout") === 0);
          assert.ok(at("actions/setup-node") > at("actions/checkout"));
          assert.ok(at("npm ci") > at("actions/setup-node"));
          assert.ok(at("npx bluegreen validate") > at("npm ci"));
          assert.ok(job.steps.indexOf(stepNamed(job, "Roll out")) > at("npx bluegreen validate"));
        });

        it("writes the events to events.ndjson and keeps the rollout's exit code", () => {
          const run = stepNamed(job, "Roll out").run ?? "";
          assert.match(
            run,
            /^node_modules\/\.bin\/node bin\/bluegreen\.js rollout --stack "\$STACK" --version "\$VERSION" .*--json > events\.ndjson &$/m,
          );
          assert.match(
            run,
            /\$\{COMMIT_TIME:\+--commit-time "\$COMMIT_TIME"\}/,
            "the commit time, when there is one",
          );
          assert.match(
            stepNamed(job, "Resolve the version").run ?? "",
            /COMMIT_TIME=\$\(git log -1 --format=%cI "\$tag"\)/,
            "the commit time is the release tag's commit's",
          );
          assert.match(run, /^set \+e$/m);
          assert.match(run, /^code=\$\?$/m);
          assert.match(
            run,
            /^trap 'kill -TERM "\$driver" 2>\/dev\/null' INT TERM HUP$/m,
            "a cancellation reaches the driver",
          );
          assert.match(run, /^while kill -0 "\$driver" 2>\/dev\/null; do$/m, "the step waits for the revert");
          assert.match(run, /^exit "\$code"$/m);
        });

        it("commits, uploads and reports even after a failed rollout, with failures visible", () => {
          for (const name of ["Commit the stack file's release values", "Upload the events", "Job summary"]) {
            assert.match(
              stepNamed(job, name).if ?? "",
              /^always\(\) && steps\.rollout\.outcome != 'skipped'$/,
              name,
            );
          }
          const commit = stepNamed(job, "Commit the stack file's release values").run ?? "";
          assert.doesNotMatch(commit, /\|\|\s*true/);
          assert.match(commit, /git push origin/);
          assert.match(commit, /^exit 1$/m);
          const upload = stepNamed(job, "Upload the events");
          assert.equal(upload.uses, "actions/upload-artifact@v4");
          assert.equal(upload.with?.path, "events.ndjson");
          assert.equal(
            stepNamed(job, "Job summary").run?.trim(),
            'npx bluegreen report --events events.ndjson >> "$GITHUB_STEP_SUMMARY"',
          );
        });

        it("never pastes a tag or an input into a script", () => {
          for (const step of job.steps) {
            assert.doesNotMatch(step.run ?? "", /\$\{\{\s*(inputs|github\.ref|github\.event)/, step.name);
          }
        });
      });
    }

    it("asks for the permissions it uses: push the stack files, assume the AWS role", () => {
      assert.deepEqual(workflow.permissions, { contents: "write", "id-token": "write" });
    });
  });
});
