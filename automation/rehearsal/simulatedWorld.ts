/**
 * The simulated environment a rehearsal runs the real driver against: a deployed stack, its live
 * routing, its alarms and an operator's control channel, all behind the driver's ports and all
 * moving on a virtual clock. Scenario events change the world at their time; faults change how
 * the ports behave during their window and not outside it.
 */
import { COLOURS, Colour, TrafficSplit, otherColour } from "../../infra/config/schema";
import type { BluegreenConfig } from "../../infra/config/validate";
import type { Routing, StackOutputs } from "../../infra/outputs";
import type {
  AlarmReading,
  AlarmSource,
  AlarmStateValue,
  ControlChannel,
  Readiness,
  ReleaseValues,
  StackLock,
  StackPort,
  TrafficRouter,
  UpdateOptions,
  UpdateResult,
} from "../ports";
import { MemoryControlChannel } from "./memoryControlChannel";
import type { FaultKind, Scenario, ScenarioEvent } from "./scenario";
import { ScenarioError } from "./scenario";
import { awsServiceError, commandError, kubernetesApiError, throwIfAborted } from "./simulatedErrors";
import {
  SimulatedAlarmNames,
  SimulatedDeployment,
  changedResources,
  enabledAlarmKeys,
  memberAlarmName,
  simulateProgram,
  simulatedAlarmNames,
} from "./simulatedProgram";
import type { DriverDeps } from "../rollout";
import type { EventSink } from "../events";
import type { VirtualClock } from "./virtualClock";

/** Options of a simulated world. */
export interface SimulatedWorldOptions {
  /** The stack's validated config: the world starts deployed from its values. */
  readonly config: BluegreenConfig;
  readonly stackName: string;
  readonly clock: VirtualClock;
  readonly scenario?: Scenario;
  /** The virtual time scenario times count from. @default the clock's time at construction */
  readonly startMs?: number;
  /**
   * What the last completed update applied; `false` for a stack that was never deployed.
   * @default the config's traffic, slots, stable colour and revision
   */
  readonly deployed?: ReleaseValues | false;
  /** The split the platform serves at the start. @default the deployed traffic */
  readonly live?: TrafficSplit;
  /**
   * Virtual milliseconds an update takes. Scenario events due meanwhile fire during it.
   * @default 0 for both
   */
  readonly updateDurations?: { readonly fullMs?: number; readonly targetedMs?: number };
}

/** An event to inject; `at` counts from the world's start and defaults to now. */
export type InjectedEvent = ScenarioEvent extends infer E
  ? E extends ScenarioEvent
    ? Omit<E, "at"> & { readonly at?: number }
    : never
  : never;

/** One update the simulated stack applied. */
export interface RecordedUpdate {
  /** The URNs of a targeted update; absent for a full update. */
  readonly targets?: readonly string[];
  /** Resources the update changed. */
  readonly changed: number;
  /** Virtual epoch milliseconds when it was applied. */
  readonly at: number;
  readonly message: string;
  /** Set when the update was saved and then threw (`up-throws-after-save`). */
  readonly error?: string;
}

/** One direct write through the traffic router. */
export interface RecordedWrite {
  readonly split: TrafficSplit;
  readonly at: number;
  /** Set when the write failed (`weight-write-fails`). */
  readonly error?: string;
}

type WindowKind = Extract<
  FaultKind,
  | "alarms-unreadable"
  | "weight-write-fails"
  | "stack-locked"
  | "alarm-missing"
  | "candidate-unhealthy"
  | "pre-traffic-check-fails"
  | "evaluation-error"
>;

interface FaultWindow {
  readonly kind: WindowKind;
  readonly from: number;
  readonly until: number;
  /** The candidate colour when the fault began (readiness and pre-traffic faults). */
  readonly colour?: Colour;
  /** The alarms the fault hides or breaks. */
  readonly names?: ReadonlySet<string>;
  readonly evaluationState?: string;
  readonly lock?: StackLock;
}

interface PendingEvent {
  readonly event: ScenarioEvent;
  /** Where the event came from, for messages: `events[3]` or `injected event 2`. */
  readonly label: string;
  readonly atMs: number;
  readonly sequence: number;
  fired: boolean;
}

interface AlarmEntry {
  readonly state: AlarmStateValue;
  readonly at: number;
  readonly reason?: string;
}

const DEFAULT_LOCK_HOLDER = "deploy@ci-runner-7 (pid 4242)";

const DEFAULT_REASONS: Record<AlarmStateValue, string> = {
  OK: "Threshold Crossed: no datapoints were breaching the threshold",
  ALARM: "Threshold Crossed: 2 out of the last 2 datapoints were breaching the threshold",
  INSUFFICIENT_DATA: "Insufficient Data: 1 datapoint was unknown",
};

/**
 * A deployed stack with its routing and alarms, simulated in memory on a virtual clock. It
 * implements the driver's ports, so the same driver code that runs against AWS and Pulumi runs
 * against it.
 */
export class SimulatedWorld {
  /** The stack: outputs, release values, updates, previews and its lock. */
  readonly stack: StackPort;
  /** The live routing. */
  readonly router: TrafficRouter;
  /** The alarms, as DescribeAlarms answers. */
  readonly alarms: AlarmSource;
  /** Where operator events arrive. */
  readonly control: ControlChannel;
  /** Aborted when a scenario `signal` event fires (SIGINT/SIGTERM). */
  readonly signal: AbortSignal;

  private readonly config: BluegreenConfig;
  private readonly stackName: string;
  private readonly clock: VirtualClock;
  private readonly startMs: number;
  private readonly names: SimulatedAlarmNames;
  private readonly allAlarmNames: ReadonlySet<string>;
  private readonly channel = new MemoryControlChannel();
  private readonly controller = new AbortController();
  private readonly updateDurations: { fullMs: number; targetedMs: number };

  private values: ReleaseValues;
  private deployedValues: ReleaseValues | undefined;
  private deployment: SimulatedDeployment | undefined;
  private live: TrafficSplit | undefined;
  private readonly alarmEntries = new Map<string, AlarmEntry>();
  private readonly windows: FaultWindow[] = [];
  private readonly pendingUpdateFaults: ("up-fails" | "up-throws-after-save")[] = [];
  private readonly pending: PendingEvent[] = [];
  private readonly recordedUpdates: RecordedUpdate[] = [];
  private readonly recordedWrites: RecordedWrite[] = [];
  private receivedSignal: "SIGINT" | "SIGTERM" | undefined;
  private sequence = 0;
  private injected = 0;

  constructor(options: SimulatedWorldOptions) {
    this.config = options.config;
    this.stackName = options.stackName;
    this.clock = options.clock;
    this.startMs = options.startMs ?? options.clock.now();
    this.updateDurations = {
      fullMs: options.updateDurations?.fullMs ?? 0,
      targetedMs: options.updateDurations?.targetedMs ?? 0,
    };
    this.names = simulatedAlarmNames(this.config, this.stackName);
    this.allAlarmNames = new Set([
      ...COLOURS.flatMap((colour) => [this.names.composite[colour], ...this.names.members[colour]]),
      ...this.names.extra,
    ]);
    this.signal = this.controller.signal;
    this.control = this.channel;

    this.values = copyValues({
      traffic: this.config.traffic,
      slots: this.config.slots,
      stable: this.config.stable,
      revision: this.config.revision,
    });
    if (options.deployed !== false) {
      this.deployedValues = copyValues(options.deployed ?? this.values);
      this.deployment = simulateProgram(this.config, this.stackName, this.deployedValues);
      this.live = { ...(options.live ?? this.deployedValues.traffic) };
    }

    this.stack = this.stackPort();
    this.router = this.routerPort();
    this.alarms = { read: (names, signal) => this.readAlarms(names, signal) };

    const events = options.scenario?.events ?? [];
    const problems = events.flatMap((event, index) => this.targetProblems(event, `events[${index}]`));
    if (problems.length > 0) throw new ScenarioError(problems);
    events.forEach((event, index) => this.enqueue(event, `events[${index}]`));
    this.flush();
  }

  /** The split the platform serves now. */
  /**
   * The driver's ports over this world: its stack, router, alarms and control channel, its virtual
   * clock unless another is given (a paced clock, for watching a rehearsal unfold).
   */
  driverDeps(
    events: EventSink,
    overrides: Partial<Pick<DriverDeps, "clock" | "control" | "random" | "preflightChecks">> = {},
  ): DriverDeps {
    return {
      stack: this.stack,
      router: this.router,
      alarms: this.alarms,
      control: overrides.control ?? this.control,
      clock: overrides.clock ?? this.clock,
      events,
      random: overrides.random ?? (() => 0.5),
      preflightChecks: overrides.preflightChecks,
    };
  }

  liveSplit(): TrafficSplit {
    this.flush();
    return { ...this.requireLive() };
  }

  /** The outputs of the last completed update. */
  deployedOutputs(): StackOutputs {
    this.flush();
    return this.requireDeployment().outputs;
  }

  /** The release values in the stack's config now. */
  stackValues(): ReleaseValues {
    return copyValues(this.values);
  }

  /** Every update the stack applied, in order. */
  updates(): RecordedUpdate[] {
    return this.recordedUpdates.map((update) => ({ ...update }));
  }

  /** Every direct write through the router, in order, failed ones included. */
  routerWrites(): RecordedWrite[] {
    return this.recordedWrites.map((write) => ({ ...write, split: { ...write.split } }));
  }

  /** The alarm names the stack has. */
  alarmNames(): { composite: Record<Colour, string>; members: Record<Colour, string[]>; extra: string[] } {
    return {
      composite: { ...this.names.composite },
      members: { blue: [...this.names.members.blue], green: [...this.names.members.green] },
      extra: [...this.names.extra],
    };
  }

  /** The signal a scenario delivered, if any. */
  deliveredSignal(): "SIGINT" | "SIGTERM" | undefined {
    return this.receivedSignal;
  }

  /**
   * Injects an event directly, with the same effect as a scenario event. `at` counts from the
   * world's start; an event at or before now takes effect at once (a window counts from `at`).
   */
  inject(event: InjectedEvent): void {
    this.injected += 1;
    const label = `injected event ${this.injected}`;
    const full = { ...event, at: event.at ?? this.clock.now() - this.startMs } as ScenarioEvent;
    const problems = this.targetProblems(full, label);
    if (problems.length > 0) throw new ScenarioError(problems, "inject");
    this.enqueue(full, label);
    this.flush();
  }

  private enqueue(event: ScenarioEvent, label: string): void {
    this.sequence += 1;
    const entry: PendingEvent = {
      event,
      label,
      atMs: this.startMs + event.at,
      sequence: this.sequence,
      fired: false,
    };
    this.pending.push(entry);
    this.clock.schedule(entry.atMs, () => this.flush());
  }

  /**
   * Fires every event due by now, in time order. Ports call it first, so an event takes effect at
   * its time even when the driver reaches a port before sleeping past that time.
   */
  private flush(): void {
    const now = this.clock.now();
    for (;;) {
      let next: PendingEvent | undefined;
      for (const entry of this.pending) {
        if (entry.fired || entry.atMs > now) continue;
        if (!next || entry.atMs < next.atMs || (entry.atMs === next.atMs && entry.sequence < next.sequence)) {
          next = entry;
        }
      }
      if (!next) return;
      next.fired = true;
      this.fire(next.event, next.atMs);
    }
  }

  private fire(event: ScenarioEvent, atMs: number): void {
    if ("operator" in event) {
      this.channel.post({ kind: event.operator, by: event.by ?? "operator", at: atMs });
      return;
    }
    if ("signal" in event) {
      this.receivedSignal ??= event.signal;
      const reason = new Error(`received ${event.signal}`);
      reason.name = "AbortError";
      this.controller.abort(reason);
      return;
    }
    if (!("fault" in event)) {
      for (const name of this.resolveAlarms(event.alarm)) {
        const previous = this.alarmEntries.get(name);
        if (previous && previous.at > atMs) continue;
        this.alarmEntries.set(name, { state: event.state, at: atMs, reason: event.reason });
      }
      return;
    }
    const until = (duration: number | undefined) => (duration === undefined ? Infinity : atMs + duration);
    switch (event.fault) {
      case "weights-drift":
        if (this.live) this.live = { ...event.weights };
        return;
      case "up-fails":
      case "up-throws-after-save":
        this.pendingUpdateFaults.push(event.fault);
        return;
      case "stack-locked":
        this.windows.push({
          kind: event.fault,
          from: atMs,
          until: until(event.for),
          lock: { holder: event.holder ?? DEFAULT_LOCK_HOLDER, alive: event.alive },
        });
        return;
      case "alarm-missing":
        this.windows.push({
          kind: event.fault,
          from: atMs,
          until: until(event.for),
          names: new Set(this.resolveAlarms(event.alarm)),
        });
        return;
      case "evaluation-error":
        this.windows.push({
          kind: event.fault,
          from: atMs,
          until: until(event.for),
          names: new Set(this.resolveAlarms(event.alarm)),
          evaluationState: event.evaluationState ?? "EVALUATION_ERROR",
        });
        return;
      case "candidate-unhealthy":
      case "pre-traffic-check-fails":
        this.windows.push({
          kind: event.fault,
          from: atMs,
          until: until(event.for),
          colour: this.candidate(),
        });
        return;
      case "alarms-unreadable":
      case "weight-write-fails":
        this.windows.push({ kind: event.fault, from: atMs, until: until(event.for) });
        return;
    }
  }

  /** The non-stable colour of the deployed stack (of the stack file, before a first deployment). */
  private candidate(): Colour {
    return otherColour((this.deployedValues ?? this.values).stable);
  }

  /** The windows of a kind active now. */
  private active(kind: WindowKind): FaultWindow[] {
    const now = this.clock.now();
    return this.windows.filter((window) => window.kind === kind && window.from <= now && now < window.until);
  }

  /** `*`: the candidate's composite, its members and the extra alarms; a built-in key: the candidate's alarm. */
  private resolveAlarms(target: string): string[] {
    const candidate = this.candidate();
    if (target === "*") {
      return [this.names.composite[candidate], ...this.names.members[candidate], ...this.names.extra];
    }
    if (enabledAlarmKeys(this.config).includes(target)) {
      return [memberAlarmName(`${this.config.service.name}-${this.stackName}`, candidate, target)];
    }
    return this.allAlarmNames.has(target) ? [target] : [];
  }

  private targetProblems(event: ScenarioEvent, label: string): { path: string; message: string }[] {
    if (!("alarm" in event)) return [];
    const target = event.alarm;
    if (target === "*" || this.allAlarmNames.has(target) || enabledAlarmKeys(this.config).includes(target)) {
      return [];
    }
    const keys = enabledAlarmKeys(this.config);
    const builtIn = this.gatewayRouting()
      ? "a name (gateway routing has no built-in alarm keys): one of"
      : `a built-in key of platform ${this.config.service.platform} that is enabled (${keys.join(", ") || "none"}) or one of the names`;
    return [
      {
        path: `${label}.alarm`,
        message: `${JSON.stringify(target)} is not an alarm of stack ${this.stackName}: use "*", ${builtIn} ${[...this.allAlarmNames].join(", ")}`,
      },
    ];
  }

  private requireDeployment(): SimulatedDeployment {
    if (!this.deployment) {
      throw new Error(`stack ${this.stackName} has never been deployed: run an update first`);
    }
    return this.deployment;
  }

  private requireLive(): TrafficSplit {
    if (!this.live) {
      const message = `stack ${this.stackName} has never been deployed: there is no routing to read or write`;
      if (this.gatewayRouting()) throw kubernetesApiError(404, "NotFound", message);
      throw awsServiceError(
        this.config.service.platform === "lambda" ? "ResourceNotFoundException" : "ListenerNotFoundException",
        message,
        { httpStatusCode: 404 },
      );
    }
    return this.live;
  }

  /** Whether traffic moves through an HTTPRoute (Kubernetes in gateway mode) rather than AWS. */
  private gatewayRouting(): boolean {
    return (
      this.config.service.platform === "kubernetes" && this.config.kubernetes?.routing.mode === "gateway"
    );
  }

  private stackPort(): StackPort {
    return {
      name: this.stackName,
      outputs: async (signal) => {
        this.flush();
        throwIfAborted(signal);
        return this.deployment?.outputs;
      },
      readValues: async () => copyValues(this.values),
      writeValues: async (values) => {
        this.values = copyValues(values);
      },
      update: (options) => this.update(options),
      previewChanges: async (signal) => {
        this.flush();
        throwIfAborted(signal);
        return this.previewChanges();
      },
      lock: async () => {
        this.flush();
        return this.currentLock();
      },
    };
  }

  private currentLock(): StackLock | undefined {
    const window = this.active("stack-locked").at(-1);
    return window?.lock ? { ...window.lock } : undefined;
  }

  private async update(options: UpdateOptions): Promise<UpdateResult> {
    this.flush();
    throwIfAborted(options.signal);
    const duration = options.targets ? this.updateDurations.targetedMs : this.updateDurations.fullMs;
    if (duration > 0) {
      await this.clock.sleep(duration, options.signal);
      this.flush();
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
    const fault = this.pendingUpdateFaults.shift();
    if (fault === "up-fails") {
      throw commandError(
        `code: 255\nstderr: error: update failed: 1 error occurred while updating stack ${this.stackName}; no resources were changed`,
      );
    }
    const plan = this.planUpdate(options.targets);
    if (plan.routingChanges && this.active("weight-write-fails").length > 0) {
      throw commandError(
        `code: 255\nstderr: error: updating ${plan.trafficUrn}: ${this.routingFailureMessage()}; no resources were changed`,
      );
    }

    this.deployedValues = plan.values;
    this.deployment = plan.deployment;
    if (plan.appliesTraffic) this.live = { ...plan.values.traffic };
    const record: RecordedUpdate = {
      ...(options.targets ? { targets: [...options.targets] } : {}),
      changed: plan.changed,
      at: this.clock.now(),
      message: options.message,
    };
    if (fault === "up-throws-after-save") {
      const message =
        "code: 255\nstderr: error: the update completed but reading its outputs failed: " +
        "failed to get stack outputs: unexpected end of JSON input";
      this.recordedUpdates.push({ ...record, error: message });
      throw commandError(message);
    }
    this.recordedUpdates.push(record);
    return { changed: plan.changed, outputs: plan.deployment.outputs };
  }

  /**
   * What an update with the stack's current values would apply. A full update applies every
   * value; a targeted update applies only the traffic, and only when the resource that carries it
   * is targeted: slots and the stable colour reach resources outside the routing.
   * Like `pulumi up --refresh`, a live split that differs from the values counts as a change of
   * the routing resource and is written back.
   */
  private planUpdate(targets: readonly string[] | undefined): {
    values: ReleaseValues;
    deployment: SimulatedDeployment;
    changed: number;
    appliesTraffic: boolean;
    routingChanges: boolean;
    trafficUrn: string;
  } {
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
          `code: 255\nstderr: error: target ${unknown.map((urn) => `'${urn}'`).join(", ")} does not exist in stack ${this.stackName}`,
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
    const liveDrift = this.live !== undefined && !sameSplit(this.live, values.traffic);
    if (appliesTraffic && liveDrift) changedUrns.add(trafficUrn);
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
      return simulateProgram(this.config, this.stackName, values, previous);
    } catch (error) {
      throw commandError(
        `code: 255\nstderr: error: the program rejected the stack values: ${(error as Error).message}`,
      );
    }
  }

  /** Resources whose config differs from the deployment, plus the routing when the live split drifted. */
  private previewChanges(): number {
    const desired = this.simulate(this.values, this.deployment?.outputs);
    const changed = new Set(
      changedResources(this.deployment?.resources ?? [], desired.resources).map((r) => r.urn),
    );
    const trafficUrn = desired.resources.find((resource) => resource.carriesTraffic)?.urn;
    if (trafficUrn && this.live && !sameSplit(this.live, this.values.traffic)) changed.add(trafficUrn);
    return changed.size;
  }

  /** The error a direct write of the routing fails with during `weight-write-fails`. */
  private writeFailure(kind: Routing["kind"]): Error {
    switch (kind) {
      case "gateway":
        return kubernetesApiError(500, "InternalError", "etcdserver: request timed out");
      case "lambda":
        return awsServiceError("ServiceException", "The AWS Lambda service encountered an internal error.", {
          httpStatusCode: 500,
        });
      case "alb":
        return awsServiceError(
          "InternalFailure",
          "The request processing has failed because of an unknown error, exception or failure.",
          { httpStatusCode: 500 },
        );
    }
  }

  private routingFailureMessage(): string {
    if (this.gatewayRouting()) return "the server has received an error: etcdserver: request timed out";
    return this.config.service.platform === "lambda"
      ? "ServiceException: The AWS Lambda service encountered an internal error."
      : "InternalFailure: The request processing has failed because of an unknown error, exception or failure.";
  }

  private routerPort(): TrafficRouter {
    return {
      read: async (signal) => {
        this.flush();
        throwIfAborted(signal);
        return { ...this.requireLive() };
      },
      write: async (split, signal) => {
        this.flush();
        throwIfAborted(signal);
        const deployment = this.requireDeployment();
        this.requireLive();
        const at = this.clock.now();
        if (!isSplit(split)) {
          const message = `invalid traffic split blue ${split.blue}, green ${split.green}: each must be a whole percent 0-100 and the two must sum to 100`;
          const error =
            deployment.outputs.routing.kind === "gateway"
              ? kubernetesApiError(422, "Invalid", message)
              : awsServiceError(
                  deployment.outputs.routing.kind === "lambda"
                    ? "InvalidParameterValueException"
                    : "ValidationError",
                  message,
                  { httpStatusCode: 400 },
                );
          this.recordedWrites.push({ split: { ...split }, at, error: error.message });
          throw error;
        }
        if (this.active("weight-write-fails").length > 0) {
          const error = this.writeFailure(deployment.outputs.routing.kind);
          this.recordedWrites.push({ split: { ...split }, at, error: `${error.name}: ${error.message}` });
          throw error;
        }
        this.live = { blue: split.blue, green: split.green };
        this.recordedWrites.push({ split: { ...split }, at });
      },
      readiness: async (colour, signal) => {
        this.flush();
        throwIfAborted(signal);
        return this.readiness(colour);
      },
      preTrafficCheck: async (colour, signal) => {
        this.flush();
        throwIfAborted(signal);
        return this.preTrafficCheck(colour);
      },
    };
  }

  private unhealthy(kind: "candidate-unhealthy" | "pre-traffic-check-fails", colour: Colour): boolean {
    return this.active(kind).some((window) => window.colour === colour);
  }

  private readiness(colour: Colour): Readiness {
    const routing = this.requireDeployment().outputs.routing;
    const healthy = !this.unhealthy("candidate-unhealthy", colour);
    if (routing.kind === "lambda") {
      const version = routing.versions[colour];
      return healthy
        ? { ready: true, detail: `version ${version} is Active` }
        : { ready: false, detail: `version ${version} is Failed: InvalidZipFileException` };
    }
    const count = this.config.ecs?.desiredCount ?? this.config.kubernetes?.replicas ?? 2;
    if (routing.kind === "gateway") {
      const where = `${colour}'s deployment ${routing.namespace}/${routing.serviceNames[colour]}`;
      return healthy
        ? { ready: true, detail: `${count} of ${count} pods ready in ${where}` }
        : { ready: false, detail: `0 of ${count} pods ready in ${where}` };
    }
    const group = routing.targetGroupArns[colour].split("/")[1];
    return healthy
      ? { ready: true, detail: `${count} of ${count} targets healthy in ${group}` }
      : { ready: false, detail: `0 of ${count} targets healthy in ${group} (Target.FailedHealthChecks)` };
  }

  private preTrafficCheck(colour: Colour): Readiness {
    const routing = this.requireDeployment().outputs.routing;
    const failing =
      this.unhealthy("pre-traffic-check-fails", colour) || this.unhealthy("candidate-unhealthy", colour);
    if (routing.kind === "lambda") {
      const target = `${routing.functionName}:${routing.versions[colour]}`;
      return failing
        ? { ready: false, detail: `test invocation of ${target} returned FunctionError Unhandled` }
        : { ready: true, detail: `test invocation of ${target} returned 200` };
    }
    const base =
      routing.kind === "alb"
        ? routing.testEndpoint
        : `/api/v1/namespaces/${routing.namespace}/services/${routing.serviceNames[colour]}:${this.servicePort()}/proxy`;
    const results = this.config.rollout.preTrafficCheck.paths.map(
      (check) =>
        `GET ${base}${check.path} -> ${failing ? 503 : check.expectStatus}${failing ? ` (expected ${check.expectStatus})` : ""}`,
    );
    return { ready: !failing, detail: results.join("; ") };
  }

  /** The colours' Service port in gateway mode, where pre-traffic checks go through the API server's proxy. */
  private servicePort(): number {
    const routing = this.config.kubernetes?.routing;
    return routing?.mode === "gateway" ? routing.servicePort : 80;
  }

  private async readAlarms(names: readonly string[], signal?: AbortSignal): Promise<AlarmReading[]> {
    this.flush();
    throwIfAborted(signal);
    if (this.active("alarms-unreadable").length > 0) {
      throw awsServiceError("ThrottlingException", "Rate exceeded", {
        httpStatusCode: 400,
        throttling: true,
      });
    }
    const missing = new Set(this.active("alarm-missing").flatMap((window) => [...(window.names ?? [])]));
    const broken = new Map<string, string>();
    for (const window of this.active("evaluation-error")) {
      for (const name of window.names ?? []) broken.set(name, window.evaluationState ?? "EVALUATION_ERROR");
    }
    const readings: AlarmReading[] = [];
    for (const name of new Set(names)) {
      if (!this.allAlarmNames.has(name) || missing.has(name)) continue;
      const entry = this.alarmState(name);
      const evaluationState = broken.get(name);
      readings.push({
        name,
        state: entry.state,
        reason: entry.reason ?? DEFAULT_REASONS[entry.state],
        updatedAt: entry.at,
        ...(evaluationState ? { evaluationState } : {}),
      });
    }
    return readings;
  }

  /** A composite is in ALARM while any member is, as its `ALARM(a) OR ALARM(b)` rule says. */
  private alarmState(name: string): AlarmEntry {
    const own = this.alarmEntries.get(name) ?? { state: "OK" as const, at: this.startMs };
    const colour = COLOURS.find((c) => this.names.composite[c] === name);
    if (!colour) return own;
    const firing = this.names.members[colour]
      .map((member) => ({ member, entry: this.alarmEntries.get(member) }))
      .filter(({ entry }) => entry?.state === "ALARM");
    if (firing.length === 0) return own;
    return {
      state: "ALARM",
      at: Math.max(...firing.map(({ entry }) => entry?.at ?? this.startMs)),
      reason: firing.map(({ member }) => `ALARM(${member}) is true`).join("; "),
    };
  }
}

function copyValues(values: ReleaseValues): ReleaseValues {
  return {
    traffic: { ...values.traffic },
    slots: { blue: { ...values.slots.blue }, green: { ...values.slots.green } },
    stable: values.stable,
    revision: values.revision,
  };
}

function sameSplit(a: TrafficSplit, b: TrafficSplit): boolean {
  return a.blue === b.blue && a.green === b.green;
}

function isSplit(split: TrafficSplit): boolean {
  return (
    Number.isInteger(split.blue) &&
    Number.isInteger(split.green) &&
    split.blue >= 0 &&
    split.green >= 0 &&
    split.blue + split.green === 100
  );
}
