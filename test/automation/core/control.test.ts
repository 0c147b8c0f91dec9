import assert from "node:assert/strict";
import { combineRequests, sameRequest } from "../../../automation/core/control";
import type { ControlRequest } from "../../../automation/ports";

const request = (kind: ControlRequest["kind"], at: number): ControlRequest => ({ kind, by: "ana", at });

describe("combining operator requests", () => {
  const cases: { name: string; pending?: ControlRequest; incoming: ControlRequest; kept: ControlRequest }[] =
    [
      {
        name: "nothing pending: the new request",
        incoming: request("promote", 2),
        kept: request("promote", 2),
      },
      {
        name: "a promote replaces a promote",
        pending: request("promote", 1),
        incoming: request("promote-full", 2),
        kept: request("promote-full", 2),
      },
      {
        name: "an abort replaces a promote",
        pending: request("promote", 1),
        incoming: request("abort", 2),
        kept: request("abort", 2),
      },
      {
        name: "a promote never replaces an abort",
        pending: request("abort", 1),
        incoming: request("promote-full", 2),
        kept: request("abort", 1),
      },
      {
        name: "a pause never replaces an abort",
        pending: request("abort", 1),
        incoming: request("pause", 2),
        kept: request("abort", 1),
      },
      {
        name: "a resume never replaces an abort",
        pending: request("abort", 1),
        incoming: request("resume", 2),
        kept: request("abort", 1),
      },
      {
        name: "a resume replaces a pause",
        pending: request("pause", 1),
        incoming: request("resume", 2),
        kept: request("resume", 2),
      },
      {
        name: "a later abort replaces an abort",
        pending: request("abort", 1),
        incoming: request("abort", 2),
        kept: request("abort", 2),
      },
    ];
  for (const testCase of cases) {
    it(testCase.name, () =>
      assert.deepEqual(combineRequests(testCase.pending, testCase.incoming), testCase.kept),
    );
  }

  it("tells the same request from another of the same kind", () => {
    assert.equal(sameRequest(request("promote", 1), request("promote", 1)), true);
    assert.equal(sameRequest(request("promote", 1), request("promote", 2)), false);
    assert.equal(sameRequest(undefined, request("promote", 1)), false);
  });
});
