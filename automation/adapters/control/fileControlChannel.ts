/**
 * The control channel over plain files, so `bluegreen abort` in one shell (or pipeline job) reaches
 * the driver watching the rollout in another. The directory defaults to `.bluegreen/control/` in
 * the project; point BLUEGREEN_CONTROL_DIR at shared storage when the two run on different hosts.
 *
 * `<stack>.request.json` holds at most one pending request, `<stack>.heartbeat` the driver's last
 * beat in epoch milliseconds. Every write goes to a temporary file first and is renamed into place,
 * so a reader never sees half a request.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { combineRequests } from "../../core/control";
import { REQUEST_KINDS } from "../../core/controlRecord";
import type { ControlChannel, ControlRequest } from "../../ports";

/** The control directory under the project, unless BLUEGREEN_CONTROL_DIR says otherwise. */
export const DEFAULT_CONTROL_DIR = path.join(".bluegreen", "control");

/** Options of the file control channel. */
export interface FileControlChannelOptions {
  /** The directory holding the files; created on the first write. */
  readonly dir: string;
  /** The stack the channel serves; it names the files. */
  readonly stack: string;
}

/** A ControlChannel whose requests and heartbeat are files in a directory. */
export class FileControlChannel implements ControlChannel {
  /** The file holding the pending request. */
  readonly requestFile: string;
  /** The file holding the last heartbeat. */
  readonly heartbeatFile: string;
  private readonly dir: string;

  constructor(options: FileControlChannelOptions) {
    if (!/^[A-Za-z0-9_.-]+$/.test(options.stack) || options.stack.startsWith(".")) {
      throw new Error(
        `stack name ${JSON.stringify(options.stack)} cannot name a control file: use letters, digits, ".", "_" and "-"`,
      );
    }
    this.dir = options.dir;
    this.requestFile = path.join(options.dir, `${options.stack}.request.json`);
    this.heartbeatFile = path.join(options.dir, `${options.stack}.heartbeat`);
  }

  /**
   * Returns and clears the pending request. The file is first renamed to a name only this caller
   * knows: rename is atomic, so when two processes take at once exactly one gets the request.
   */
  async take(): Promise<ControlRequest | undefined> {
    const claimed = this.temporaryName(this.requestFile, "taken");
    try {
      await fs.rename(this.requestFile, claimed);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    try {
      return parseRequest(await fs.readFile(claimed, "utf8"), this.requestFile);
    } finally {
      await fs.rm(claimed, { force: true });
    }
  }

  /** The pending request without taking it, so a sender can see whether the driver took it yet. */
  async pending(): Promise<ControlRequest | undefined> {
    const text = await readIfExists(this.requestFile);
    return text === undefined ? undefined : parseRequest(text, this.requestFile);
  }

  /**
   * Leaves a request, combined with any earlier one not taken yet (`combineRequests`: a pending
   * abort is never replaced by a promote).
   */
  async send(request: ControlRequest): Promise<void> {
    if (!REQUEST_KINDS.includes(request.kind)) {
      throw new Error(
        `control request kind ${JSON.stringify(request.kind)} is not one of ${REQUEST_KINDS.join(", ")}`,
      );
    }
    const incoming: ControlRequest = { kind: request.kind, by: request.by, at: request.at };
    const body = combineRequests(await this.pending(), incoming);
    await this.writeAtomically(this.requestFile, `${JSON.stringify(body)}\n`);
  }

  /** Records that a driver watches the stack at `at` (epoch milliseconds). */
  async heartbeat(at: number): Promise<void> {
    await this.writeAtomically(this.heartbeatFile, `${Math.round(at)}\n`);
  }

  /** When a driver last beat; undefined when none has, or the file holds no time. */
  async lastHeartbeat(): Promise<number | undefined> {
    const text = await readIfExists(this.heartbeatFile);
    if (text === undefined) return undefined;
    const at = Number(text.trim());
    return Number.isFinite(at) && at > 0 ? at : undefined;
  }

  /** Removes the heartbeat; a missing file is already cleared. */
  async clearHeartbeat(): Promise<void> {
    await fs.rm(this.heartbeatFile, { force: true });
  }

  private async writeAtomically(file: string, text: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const temporary = this.temporaryName(file, "tmp");
    try {
      await fs.writeFile(temporary, text, { encoding: "utf8", mode: 0o600 });
      await fs.rename(temporary, file);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }

  private temporaryName(file: string, purpose: string): string {
    return `${file}.${purpose}-${randomBytes(6).toString("hex")}`;
  }
}

function parseRequest(text: string, file: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not a control request (not JSON); delete it and send the request again`);
  }
  const request = value as Partial<ControlRequest> | null;
  if (
    request === null ||
    typeof request !== "object" ||
    !REQUEST_KINDS.includes(request.kind as ControlRequest["kind"]) ||
    typeof request.by !== "string" ||
    typeof request.at !== "number"
  ) {
    throw new Error(
      `${file} is not a control request: expected { kind: ${REQUEST_KINDS.join(" | ")}, by, at }; delete it and send the request again`,
    );
  }
  return { kind: request.kind as ControlRequest["kind"], by: request.by, at: request.at };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
