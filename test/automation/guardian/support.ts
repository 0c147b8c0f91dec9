/**
 * What the guardian tests share: a target, a run, and an in-memory router that counts its writes.
 */
import type { ControlRun } from "../../../automation/core/controlRecord";
import type { Readiness, TrafficRouter } from "../../../automation/ports";
import type { GuardianTarget, TrafficSplit } from "../../../components/domain";

/** A Lambda-routed target of stack dev, with alarms per colour. */
export function guardianTarget(overrides: Partial<GuardianTarget> = {}): GuardianTarget {
  return {
    stack: "dev",
    service: "checkout",
    platform: "lambda",
    region: "eu-west-1",
    routing: {
      kind: "lambda",
      functionName: "checkout-dev",
      aliasName: "live",
      aliasArn: "arn:aws:lambda:eu-west-1:123456789012:function:checkout-dev:live",
      versions: { blue: "3", green: "4" },
    },
    alarms: {
      blue: { composite: "checkout-dev-blue", members: ["checkout-dev-blue-errors"] },
      green: { composite: "checkout-dev-green", members: ["checkout-dev-green-errors"] },
    },
    controlTableName: "bluegreen-checkout-dev",
    driverTimeoutSeconds: 300,
    ...overrides,
  };
}

/** A run of version 2.0.0 moving traffic from blue to green, at its 50% step. */
export function halfwayRun(startedAt: number, runId = "run-1"): ControlRun {
  return {
    runId,
    version: "2.0.0",
    candidate: "green",
    stable: "blue",
    position: { step: 2, of: 4 },
    weights: { blue: 50, green: 50 },
    startedBy: "ci",
    startedAt,
  };
}

/** A router holding the split in memory; `failWrites` makes the next writes throw. */
export class MemoryRouter implements TrafficRouter {
  writes: TrafficSplit[] = [];
  failWrites = 0;

  constructor(public split: TrafficSplit) {}

  async read(): Promise<TrafficSplit> {
    return { ...this.split };
  }

  async write(split: TrafficSplit): Promise<void> {
    if (this.failWrites > 0) {
      this.failWrites -= 1;
      throw new Error("ThrottlingException: Rate exceeded");
    }
    this.writes.push(split);
    this.split = { ...split };
  }

  async readiness(): Promise<Readiness> {
    return { ready: true, detail: "in memory" };
  }

  async preTrafficCheck(): Promise<Readiness> {
    return { ready: true, detail: "in memory" };
  }
}
