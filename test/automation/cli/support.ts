/**
 * Helpers for the CLI tests: a project directory with stack files, an in-memory CliIo, and
 * services that never reach Pulumi or AWS.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { InspectableControlChannel } from "../../../automation/cli/control";
import type { CliIo, StopCause } from "../../../automation/cli/io";
import type { ConnectRequest } from "../../../automation/cli/connection";
import { type CliServices, localHistory } from "../../../automation/cli/services";
import type { DriverDeps } from "../../../automation/rollout";
import type { Clock } from "../../../automation/ports";
import { MemoryControlChannel } from "../../../automation/rehearsal/memoryControlChannel";

/** A valid ECS stack file; `extra` lines are appended under `config:`. */
export function ecsStack(options: { extra?: string; region?: boolean } = {}): string {
  return [
    "config:",
    ...(options.region === false ? [] : ["  aws:region: eu-west-1"]),
    "  bluegreen:service:",
    "    name: checkout",
    "    platform: ecs",
    "  bluegreen:slots:",
    "    blue:",
    '      version: "1.4.1"',
    "    green:",
    '      version: "1.4.0"',
    "  bluegreen:traffic:",
    "    blue: 100",
    "    green: 0",
    "  bluegreen:network:",
    "    vpcId: vpc-0abc1234",
    "    publicSubnetIds: [subnet-0abc1234, subnet-0def5678]",
    "    privateSubnetIds: [subnet-0aaa1111]",
    "  bluegreen:ecs:",
    "    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout",
    ...(options.extra ? [options.extra] : []),
    "",
  ].join("\n");
}

/** A temporary project with `stacks/Pulumi.<name>.yaml` for each entry; removed by `cleanup`. */
export function makeProject(stacks: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bluegreen-cli-"));
  fs.mkdirSync(path.join(dir, "stacks"));
  for (const [name, text] of Object.entries(stacks)) {
    fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${name}.yaml`), text);
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A CliIo over strings, with a way to raise signals. */
export interface TestIo {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
  /** Delivers a signal (or the parent's exit) to the listeners the command registered. */
  raise(signal: StopCause): void;
  /** How many signal listeners are registered now. */
  listeners(): number;
}

/** An in-memory CliIo for the project directory. */
export function testIo(cwd: string, options: { env?: Record<string, string>; isTTY?: boolean } = {}): TestIo {
  let out = "";
  let err = "";
  const listeners = new Set<(signal: StopCause) => void>();
  const io: CliIo = {
    stdout: { write: (text) => void (out += text) },
    stderr: { write: (text) => void (err += text) },
    env: { BLUEGREEN_AUDIT_LOG: path.join(cwd, "audit.ndjson"), ...options.env },
    cwd,
    isTTY: options.isTTY ?? false,
    onSignal(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    who: () => "tester@example.com",
  };
  return {
    io,
    stdout: () => out,
    stderr: () => err,
    raise: (signal) => listeners.forEach((listener) => listener(signal)),
    listeners: () => listeners.size,
  };
}

/** The NDJSON lines of a `--json` run, parsed. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Services over a clock and a control channel; `connect` builds ports from the given factory or
 * refuses; `notifiers`, when given, stands for reading the stack's notification config;
 * `historyStore`, when given, is the stacks' shared release history (else they keep none).
 */
export function testServices(options: {
  clock: Clock;
  control?: InspectableControlChannel;
  connect?: (request: ConnectRequest) => Promise<DriverDeps>;
  notifiers?: CliServices["notifiers"];
  historyStore?: CliServices["historyStore"];
}): CliServices & { connects: number } {
  const services = {
    connects: 0,
    clock: options.clock,
    control: () => options.control ?? new MemoryControlChannel(),
    history: localHistory,
    historyStore: options.historyStore,
    notifiers: options.notifiers,
    async connect(request: ConnectRequest): Promise<DriverDeps> {
      services.connects += 1;
      if (!options.connect) throw new Error("this command must not connect to Pulumi or AWS");
      return options.connect(request);
    },
  };
  return services;
}
