/**
 * A driver killed outright (SIGKILL, a cancelled runner, a lost network) in a rehearsal: from the
 * `driver-killed` moment on, every call the driver makes to the world never answers and its
 * events go nowhere, so it neither reverts nor completes, exactly as a dead process. Its claim
 * and its last heartbeat stay in the control record, for the guardian to find.
 */
import type { DriverDeps } from "../rollout";

/** A promise that never settles: the answer a dead process waits for. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** The kill switch of one rehearsed driver. */
export class DriverKill {
  /** When the driver was killed (virtual epoch ms); undefined while it lives. */
  killedAt: number | undefined;
  /** Resolves with the moment the driver is killed. */
  readonly whenKilled: Promise<number>;
  private resolveKilled: (at: number) => void = () => undefined;

  constructor() {
    this.whenKilled = new Promise((resolve) => (this.resolveKilled = resolve));
  }

  /** Kills the driver at `atMs`. */
  kill(atMs: number): void {
    if (this.killedAt !== undefined) return;
    this.killedAt = atMs;
    this.resolveKilled(atMs);
  }

  /** The driver's ports, dead from the kill on; the clock still tells the time. */
  wrap(deps: DriverDeps): DriverDeps {
    const dead = (): boolean => this.killedAt !== undefined;
    return {
      ...deps,
      stack: this.silenced(deps.stack),
      router: this.silenced(deps.router),
      alarms: this.silenced(deps.alarms),
      control: this.silenced(deps.control),
      clock: {
        now: () => deps.clock.now(),
        sleep: (ms, signal) => (dead() ? never() : deps.clock.sleep(ms, signal)),
      },
      events: { emit: (event) => (dead() ? undefined : deps.events.emit(event)) },
    };
  }

  /** `port` with every method answering never once the driver is dead. */
  private silenced<T extends object>(port: T): T {
    return new Proxy(port, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) =>
          this.killedAt !== undefined ? never() : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
  }
}
