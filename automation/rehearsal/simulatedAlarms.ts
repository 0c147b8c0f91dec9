/**
 * The simulated stack's CloudWatch alarms: every colour's composite and members plus the team's
 * extra alarms, all OK until an event says otherwise, read as DescribeAlarms answers.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import type { AlarmReading, AlarmSource, AlarmStateValue } from "../ports";
import type { ScenarioProblem } from "./scenario";
import { awsServiceError, throwIfAborted } from "./simulatedErrors";
import type { SimulatedFaults } from "./simulatedFaults";
import {
  SimulatedAlarmNames,
  enabledAlarmKeys,
  memberAlarmName,
  simulatedAlarmNames,
} from "./simulatedProgram";
import { COLOURS, Colour } from "../../components/domain";

interface AlarmEntry {
  readonly state: AlarmStateValue;
  readonly at: number;
  readonly reason?: string;
}

const DEFAULT_REASONS: Record<AlarmStateValue, string> = {
  OK: "Threshold Crossed: no datapoints were breaching the threshold",
  ALARM: "Threshold Crossed: 2 out of the last 2 datapoints were breaching the threshold",
  INSUFFICIENT_DATA: "Insufficient Data: 1 datapoint was unknown",
};

/** What the alarms need from the world around them. */
export interface SimulatedAlarmsContext {
  readonly config: BluegreenConfig;
  readonly stackName: string;
  readonly faults: SimulatedFaults;
  /** The virtual time alarms are OK from. */
  readonly startMs: number;
  /** Fires the world's events due by now, so a read sees them. */
  settle(): void;
}

/** The alarms of one simulated stack. */
export class SimulatedAlarms {
  /** The port: reads alarm states as DescribeAlarms answers. */
  readonly port: AlarmSource;
  /** The alarm names the stack has. */
  readonly names: SimulatedAlarmNames;
  private readonly all: ReadonlySet<string>;
  private readonly entries = new Map<string, AlarmEntry>();

  constructor(private readonly context: SimulatedAlarmsContext) {
    this.names = simulatedAlarmNames(context.config, context.stackName);
    this.all = new Set([
      ...COLOURS.flatMap((colour) => [this.names.composite[colour], ...this.names.members[colour]]),
      ...this.names.extra,
    ]);
    this.port = { read: (names, signal) => this.read(names, signal) };
  }

  /**
   * Sets the state of the named alarms as of `at`. A state already set for a later time wins, so
   * events fired late (a time already passed) do not undo newer ones.
   */
  set(names: readonly string[], state: AlarmStateValue, at: number, reason?: string): void {
    for (const name of names) {
      const previous = this.entries.get(name);
      if (previous && previous.at > at) continue;
      this.entries.set(name, { state, at, reason });
    }
  }

  /** `*`: the candidate's composite, its members and the extra alarms; a built-in key: the candidate's alarm. */
  resolve(target: string, candidate: Colour): string[] {
    if (target === "*") {
      return [this.names.composite[candidate], ...this.names.members[candidate], ...this.names.extra];
    }
    if (enabledAlarmKeys(this.context.config).includes(target)) {
      return [
        memberAlarmName(`${this.context.config.service.name}-${this.context.stackName}`, candidate, target),
      ];
    }
    return this.all.has(target) ? [target] : [];
  }

  /** What is wrong with an event's alarm target, located at `label`; nothing when the stack has it. */
  targetProblems(target: string, label: string): ScenarioProblem[] {
    const { config, stackName } = this.context;
    const keys = enabledAlarmKeys(config);
    if (target === "*" || this.all.has(target) || keys.includes(target)) return [];
    const gateway = config.service.platform === "kubernetes" && config.kubernetes?.routing.mode === "gateway";
    const builtIn = gateway
      ? "a name (gateway routing has no built-in alarm keys): one of"
      : `a built-in key of platform ${config.service.platform} that is enabled (${keys.join(", ") || "none"}) or one of the names`;
    return [
      {
        path: `${label}.alarm`,
        message: `${JSON.stringify(target)} is not an alarm of stack ${stackName}: use "*", ${builtIn} ${[...this.all].join(", ")}`,
      },
    ];
  }

  private async read(names: readonly string[], signal?: AbortSignal): Promise<AlarmReading[]> {
    const { faults } = this.context;
    this.context.settle();
    throwIfAborted(signal);
    // A killed process never gets its answer.
    if (faults.hanging()) return new Promise<AlarmReading[]>(() => undefined);
    if (faults.holds("alarms-unreadable") || faults.takeAlarmThrottle()) {
      throw awsServiceError("ThrottlingException", "Rate exceeded", {
        httpStatusCode: 400,
        throttling: true,
      });
    }
    const missing = new Set(faults.active("alarm-missing").flatMap((window) => [...(window.names ?? [])]));
    const broken = new Map<string, string>();
    for (const window of faults.active("evaluation-error")) {
      for (const name of window.names ?? []) broken.set(name, window.evaluationState ?? "EVALUATION_ERROR");
    }
    const readings: AlarmReading[] = [];
    for (const name of new Set(names)) {
      if (!this.all.has(name) || missing.has(name)) continue;
      const entry = this.state(name);
      const evaluationState = broken.get(name);
      readings.push({
        name,
        state: entry.state,
        // CloudWatch explains an evaluation problem in StateReason; a threshold reason would hide it.
        reason:
          entry.reason ??
          (evaluationState
            ? `EvaluationState ${evaluationState}: CloudWatch could not evaluate the alarm`
            : DEFAULT_REASONS[entry.state]),
        updatedAt: entry.at,
        ...(evaluationState ? { evaluationState } : {}),
      });
    }
    return readings;
  }

  /** A composite is in ALARM while any member is, as its `ALARM(a) OR ALARM(b)` rule says. */
  private state(name: string): AlarmEntry {
    const own = this.entries.get(name) ?? { state: "OK" as const, at: this.context.startMs };
    const colour = COLOURS.find((c) => this.names.composite[c] === name);
    if (!colour) return own;
    const firing = this.names.members[colour]
      .map((member) => ({ member, entry: this.entries.get(member) }))
      .filter(({ entry }) => entry?.state === "ALARM");
    if (firing.length === 0) return own;
    return {
      state: "ALARM",
      at: Math.max(...firing.map(({ entry }) => entry?.at ?? this.context.startMs)),
      reason: firing.map(({ member }) => `ALARM(${member}) is true`).join("; "),
    };
  }
}
