import assert from "node:assert/strict";
import { run } from "../../../automation/cli/main";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, testIo, testServices } from "./support";

describe("bluegreen command line", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack(), prod: ecsStack() });
  });
  afterEach(() => project.cleanup());

  async function invoke(
    argv: string[],
  ): Promise<{ code: number; stdout: string; stderr: string; connects: number }> {
    const t = testIo(project.dir);
    const services = testServices({ clock: new VirtualClock(1_700_000_000_000) });
    const code = await run(argv, t.io, services);
    return { code, stdout: t.stdout(), stderr: t.stderr(), connects: services.connects };
  }

  const usageErrors: { argv: string[]; names: RegExp }[] = [
    { argv: ["rollout", "--version", "1.5.0"], names: /required option '--stack <env>' not specified/ },
    { argv: ["rollout", "--stack", "dev"], names: /required option '--version <v>' not specified/ },
    { argv: ["status"], names: /required option '--stack <env>'/ },
    { argv: ["abort"], names: /required option '--stack <env>'/ },
    { argv: ["promote"], names: /required option '--stack <env>'/ },
    { argv: ["plan"], names: /required option '--stack <env>'/ },
    { argv: ["rehearse", "--stack", "dev"], names: /required option '--version <v>'/ },
    {
      argv: ["rehearse", "--stack", "dev", "--version", "1.5.0", "--speed", "fast"],
      names: /--speed <n>.*'fast' is invalid/,
    },
    { argv: ["rehearse", "--stack", "dev", "--version", "1.5.0", "--speed", "0"], names: /--speed <n>/ },
    {
      argv: ["rollout", "--stack", "dev", "--version", "1.5.0", "--colour", "red"],
      names: /unknown option '--colour'/,
    },
    { argv: ["deploy"], names: /unknown command 'deploy'/ },
    {
      argv: ["rollout", "--stack", "qa", "--version", "1.5.0"],
      names: /--stack "qa": there is no stacks\/Pulumi\.qa\.yaml; available stacks: dev, prod/,
    },
    { argv: ["plan", "--stack", "qa"], names: /--stack "qa".*available stacks: dev, prod/ },
    {
      argv: ["rollout", "--stack", "dev", "--version", "1.5.0:latest"],
      names:
        /--version "1\.5\.0:latest": expected a version of letters, digits.*for example --version 1\.4\.2/,
    },
    { argv: ["rehearse", "--stack", "dev", "--version", "-rc1"], names: /--version/ },
  ];
  for (const { argv, names } of usageErrors) {
    it(`exits 2 and names the argument: ${argv.join(" ")}`, async () => {
      const result = await invoke(argv);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, names);
      assert.equal(result.connects, 0, "nothing may be reached before the arguments are valid");
      assert.equal(result.stdout, "");
    });
  }

  it("prints help with the exit codes and exits 0", async () => {
    const result = await invoke(["rollout", "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: bluegreen rollout/);
    assert.match(result.stdout, /--resume/);
    assert.match(result.stdout, /3 {2}rolled back/);
  });

  it("exits 2 with the help when no command is given", async () => {
    const result = await invoke([]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Usage: bluegreen/);
  });

  it("rejects an invalid stack file before connecting, naming file and key", async () => {
    const bad = makeProject({ dev: ecsStack().replace("blue: 100", "blue: 90") });
    try {
      const t = testIo(bad.dir);
      const services = testServices({ clock: new VirtualClock(0) });
      const code = await run(["rollout", "--stack", "dev", "--version", "1.5.0"], t.io, services);
      assert.equal(code, 2);
      assert.match(t.stderr(), /stacks\/Pulumi\.dev\.yaml: bluegreen:traffic: blue 90 \+ green 0 = 90/);
      assert.equal(services.connects, 0);
    } finally {
      bad.cleanup();
    }
  });
});
