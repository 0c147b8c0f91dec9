import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CommandError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { checkStackExists } from "../../../../automation/adapters/pulumi/stackCheck";
import { commandText } from "./fakeStackHandle";

const PASSPHRASE = "correct horse battery staple";

describe("checkStackExists", () => {
  let projectDir: string;
  let selected: number;

  beforeEach(() => {
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-project-"));
    fs.writeFileSync(
      path.join(projectDir, "Pulumi.yaml"),
      "name: bluegreen\nruntime: nodejs\nstackConfigDir: stacks\n",
    );
    fs.mkdirSync(path.join(projectDir, "stacks"));
    selected = 0;
  });
  afterEach(() => {
    fs.rmSync(projectDir, { recursive: true, force: true });
  });

  function stackFile(text: string, dir = "stacks") {
    fs.writeFileSync(path.join(projectDir, dir, "Pulumi.dev.yaml"), text);
  }

  function check(env: Record<string, string | undefined>, select?: () => Promise<void>) {
    return checkStackExists(projectDir, "dev", {
      env,
      selectStack:
        select ??
        (async () => {
          selected++;
        }),
    }).run();
  }

  const salted = "encryptionsalt: v1:abc:def\nconfig:\n  bluegreen:traffic:\n    blue: 100\n    green: 0\n";

  it("passes when the passphrase is in the environment, without printing it", async () => {
    stackFile(salted);
    const result = await check({ PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });
    assert.equal(result.ok, true, result.detail);
    assert.equal(selected, 1);
    assert.match(result.detail, /PULUMI_CONFIG_PASSPHRASE is set/);
    assert.doesNotMatch(result.detail, /horse/);
  });

  it("accepts an explicitly empty passphrase", async () => {
    stackFile(salted);
    assert.equal((await check({ PULUMI_CONFIG_PASSPHRASE: "" })).ok, true);
  });

  it("passes with a readable passphrase file", async () => {
    stackFile(salted);
    const file = path.join(projectDir, "passphrase.txt");
    fs.writeFileSync(file, PASSPHRASE);
    const result = await check({ PULUMI_CONFIG_PASSPHRASE_FILE: file });
    assert.equal(result.ok, true, result.detail);
    assert.doesNotMatch(result.detail, /horse/);
  });

  it("fails naming a passphrase file that cannot be read", async () => {
    stackFile(salted);
    const result = await check({ PULUMI_CONFIG_PASSPHRASE_FILE: path.join(projectDir, "missing.txt") });
    assert.equal(result.ok, false);
    assert.match(
      result.detail,
      /PULUMI_CONFIG_PASSPHRASE_FILE names .*missing\.txt, which cannot be read \(ENOENT\)/,
    );
  });

  it("fails when the stack uses a passphrase and none is available", async () => {
    stackFile(salted);
    const result = await check({});
    assert.equal(result.ok, false);
    assert.match(result.detail, /encryptionsalt in stacks\/Pulumi\.dev\.yaml/);
    assert.match(result.detail, /neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set/);
  });

  it("needs no passphrase for a cloud secrets provider", async () => {
    stackFile("secretsprovider: awskms://alias/bluegreen?region=eu-west-1\nencryptedkey: AQIC\n");
    const result = await check({});
    assert.equal(result.ok, true, result.detail);
    assert.match(result.detail, /awskms provider/);
  });

  it("needs no passphrase for the backend's default provider", async () => {
    stackFile("config: {}\n");
    assert.equal((await check({})).ok, true);
  });

  it("fails with how to create a stack the backend does not have", async () => {
    stackFile(salted);
    const result = await check({ PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }, async () => {
      throw new StackNotFoundError(commandText("error: no stack named 'dev' found"));
    });
    assert.equal(result.ok, false);
    assert.match(result.detail, /stack dev does not exist .*`pulumi stack init dev`/);
  });

  it("fails with the CLI's error when the stack cannot be selected", async () => {
    stackFile(salted);
    const result = await check({ PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }, async () => {
      throw new CommandError(
        commandText("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions"),
      );
    });
    assert.equal(result.ok, false);
    assert.match(result.detail, /cannot select stack dev: error: PULUMI_ACCESS_TOKEN must be set/);
  });

  it("looks for the stack file in stackConfigDir, not next to Pulumi.yaml", async () => {
    stackFile(salted, ".");
    const result = await check({ PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });
    assert.equal(result.ok, false);
    assert.match(result.detail, /no stack file stacks\/Pulumi\.dev\.yaml/);
    assert.equal(selected, 0);
  });

  it("fails when the directory has no Pulumi.yaml", async () => {
    fs.rmSync(path.join(projectDir, "Pulumi.yaml"));
    const result = await check({});
    assert.equal(result.ok, false);
    assert.match(result.detail, /no Pulumi\.yaml in /);
  });
});
