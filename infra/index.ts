/**
 * The Pulumi entry point: reads the stack's config once, validates it, and builds the stack.
 * Its exports are the stack outputs the rollout driver reads.
 */
import * as pulumi from "@pulumi/pulumi";
import { defineStack } from "./program";
import { readStackConfig } from "./programConfig";

export = async () =>
  defineStack(readStackConfig(), {
    organization: pulumi.getOrganization(),
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
  });
