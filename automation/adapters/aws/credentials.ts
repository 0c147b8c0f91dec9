/**
 * The AWS credentials preflight: who the rollout will act as, found before any traffic moves.
 */
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";

/** The outcome of a preflight check. */
export interface CredentialsCheckResult {
  readonly ok: boolean;
  /** The account and principal on success; the error and the fix otherwise. Never a key. */
  readonly detail: string;
}

/**
 * Calls STS GetCallerIdentity, which needs no IAM permission: a failure means there are no usable
 * credentials (none found, expired session, wrong region endpoint), not a missing grant.
 */
export async function checkAwsCredentials(
  sts: STSClient,
  signal?: AbortSignal,
): Promise<CredentialsCheckResult> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    if (!identity.Account || !identity.Arn) {
      return { ok: false, detail: "STS GetCallerIdentity answered without an account or ARN" };
    }
    return { ok: true, detail: `AWS account ${identity.Account} as ${identity.Arn}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    // The SDK's messages name the providers it tried and never include key material; the message
    // is kept to its first line because some providers append long chains.
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return {
      ok: false,
      detail: `no usable AWS credentials (${name}: ${message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or refresh an expired SSO session with \`aws sso login\``,
    };
  }
}
