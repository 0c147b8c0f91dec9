/**
 * What a service is: its platform, its name, the versions its colours run and the image they come
 * from. The rules here are the ones AWS and the registries enforce, stated once for the config
 * schema and the components.
 */
import { z } from "zod";
import { describe } from "./describe";

/** Platforms a service can run on. */
export const PLATFORMS = ["ecs", "lambda", "kubernetes"] as const;

/** A platform name. */
export type Platform = (typeof PLATFORMS)[number];

/** The longest load balancer or target group name AWS accepts. */
export const MAX_TARGET_GROUP_NAME_LENGTH = 32;
/** The provider appends `-` and 7 random characters to an auto-named load balancer or target group. */
export const AUTONAME_SUFFIX_LENGTH = 8;
/** The longest colour suffix the components append to a service's name for a named child. */
export const LONGEST_COLOUR_SUFFIX = "-green";

/**
 * The longest service name. Target groups are named `<service>-green` and the provider appends an
 * 8-character random suffix, all within AWS's 32 characters.
 */
export const MAX_SERVICE_NAME_LENGTH =
  MAX_TARGET_GROUP_NAME_LENGTH - LONGEST_COLOUR_SUFFIX.length - AUTONAME_SUFFIX_LENGTH;

/** Lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/** Whether a name fits the service name pattern (the length limit is the caller's to apply). */
export function isServiceName(name: string): boolean {
  return SERVICE_NAME_PATTERN.test(name);
}

/** An image tag or artifact version: what a colour runs. At most 128 characters, as an image tag. */
export const VERSION_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A slot's version, as a stack file or the stack outputs carry it. */
export const versionSchema = z
  .string({
    error: (issue) => `expected a version as text, for example "1.4.2", got ${describe(issue.input)}`,
  })
  .regex(VERSION_PATTERN, {
    error: (issue) =>
      `expected a version of letters, digits, ".", "_" and "-" (at most 128, as an image tag), got ${describe(issue.input)}`,
  });

/** The version each colour runs. */
export const slotVersionsSchema = z.strictObject({
  blue: z.strictObject({ version: versionSchema }),
  green: z.strictObject({ version: versionSchema }),
});

/** An image repository: registry host (and port) and path, lower case, no tag. */
export const IMAGE_REPOSITORY_PATTERN = /^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/;

/** Whether an image reference carries a tag: a `:` after the registry host's part. */
export function hasImageTag(image: string): boolean {
  return /:[^/]+$/.test(image.replace(/^[^/]+\//, ""));
}

/**
 * Why a value is not an image repository without a tag, or undefined. Each colour runs
 * `<repository>:<slot version>`, so a tag here would be a second one.
 */
export function imageRepositoryProblem(image: string, example: string): string | undefined {
  if (!IMAGE_REPOSITORY_PATTERN.test(image)) {
    return `expected an image repository such as "${example}", got ${describe(image)}`;
  }
  if (hasImageTag(image)) {
    return `give the repository without a tag (the tag comes from bluegreen:slots), got ${describe(image)}`;
  }
  return undefined;
}
