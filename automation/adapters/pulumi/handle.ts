/**
 * The few Stack and Workspace calls the adapter makes, as a small interface: the real one wraps a
 * LocalWorkspace stack; tests pass a fake and need no Pulumi CLI.
 */
import {
  LocalWorkspace,
  type OpMap,
  type PreviewOptions,
  type PulumiCommand,
  type UpOptions,
  type UpdateKind,
  type UpdateResult as PulumiUpdateResult,
} from "@pulumi/pulumi/automation";
import type { RawOutput } from "./outputs";
import type { RawConfigValue } from "./values";

/** One entry of `pulumi stack history`, the fields the adapter reads. */
export interface HistoryEntry {
  readonly kind: UpdateKind;
  readonly result: PulumiUpdateResult;
  /** The stack version the operation produced (0 or absent where a backend does not number them). */
  readonly version?: number;
  readonly message?: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly resourceChanges?: OpMap;
}

/** The result of an update, the fields the adapter reads. */
export interface UpOutcome {
  readonly summary: { readonly resourceChanges?: OpMap };
  readonly outputs: Readonly<Record<string, RawOutput>>;
}

/** The Stack and Workspace calls the adapter makes. */
export interface StackHandle {
  /** `pulumi stack output --json` (masked and plaintext, to know which outputs are secret). */
  outputs(): Promise<Record<string, RawOutput>>;
  /** `pulumi config --json --show-secrets`: every key of the stack's config. */
  getAllConfig(): Promise<Record<string, RawConfigValue>>;
  /** `pulumi config set-all --json <document>`. */
  setAllConfigJson(configJson: string): Promise<void>;
  up(options: UpOptions): Promise<UpOutcome>;
  preview(options: PreviewOptions): Promise<{ readonly changeSummary: OpMap }>;
  /** `pulumi stack history --json`; `showSecrets` false keeps secret config out of the answer. */
  history(pageSize: number, page: number, showSecrets: boolean): Promise<HistoryEntry[]>;
  /** The backend URL (`file://...`, `s3://...`, `https://api.pulumi.com`). */
  whoAmI(): Promise<{ readonly url?: string }>;
  /** Summaries of the project's stacks; Pulumi Cloud marks one with an update in progress. */
  listStacks(): Promise<{ readonly name: string; readonly updateInProgress?: boolean }[]>;
}

/** How to reach the stack through the Pulumi CLI. */
export interface LocalStackOptions {
  /** The directory with Pulumi.yaml. */
  readonly projectDir: string;
  readonly stackName: string;
  /** A specific CLI installation; default: `pulumi` on PATH. */
  readonly pulumiCommand?: PulumiCommand;
  /** Environment for every CLI command (backend URL, passphrase file, AWS profile). */
  readonly envVars?: Readonly<Record<string, string>>;
}

/**
 * Selects the existing stack with a LocalWorkspace on the project directory. Throws the SDK's
 * `StackNotFoundError` when the stack does not exist (the caller maps it).
 */
export async function connectLocalStack(options: LocalStackOptions): Promise<StackHandle> {
  const stack = await LocalWorkspace.selectStack(
    { stackName: options.stackName, workDir: options.projectDir },
    { pulumiCommand: options.pulumiCommand, envVars: { ...options.envVars } },
  );
  const workspace = stack.workspace;
  return {
    outputs: () => stack.outputs(),
    getAllConfig: () => stack.getAllConfig(),
    setAllConfigJson: (configJson) => stack.setAllConfigJson(configJson),
    up: (upOptions) => stack.up(upOptions),
    preview: (previewOptions) => stack.preview(previewOptions),
    history: (pageSize, page, showSecrets) => stack.history(pageSize, page, showSecrets),
    whoAmI: () => workspace.whoAmI(),
    listStacks: () => workspace.listStacks(),
  };
}
