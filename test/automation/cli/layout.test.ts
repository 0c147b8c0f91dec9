import assert from "node:assert/strict";
import * as path from "node:path";
import { cycles, importsOf, layoutViolations, readSources } from "./importGraph";

const ROOT = path.resolve(__dirname, "../../..");

describe("the automation layout", () => {
  it("keeps every rule in the sources as they are", () => {
    const sources = readSources(ROOT, "automation", "components/domain");
    assert.ok(sources.has("automation/cli/main.ts"), "the sources were found");
    assert.deepEqual(layoutViolations(sources), []);
  });

  describe("reads the imports a source file names", () => {
    const sources = new Map([
      ["automation/cli/a.ts", ""],
      ["automation/cli/b/index.ts", ""],
    ]);
    const cases: { name: string; text: string; edges: { target: string; typeOnly: boolean }[] }[] = [
      {
        name: "a value import, resolved to its file",
        text: 'import { x } from "./a";',
        edges: [{ target: "automation/cli/a.ts", typeOnly: false }],
      },
      {
        name: "an import type",
        text: 'import type { X } from "./a";',
        edges: [{ target: "automation/cli/a.ts", typeOnly: true }],
      },
      {
        name: "only type specifiers, over several lines",
        text: 'import {\n  type X,\n  type Y,\n} from "./a";',
        edges: [{ target: "automation/cli/a.ts", typeOnly: true }],
      },
      {
        name: "a type and a value specifier",
        text: 'import { type X, y } from "./a";',
        edges: [{ target: "automation/cli/a.ts", typeOnly: false }],
      },
      {
        name: "a side-effect import",
        text: 'import "./a";',
        edges: [{ target: "automation/cli/a.ts", typeOnly: false }],
      },
      {
        name: "a re-export, resolved to an index",
        text: 'export { x } from "./b";',
        edges: [{ target: "automation/cli/b/index.ts", typeOnly: false }],
      },
      {
        name: "a lazy require, and the typeof import() that types it",
        text: 'const w = require("./a") as typeof import("./a");',
        edges: [
          { target: "automation/cli/a.ts", typeOnly: false },
          { target: "automation/cli/a.ts", typeOnly: true },
        ],
      },
      {
        name: "a package",
        text: 'import { Command } from "commander";',
        edges: [{ target: "commander", typeOnly: false }],
      },
    ];
    for (const { name, text, edges } of cases) {
      it(name, () => {
        assert.deepEqual(
          importsOf("automation/cli/main.ts", text, sources).map((edge) => ({ ...edge })),
          edges,
        );
      });
    }
  });

  describe("finds each arrow that must not come back", () => {
    const cases: { name: string; sources: Record<string, string>; violation: RegExp | undefined }[] = [
      {
        name: "output importing a CLI type",
        sources: {
          "automation/output/planText.ts": 'import type { PlanDescription } from "../cli/plan";',
          "automation/cli/plan.ts": "",
        },
        violation: /automation\/output\/planText\.ts imports automation\/cli\/plan\.ts/,
      },
      {
        name: "the core importing a value from the config module",
        sources: {
          "automation/core/plan.ts": 'import { otherColour } from "../../infra/config/schema";',
        },
        violation: /automation\/core\/plan\.ts imports infra\/config\/schema\.ts for more than types/,
      },
      {
        name: "the core importing a package",
        sources: { "automation/core/plan.ts": 'import { z } from "zod";' },
        violation: /automation\/core\/plan\.ts imports zod/,
      },
      {
        name: "the core importing values from the domain",
        sources: {
          "automation/core/plan.ts": 'import { splitFor } from "../../components/domain";',
          "components/domain/index.ts": "",
        },
        violation: undefined,
      },
      {
        name: "the domain importing the project",
        sources: {
          "components/domain/traffic.ts": 'import { NAMESPACE } from "../../infra/config/validate";',
        },
        violation:
          /components\/domain\/traffic\.ts imports infra\/config\/validate\.ts: the domain imports nothing but zod/,
      },
      {
        name: "the domain importing a package other than zod",
        sources: { "components/domain/outputs.ts": 'import * as pulumi from "@pulumi/pulumi";' },
        violation: /imports @pulumi\/pulumi: the domain imports nothing but zod/,
      },
      {
        name: "the core importing only types from outside itself",
        sources: {
          "automation/core/plan.ts":
            'import type { BluegreenConfig } from "../../infra/config/validate";\nimport { isSplit } from "./alarms";',
          "automation/core/alarms.ts": "",
        },
        violation: undefined,
      },
      {
        name: "two CLI modules importing each other, one through a lazy require",
        sources: {
          "automation/cli/services.ts": 'const w = require("./wiring");',
          "automation/cli/wiring.ts": 'import type { ConnectRequest } from "./services";',
        },
        violation: /cycle through the CLI: automation\/cli\/services\.ts -> automation\/cli\/wiring\.ts/,
      },
      {
        name: "a cycle that leaves the CLI and comes back",
        sources: {
          "automation/cli/control.ts": 'import { WATCHED_WITHIN_POLLS } from "../rollout";',
          "automation/rollout/index.ts": 'import { deliver } from "../cli/control";',
        },
        violation: /cycle through the CLI/,
      },
      {
        name: "a chain without a cycle",
        sources: {
          "automation/cli/services.ts": 'const w = require("./wiring");',
          "automation/cli/wiring.ts": 'import type { ConnectRequest } from "./connection";',
          "automation/cli/connection.ts": "",
        },
        violation: undefined,
      },
    ];
    for (const { name, sources, violation } of cases) {
      it(name, () => {
        const found = layoutViolations(new Map(Object.entries(sources)));
        if (violation === undefined) assert.deepEqual(found, []);
        else
          assert.ok(
            found.some((line) => violation.test(line)),
            found.join("\n") || "no violation found",
          );
      });
    }
  });

  it("reports a module importing itself as a cycle, and a tree as none", () => {
    assert.deepEqual(cycles(new Map([["a", ["a"]]])), [["a"]]);
    assert.deepEqual(
      cycles(
        new Map([
          ["a", ["b", "c"]],
          ["b", ["c"]],
          ["c", []],
        ]),
      ),
      [],
    );
  });
});
