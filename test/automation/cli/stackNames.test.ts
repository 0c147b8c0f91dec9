import assert from "node:assert/strict";
import { stackFileNameProblem, stackNameProblem } from "../../../automation/cli/stacks";

describe("stack names", () => {
  const names: { name: string; ok: boolean }[] = [
    { name: "dev", ok: true },
    { name: "orders-dev", ok: true },
    { name: "eu_west.prod-2", ok: true },
    { name: "A1", ok: true },
    { name: "s".repeat(100), ok: true },
    { name: "s".repeat(101), ok: false },
    { name: "", ok: false },
    { name: "a b", ok: false },
    { name: "a/b", ok: false },
    { name: "..", ok: false },
    { name: ".hidden", ok: false },
    { name: "dév", ok: false },
    { name: "dev\n", ok: false },
  ];
  for (const { name, ok } of names) {
    it(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 20)}…` : name)} is ${ok ? "" : "not "}a stack name`, () => {
      const problem = stackNameProblem(name);
      if (ok) assert.equal(problem, undefined);
      else
        assert.match(problem ?? "", /is not a valid stack name: a stack name is at most 100 letters, digits/);
    });
  }

  const files: { base: string; problem?: RegExp }[] = [
    { base: "Pulumi.dev.yaml" },
    { base: "notes.yaml" },
    { base: "Pulumi.a b.yaml", problem: /"a b" is not a valid stack name.*; rename the file$/ },
    { base: "Pulumi.qa.yml", problem: /ignores this one: rename it to Pulumi\.qa\.yaml$/ },
    { base: "Pulumi.a b.yml", problem: /"a b" is not a valid stack name/ },
  ];
  for (const { base, problem } of files) {
    it(`the file ${base} ${problem ? "is refused" : "is fine"}`, () => {
      const found = stackFileNameProblem(base);
      if (problem) assert.match(found ?? "", problem);
      else assert.equal(found, undefined);
    });
  }
});
