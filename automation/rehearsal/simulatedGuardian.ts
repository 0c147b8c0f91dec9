/**
 * The stack's guardian in a rehearsal, on the virtual clock: the same `runGuardian` the cloud
 * function runs, over the simulated router and the world's control record. Its schedule runs
 * every GUARDIAN_SCHEDULE_SECONDS from the rehearsal's start; its alarm path runs when an alarm
 * enters ALARM, GUARDIAN_ALARM_DELAY_MS later (EventBridge delivers a state change to the
 * function within seconds; two is the figure modelled). Runs never overlap: each waits for the
 * one before it, as one function instance would.
 */
import type { AlarmStateValue } from "../ports";
import type { GuardianTrigger } from "../core/guardian";
import { type GuardianResult, runGuardian } from "../guardian/guardian";
import type { MemoryControlChannel } from "./memoryControlChannel";
import type { VirtualClock } from "./virtualClock";
import { GUARDIAN_SCHEDULE_SECONDS, type GuardianTarget } from "../../components/domain/guardian";
import type { TrafficRouter } from "../ports";

/** The delay modelled between an alarm entering ALARM and the guardian's run for it. */
export const GUARDIAN_ALARM_DELAY_MS = 2_000;

/** A guardian run that reverted, and when (virtual epoch ms). */
export interface GuardianRevert {
  readonly at: number;
  readonly result: GuardianResult;
}

/** What the simulated guardian works on. */
export interface SimulatedGuardianOptions {
  readonly target: GuardianTarget;
  readonly record: MemoryControlChannel;
  readonly router: TrafficRouter;
  readonly clock: VirtualClock;
  /** The first schedule runs one period after this. */
  readonly startMs: number;
}

/** The guardian of a rehearsed stack. */
export class SimulatedGuardian {
  /** The first run that reverted, once one has. */
  revert: GuardianRevert | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: SimulatedGuardianOptions) {
    this.scheduleTick(options.startMs + GUARDIAN_SCHEDULE_SECONDS * 1000);
  }

  /** An alarm changed state at `atMs`: its state change reaches the guardian a moment later. */
  alarmChanged(names: readonly string[], state: AlarmStateValue, atMs: number): void {
    if (state !== "ALARM") return;
    for (const alarmName of names) {
      const at = atMs + GUARDIAN_ALARM_DELAY_MS;
      this.options.clock.schedule(at, () => this.enqueue({ kind: "alarm", alarmName, state, at }));
    }
  }

  /** No more runs: the rehearsal is over. */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once every run started so far has finished. */
  settled(): Promise<void> {
    return this.queue;
  }

  private scheduleTick(atMs: number): void {
    this.options.clock.schedule(atMs, () => {
      if (this.stopped) return;
      this.enqueue({ kind: "schedule", at: atMs });
      this.scheduleTick(atMs + GUARDIAN_SCHEDULE_SECONDS * 1000);
    });
  }

  private enqueue(trigger: GuardianTrigger): void {
    if (this.stopped) return;
    this.queue = this.queue.then(async () => {
      const { target, record, router } = this.options;
      // The run happens at its trigger's moment: the world's clock may already be further on
      // inside the sleep that fired it.
      const result = await runGuardian(
        {
          target,
          record,
          router: () => router,
          clock: { now: () => trigger.at, sleep: async () => undefined },
        },
        trigger,
      );
      if (result.outcome === "reverted" && this.revert === undefined)
        this.revert = { at: trigger.at, result };
    });
  }
}
