/**
 * The simulated Pulumi stack: its config's release values, the deployment its last update saved,
 * updates (full or targeted at the routing) that count the resources they change as a preview
 * would, previews, and its lock. Errors are shaped like the Automation API's.
 */
import type { BluegreenConfig } from "../../infra/config/validate";
import type { ReleaseValues, StackLock, StackPort, UpdateOptions, UpdateResult } from "../ports";
import { commandError, throwIfAborted } from "./simulatedErrors";
import type { SimulatedFaults } from "./simulatedFaults";
import { SimulatedDeployment, changedResources, simulateProgram } from "./simulatedProgram";
import type { SimulatedRouter } from "./simulatedRouter";
import { Colour, TrafficSplit, otherColour, type StackOutputs, sameSplit } from "../../components/domain";

/** One update the simulated stack applied. */
export interface RecordedUpdate {
  /** The URNs of a targeted update; absent for a full update. */
  readonly targets?: readonly string[];
  /** Resources the update changed. */
  readonly changed: number;
  /** Virtual epoch milliseconds when it was applied. */
  readonly at: number;
  readonly message: string;
  /** The release values the update applied: what the deployment exports afterwards. */
  readonly values: ReleaseValues;
  /** Set when the update was saved and then threw (`up-throws-after-save`). */
  readonly error?: string;
}

/** One write of release values into the stack's config. */
export interface RecordedValueWrite {
  readonly values: ReleaseValues;
  /** Virtual epoch milliseconds. */
  readonly at: number;
}

/** What the stack needs from the world around it. */
export interface SimulatedStackContext {
  readonly config: BluegreenConfig;
  readonly stackName: string;
  readonly faults: SimulatedFaults;
  readonly now: () => number;
  /** Sleeps on the world's virtual clock (an update that takes time). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Fires the world's events due by now, so a call sees them. */
  settle(): void;
}

/** What an update would do. */
interface UpdatePlan {
  readonly values: ReleaseValues;
  readonly deployment: SimulatedDeployment;
  readonly changed: number;
  readonly appliesTraffic: boolean;
  readonly routingChanges: boolean;
  readonly trafficUrn: string;
}

/** The Pulumi stack of one simulated environment. */
export class SimulatedStack {
  /** The port: the driver's view of the stack. */
  readonly port: StackPort;
  private values: ReleaseValues;
  private deployedValues: ReleaseValues | undefined;
  private deployment: SimulatedDeployment | undefined;
  private readonly updates: RecordedUpdate[] = [];
  private readonly valueWrites: RecordedValueWrite[] = [];

  /**
   * @param router the routing an update applies its traffic to
   * @param values the release values in the stack's config at the start
   * @param deployed what the last completed update applied; undefined for a stack never deployed
   * @param durations virtual milliseconds a full and a targeted update take
   */
  constructor(
    private readonly context: SimulatedStackContext,
    private readonly router: SimulatedRouter,
    values: ReleaseValues,
    deployed: ReleaseValues | undefined,
    private readonly durations: { readonly fullMs: number; readonly targetedMs: number },
  ) {
    this.values = copyValues(values);
    if (deployed) {
      this.deployedValues = copyValues(deployed);
      this.deployment = simulateProgram(context.config, context.stackName, this.deployedValues);
    }
    this.port = {
      name: context.stackName,
      outputs: async (signal) => {
        context.settle();
        throwIfAborted(signal);
        return this.deployment?.outputs;
      },
      readValues: async () => copyValues(this.values),
      writeValues: async (next) => {
        this.values = copyValues(next);
        this.valueWrites.push({ values: copyValues(next), at: context.now() });
      },
      update: (options) => this.update(options),
      previewChanges: async (signal) => {
        context.settle();
        throwIfAborted(signal);
        return this.previewChanges();
      },
      lock: async () => {
        context.settle();
        return this.currentLock();
      },
    };
  }

  /** What the last completed update deployed; undefined before the first one. */
  deployed(): SimulatedDeployment | undefined {
    return this.deployment;
  }

  /** The release values in the stack's config now. */
  currentValues(): ReleaseValues {
    return copyValues(this.values);
  }

  /** Every update applied, in order. */
  recordedUpdates(): RecordedUpdate[] {
    return this.updates.map((update) => ({ ...update, values: copyValues(update.values) }));
  }

  /** Every write of release values, in order. */
  recordedValueWrites(): RecordedValueWrite[] {
    return this.valueWrites.map((write) => ({ ...write, values: copyValues(write.values) }));
  }

  /** The non-stable colour of the deployed stack (of the stack file, before a first deployment). */
  candidate(): Colour {
    return otherColour((this.deployedValues ?? this.values).stable);
  }

  private currentLock(): StackLock | undefined {
    const window = this.context.faults.active("stack-locked").at(-1);
    return window?.lock ? { ...window.lock } : undefined;
  }

  private async update(options: UpdateOptions): Promise<UpdateResult> {
    const { context } = this;
    context.settle();
    throwIfAborted(options.signal);
    const duration = options.targets ? this.durations.targetedMs : this.durations.fullMs;
    if (duration > 0) {
      await context.sleep(duration, options.signal);
      context.settle();
    }
    const lock = this.currentLock();
    if (lock) {
      throw commandError(
        `the stack is currently locked by 1 lock(s): ${lock.holder}${lock.alive ? "" : " (that process is no longer running)"}. ` +
          "Either wait for the other process to end or, if it is no longer running, remove the lock with `pulumi cancel`",
        "ConcurrentUpdateError",
      );
    }
    // A locked stack refuses the update before the engine runs, so it does not use up a pending fault.
    const fault = context.faults.takeUpdateFault();
    if (fault === "up-fails") {
      throw commandError(
        `code: 255\nstderr: error: update failed: 1 error occurred while updating stack ${context.stackName}; no resources were changed`,
      );
    }
    const plan = this.planUpdate(options.targets);
    if (plan.routingChanges && context.faults.holds("weight-write-fails")) {
      throw commandError(
        `code: 255\nstderr: error: updating ${plan.trafficUrn}: ${this.router.failureMessage()}; no resources were changed`,
      );
    }

    this.deployedValues = plan.values;
    this.deployment = plan.deployment;
    if (plan.appliesTraffic) this.router.apply(plan.values.traffic);
    const record: RecordedUpdate = {
      ...(options.targets ? { targets: [...options.targets] } : {}),
      changed: plan.changed,
      at: context.now(),
      message: options.message,
      values: copyValues(plan.values),
    };
    if (fault === "up-throws-after-save") {
      const message =
        "code: 255\nstderr: error: the update completed but reading its outputs failed: " +
        "failed to get stack outputs: unexpected end of JSON input";
      this.updates.push({ ...record, error: message });
      throw commandError(message);
    }
    this.updates.push(record);
    return { changed: plan.changed, outputs: plan.deployment.outputs };
  }

  /**
   * What an update with the stack's current values would apply. A full update applies every
   * value; a targeted update applies only the traffic, and only when the resource that carries it
   * is targeted: slots and the stable colour reach resources outside the routing.
   * Like `pulumi up --refresh`, a live split that differs from the values counts as a change of
   * the routing resource and is written back.
   */
  private planUpdate(targets: readonly string[] | undefined): UpdatePlan {
    const previous = this.deployment;
    let values = copyValues(this.values);
    let deployment = this.simulate(values, previous?.outputs);
    const trafficUrn = deployment.resources.find((resource) => resource.carriesTraffic)?.urn ?? "";
    let appliesTraffic = true;
    if (targets) {
      const known = new Set(previous?.resources.map((resource) => resource.urn) ?? []);
      const unknown = targets.filter((urn) => !known.has(urn));
      if (unknown.length > 0) {
        throw commandError(
          `code: 255\nstderr: error: target ${unknown.map((urn) => `'${urn}'`).join(", ")} does not exist in stack ${this.context.stackName}`,
        );
      }
      const base = this.deployedValues ?? values;
      appliesTraffic = targets.includes(trafficUrn);
      values = {
        ...copyValues(base),
        traffic: appliesTraffic ? { ...values.traffic } : { ...base.traffic },
        revision: values.revision,
      };
      deployment = this.simulate(values, previous?.outputs);
    }
    const changedUrns = new Set(
      changedResources(previous?.resources ?? [], deployment.resources).map((r) => r.urn),
    );
    if (appliesTraffic && this.liveDiffers(values.traffic)) changedUrns.add(trafficUrn);
    return {
      values,
      deployment,
      changed: changedUrns.size,
      appliesTraffic,
      routingChanges: appliesTraffic && changedUrns.has(trafficUrn),
      trafficUrn,
    };
  }

  private simulate(values: ReleaseValues, previous: StackOutputs | undefined): SimulatedDeployment {
    try {
      return simulateProgram(this.context.config, this.context.stackName, values, previous);
    } catch (error) {
      throw commandError(
        `code: 255\nstderr: error: the program rejected the stack values: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Resources whose config differs from the deployment, plus the routing when the live split
   * drifted, plus any change made out of band.
   */
  private previewChanges(): number {
    const desired = this.simulate(this.values, this.deployment?.outputs);
    const changed = new Set(
      changedResources(this.deployment?.resources ?? [], desired.resources).map((r) => r.urn),
    );
    const trafficUrn = desired.resources.find((resource) => resource.carriesTraffic)?.urn;
    if (trafficUrn && this.liveDiffers(this.values.traffic)) changed.add(trafficUrn);
    return changed.size + this.context.faults.outOfBandChanges();
  }

  /** Whether a live split exists and differs from `traffic`. */
  private liveDiffers(traffic: TrafficSplit): boolean {
    const live = this.router.serving();
    return live !== undefined && !sameSplit(live, traffic);
  }
}

/** A deep copy of release values, so no caller can change the world's through a reference. */
export function copyValues(values: ReleaseValues): ReleaseValues {
  return {
    traffic: { ...values.traffic },
    slots: { blue: { ...values.slots.blue }, green: { ...values.slots.green } },
    stable: values.stable,
    revision: values.revision,
  };
}
