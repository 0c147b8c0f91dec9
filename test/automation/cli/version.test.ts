import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../automation/cli/main";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, ndjson, testIo, testServices } from "./support";

const PACKAGE_VERSION = (
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8")) as {
    version: string;
  }
).version;

describe("bluegreen's own version", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
  });
  afterEach(() => project.cleanup());

  async function invoke(argv: string[]) {
    const t = testIo(project.dir);
    const code = await run(argv, t.io, testServices({ clock: new VirtualClock(1_700_000_000_000) }));
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  }

  for (const argv of [["version"], ["--version"], ["-V"]]) {
    it(`bluegreen ${argv.join(" ")} prints package.json's version and exits 0`, async () => {
      const result = await invoke(argv);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${PACKAGE_VERSION}\n`);
    });
  }

  it("leaves --version after a command to the command: the release's version", async () => {
    const result = await invoke(["rehearse", "--stack", "dev", "--version", "2.0.0", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const started = ndjson(result.stdout).find((event) => event.type === "started");
    assert.equal(started?.version, "2.0.0");
  });

  it("lists version among the commands", async () => {
    const result = await invoke(["--help"]);
    assert.match(result.stdout, /^\s+version\s+print bluegreen's own version$/m);
    assert.match(result.stdout, /-V, --version\s+print bluegreen's own version/);
  });
});
