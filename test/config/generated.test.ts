import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { parse as parseYaml } from "yaml";
import {
  JSON_SCHEMA_FILE,
  README_FILE,
  generatedJsonSchema,
  generatedReadme,
} from "../../infra/config/generate";
import { referenceRows, stackFileJsonSchema } from "../../infra/config/reference";
import { namespaceSchema } from "../../infra/config/schema";
import { listStacks, parseStackFile, stackFilePath } from "../../infra/config/stackFile";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const MODELINE = "# yaml-language-server: $schema=./bluegreen.schema.json";

/** A validator of the committed JSON Schema, by a JSON Schema implementation rather than by zod. */
function stackFileValidator() {
  const ajv = new Ajv({ allErrors: true });
  return ajv.compile(JSON.parse(fs.readFileSync(JSON_SCHEMA_FILE, "utf8")) as object);
}

function stackDocument(stack: string): Record<string, unknown> {
  return parseYaml(fs.readFileSync(stackFilePath(PROJECT_DIR, stack), "utf8")) as Record<string, unknown>;
}

describe("generated from the config schema", () => {
  it("the README's config reference is the one the schema generates (run `npm run generate`)", async () => {
    const readme = fs.readFileSync(README_FILE, "utf8");
    assert.equal(
      readme,
      await generatedReadme(readme),
      "README.md's config table is stale: run `npm run generate`",
    );
  });

  it("stacks/bluegreen.schema.json is the one the schema generates (run `npm run generate`)", () => {
    assert.equal(
      fs.readFileSync(JSON_SCHEMA_FILE, "utf8"),
      generatedJsonSchema(),
      "stacks/bluegreen.schema.json is stale: run `npm run generate`",
    );
  });

  it("documents every key of the namespace, each with a meaning", () => {
    const rows = referenceRows();
    for (const key of Object.keys(namespaceSchema.shape)) {
      assert.ok(
        rows.some((row) => row.key === key || row.key.startsWith(`${key}.`)),
        `no row for bluegreen:${key}`,
      );
    }
    for (const row of rows) assert.notEqual(row.meaning, "", `bluegreen:${row.key} has no description`);
    const requiredKeys = rows.filter((row) => row.required === "yes").map((row) => row.key.split(".")[0]);
    assert.deepEqual([...new Set(requiredKeys)], ["service", "slots", "traffic"]);
  });
});

describe("the stack file JSON Schema", () => {
  const validate = stackFileValidator();

  for (const stack of listStacks(PROJECT_DIR)) {
    it(`accepts stacks/Pulumi.${stack}.yaml`, () => {
      assert.ok(validate(stackDocument(stack)), JSON.stringify(validate.errors, null, 2));
    });

    it(`is named on the first line of stacks/Pulumi.${stack}.yaml, which the config reading ignores`, () => {
      const text = fs.readFileSync(stackFilePath(PROJECT_DIR, stack), "utf8");
      assert.equal(text.split("\n")[0], MODELINE);
      const withLine = parseStackFile(text);
      const withoutLine = parseStackFile(text.slice(text.indexOf("\n") + 1));
      assert.ok("raw" in withLine && "raw" in withoutLine);
      assert.deepEqual(withLine.raw.values, withoutLine.raw.values);
    });
  }

  const rejected: { title: string; edit: (config: Record<string, unknown>) => void; error: RegExp }[] = [
    {
      title: "a typo in a bluegreen: key",
      edit: (config) => {
        config["bluegreen:trafic"] = config["bluegreen:traffic"];
      },
      error: /\.config should NOT have additional properties \{"additionalProperty":"bluegreen:trafic"\}/,
    },
    {
      title: "a weight written as a string",
      edit: (config) => {
        config["bluegreen:traffic"] = { blue: 90, green: "10%" };
      },
      error: /bluegreen:traffic.*green.*should be integer/,
    },
    {
      title: "a fractional weight",
      edit: (config) => {
        config["bluegreen:traffic"] = { blue: 89.5, green: 10.5 };
      },
      error: /should be integer/,
    },
    {
      title: "a plain value where a secret belongs",
      edit: (config) => {
        config["bluegreen:kubeconfig"] = "apiVersion: v1";
      },
      error: /bluegreen:kubeconfig.*should be object/,
    },
    {
      title: "a duration that is not one",
      edit: (config) => {
        config["bluegreen:rollout"] = { pollInterval: "5 minutes" };
      },
      error: /pollInterval.*should match pattern/,
    },
    {
      title: "a missing required key",
      edit: (config) => {
        delete config["bluegreen:slots"];
      },
      error: /should have required property 'bluegreen:slots'/,
    },
  ];
  for (const { title, edit, error } of rejected) {
    it(`rejects ${title}`, () => {
      const document = stackDocument("dev");
      const config = { ...(document.config as Record<string, unknown>) };
      edit(config);
      assert.equal(validate({ ...document, config }), false, `accepted ${title}`);
      const messages = (validate.errors ?? [])
        .map((problem) => `${problem.dataPath} ${problem.message} ${JSON.stringify(problem.params)}`)
        .join("\n");
      assert.match(messages, error);
    });
  }

  it("admits other namespaces, secrets of them, and Pulumi's own stack file keys", () => {
    const document = stackDocument("dev");
    const config = {
      ...(document.config as Record<string, unknown>),
      "aws:profile": "deploy",
      "kubernetes:context": { secure: "AAABAJ0xyz" },
      "bluegreen:kubeconfig": { secure: "AAABAJ0xyz" },
    };
    const stackFile = {
      ...document,
      config,
      secretsprovider: "awskms://alias/pulumi",
      encryptedkey: "AQICAHh",
      encryptionsalt: "v1:abc",
      environment: ["checkout/dev"],
    };
    assert.ok(validate(stackFile), JSON.stringify(validate.errors, null, 2));
    assert.equal(validate({ ...stackFile, confg: {} }), false, "a typo in a top-level key");
  });

  it("describes every bluegreen: key, and no key the schema does not have", () => {
    const config = (stackFileJsonSchema().properties as { config: { properties: Record<string, unknown> } })
      .config;
    assert.deepEqual(
      Object.keys(config.properties),
      Object.keys(namespaceSchema.shape).map((key) => `bluegreen:${key}`),
    );
  });
});

describe("the config schema's descriptions", () => {
  it("describe every key of the bluegreen: namespace, at every depth, for editors", () => {
    const undescribed: string[] = [];
    const visit = (schema: unknown, path: string) => {
      if (typeof schema !== "object" || schema === null) return;
      const node = schema as { properties?: Record<string, unknown>; items?: unknown; oneOf?: unknown[] };
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (typeof (child as { description?: unknown }).description !== "string")
          undescribed.push(`${path}.${key}`);
        visit(child, `${path}.${key}`);
      }
      visit(node.items, `${path}[]`);
      for (const option of node.oneOf ?? []) visit(option, path);
    };
    const config = (stackFileJsonSchema().properties as { config: { properties: Record<string, unknown> } })
      .config;
    for (const [key, schema] of Object.entries(config.properties)) {
      if (typeof (schema as { description?: unknown }).description !== "string") undescribed.push(key);
      visit(schema, key);
    }
    assert.deepEqual(undescribed, []);
  });
});
