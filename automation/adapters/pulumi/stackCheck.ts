/**
 * A preflight check that the stack exists and that its secrets can be decrypted: the rollout
 * reads the stack's config (`pulumi config --show-secrets`) and runs updates, which both need the
 * secrets provider.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type PulumiCommand } from "@pulumi/pulumi/automation";
import type { PulumiPreflightCheck } from "./cliCheck";
import { StackMissingError, commandErrorHint, commandErrorSummary, isCommandError } from "./errors";
import { readProjectInfo, readStackSecretsSettings, stackSettingsPath } from "./project";

/** Options of `checkStackExists`. */
export interface StackCheckOptions {
  /** Environment the CLI will run with (the entry point's); without it the passphrase is looked for only in `envVars`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra environment for the CLI, as given to the stack adapter; it wins over `env`. */
  readonly envVars?: Readonly<Record<string, string>>;
  /** A specific CLI installation; default: `pulumi` on PATH. */
  readonly pulumiCommand?: PulumiCommand;
  /** Selects the stack (throws the SDK's StackNotFoundError when it is missing); tests pass a fake. */
  readonly selectStack?: (signal?: AbortSignal) => Promise<void>;
}

type Result = { ok: boolean; detail: string };

/**
 * A preflight check: the stack file exists in `stackConfigDir`, the backend has the stack, and
 * when the stack uses the passphrase secrets provider, PULUMI_CONFIG_PASSPHRASE or
 * PULUMI_CONFIG_PASSPHRASE_FILE is available. The passphrase itself is never read or printed.
 */
export function checkStackExists(
  projectDir: string,
  stackName: string,
  options: StackCheckOptions = {},
): PulumiPreflightCheck {
  const selectStack =
    options.selectStack ??
    (async () => {
      await LocalWorkspace.selectStack(
        { stackName, workDir: projectDir },
        { pulumiCommand: options.pulumiCommand, envVars: { ...options.envVars } },
      );
    });
  return {
    name: "pulumi-stack",
    async run(signal) {
      let file: string;
      try {
        file = stackSettingsPath(readProjectInfo(projectDir), stackName);
      } catch (error) {
        return { ok: false, detail: (error as Error).message };
      }
      const shown = path.relative(projectDir, file) || file;
      const settings = readStackSecretsSettings(file);
      if (settings === undefined) {
        return {
          ok: false,
          detail: `no stack file ${shown}: create the stack with \`pulumi stack init ${stackName}\` in ${projectDir} and write its config there`,
        };
      }
      try {
        await selectStack(signal);
      } catch (error) {
        if (error instanceof Error && error.name === "StackNotFoundError") {
          return { ok: false, detail: new StackMissingError(stackName, projectDir).message };
        }
        const detail =
          error instanceof Error && isCommandError(error)
            ? commandErrorSummary(error) + commandErrorHint(error)
            : String((error as Error)?.message ?? error);
        return { ok: false, detail: `cannot select stack ${stackName}: ${detail}` };
      }
      const env = { ...options.env, ...options.envVars };
      const usesPassphrase = settings.hasEncryptionSalt || settings.secretsProvider === "passphrase";
      if (usesPassphrase) return passphraseAvailable(stackName, shown, env);
      if (settings.secretsProvider !== undefined) {
        const scheme = settings.secretsProvider.split("://")[0];
        return {
          ok: true,
          detail: `stack ${stackName} exists; its secrets use the ${scheme} provider (its cloud credentials are checked with the cloud account)`,
        };
      }
      return {
        ok: true,
        detail: `stack ${stackName} exists; its secrets use the backend's default provider`,
      };
    },
  };
}

async function passphraseAvailable(
  stackName: string,
  shown: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Result> {
  const intro = `stack ${stackName} exists and encrypts secrets with a passphrase (encryptionsalt in ${shown})`;
  // An empty passphrase is a valid one when set explicitly, so only absence counts as missing.
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) {
    return { ok: true, detail: `${intro}; PULUMI_CONFIG_PASSPHRASE is set` };
  }
  const passphraseFile = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (passphraseFile !== undefined && passphraseFile !== "") {
    try {
      await fs.promises.access(passphraseFile, fs.constants.R_OK);
      return { ok: true, detail: `${intro}; PULUMI_CONFIG_PASSPHRASE_FILE names a readable file` };
    } catch (error) {
      return {
        ok: false,
        detail: `${intro}, but PULUMI_CONFIG_PASSPHRASE_FILE names ${passphraseFile}, which cannot be read (${(error as NodeJS.ErrnoException).code}): point it at the passphrase file`,
      };
    }
  }
  return {
    ok: false,
    detail: `${intro}, but neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set: set one of them (a file kept out of the repository is safer)`,
  };
}
