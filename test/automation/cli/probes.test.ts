/**
 * Probes: what a new user mistypes or points the CLI at by accident, each run through the real
 * entry point (`run`, with captured io) in a fresh copy of the project's stack files. Every probe
 * must be refused with a clear message (exit 2 naming the flag, key or file) and change nothing:
 * the stack files hash the same afterwards, no audit record is written, and nothing connects to
 * Pulumi or AWS. The few that could hang a process (a FIFO) run in a child process with a timeout.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { CONTROL_ITEM_KEY, controlTableName } from "../../../components/domain/controlTable";
import { useDynalite } from "../adapters/control/dynalite";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Option } from "commander";
import { run } from "../../../automation/cli/main";
import { buildProgram } from "../../../automation/cli/program";
import { type CliServices, defaultServices } from "../../../automation/cli/services";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { testIo, testServices } from "./support";

const ROOT = path.resolve(__dirname, "../../..");
const BIN = path.join(ROOT, "bin", "bluegreen.js");

/** One bad input and what the CLI must say about it. */
interface Probe {
  readonly name: string;
  readonly argv: readonly string[];
  /** Prepares the project copy (a bad file, a subdirectory) before the run. */
  readonly setup?: (dir: string) => void;
  /** Where the command runs, relative to the project copy. @default the project */
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** @default 2 */
  readonly code?: number;
  /** What the message must say: the flag, key or file, and the value or the fix. */
  readonly names: RegExp;
  /** Where the message is. @default "stderr" */
  readonly stream?: "stdout" | "stderr";
  /** The run is a rehearsal that ran to its end, so it leaves its audit record. @default false */
  readonly audits?: boolean;
  /** Needs a process of its own: a regression would block the test runner's own thread. */
  readonly spawn?: boolean;
  /** Uses the real control directory instead of an in-memory channel. */
  readonly realControl?: boolean;
  /** What neither stream may show: a secret's ciphertext, a value echoed whole. */
  readonly hides?: RegExp;
}

const REHEARSE = ["rehearse", "--stack", "dev", "--version", "2.0.0"];

function write(file: string, text: string): (dir: string) => void {
  return (dir) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
}

function copyStack(from: string, to: string): (dir: string) => void {
  return (dir) => fs.copyFileSync(path.join(dir, "stacks", from), path.join(dir, "stacks", to));
}

function emptyStacks(dir: string): void {
  fs.rmSync(path.join(dir, "stacks"), { recursive: true });
  fs.mkdirSync(path.join(dir, "stacks"));
}

function fifo(file: string): (dir: string) => void {
  return (dir) => execFileSync("mkfifo", [path.join(dir, file)]);
}

/** Appends keys to a stack file of the project copy. */
function appendToStack(stack: string, text: string): (dir: string) => void {
  return (dir) => fs.appendFileSync(path.join(dir, "stacks", `Pulumi.${stack}.yaml`), text);
}

/** Replaces the first occurrence of `from` in a stack file of the project copy. */
function editStack(stack: string, from: string, to: string): (dir: string) => void {
  return (dir) => {
    const file = path.join(dir, "stacks", `Pulumi.${stack}.yaml`);
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.includes(from), `stacks/Pulumi.${stack}.yaml has ${JSON.stringify(from)}`);
    fs.writeFileSync(file, text.replace(from, to));
  };
}

const LONG = "a".repeat(3000);
const SPEED_RANGE = /from 1 \(real time\) to 100000/;

const PROBES: readonly Probe[] = [
  // Nothing to validate is not a pass.
  {
    name: "validate run from a folder with no stack files",
    argv: ["validate"],
    setup: (dir) => fs.mkdirSync(path.join(dir, "infra")),
    cwd: "infra",
    names:
      /no stack files to validate: found no Pulumi\.<stack>\.yaml in .*infra\/stacks; run it in the project directory, .*, or name the files: bluegreen validate \.\.\/stacks\/Pulumi\.<stack>\.yaml/,
  },
  {
    name: "validate --json run from a folder with no stack files",
    argv: ["validate", "--json"],
    setup: (dir) => fs.mkdirSync(path.join(dir, "infra")),
    cwd: "infra",
    names: /no stack files to validate/,
  },
  {
    name: "validate in a project with no stack files yet",
    argv: ["validate"],
    setup: emptyStacks,
    names:
      /no stack files to validate: found no Pulumi\.<stack>\.yaml in .*\/stacks; add one there, or name the files/,
  },
  {
    name: "--stack in a project with no stack files yet",
    argv: ["plan", "--stack", "dev"],
    setup: emptyStacks,
    names:
      /--stack "dev": there is no stacks\/Pulumi\.dev\.yaml; there are no stack files in stacks\/ under .*; add one as stacks\/Pulumi\.<stack>\.yaml/,
  },
  {
    name: "--stack run from a subdirectory of the project",
    argv: ["plan", "--stack", "dev"],
    setup: (dir) => fs.mkdirSync(path.join(dir, "infra")),
    cwd: "infra",
    names:
      /--stack "dev": there is no stacks\/Pulumi\.dev\.yaml; .*run bluegreen in the project directory, .*bluegreen-probe-\w+, which has Pulumi\.yaml/,
  },
  // A repeated flag never silently takes the last value (every option of every command is
  // covered by the generated table below; these are the cases that did harm).
  {
    name: "rehearse with --stack twice",
    argv: ["rehearse", "--stack", "dev", "--stack", "prod", "--version", "2.0.0"],
    names: /option '--stack <env>' was given twice \("dev", then "prod"\): give it once/,
  },
  {
    name: "rollout with --stack twice",
    argv: ["rollout", "--stack", "dev", "--stack", "prod", "--version", "2.0.0"],
    names: /option '--stack <env>' was given twice \("dev", then "prod"\)/,
  },
  {
    name: "rollout with --version twice, in the --flag=value form",
    argv: ["rollout", "--stack", "dev", "--version=2.0.0", "--version=2.0.1"],
    names: /option '--version <v>' was given twice \("2\.0\.0", then "2\.0\.1"\)/,
  },
  {
    name: "--reason twice, a credential in one of them",
    argv: [
      "rollout",
      "--stack",
      "dev",
      "--version",
      "2.0.0",
      "--reason",
      "key AKIAIOSFODNN7EXAMPLE",
      "--reason",
      "b",
    ],
    names: /option '--reason <text>' was given twice \("key \[redacted\]", then "b"\)/,
  },
  // Scenario mistakes.
  {
    name: "a scenario alarm key the platform does not have",
    argv: ["rehearse", "--stack", "gateway-dev", "--version", "3.2.0", "--scenario", "scenario.yaml"],
    setup: write("scenario.yaml", 'events:\n  - { at: "6m", alarm: errorRate, state: ALARM }\n'),
    names:
      /^error: scenario\.yaml: events\[0\]\.alarm: "errorRate" is not an alarm of stack gateway-dev: use "\*"/,
  },
  {
    name: "a scenario event after the plan ends",
    argv: [...REHEARSE, "--scenario", "scenario.yaml"],
    setup: write("scenario.yaml", 'events:\n  - { at: "9999h", alarm: "*", state: ALARM }\n'),
    names:
      /scenario\.yaml: events\[0\]\.at: 9999h is after the plan ends: the plan of stack dev takes 25m \(4 steps\)/,
  },
  {
    name: "a scenario event after the plan ends, its pause waiting to its timeout",
    argv: ["rehearse", "--stack", "prod", "--version", "2.0.0", "--scenario", "scenario.yaml"],
    setup: write("scenario.yaml", 'events:\n  - { at: "3h", operator: resume }\n'),
    names:
      /scenario\.yaml: events\[0\]\.at: 3h is after the plan ends: the plan of stack prod takes 2h55m with every pause waiting to its timeout \(5 steps\)/,
  },
  {
    name: "an evaluation-error fault on every alarm: the bake shows the evaluation state, not OK",
    argv: [...REHEARSE, "--scenario", "scenario.yaml"],
    setup: write("scenario.yaml", 'events:\n  - { at: "0s", fault: evaluation-error, alarm: "*" }\n'),
    code: 3,
    stream: "stdout",
    audits: true,
    names: /baking step 1\/4 at 10%: 5m left, alarms: checkout-dev-green EVALUATION_ERROR/,
  },
  {
    name: "a scenario value the size of a file",
    argv: [...REHEARSE, "--scenario", "scenario.yaml"],
    setup: write("scenario.yaml", `events:\n  - { at: "1m", alarm: "*", state: ${LONG} }\n`),
    names:
      /events\[0\]\.state: expected "OK", "ALARM" or "INSUFFICIENT_DATA", got "a{60}…" \(3000 characters\)$/m,
  },
  {
    name: "a scenario that is one huge line",
    argv: [...REHEARSE, "--scenario", "scenario.yaml"],
    setup: write("scenario.yaml", LONG),
    names:
      /scenario\.yaml: \(file\): expected a mapping with an "events" list, got "a{60}…" \(3000 characters\)$/m,
  },
  {
    name: "--scenario larger than any scenario",
    argv: [...REHEARSE, "--scenario", "scenario.yaml"],
    setup: write("scenario.yaml", `# ${"x".repeat(2 * 1024 * 1024)}\nevents: []\n`),
    names:
      /--scenario "scenario\.yaml": is 2\.0 MiB, over the 1 MiB an input file may have, so it is not read/,
  },
  {
    name: "--scenario naming a directory",
    argv: [...REHEARSE, "--scenario", "stacks"],
    names: /--scenario "stacks": is a directory, not a regular file/,
  },
  {
    name: "--scenario given as an empty string",
    argv: [...REHEARSE, "--scenario", ""],
    names: /--scenario "": give the path of a JSON or YAML scenario file/,
  },
  // history's window and count.
  {
    name: "history --since as a word",
    argv: ["history", "--stack", "dev", "--since", "yesterday"],
    names: /--since "yesterday": expected a span back from now such as 30d, 2w, 12h or 90m, or a date/,
  },
  {
    name: "history --since with an unknown unit",
    argv: ["history", "--stack", "dev", "--since", "30s"],
    names: /--since "30s": expected a span back from now/,
  },
  {
    name: "history --since in the future",
    argv: ["history", "--stack", "dev", "--since", "2999-01-01"],
    names: /--since "2999-01-01" is in the future/,
  },
  {
    name: "history --limit 0",
    argv: ["history", "--stack", "dev", "--limit", "0"],
    names: /option '--limit <n>' argument '0' is invalid\. expected a whole number of runs from 1/,
  },
  {
    name: "history --limit negative",
    argv: ["history", "--stack", "dev", "--limit", "-5"],
    names: /option '--limit <n>' argument '-5' is invalid/,
  },
  {
    name: "history --limit as a fraction",
    argv: ["history", "--stack", "dev", "--limit", "2.5"],
    names: /option '--limit <n>' argument '2\.5' is invalid/,
  },
  // --speed out of range.
  {
    name: "--speed 1e-300",
    argv: [...REHEARSE, "--speed", "1e-300"],
    names: /option '--speed <n>' argument '1e-300' is invalid\. .*from 1/,
  },
  { name: "--speed below real time", argv: [...REHEARSE, "--speed", "0.5"], names: SPEED_RANGE },
  { name: "--speed above the range", argv: [...REHEARSE, "--speed", "100001"], names: SPEED_RANGE },
  { name: "--speed Infinity", argv: [...REHEARSE, "--speed", "Infinity"], names: SPEED_RANGE },
  {
    name: "--speed as an empty string",
    argv: [...REHEARSE, "--speed", ""],
    names: /option '--speed <n>' argument '' is invalid/,
  },
  {
    name: "--speed as a wall of digits",
    argv: [...REHEARSE, "--speed", `${"9".repeat(300)}x`],
    names: /argument '9{60}… \(301 characters\)' is invalid\./,
  },
  // Stack names: checked where stacks are listed, so every command refuses them.
  ...["validate", "plan", "rehearse", "rollout", "abort", "promote", "pause", "resume", "status"].map(
    (command): Probe => ({
      name: `a stack file named "Pulumi.a b.yaml", through ${command}`,
      argv:
        command === "validate"
          ? ["validate"]
          : [
              command,
              "--stack",
              "a b",
              ...(command === "rehearse" || command === "rollout" ? ["--version", "2.0.0"] : []),
            ],
      setup: copyStack("Pulumi.dev.yaml", "Pulumi.a b.yaml"),
      stream: command === "validate" ? "stdout" : "stderr",
      names:
        /stacks\/Pulumi\.a b\.yaml: .*"a b" is not a valid stack name: a stack name is at most 100 letters, digits, "-", "_" and "\."/,
    }),
  ),
  // Pausing and resuming work a running rollout: with no driver watching there is nothing to do.
  ...(["pause", "resume"] as const).map((command): Probe => ({
    name: `${command} with no driver watching`,
    argv: [command, "--stack", "dev"],
    names: new RegExp(
      `no driver is watching stack dev \\(no heartbeat\\): there is no rollout to ${command}`,
    ),
  })),
  {
    name: "resume of a stack that has no stack file",
    argv: ["resume", "--stack", "nope"],
    names: /stack "nope"|Pulumi\.nope\.yaml/,
  },
  {
    name: "a stack file whose name starts with a dot",
    argv: ["abort", "--stack", ".hidden"],
    setup: copyStack("Pulumi.dev.yaml", "Pulumi..hidden.yaml"),
    names: /--stack "\.hidden": stacks\/Pulumi\.\.hidden\.yaml: .*not starting with "\."/,
  },
  {
    name: "a stack name longer than Pulumi takes",
    argv: ["plan", "--stack", "s".repeat(101)],
    setup: copyStack("Pulumi.dev.yaml", `Pulumi.${"s".repeat(101)}.yaml`),
    names: /--stack "s{60}…" \(101 characters\): .* is not a valid stack name/,
  },
  {
    name: "--stack with a path in it",
    argv: ["plan", "--stack", "../dev"],
    names: /--stack "\.\.\/dev" is not a valid stack name/,
  },
  {
    name: "--stack as an empty string",
    argv: ["plan", "--stack", ""],
    names: /--stack "": give the stack's name/,
  },
  {
    name: "--stack naming no stack file",
    argv: ["plan", "--stack", "qa"],
    names:
      /--stack "qa": there is no stacks\/Pulumi\.qa\.yaml; available stacks: dev, eks-dev, gateway-dev, orders-dev, prod, staging/,
  },
  {
    name: "a stack file Pulumi would not read (.yml)",
    argv: ["plan", "--stack", "qa"],
    setup: copyStack("Pulumi.dev.yaml", "Pulumi.qa.yml"),
    names:
      /--stack "qa": stacks\/Pulumi\.qa\.yml: Pulumi reads this project's stack files as Pulumi\.<stack>\.yaml .*rename it to Pulumi\.qa\.yaml/,
  },
  {
    name: "validate with a .yml stack file among the others",
    argv: ["validate"],
    setup: copyStack("Pulumi.dev.yaml", "Pulumi.qa.yml"),
    stream: "stdout",
    names:
      /^stacks\/Pulumi\.qa\.yml: \(file\): Pulumi reads this project's stack files as Pulumi\.<stack>\.yaml/m,
  },
  // Paths that are not stack files.
  {
    name: "a stack file that is a directory",
    argv: ["plan", "--stack", "qa"],
    setup: (dir) => fs.mkdirSync(path.join(dir, "stacks", "Pulumi.qa.yaml")),
    names: /stacks\/Pulumi\.qa\.yaml: \(file\): is a directory, not a regular file/,
  },
  {
    name: "validate given a directory",
    argv: ["validate", "stacks"],
    stream: "stdout",
    names: /^stacks: \(file\): is a directory, not a regular file/m,
  },
  {
    name: "a stack file that is a symbolic link to itself",
    argv: ["plan", "--stack", "qa"],
    setup: (dir) => fs.symlinkSync("Pulumi.qa.yaml", path.join(dir, "stacks", "Pulumi.qa.yaml")),
    names: /stacks\/Pulumi\.qa\.yaml: \(file\): cannot be read: ELOOP/,
  },
  {
    name: "stacks/ that is a file",
    argv: ["plan", "--stack", "dev"],
    setup: (dir) => {
      fs.rmSync(path.join(dir, "stacks"), { recursive: true });
      fs.writeFileSync(path.join(dir, "stacks"), "");
    },
    names: /cannot list the stack files in .*\/stacks: ENOTDIR/,
  },
  {
    name: "--version the length of a paragraph",
    argv: ["rehearse", "--stack", "dev", "--version", LONG],
    names: /^error: --version "a{60}…" \(3000 characters\): expected a version/,
  },
  {
    name: "rehearse --control stack with a scenario's operator events",
    setup: write("scenario.yaml", 'events:\n  - { at: "7m", operator: promote }\n'),
    argv: [...REHEARSE, "--control", "stack", "--scenario", "scenario.yaml"],
    names:
      /--scenario "scenario\.yaml": operator events cannot steer a rehearsal with --control stack: the operators do/,
  },
  {
    name: "rehearse --control naming no channel it has",
    argv: [...REHEARSE, "--control", "dynamodb"],
    names: /option '--control <channel>' argument 'dynamodb' is invalid\. Allowed choices are memory, stack/,
  },
  {
    name: "BLUEGREEN_CONTROL_DIR naming a file, for promote",
    setup: fileChannel("dev"),
    argv: ["promote", "--stack", "dev"],
    env: { BLUEGREEN_CONTROL_DIR: "stacks/Pulumi.dev.yaml" },
    realControl: true,
    names: /BLUEGREEN_CONTROL_DIR "stacks\/Pulumi\.dev\.yaml": the control directory is not a directory/,
  },
  {
    name: "BLUEGREEN_CONTROL_DIR running through a file, for abort",
    setup: fileChannel("dev"),
    argv: ["abort", "--stack", "dev"],
    env: { BLUEGREEN_CONTROL_DIR: "stacks/Pulumi.dev.yaml/control" },
    realControl: true,
    names:
      /BLUEGREEN_CONTROL_DIR "stacks\/Pulumi\.dev\.yaml\/control": the control directory cannot be used: ENOTDIR/,
  },
  // A FIFO blocks a read forever: these run in a process of their own, under a timeout.
  {
    name: "validate given a FIFO",
    argv: ["validate", "pipe.yaml"],
    setup: fifo("pipe.yaml"),
    spawn: true,
    stream: "stdout",
    names: /^pipe\.yaml: \(file\): is a FIFO \(named pipe\), not a regular file/m,
  },
  {
    name: "--scenario naming a FIFO",
    argv: [...REHEARSE, "--scenario", "pipe.yaml"],
    setup: fifo("pipe.yaml"),
    spawn: true,
    names: /--scenario "pipe\.yaml": is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: "a stack file that is a FIFO",
    argv: ["plan", "--stack", "qa"],
    setup: fifo("stacks/Pulumi.qa.yaml"),
    spawn: true,
    names: /stacks\/Pulumi\.qa\.yaml: \(file\): is a FIFO \(named pipe\), not a regular file/,
  },
];

/** Two values for each option that takes one; an option missing here fails the generated table. */
const SAMPLE_VALUES: Readonly<Record<string, readonly [string, string]>> = {
  "--stack": ["dev", "prod"],
  "--version": ["2.0.0", "3.0.0"],
  "--reason": ["first", "second"],
  "--scenario": ["scenario.yaml", "other.yaml"],
  "--speed": ["60", "120"],
  "--commit-time": ["2026-11-30T10:00:00.000Z", "2026-11-30T11:00:00.000Z"],
  "--events": ["run.ndjson", "other.ndjson"],
  "--since": ["30d", "7d"],
  "--format": ["markdown", "json"],
  "--limit": ["20", "50"],
  "--control": ["memory", "stack"],
  "--alarm": ["checkout-dev-green", "checkout-dev-green-errors"],
  "--target": ["target.json", "other.json"],
};

/** Every value option of every command, given twice, with the command's other required options once. */
function repeatedOptionProbes(): Probe[] {
  const t = testIo(os.tmpdir());
  const program = buildProgram(t.io, testServices({ clock: new VirtualClock(0) }), () => undefined);
  const probes: Probe[] = [];
  for (const command of program.commands) {
    const valueOptions = command.options.filter((option: Option) => !option.isBoolean());
    for (const repeated of valueOptions) {
      const flag = repeated.long ?? repeated.flags;
      const values = SAMPLE_VALUES[flag];
      assert.ok(values, `no sample values for ${command.name()} ${flag}: add them to SAMPLE_VALUES`);
      const argv = [command.name()];
      for (const option of valueOptions) {
        const long = option.long ?? option.flags;
        if (option === repeated) argv.push(long, values[0], long, values[1]);
        else if (option.mandatory) argv.push(long, SAMPLE_VALUES[long][0]);
      }
      probes.push({
        name: `${command.name()} with ${flag} twice`,
        argv,
        names: new RegExp(
          `option '${escape(repeated.flags)}' was given twice \\("${values[0]}", then "${values[1]}"\\): give it once`,
        ),
      });
    }
  }
  return probes;
}

/**
 * A stack file that says something other than it means, refused the same way by every command
 * that reads it: validate (whose report is on stdout), plan, rehearse and rollout.
 */
function stackFileProbes(): Probe[] {
  const ciphertext = "AAABAJ0xyzv3ryS3cr3tCiphertext";
  const guardrails: { name: string; setup: (dir: string) => void; names: RegExp; hides?: RegExp }[] = [
    {
      name: "a misspelled namespace",
      setup: appendToStack("dev", "  bluegren:rollout:\n    preset: careful\n"),
      names:
        /bluegren:rollout: unknown namespace "bluegren", so nothing reads this key; did you mean bluegreen:rollout\?/,
    },
    {
      name: "every built-in alarm disabled",
      setup: appendToStack(
        "dev",
        "  bluegreen:alarms:\n    errorRate: { enabled: false }\n    latencyP95: { enabled: false }\n    unhealthyHosts: { enabled: false }\n",
      ),
      names: /bluegreen:alarms: no alarm judges the new colour: .*set bluegreen:alarms\.allowNone: true/,
    },
    {
      name: "a quoted revision",
      setup: editStack("dev", "  bluegreen:revision: 0\n", '  bluegreen:revision: "3"\n'),
      names: /bluegreen:revision: expected a release revision \(a whole number from 0 to \d+\), got "3"/,
    },
    {
      name: "an extra alarm named twice",
      setup: appendToStack("dev", "  bluegreen:alarms:\n    extra: [orders-drop, orders-drop]\n"),
      names:
        /bluegreen:alarms\.extra\[1\]: names "orders-drop" again \(first at \[0\]\): list each alarm once/,
    },
    {
      name: "an empty extra alarm name",
      setup: appendToStack("dev", '  bluegreen:alarms:\n    extra: [""]\n'),
      names: /bluegreen:alarms\.extra\[0\]: must have 1-255 characters, got ""/,
      hides: /Too small/,
    },
    {
      name: "a secret where a plain string belongs",
      setup: editStack(
        "dev",
        "    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout\n",
        `    image:\n      secure: ${ciphertext}\n`,
      ),
      names:
        /bluegreen:ecs\.image: this key cannot be a secret: set it in plain text \(`pulumi config set` without `--secret`\)/,
      hides: new RegExp(ciphertext.slice(0, 12)),
    },
    {
      name: "a 10 kB version",
      setup: editStack(
        "dev",
        '    green:\n      version: "1.4.2"\n',
        `    green:\n      version: "${"b".repeat(10240)}"\n`,
      ),
      names: /bluegreen:slots\.green\.version: expected a version .*, got "b{60}…" \(10240 characters\)/,
      hides: /b{61}/,
    },
  ];
  const commands: { argv: readonly string[]; stream?: "stdout" }[] = [
    { argv: ["validate", "stacks/Pulumi.dev.yaml"], stream: "stdout" },
    { argv: ["plan", "--stack", "dev"] },
    { argv: REHEARSE },
    { argv: ["rollout", "--stack", "dev", "--version", "2.0.0"] },
  ];
  return guardrails.flatMap((guardrail) =>
    commands.map((command) => ({
      ...guardrail,
      ...command,
      name: `${guardrail.name}, through ${command.argv[0]}`,
    })),
  );
}

/** Puts the stack on the file control channel, where BLUEGREEN_CONTROL_DIR matters. */
function fileChannel(stack: string): (project: string) => void {
  return (project) => {
    fs.appendFileSync(
      path.join(project, "stacks", `Pulumi.${stack}.yaml`),
      "  bluegreen:control: { channel: file }\n",
    );
  };
}

describe("probes: bad input is refused with a clear message and changes nothing", () => {
  let project: string;
  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-probe-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.cpSync(path.join(ROOT, "stacks"), path.join(project, "stacks"), { recursive: true });
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  const hasMkfifo = spawnSync("mkfifo", ["--version"]).error === undefined;

  for (const probe of [...PROBES, ...repeatedOptionProbes(), ...stackFileProbes()]) {
    it(`${probe.name}: exit ${probe.code ?? 2}`, async function () {
      if (probe.spawn && !hasMkfifo) this.skip();
      probe.setup?.(project);
      const before = snapshot(project);
      const result = probe.spawn ? spawnCli(project, probe) : await runCli(project, probe);
      const output = probe.stream === "stdout" ? result.stdout : result.stderr;
      assert.equal(result.code, probe.code ?? 2, `exit code; stderr: ${result.stderr}`);
      assert.match(output, probe.names);
      if (probe.hides) assert.doesNotMatch(`${result.stdout}${result.stderr}`, probe.hides);
      assert.deepEqual(snapshot(project), before, "no file in the project changed");
      assert.equal(
        fs.existsSync(path.join(project, "audit.ndjson")),
        probe.audits === true,
        "an audit record only for a run that happened",
      );
      assert.equal(result.connects, 0, "nothing connected to Pulumi or AWS");
      if (probe.code === undefined) assert.doesNotMatch(result.stderr, /unexpected error/);
    });
  }
});

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly connects: number;
}

async function runCli(project: string, probe: Probe): Promise<CliResult> {
  const t = testIo(path.join(project, probe.cwd ?? ""), { env: probe.env });
  // The audit log stays in the project copy, wherever the command runs from.
  const io = { ...t.io, env: { ...t.io.env, BLUEGREEN_AUDIT_LOG: path.join(project, "audit.ndjson") } };
  const services = testServices({ clock: new VirtualClock(1_700_000_000_000) });
  const withControl: CliServices = probe.realControl
    ? { ...services, control: defaultServices().control }
    : services;
  const code = await run(probe.argv, io, withControl);
  return { code, stdout: t.stdout(), stderr: t.stderr(), connects: services.connects };
}

function spawnCli(project: string, probe: Probe): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...probe.argv], {
    cwd: path.join(project, probe.cwd ?? ""),
    env: { ...process.env, ...probe.env, BLUEGREEN_AUDIT_LOG: path.join(project, "audit.ndjson") },
    encoding: "utf8",
    timeout: 15_000,
    killSignal: "SIGKILL",
  });
  assert.equal(result.signal, null, `the CLI hung on ${probe.argv.join(" ")} and was killed`);
  // A spawned CLI only ever uses the real services, and these probes stop before any connect.
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, connects: 0 };
}

/**
 * Every path under the project with a hash of its content, or its kind when it is not a file. The
 * audit log is left out: whether it may exist is asserted on its own.
 */
function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (child === "audit.ndjson") continue;
      const absolute = path.join(dir, child);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile())
        entries[child] = createHash("sha256").update(fs.readFileSync(absolute)).digest("hex");
      else entries[child] = entry.isSymbolicLink() ? `link to ${fs.readlinkSync(absolute)}` : "special file";
    }
  };
  walk("");
  return entries;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The control table's failures through the real entry point, each in a process of its own (the
 * AWS SDK reads its endpoint from the process's environment): a table that does not exist, a
 * record this version cannot read, and a denied action. Each exits 5 (EXIT_CONTROL), names the
 * table and the fix, and changes nothing: the broken record is never overwritten.
 */
describe("probes: the control table cannot be used", function () {
  this.timeout(60_000);
  this.slow(10_000);
  const dynalite = useDynalite();
  /** Stack prod's table holds a record whose run has a heartbeat that is not a number; dev has no table. */
  const MALFORMED = {
    ...CONTROL_ITEM_KEY,
    version: 3,
    heartbeatAt: "yesterday",
  };
  let denying: http.Server;
  let denyingEndpoint: string;
  let project: string;
  before(async () => {
    const table = await dynalite().createTable(controlTableName("checkout", "prod"));
    await dynalite().client.send(new PutItemCommand({ TableName: table, Item: marshall(MALFORMED) }));
    // DynamoDB's answer to a caller whose policy lacks the action, as the SDK parses it.
    denying = http.createServer((request, response) => {
      const action = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "GetItem";
      response.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
      response.end(
        JSON.stringify({
          __type: "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
          message: `User: arn:aws:sts::123456789012:assumed-role/operator/alice is not authorized to perform: dynamodb:${action} on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/bluegreen-checkout-dev because no identity-based policy allows the dynamodb:${action} action`,
        }),
      );
    });
    await new Promise<void>((resolve) => denying.listen(0, "127.0.0.1", resolve));
    denyingEndpoint = `http://127.0.0.1:${(denying.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => denying.close(resolve));
  });
  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-probe-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.cpSync(path.join(ROOT, "stacks"), path.join(project, "stacks"), { recursive: true });
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  const MISSING =
    /the control table bluegreen-checkout-dev does not exist in eu-west-1: run `pulumi up` for stack dev first, or set bluegreen:control\.channel: file; nothing was changed/;
  const BROKEN =
    /control table bluegreen-checkout-prod, item \(pk=control, sk=control\): heartbeatAt must be .*got "yesterday"; fix the field, or delete the item/;
  const DENIED =
    /not allowed to use control table bluegreen-checkout-dev: the policy needs dynamodb:GetItem on arn:aws:dynamodb:eu-west-1:123456789012:table\/bluegreen-checkout-dev/;
  const rows: { name: string; argv: string[]; names: RegExp; denied?: boolean }[] = [
    {
      name: "status of a stack whose table does not exist",
      argv: ["status", "--stack", "dev"],
      names: MISSING,
    },
    {
      name: "abort of a stack whose table does not exist",
      argv: ["abort", "--stack", "dev"],
      names: MISSING,
    },
    {
      name: "promote of a stack whose table does not exist",
      argv: ["promote", "--stack", "dev"],
      names: MISSING,
    },
    {
      name: "pause of a stack whose table does not exist",
      argv: ["pause", "--stack", "dev"],
      names: MISSING,
    },
    {
      name: "resume of a stack whose table does not exist",
      argv: ["resume", "--stack", "dev"],
      names: MISSING,
    },
    { name: "status of a malformed record", argv: ["status", "--stack", "prod"], names: BROKEN },
    {
      name: "abort of a malformed record: no direct revert",
      argv: ["abort", "--stack", "prod"],
      names: BROKEN,
    },
    { name: "resume of a malformed record", argv: ["resume", "--stack", "prod"], names: BROKEN },
    {
      name: "pause without dynamodb:GetItem",
      argv: ["pause", "--stack", "dev"],
      names: DENIED,
      denied: true,
    },
  ];
  for (const row of rows) {
    it(`${row.name}: exit 5`, async () => {
      const before = snapshot(project);
      // Spawned without blocking: dynalite answers from this process.
      const result = await spawnAsync(row.argv, project, {
        ...process.env,
        AWS_ENDPOINT_URL_DYNAMODB: row.denied ? denyingEndpoint : dynalite().endpoint,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        BLUEGREEN_AUDIT_LOG: path.join(project, "audit.ndjson"),
        // Without a Pulumi CLI on the path, status and abort stop before reaching AWS anywhere else.
        PATH: path.dirname(process.execPath),
      });
      assert.equal(result.signal, null, "the CLI hung and was killed");
      assert.equal(result.status, 5, `exit code; stderr: ${result.stderr}`);
      assert.match(result.stderr, row.names);
      assert.doesNotMatch(result.stderr, /unexpected error|reverting directly/);
      assert.deepEqual(snapshot(project), before, "no file in the project changed");
      assert.equal(fs.existsSync(path.join(project, "audit.ndjson")), false, "no audit record");
      const item = await dynalite().client.send(
        new GetItemCommand({
          TableName: controlTableName("checkout", "prod"),
          Key: marshall(CONTROL_ITEM_KEY),
        }),
      );
      assert.deepEqual(unmarshall(item.Item ?? {}), MALFORMED, "the malformed record was left as it was");
    });
  }
});

/** Runs the CLI in a process of its own without blocking this one; killed after 20 s. */
function spawnAsync(
  argv: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr });
    });
  });
}
