import * as assert from "node:assert/strict";
import { checkPulumiCli, parseVersion } from "../../../../automation/adapters/pulumi/cliCheck";

function missing(): Promise<string> {
  const error = new Error("spawn pulumi ENOENT") as NodeJS.ErrnoException;
  error.code = "ENOENT";
  return Promise.reject(error);
}

describe("checkPulumiCli", () => {
  const cases: { name: string; run: () => Promise<string>; ok: boolean; detail: RegExp }[] = [
    {
      name: "no CLI on PATH",
      run: missing,
      ok: false,
      detail: /Pulumi CLI not found .*get\.pulumi\.com.*Pulumi 3 \(>= 3\.199\.0\)/,
    },
    {
      name: "Pulumi 2",
      run: async () => "v2.25.2\n",
      ok: false,
      detail: /found Pulumi v2\.25\.2; .*upgrade/,
    },
    {
      name: "Pulumi 3 older than the minimum",
      run: async () => "v3.100.0\n",
      ok: false,
      detail: /found Pulumi v3\.100\.0/,
    },
    { name: "a future major version", run: async () => "v4.0.0", ok: false, detail: /needs Pulumi 3/ },
    {
      name: "Pulumi 3 at the minimum",
      run: async () => "v3.199.0\n",
      ok: true,
      detail: /^Pulumi v3\.199\.0/,
    },
    {
      name: "a newer Pulumi 3 dev build",
      run: async () => "v3.271.1-alpha.5+dirty",
      ok: true,
      detail: /v3\.271\.1-alpha/,
    },
    {
      name: "output that is not a version",
      run: async () => "command not found",
      ok: false,
      detail: /not a version/,
    },
    {
      name: "a CLI that fails to run",
      run: () => Promise.reject(new Error("Command failed: pulumi version\nsegfault")),
      ok: false,
      detail: /`pulumi version` failed: Command failed/,
    },
  ];
  for (const testCase of cases) {
    it(`${testCase.ok ? "passes" : "fails"} with ${testCase.name}`, async () => {
      const result = await checkPulumiCli({ runVersion: testCase.run }).run();
      assert.equal(result.ok, testCase.ok, result.detail);
      assert.match(result.detail, testCase.detail);
    });
  }

  it("honours a higher minimum version", async () => {
    const result = await checkPulumiCli({
      minimumVersion: "3.250.0",
      runVersion: async () => "v3.210.0",
    }).run();
    assert.equal(result.ok, false);
    assert.match(result.detail, />= 3\.250\.0/);
  });

  it("refuses a minimum that is not a version", () => {
    assert.throws(
      () => checkPulumiCli({ minimumVersion: "three" }),
      /minimumVersion "three" is not a version/,
    );
  });

  it("is named for the preflight report", () => {
    assert.equal(checkPulumiCli({ runVersion: missing }).name, "pulumi-cli");
  });

  it("reports a missing binary through the real runner", async () => {
    const result = await checkPulumiCli({ command: "/nonexistent/bin/pulumi" }).run();
    assert.equal(result.ok, false);
    assert.match(result.detail, /Pulumi CLI not found/);
  });
});

describe("parseVersion", () => {
  const cases: [string, ReturnType<typeof parseVersion>][] = [
    ["v3.170.0", { major: 3, minor: 170, patch: 0 }],
    ["3.1.2", { major: 3, minor: 1, patch: 2 }],
    ["v3.2.0-alpha.1", { major: 3, minor: 2, patch: 0 }],
    ["3.1", undefined],
    ["latest", undefined],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => assert.deepEqual(parseVersion(text), expected));
  }
});
