import assert from "node:assert/strict";
import { cutInput, describeInput, quoteInput } from "../../components/domain";

describe("inputText: echoing a user's value in a message", () => {
  const cases: { name: string; got: string; want: string }[] = [
    { name: "a short value is kept", got: cutInput("dev"), want: "dev" },
    { name: "a value at the limit is kept", got: cutInput("a".repeat(60)), want: "a".repeat(60) },
    {
      name: "a longer value is cut, with its length",
      got: cutInput("a".repeat(61)),
      want: `${"a".repeat(60)}… (61 characters)`,
    },
    { name: "the limit can be given", got: cutInput("abcdef", 3), want: "abc… (6 characters)" },
    {
      name: "characters, not UTF-16 units, are counted",
      got: cutInput("😀😀😀", 2),
      want: "😀😀… (3 characters)",
    },
    { name: "quoted when short", got: quoteInput('a "b"'), want: '"a \\"b\\""' },
    {
      name: "quoted and cut, the length outside the quotes",
      got: quoteInput("abcdef", 3),
      want: '"abc…" (6 characters)',
    },
    { name: "undefined is nothing", got: describeInput(undefined), want: "nothing" },
    { name: "a string is quoted", got: describeInput("RED"), want: '"RED"' },
    { name: "a number is JSON", got: describeInput(12), want: "12" },
    {
      name: "an object is JSON, cut",
      got: describeInput({ a: "bcdefgh" }, 8),
      want: '{"a":"bc… (15 characters)',
    },
  ];
  for (const { name, got, want } of cases) {
    it(name, () => assert.equal(got, want));
  }
});
