import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(__dirname, "../../..");
const ENTRY = path.join(ROOT, "automation/guardian/lambda.ts");

describe("the guardian's Lambda entry bundles into one file for Node.js 22", function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-guardian-bundle-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("with no Pulumi, no CLI and no file of the project left to load at run time", async () => {
    const outfile = path.join(dir, "index.js");
    const built = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      outfile,
      metafile: true,
      logLevel: "silent",
    });
    assert.deepEqual(built.errors, []);
    const inputs = Object.keys(built.metafile.inputs);
    assert.deepEqual(
      inputs.filter((input) => /@pulumi|automation\/cli\/|ts-node|tsx/.test(input)),
      [],
      "nothing of Pulumi or the CLI in the bundle",
    );
    const code = fs.readFileSync(outfile, "utf8");
    assert.doesNotMatch(
      code,
      /require\(["'][./]+(automation|components|infra)\//,
      "no project file required at run time",
    );
    const loaded = (await import(outfile)) as { handler?: unknown };
    assert.equal(typeof loaded.handler, "function");
  });
});
