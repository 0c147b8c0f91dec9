/**
 * Reads the project file (`Pulumi.yaml`) and a stack's settings file the way the Pulumi CLI
 * resolves them, honouring `stackConfigDir`.
 *
 * LocalWorkspace's own `stackSettings()` looks for `Pulumi.<stack>.yaml` next to `Pulumi.yaml`
 * and ignores `stackConfigDir`, so this adapter never calls it: config goes through the CLI's
 * `pulumi config` commands (which honour the setting) and the few settings read here are read
 * from the path this module resolves.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

/** What the adapter needs from `Pulumi.yaml`. */
export interface ProjectInfo {
  /** The project name (`name:`), part of the lock and state paths of a file backend. */
  readonly name: string;
  /** The absolute directory that holds `Pulumi.<stack>.yaml` files. */
  readonly stackConfigDir: string;
}

/** The secrets settings of a stack file; values are never decoded. */
export interface StackSecretsSettings {
  /** `secretsprovider:`, for example `awskms://alias/x` or `passphrase`; absent for the default. */
  readonly secretsProvider?: string;
  /** Whether `encryptionsalt:` is set: the stack encrypts with the passphrase provider. */
  readonly hasEncryptionSalt: boolean;
}

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml"];

/** Reads the project file in `projectDir`; throws naming the directory when there is none. */
export function readProjectInfo(projectDir: string): ProjectInfo {
  const file = PROJECT_FILES.map((name) => path.join(projectDir, name)).find((candidate) =>
    fs.existsSync(candidate),
  );
  if (file === undefined) {
    throw new Error(
      `no Pulumi.yaml in ${projectDir}: pass the project directory (the one with Pulumi.yaml) as projectDir`,
    );
  }
  const document = parseYaml(fs.readFileSync(file, "utf8")) as unknown;
  const settings = (typeof document === "object" && document !== null ? document : {}) as Record<
    string,
    unknown
  >;
  if (typeof settings.name !== "string" || settings.name === "") {
    throw new Error(`${file} has no project name: add a \`name:\` key`);
  }
  const configDir = typeof settings.stackConfigDir === "string" ? settings.stackConfigDir : ".";
  return { name: settings.name, stackConfigDir: path.resolve(projectDir, configDir) };
}

/** The short stack name of a possibly qualified one (`org/project/dev` -> `dev`). */
export function shortStackName(stackName: string): string {
  const parts = stackName.split("/");
  return parts[parts.length - 1];
}

/** The stack's settings file, `.yaml` or `.yml`, or the `.yaml` path when neither exists yet. */
export function stackSettingsPath(project: ProjectInfo, stackName: string): string {
  const base = path.join(project.stackConfigDir, `Pulumi.${shortStackName(stackName)}`);
  return [".yaml", ".yml"].map((ext) => base + ext).find((file) => fs.existsSync(file)) ?? `${base}.yaml`;
}

/** Reads the secrets settings of a stack file, or undefined when the file does not exist. */
export function readStackSecretsSettings(file: string): StackSecretsSettings | undefined {
  if (!fs.existsSync(file)) return undefined;
  const document = parseYaml(fs.readFileSync(file, "utf8")) as unknown;
  const settings = (typeof document === "object" && document !== null ? document : {}) as Record<
    string,
    unknown
  >;
  const salt = settings.encryptionsalt;
  return {
    secretsProvider: typeof settings.secretsprovider === "string" ? settings.secretsprovider : undefined,
    hasEncryptionSalt: typeof salt === "string" && salt !== "",
  };
}
