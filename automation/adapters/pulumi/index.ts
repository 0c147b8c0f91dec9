/**
 * The Pulumi Automation API adapter: `AutomationStack` (the driver's `StackPort`) and the
 * preflight checks for the CLI and the stack.
 */
export {
  AutomationStack,
  TRANSPILE_ONLY_VARIABLE,
  countChanges,
  workspaceEnvVars,
  type AutomationStackOptions,
  type UpdateReconciliation,
} from "./automationStack";
export {
  MINIMUM_PULUMI_VERSION,
  checkPulumiCli,
  parseVersion,
  type PulumiCliCheckOptions,
  type PulumiPreflightCheck,
  type PulumiVersionRunner,
} from "./cliCheck";
export { OperationHungError, withDeadline, type Deadline, type DeadlineTimers } from "./deadline";
export {
  OperationNotStartedError,
  PulumiOperationError,
  StackLockedError,
  StackMissingError,
  StateUnknownError,
  parseLockHolders,
  type LockHolder,
} from "./errors";
export {
  connectLocalStack,
  type HistoryEntry,
  type LocalStackOptions,
  type StackHandle,
  type UpOutcome,
} from "./handle";
export { processIsAlive, type ProcessAliveCheck } from "./lock";
export { StackOutputsError, parseStackOutputs, type RawOutput } from "./outputs";
export { checkStackExists, type StackCheckOptions } from "./stackCheck";
export { RELEASE_KEYS, StackConfigError, type RawConfigValue } from "./values";
