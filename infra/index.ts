/**
 * The Pulumi entry point: reads the stack's config once, validates it, and builds the stack.
 * Its exports are the stack outputs the rollout driver reads.
 */
import * as pulumi from "@pulumi/pulumi";
import { defineStack } from "./program";
import { readStackConfig, readStackSecrets } from "./programConfig";

export = async () => {
  const config = readStackConfig();
  return defineStack(
    config,
    { organization: pulumi.getOrganization(), project: pulumi.getProject(), stack: pulumi.getStack() },
    readStackSecrets(config),
  );
};
