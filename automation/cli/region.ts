/**
 * The AWS region a command reaches the stack's resources in. Its own module, free of the AWS SDK,
 * so the control channel's wiring and the driver's wiring share it without loading each other.
 */
import type { CliIo } from "./io";
import { UsageError } from "./io";
import type { LoadedStack } from "./stacks";

/** The AWS region of the stack: `aws:region` in its stack file, else AWS_REGION / AWS_DEFAULT_REGION. */
export function stackRegion(request: {
  readonly stack: LoadedStack;
  readonly io: Pick<CliIo, "env">;
}): string {
  const region = request.stack.region ?? request.io.env.AWS_REGION ?? request.io.env.AWS_DEFAULT_REGION;
  if (region === undefined || region.trim() === "") {
    throw new UsageError(
      `no AWS region for stack ${request.stack.name}: set it in ${request.stack.file} with \`pulumi config set aws:region eu-west-1 --stack ${request.stack.name}\`, or export AWS_REGION`,
    );
  }
  return region.trim();
}
