import assert from "node:assert/strict";
import { run } from "../../../automation/cli/main";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { ecsStack, makeProject, testIo, testServices } from "./support";

describe("bluegreen rehearse --scaled-down", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject({ dev: ecsStack() });
  });
  afterEach(() => project.cleanup());

  async function rehearse(argv: string[]) {
    const t = testIo(project.dir);
    const code = await run(
      ["rehearse", "--stack", "dev", "--version", "1.5.0", ...argv],
      t.io,
      testServices({ clock: new VirtualClock(1_700_000_000_000) }),
    );
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  }

  it("scales the idle colour up before the pre-traffic check and the first step, a minute later", async () => {
    const result = await rehearse(["--scaled-down"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /\[ {5}0s\] deployed 1\.5\.0 to green.*\n\[ {5}0s\] scaling green up from 0 to 2 before it gets traffic \(it was scaled down while idle\)\n\[ {2}1m00s\] green scaled from 0 to 2 in 1m\n\[ {2}1m00s\] green is ready/,
    );
    assert.match(result.stdout, /\[ {2}1m00s\] step 1\/4: green 10%/);
  });

  it("without it both colours are warm: no scale-up, the first step at once", async () => {
    const result = await rehearse([]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /scaling|scaled/);
    assert.match(result.stdout, /\[ {5}0s\] step 1\/4: green 10%/);
  });
});
