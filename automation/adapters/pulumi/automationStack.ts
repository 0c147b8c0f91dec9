/**
 * `StackPort` over the Pulumi Automation API: a LocalWorkspace on the project directory, with
 * the stack's config in `stackConfigDir` (the CLI's `pulumi config` commands honour it).
 *
 * Errors: `ConcurrentUpdateError` -> `StackLockedError`, `StackNotFoundError` ->
 * `StackMissingError`; any other failure of an update -> `StateUnknownError` (reconcile with
 * `reconcileAfterFailedUpdate`); any other failure of a read -> `PulumiOperationError`.
 *
 * Cancellation: an operation's signal reaches the CLI as exactly one SIGINT, which the CLI takes
 * as "cancel gracefully" (finish the resource operations in flight, save the state). A second
 * SIGINT would mean "terminate now" and leave pending operations in the state, so this adapter
 * links each operation to its own controller and never forwards a second abort.
 */
import * as os from "node:os";
import type { OpMap, OpType, PulumiCommand } from "@pulumi/pulumi/automation";
import type { ReleaseValues, StackLock, StackPort, UpdateOptions, UpdateResult } from "../../ports";
import { Deadline, withDeadline } from "./deadline";
import {
  OperationNotStartedError,
  PulumiOperationError,
  StackLockedError,
  StackMissingError,
  StateUnknownError,
  commandErrorHint,
  commandErrorSummary,
  isCommandError,
  lockFromMessage,
  parseLockHolders,
} from "./errors";
import { connectLocalStack, type HistoryEntry, type LocalStackOptions, type StackHandle } from "./handle";
import { holderLiveness, inspectLock, processIsAlive, type ProcessAliveCheck } from "./lock";
import { OUTPUT_KEYS, StackOutputsError, parseStackOutputs } from "./outputs";
import { readProjectInfo } from "./project";
import {
  changedKeys,
  configJsonFor,
  readExplicitValues,
  resolveReleaseValues,
  validateValuesToWrite,
} from "./values";
import type { StackOutputs } from "../../../components/domain";

/** How to build an `AutomationStack`. */
export interface AutomationStackOptions {
  /** The directory with Pulumi.yaml. */
  readonly projectDir: string;
  /** The stack (`dev`, `prod`, or `org/project/stack`). */
  readonly stackName: string;
  /** A specific CLI installation; default: `pulumi` on PATH. */
  readonly pulumiCommand?: PulumiCommand;
  /** Environment for every CLI command (backend URL, passphrase file, AWS profile). */
  readonly envVars?: Readonly<Record<string, string>>;
  /**
   * The environment the CLI was started in, as the entry point passes it down: the CLI commands
   * inherit it, and what it sets is the user's choice (see `workspaceEnvVars`). @default {}
   */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Receives the CLI's output of updates and previews, as the CLI prints it (secrets masked). */
  readonly onOutput?: (text: string) => void;
  /** Whether a pid runs on this host, to tell a stale lock from a live one. @default kill(pid, 0) */
  readonly isProcessAlive?: ProcessAliveCheck;
  /** This host's name, compared with a lock holder's. @default os.hostname() */
  readonly hostname?: string;
  /**
   * Opens the stack with the workspace options the adapter chose (its environment variables
   * among them). @default connectLocalStack: LocalWorkspace.selectStack on projectDir (tests pass a fake)
   */
  readonly connect?: (options: LocalStackOptions) => Promise<StackHandle>;
  /**
   * Bounds each update and preview: past `timeoutMs` it is cancelled once, gracefully; past the
   * grace period after that, it fails as state unknown. @default no deadline
   */
  readonly deadline?: Deadline;
}

/** What the history says about the last update this adapter started. */
export interface UpdateReconciliation {
  /** Whether that update completed and was saved: the stack's latest operation is it, succeeded. */
  readonly saved: boolean;
  /** The stack's latest operation, when it has one. */
  readonly latest?: Pick<HistoryEntry, "kind" | "result" | "version" | "message">;
  /** The deployed outputs now; undefined for a stack never deployed. */
  readonly outputs?: StackOutputs;
  /** What was concluded and why, for the event log. */
  readonly detail: string;
}

/** A point in the stack's history: the latest entry before an update (null: no history yet). */
type HistoryMark = Pick<HistoryEntry, "version" | "startTime"> | null;

interface UpdateAttempt {
  readonly message: string;
  /** Undefined when the history could not be read before the update. */
  readonly before: HistoryMark | undefined;
}

/**
 * Operations that are not changes of a managed resource: `same`; `read` (a resource read with
 * `.get()`, read again on every run); `refresh`; and the two halves of a replacement, which the
 * summary also counts once as `replace`.
 */
const NOT_CHANGES: ReadonlySet<OpType> = new Set<OpType>([
  "same",
  "read",
  "refresh",
  "create-replacement",
  "delete-replaced",
  "discard-replaced",
]);

/** The number of resources an operation summary changes. */
export function countChanges(summary: OpMap | undefined): number {
  return Object.entries(summary ?? {}).reduce(
    (total, [op, count]) => (NOT_CHANGES.has(op as OpType) ? total : total + (count ?? 0)),
    0,
  );
}

/** The variable that tells Pulumi's Node.js language host whether to type-check the program. */
export const TRANSPILE_ONLY_VARIABLE = "PULUMI_NODEJS_TRANSPILE_ONLY";

/**
 * The workspace's environment variables: `envVars`, plus PULUMI_NODEJS_TRANSPILE_ONLY=true unless
 * the user chose a value in the environment (or in `envVars`). Every update and preview loads the
 * program, and type-checking it takes seconds each time (`npm run bench`); the program is
 * type-checked before it is merged (`npm run typecheck`), and its config is validated at run time
 * whatever the types say. A user who wants the check anyway sets the variable to false.
 */
export function workspaceEnvVars(
  environment: Readonly<Record<string, string | undefined>> = {},
  envVars: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const chosen = environment[TRANSPILE_ONLY_VARIABLE] !== undefined || TRANSPILE_ONLY_VARIABLE in envVars;
  return chosen ? { ...envVars } : { [TRANSPILE_ONLY_VARIABLE]: "true", ...envVars };
}

/** `StackPort` over a LocalWorkspace stack. */
export class AutomationStack implements StackPort {
  readonly name: string;
  private readonly options: AutomationStackOptions;
  private readonly liveness: ReturnType<typeof holderLiveness>;
  private connecting?: Promise<StackHandle>;
  private lastAttempt?: UpdateAttempt;

  constructor(options: AutomationStackOptions) {
    if (options.stackName.trim() === "") {
      throw new Error("stackName is empty: pass the stack to roll out, for example `dev`");
    }
    this.options = options;
    this.name = options.stackName;
    this.liveness = holderLiveness(
      options.hostname ?? os.hostname(),
      options.isProcessAlive ?? processIsAlive,
    );
  }

  /** The outputs of the last completed update, or undefined for a stack never deployed. */
  async outputs(signal?: AbortSignal): Promise<StackOutputs | undefined> {
    if (signal?.aborted) throw new OperationNotStartedError(`reading the outputs of stack ${this.name}`);
    const handle = await this.handle();
    const raw = await this.read("reading the stack outputs", () => handle.outputs());
    return parseStackOutputs(this.name, raw);
  }

  /**
   * The release values in the stack's config, with the config validation's defaults. The CLI's
   * `config --json --show-secrets` decrypts every key into this process; only the release keys
   * are kept, and secret values never reach a message.
   */
  async readValues(): Promise<ReleaseValues> {
    const handle = await this.handle();
    const config = await this.read("reading the stack config", () => handle.getAllConfig());
    return resolveReleaseValues(this.name, readExplicitValues(this.name, config));
  }

  /** Writes the release values that differ from the config, in one `config set-all --json`. */
  async writeValues(values: ReleaseValues): Promise<void> {
    const wanted = validateValuesToWrite(this.name, values);
    const handle = await this.handle();
    const config = await this.read("reading the stack config", () => handle.getAllConfig());
    const keys = changedKeys(readExplicitValues(this.name, config), wanted);
    if (keys.length === 0) return;
    await this.read("writing the stack config", () => handle.setAllConfigJson(configJsonFor(keys, wanted)));
  }

  /**
   * Runs `pulumi up` (targeted when `targets` is given). The caller bounds it with the signal;
   * cancelling sends the CLI one graceful SIGINT and the update then fails as `StateUnknownError`.
   */
  async update(options: UpdateOptions): Promise<UpdateResult> {
    const what = `the update of stack ${this.name}`;
    if (options.targets !== undefined && options.targets.length === 0) {
      // `up` without --target updates everything: an empty target list must not become a full update.
      throw new Error(
        `targets is empty for ${what}: give the URNs to update (outputs.routingUrns), or omit targets for a full update`,
      );
    }
    if (options.signal?.aborted) throw new OperationNotStartedError(what);
    const handle = await this.handle();
    this.lastAttempt = { message: options.message, before: await this.historyMark(handle) };
    const link = linkSignal(options.signal);
    let result;
    let cancelled = false;
    try {
      result = await withDeadline(what, this.options.deadline, link.signal, (signal) => {
        signal?.addEventListener("abort", () => (cancelled = true), { once: true });
        return handle.up({
          target: options.targets ? [...options.targets] : undefined,
          message: options.message,
          onOutput: this.options.onOutput,
          signal,
        });
      });
    } catch (error) {
      throw this.updateError(error, cancelled || (link.signal?.aborted ?? false));
    } finally {
      link.dispose();
    }
    const outputs = parseStackOutputs(this.name, result.outputs);
    if (outputs === undefined)
      throw new StackOutputsError(this.name, OUTPUT_KEYS, ["the update exported no outputs"]);
    return { changed: countChanges(result.summary.resourceChanges), outputs };
  }

  /** Runs `pulumi preview` and counts the changes it would make; 0 means no drift. */
  async previewChanges(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw new OperationNotStartedError(`the preview of stack ${this.name}`);
    const handle = await this.handle();
    const link = linkSignal(signal);
    try {
      const result = await this.read("pulumi preview", () =>
        withDeadline(`the preview of stack ${this.name}`, this.options.deadline, link.signal, (signal) =>
          handle.preview({ onOutput: this.options.onOutput, signal }),
        ),
      );
      if (Object.keys(result.changeSummary).length === 0) {
        // Even an unchanged stack counts its resources as `same`: an empty summary means the CLI's
        // summary event was lost, not that nothing would change.
        throw new PulumiOperationError(
          "pulumi preview",
          "it returned no change summary, so drift cannot be judged: run `pulumi preview` by hand",
        );
      }
      return countChanges(result.changeSummary);
    } finally {
      link.dispose();
    }
  }

  /** The stack's lock, when the backend shows one (see lock.ts for what each backend exposes). */
  async lock(): Promise<StackLock | undefined> {
    const handle = await this.handle();
    const project = readProjectInfo(this.options.projectDir);
    return this.read("reading the stack lock", () =>
      inspectLock({
        handle,
        projectName: project.name,
        stackName: this.name,
        projectDir: this.options.projectDir,
        localHost: this.options.hostname ?? os.hostname(),
        isProcessAlive: this.options.isProcessAlive ?? processIsAlive,
      }),
    );
  }

  /**
   * After `update()` threw (`StateUnknownError`, or any failure once the CLI had started): reads
   * `pulumi stack history` and the outputs to tell whether that update was saved. Saved means the
   * stack's latest operation is an `update` that `succeeded`, carries this update's message, and
   * is newer than the latest entry before it began (by version, or start time where a backend
   * does not number versions). Anything else is "not saved": the caller restores the pre-rollout
   * values, which is safe either way. The outputs are returned so the caller can compare the
   * deployed slots and traffic with what it wrote.
   */
  async reconcileAfterFailedUpdate(): Promise<UpdateReconciliation> {
    const handle = await this.handle();
    const [latest] = await this.read("reading the stack history", () => handle.history(1, 1, false));
    const outputs = await this.outputs();
    const attempt = this.lastAttempt;
    if (latest === undefined) {
      return { saved: false, outputs, detail: "the stack has no history: no update was saved" };
    }
    const summary = {
      kind: latest.kind,
      result: latest.result,
      version: latest.version,
      message: latest.message,
    };
    const described = `the latest operation is ${latest.kind} #${latest.version ?? "?"} (${latest.result})`;
    if (attempt === undefined) {
      return {
        saved: false,
        latest: summary,
        outputs,
        detail: `${described}; no update was started here to compare with`,
      };
    }
    if (latest.kind !== "update" || latest.result !== "succeeded") {
      return { saved: false, latest: summary, outputs, detail: `${described}: the update was not saved` };
    }
    if (latest.message !== attempt.message || !isNewer(latest, attempt.before)) {
      return {
        saved: false,
        latest: summary,
        outputs,
        detail: `${described}, but it is not the update started here ("${attempt.message}"): that one was not saved`,
      };
    }
    return { saved: true, latest: summary, outputs, detail: `${described}: the update was saved` };
  }

  private handle(): Promise<StackHandle> {
    if (this.connecting === undefined) {
      const connect = this.options.connect ?? connectLocalStack;
      this.connecting = connect({
        projectDir: this.options.projectDir,
        stackName: this.name,
        pulumiCommand: this.options.pulumiCommand,
        envVars: workspaceEnvVars(this.options.environment, this.options.envVars),
      }).catch((error: unknown) => {
        // Forget the failure so the next call tries again (the CLI may have been installed meanwhile).
        this.connecting = undefined;
        throw this.readError("opening the stack", error);
      });
    }
    return this.connecting;
  }

  private async historyMark(handle: StackHandle): Promise<HistoryMark | undefined> {
    try {
      const [latest] = await handle.history(1, 1, false);
      return latest === undefined ? null : { version: latest.version, startTime: latest.startTime };
    } catch {
      // Without a mark, reconciliation falls back to the update's message; the update itself
      // must not fail because its history could not be read first.
      return undefined;
    }
  }

  private async read<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.readError(operation, error);
    }
  }

  private readError(operation: string, error: unknown): Error {
    if (!(error instanceof Error)) return new PulumiOperationError(operation, String(error));
    const typed = this.typedError(error);
    if (typed) return typed;
    if (!isCommandError(error)) return error;
    return new PulumiOperationError(operation, commandErrorSummary(error) + commandErrorHint(error), {
      cause: error,
    });
  }

  private updateError(error: unknown, cancelled: boolean): Error {
    if (error instanceof Error) {
      const typed = this.typedError(error);
      if (typed) return typed;
      const detail = isCommandError(error)
        ? commandErrorSummary(error) + commandErrorHint(error)
        : error.message;
      return new StateUnknownError(this.name, detail, cancelled, { cause: error });
    }
    return new StateUnknownError(this.name, String(error), cancelled);
  }

  private typedError(error: Error): Error | undefined {
    if (error.name === "ConcurrentUpdateError") {
      const lock = lockFromMessage(error.message, this.liveness);
      return new StackLockedError(this.name, lock, parseLockHolders(error.message), { cause: error });
    }
    if (error.name === "StackNotFoundError") {
      return new StackMissingError(this.name, this.options.projectDir, { cause: error });
    }
    return undefined;
  }
}

function isNewer(latest: HistoryEntry, before: HistoryMark | undefined): boolean {
  if (before === null) return true;
  // Without a mark the message alone identifies the update (the caller's messages carry the revision).
  if (before === undefined) return true;
  const [now, then] = [latest.version ?? 0, before.version ?? 0];
  if (now > 0 && then > 0) return now > then;
  if (latest.startTime && before.startTime) return latest.startTime.getTime() > before.startTime.getTime();
  return false;
}

/**
 * A signal for one CLI command, aborted once when the caller's signal aborts, and detached when
 * the command ends so a later abort of a long-lived caller signal reaches no finished command.
 */
function linkSignal(signal: AbortSignal | undefined): { signal?: AbortSignal; dispose(): void } {
  if (signal === undefined) return { dispose: () => undefined };
  const controller = new AbortController();
  const forward = () => controller.abort(signal.reason);
  signal.addEventListener("abort", forward, { once: true });
  return { signal: controller.signal, dispose: () => signal.removeEventListener("abort", forward) };
}
