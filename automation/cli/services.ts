/**
 * What the commands reach the world through. The defaults are the real thing (Pulumi, AWS, files,
 * the wall clock); tests replace them, so `status`, `abort` and `promote` are tested without AWS.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { auditLogPath } from "../audit";
import { AuditLogHistory } from "../adapters/auditLogHistory";
import type { HistoryStore } from "../adapters/control/dynamoHistoryStore";
import { FileControlChannel, DEFAULT_CONTROL_DIR } from "../adapters/control/fileControlChannel";
import { SystemClock } from "../adapters/systemClock";
import { quoteInput } from "../../components/domain";
import type { DeploymentHistory } from "../report/history";
import type { DriverDeps } from "../rollout";
import type { Clock } from "../ports";
import type { ConnectRequest } from "./connection";
import type { InspectableControlChannel } from "./control";
import { describeFsError } from "./inputFiles";
import { type CliIo, UsageError } from "./io";
import { type NotifierRequest, type NotifierSetup, notificationsWanted } from "./notifications";
import type { LoadedStack } from "./stacks";

/** The world as the commands see it. */
export interface CliServices {
  /** The driver's ports for a real run of the stack. */
  connect(request: ConnectRequest): Promise<DriverDeps>;
  /**
   * The stack's control channel, as its stack file chooses (`bluegreen:control.channel`): its
   * DynamoDB control table, or files under the control directory. Needs no Pulumi.
   */
  control(stack: LoadedStack, io: CliIo): InspectableControlChannel;
  /** Where `report --stack` reads past runs from when the stack keeps no shared history. */
  history(io: CliIo): DeploymentHistory;
  /**
   * The stack's shared release history: its DynamoDB control table's, or undefined for a stack
   * whose control channel is the file one (its history is the local audit log). Needs no Pulumi.
   * @default no shared history
   */
  historyStore?(stack: LoadedStack, io: CliIo): HistoryStore | undefined;
  /** Time for waits outside the driver (a request being taken) and for timestamps. */
  readonly clock: Clock;
  /**
   * Who hears about a rollout of the stack: undefined when its config asks for no notifications.
   * @default no notifications
   */
  notifiers?(request: NotifierRequest): Promise<NotifierSetup | undefined>;
}

/** The control directory: BLUEGREEN_CONTROL_DIR (relative to the project) or `.bluegreen/control/`. */
export function controlDir(io: Pick<CliIo, "cwd" | "env">): string {
  const override = io.env.BLUEGREEN_CONTROL_DIR;
  return path.resolve(io.cwd, override && override.trim() !== "" ? override : DEFAULT_CONTROL_DIR);
}

/**
 * The control directory, checked before anything uses it: a path that is a file (or runs through
 * one) would otherwise fail the first heartbeat mid-rollout as an unexpected error. A missing
 * directory is fine: it is created on the first write.
 */
export function usableControlDir(io: Pick<CliIo, "cwd" | "env">): string {
  const dir = controlDir(io);
  const override = io.env.BLUEGREEN_CONTROL_DIR;
  const named = override && override.trim() !== "" ? `BLUEGREEN_CONTROL_DIR ${quoteInput(override)}` : dir;
  const fix = "point BLUEGREEN_CONTROL_DIR at a directory the driver and the operator share";
  let stats: fs.Stats;
  try {
    stats = fs.statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return dir;
    throw new UsageError(`${named}: the control directory cannot be used: ${describeFsError(error)}; ${fix}`);
  }
  if (!stats.isDirectory()) {
    throw new UsageError(`${named}: the control directory is not a directory; ${fix}`);
  }
  return dir;
}

/**
 * The audit log every run of this project appends to (BLUEGREEN_AUDIT_LOG or
 * `.bluegreen/audit.ndjson`), read as the deployment history.
 */
export function localHistory(io: Pick<CliIo, "cwd" | "env">): DeploymentHistory {
  const file = auditLogPath(io.cwd, io.env.BLUEGREEN_AUDIT_LOG);
  const relative = path.relative(io.cwd, file);
  return new AuditLogHistory(file, relative.startsWith("..") || path.isAbsolute(relative) ? file : relative);
}

/** Real Pulumi, AWS, files and time. The AWS and Pulumi adapters load only when a command needs them. */
export function defaultServices(): CliServices {
  return {
    async connect(request) {
      // Loaded on first use: the AWS SDK and the Automation API take over a second to load, which
      // `validate`, `plan` and `rehearse` should not pay. A plain require, because the CLI runs
      // through tsx's CommonJS hook and a dynamic import() would bypass it. wiring.ts takes its
      // request type from connection.ts, not from here, so this is a one-way arrow.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wiring = require("./wiring") as typeof import("./wiring");
      return wiring.connectStack(request);
    },
    control(stack, io) {
      if (stack.config.control.channel === "file") {
        return new FileControlChannel({ dir: usableControlDir(io), stack: stack.name });
      }
      // Loaded on first use, as the driver's wiring is: only commands that reach the table pay for the SDK.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wiring = require("./controlWiring") as typeof import("./controlWiring");
      return wiring.dynamoControl(stack, io);
    },
    history: localHistory,
    historyStore(stack, io) {
      if (stack.config.control.channel === "file") return undefined;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wiring = require("./controlWiring") as typeof import("./controlWiring");
      return wiring.dynamoHistory(stack, io);
    },
    clock: new SystemClock(),
    async notifiers(request) {
      if (!notificationsWanted(request.stack.config)) return undefined;
      // Loaded on first use, like the wiring, and only for a stack that asks for notifications.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wiring = require("./notifierWiring") as typeof import("./notifierWiring");
      return wiring.stackNotifiers(request);
    },
  };
}
