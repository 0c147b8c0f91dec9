import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../automation/cli/main";
import { VirtualClock } from "../../../automation/rehearsal/virtualClock";
import { makeProject, ndjson, testIo, testServices } from "./support";

const REPO_STACKS = path.join(__dirname, "..", "..", "..", "stacks");
const ALARM_AT_7M = JSON.stringify({ events: [{ at: "7m", alarm: "*", state: "ALARM" }] });

describe("bluegreen rehearse on Kubernetes stacks", () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    const copy = (stack: string) => fs.readFileSync(path.join(REPO_STACKS, `Pulumi.${stack}.yaml`), "utf8");
    project = makeProject({ "eks-dev": copy("eks-dev"), "gateway-dev": copy("gateway-dev") });
    fs.writeFileSync(path.join(project.dir, "alarm.json"), ALARM_AT_7M);
  });
  afterEach(() => project.cleanup());

  async function rehearse(stack: string, extra: string[] = []) {
    const t = testIo(project.dir);
    const code = await run(
      ["rehearse", "--stack", stack, "--version", "3.2.0", "--json", ...extra],
      t.io,
      testServices({ clock: new VirtualClock(1_700_000_000_000) }),
    );
    return { code, events: ndjson(t.stdout()), stderr: t.stderr() };
  }

  const cases = [
    { stack: "eks-dev", composite: "catalog-eks-dev-green" },
    { stack: "gateway-dev", composite: "catalog-gateway-dev-green" },
  ];
  for (const { stack, composite } of cases) {
    it(`promotes ${stack} through the SOP plan and exits 0`, async () => {
      const result = await rehearse(stack);
      assert.equal(result.code, 0, JSON.stringify(result.events.at(-1)) + result.stderr);
      const shifted = result.events.filter((event) => event.type === "shifted");
      assert.deepEqual(
        shifted.map((event) => (event.weights as { green: number }).green),
        [10, 25, 50, 100],
      );
      const completed = result.events.at(-1);
      assert.equal(completed?.type, "completed");
      assert.equal(completed?.outcome, "promoted");
    });

    it(`rolls ${stack} back when every watched alarm fires at 7m and exits 3`, async () => {
      const result = await rehearse(stack, ["--scenario", "alarm.json"]);
      assert.equal(result.code, 3, JSON.stringify(result.events.at(-1)) + result.stderr);
      const alarm = result.events.find((event) => event.type === "alarm" && event.name === composite);
      assert.ok(alarm, `an alarm event for ${composite}`);
      const reverted = result.events.find((event) => event.type === "reverted");
      assert.deepEqual(reverted?.weights, { blue: 100, green: 0 });
      assert.equal(result.events.at(-1)?.outcome, "rolled-back");
      assert.equal(
        result.events.some((event) => event.type === "promoted"),
        false,
      );
    });
  }
});
