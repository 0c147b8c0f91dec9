/**
 * Whether a stack is locked, without taking the lock.
 *
 * A probe that takes the lock (an update, a refresh) would race a real update starting at the same
 * moment, and `preview` does not lock on self-managed backends, so the lock is read from what the
 * backend exposes instead:
 * - a `file://` backend keeps one JSON file per holder under `.pulumi/locks/<org>/<project>/<stack>/`
 *   (`.pulumi/locks/<stack>/` in the legacy layout) with the holder's pid, user and host;
 * - Pulumi Cloud lists the running update in the stack's history (`in-progress`) and stack summary.
 * Other self-managed backends (S3, GCS, Azure Blob) expose neither without their SDKs: for them the
 * lock shows when an update runs into it, as `StackLockedError`.
 *
 * A holder is reported dead only when it ran on this host and its pid is gone; a holder on another
 * host, or one the backend does not name, is alive: a live update must never be broken.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { StackLock } from "../../ports";
import { describeHolders, type LockHolder } from "./errors";
import type { StackHandle } from "./handle";
import { shortStackName } from "./project";

/** Whether a process with this pid runs on this host. */
export type ProcessAliveCheck = (pid: number) => boolean;

/** `kill(pid, 0)`: no signal is sent; EPERM means the process exists but belongs to someone else. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Decides liveness: a holder on this host with no such process is dead; anything else is alive. */
export function holderLiveness(
  localHost: string,
  isProcessAlive: ProcessAliveCheck,
): (holder: LockHolder) => boolean {
  return (holder) =>
    holder.host.toLowerCase() !== localHost.toLowerCase() ||
    !Number.isInteger(holder.pid) ||
    holder.pid <= 0 ||
    isProcessAlive(holder.pid);
}

/**
 * The directory of a `file://` backend URL, or undefined for any other backend. A relative path is
 * relative to `baseDir`, the directory the CLI runs in (the project directory).
 */
export function fileBackendDir(
  url: string,
  baseDir: string,
  homeDir: string = os.homedir(),
): string | undefined {
  if (!url.startsWith("file://")) return undefined;
  const location = url.slice("file://".length).split("?")[0];
  if (location === "~" || location.startsWith("~/")) return path.join(homeDir, location.slice(1));
  return path.resolve(baseDir, location);
}

/** Reads the lock files a `file://` backend holds for the stack. */
export async function readFileBackendLocks(
  backendDir: string,
  projectName: string,
  stackName: string,
): Promise<LockHolder[]> {
  const stack = shortStackName(stackName);
  const locksDir = path.join(backendDir, ".pulumi", "locks");
  const dirs = [path.join(locksDir, "organization", projectName, stack), path.join(locksDir, stack)];
  const holders: LockHolder[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = await fs.promises.readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    for (const file of files.filter((name) => name.endsWith(".json"))) {
      holders.push(await readLockFile(path.join(dir, file)));
    }
  }
  return holders;
}

async function readLockFile(file: string): Promise<LockHolder> {
  let content: Record<string, unknown> = {};
  try {
    content = JSON.parse(await fs.promises.readFile(file, "utf8")) as Record<string, unknown>;
  } catch {
    // An unreadable lock is still a lock: report it with an unknown holder, which counts as alive.
  }
  return {
    user: typeof content.username === "string" ? content.username : "unknown user",
    host: typeof content.hostname === "string" ? content.hostname : "unknown host",
    pid: typeof content.pid === "number" ? content.pid : 0,
    since: typeof content.timestamp === "string" ? content.timestamp : `lock file ${file}`,
  };
}

/** What `inspectLock` needs. */
export interface LockInspection {
  readonly handle: StackHandle;
  readonly projectName: string;
  readonly stackName: string;
  /** The directory the CLI runs in, for relative `file://` URLs. */
  readonly projectDir: string;
  readonly localHost: string;
  readonly isProcessAlive: ProcessAliveCheck;
  readonly homeDir?: string;
}

/** The stack's lock, or undefined when the backend shows none. */
export async function inspectLock(inspection: LockInspection): Promise<StackLock | undefined> {
  const { handle } = inspection;
  const url = (await handle.whoAmI()).url ?? "";
  const backendDir = fileBackendDir(url, inspection.projectDir, inspection.homeDir);
  if (backendDir !== undefined) {
    const holders = await readFileBackendLocks(backendDir, inspection.projectName, inspection.stackName);
    if (holders.length === 0) return undefined;
    const alive = holderLiveness(inspection.localHost, inspection.isProcessAlive);
    return { holder: describeHolders(holders), alive: holders.some(alive) };
  }
  const [latest] = await handle.history(1, 1, false);
  if (latest?.result === "in-progress") {
    const started = latest.startTime ? ` started ${latest.startTime.toISOString()}` : "";
    const message = latest.message ? ` ("${latest.message}")` : "";
    return { holder: `an ${latest.kind} in progress${started}${message} on ${url}`, alive: true };
  }
  const summary = (await handle.listStacks()).find(
    (stack) => shortStackName(stack.name) === shortStackName(inspection.stackName),
  );
  if (summary?.updateInProgress === true) {
    return { holder: `an update in progress on ${url}`, alive: true };
  }
  return undefined;
}
