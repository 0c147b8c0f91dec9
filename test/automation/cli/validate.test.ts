import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../automation/cli/main";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, testIo, testServices } from "./support";

const INVALID = ecsStack()
  .replace("blue: 100\n    green: 0", 'blue: "90%"\n    green: 10')
  .replace("platform: ecs", "platform: ecs\n    colour: blue");

describe("bluegreen validate", () => {
  let project: ReturnType<typeof makeProject>;
  afterEach(() => project.cleanup());

  async function validate(argv: string[]) {
    const t = testIo(project.dir);
    const code = await run(["validate", ...argv], t.io, testServices({ clock: new VirtualClock(0) }));
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  }

  it("exits 0 when every stack file is valid", async () => {
    project = makeProject({ dev: ecsStack(), prod: ecsStack() });
    const result = await validate([]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, "stacks/Pulumi.dev.yaml: ok\nstacks/Pulumi.prod.yaml: ok\n");
  });

  it("exits 2 and prints each error as <file>: <key path>: <message>", async () => {
    project = makeProject({ dev: ecsStack(), prod: INVALID });
    const result = await validate([]);
    assert.equal(result.code, 2);
    const lines = result.stdout.trim().split("\n");
    assert.ok(lines.includes("stacks/Pulumi.dev.yaml: ok"), result.stdout);
    assert.ok(
      lines.some((line) =>
        line.startsWith(
          'stacks/Pulumi.prod.yaml: bluegreen:traffic.blue: expected a whole-number percent, got "90%"',
        ),
      ),
      result.stdout,
    );
    assert.ok(
      lines.some((line) => /^stacks\/Pulumi\.prod\.yaml: bluegreen:service: unknown key "colour"/.test(line)),
      result.stdout,
    );
    assert.match(result.stderr, /2 errors in 1 of 2 stack files/);
  });

  it("checks only the files given, relative to the project", async () => {
    project = makeProject({ dev: ecsStack(), prod: INVALID });
    const result = await validate(["stacks/Pulumi.dev.yaml"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "stacks/Pulumi.dev.yaml: ok\n");
  });

  it("reports a file that cannot be read", async () => {
    project = makeProject({});
    const result = await validate(["stacks/Pulumi.missing.yaml"]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^stacks\/Pulumi\.missing\.yaml: \(file\): cannot be read/);
  });

  it("prints warnings without failing", async () => {
    project = makeProject({
      dev: ecsStack({
        extra: "  bluegreen:alb:\n    stickiness:\n      enabled: true\n      duration: 86400",
      }),
    });
    const result = await validate([]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(
      result.stdout,
      /^stacks\/Pulumi\.dev\.yaml: warning: bluegreen:alb\.stickiness\.duration: clients stay pinned/m,
    );
    assert.match(result.stdout, /stacks\/Pulumi\.dev\.yaml: ok \(1 warning\)/);
  });

  it("warns, without failing, of a stack the guardian cannot watch", async () => {
    project = makeProject({ dev: ecsStack({ extra: "  bluegreen:control:\n    channel: file" }) });
    const result = await validate([]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(
      result.stdout,
      /^stacks\/Pulumi\.dev\.yaml: warning: bluegreen:guardian: no guardian watches this stack: it needs the DynamoDB control table/m,
    );
    assert.match(result.stdout, /stacks\/Pulumi\.dev\.yaml: ok \(1 warning\)/);
  });

  it("names each approval pause of a valid file's plan, as text and as JSON", async () => {
    const pausing = ecsStack({
      extra: [
        "  bluegreen:rollout:",
        "    steps:",
        "      - { weight: 10, bake: 5m, pause: true }",
        "      - { weight: 50, bake: 5m, pause: { timeout: 1h30m, onTimeout: promote } }",
        "      - { weight: 100, bake: 5m }",
      ].join("\n"),
    });
    project = makeProject({ dev: ecsStack(), prod: pausing });
    const text = await validate([]);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.equal(
      text.stdout,
      "stacks/Pulumi.dev.yaml: ok\nstacks/Pulumi.prod.yaml: ok; pauses for approval after step 1 (10%, no timeout), after step 2 (50%, promote after 1h30m)\n",
    );
    const json = JSON.parse((await validate(["--json"])).stdout) as { files: { pauses?: unknown }[] };
    assert.deepEqual(
      json.files.map((file) => file.pauses),
      [
        undefined,
        [
          { step: 1, weight: 10, onTimeout: "abort" },
          { step: 2, weight: 50, timeoutSeconds: 5400, onTimeout: "promote" },
        ],
      ],
    );
  });

  it("prints one JSON document with --json", async () => {
    project = makeProject({ dev: ecsStack(), prod: INVALID });
    const result = await validate(["--json"]);
    assert.equal(result.code, 2);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      files: { file: string; ok: boolean; errors: { path: string }[] }[];
    };
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.files.map((file) => [file.file, file.ok]),
      [
        ["stacks/Pulumi.dev.yaml", true],
        ["stacks/Pulumi.prod.yaml", false],
      ],
    );
    assert.ok(report.files[1].errors.some((error) => error.path === "bluegreen:traffic.blue"));
  });

  it("exits 2 when there is nothing to validate, saying where it looked and how to name the files", async () => {
    project = makeProject({});
    fs.rmSync(path.join(project.dir, "stacks"), { recursive: true });
    const result = await validate([]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      new RegExp(
        `no stack files to validate: found no Pulumi\\.<stack>\\.yaml in ${escape(project.dir)}/stacks;`,
      ),
    );
    assert.match(result.stderr, /or name the files: bluegreen validate .*Pulumi\.<stack>\.yaml/);
    assert.equal(result.stdout, "");
  });

  it("points at the project directory when run from a subdirectory of it", async () => {
    project = makeProject({ dev: ecsStack() });
    fs.writeFileSync(path.join(project.dir, "Pulumi.yaml"), "name: bluegreen\nruntime: nodejs\n");
    const infra = path.join(project.dir, "infra");
    fs.mkdirSync(infra);
    const t = testIo(infra);
    const code = await run(["validate"], t.io, testServices({ clock: new VirtualClock(0) }));
    assert.equal(code, 2);
    assert.match(
      t.stderr(),
      new RegExp(
        `run it in the project directory, ${escape(project.dir)}, or name the files: bluegreen validate \\.\\./stacks/Pulumi\\.<stack>\\.yaml`,
      ),
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
