import assert from "node:assert/strict";
import { nextPollAt, planDuration, remainingBakeSeconds } from "../../../automation/core/plan";
import { formatSplit, isSplit, otherColour, sameSplit, splitFor } from "../../../components/domain";

const SOP = [
  { weight: 10, bakeSeconds: 300 },
  { weight: 25, bakeSeconds: 300 },
  { weight: 50, bakeSeconds: 300 },
  { weight: 100, bakeSeconds: 600 },
];

describe("core/plan", () => {
  it("planDuration sums the bakes: the SOP plan takes 25 minutes", () => {
    assert.equal(planDuration(SOP), 1500);
    assert.equal(planDuration([{ weight: 100, bakeSeconds: 60 }]), 60);
    assert.equal(planDuration([]), 0);
  });

  const pollCases: {
    name: string;
    start: number;
    bake: number;
    poll: number;
    now: number;
    expected: number;
  }[] = [
    { name: "first poll after the start", start: 0, bake: 300, poll: 10, now: 0, expected: 10_000 },
    {
      name: "on the grid, not drifting after a slow poll",
      start: 0,
      bake: 300,
      poll: 10,
      now: 13_500,
      expected: 20_000,
    },
    {
      name: "lands on the bake end when it comes before the grid",
      start: 0,
      bake: 25,
      poll: 10,
      now: 20_000,
      expected: 25_000,
    },
    {
      name: "after the bake end it keeps the grid",
      start: 0,
      bake: 25,
      poll: 10,
      now: 25_000,
      expected: 30_000,
    },
    {
      name: "grid counts from the step's start",
      start: 1_000_000,
      bake: 300,
      poll: 30,
      now: 1_000_001,
      expected: 1_030_000,
    },
    {
      name: "a poll exactly on the end of the grid",
      start: 0,
      bake: 300,
      poll: 10,
      now: 290_000,
      expected: 300_000,
    },
  ];
  for (const c of pollCases) {
    it(`nextPollAt: ${c.name}`, () => {
      assert.equal(nextPollAt(c.start, c.bake, c.poll, c.now), c.expected);
    });
  }

  it("remainingBakeSeconds counts down to 0 and never below", () => {
    assert.equal(remainingBakeSeconds(1000, 300, 1000), 300);
    assert.equal(remainingBakeSeconds(1000, 300, 61_000), 240);
    assert.equal(remainingBakeSeconds(1000, 300, 900_000), 0);
  });
});

describe("the domain's split helpers, as the core uses them", () => {
  it("splitFor gives the candidate its weight and the other colour the rest", () => {
    assert.deepEqual(splitFor("green", 10), { blue: 90, green: 10 });
    assert.deepEqual(splitFor("blue", 25), { blue: 25, green: 75 });
    assert.deepEqual(splitFor("green", 0), { blue: 100, green: 0 });
  });
  const shapes: { value: unknown; ok: boolean }[] = [
    { value: { blue: 90, green: 10 }, ok: true },
    { value: { blue: 0, green: 100 }, ok: true },
    { value: { blue: 90, green: 20 }, ok: false },
    { value: { blue: 89.5, green: 10.5 }, ok: false },
    { value: { blue: "90", green: 10 }, ok: false },
    { value: { blue: 110, green: -10 }, ok: false },
    { value: undefined, ok: false },
    { value: null, ok: false },
  ];
  for (const c of shapes) {
    it(`isSplit(${JSON.stringify(c.value)}) is ${c.ok}`, () => {
      assert.equal(isSplit(c.value), c.ok);
    });
  }
  it("sameSplit, other and formatSplit", () => {
    assert.equal(sameSplit({ blue: 90, green: 10 }, { blue: 90, green: 10 }), true);
    assert.equal(sameSplit({ blue: 90, green: 10 }, { blue: 75, green: 25 }), false);
    assert.equal(otherColour("blue"), "green");
    assert.equal(otherColour("green"), "blue");
    assert.equal(formatSplit({ blue: 90, green: 10 }), "blue 90 / green 10");
  });
});
