import assert from "node:assert/strict";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { checkAwsCredentials } from "../../../../automation/adapters/aws/credentials";
import { awsError } from "./helpers";

describe("checkAwsCredentials", () => {
  function setup() {
    const client = new STSClient({ region: "eu-west-1" });
    return { client, sts: mockClient(client) };
  }

  it("names the account and the principal", async () => {
    const { client, sts } = setup();
    sts.on(GetCallerIdentityCommand).resolves({
      Account: "123456789012",
      Arn: "arn:aws:sts::123456789012:assumed-role/bluegreen-revert/pipeline",
      UserId: "AROAEXAMPLEID:pipeline",
    });
    assert.deepEqual(await checkAwsCredentials(client), {
      ok: true,
      detail: "AWS account 123456789012 as arn:aws:sts::123456789012:assumed-role/bluegreen-revert/pipeline",
    });
    assert.deepEqual(sts.commandCalls(GetCallerIdentityCommand)[0].args[0].input, {});
  });

  it("fails with the error and the fix when there are no credentials", async () => {
    const { client, sts } = setup();
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error("Could not load credentials from any providers\nmore detail"), {
        name: "CredentialsProviderError",
      }),
    );
    const result = await checkAwsCredentials(client);
    assert.equal(result.ok, false);
    assert.match(
      result.detail,
      /no usable AWS credentials \(CredentialsProviderError: Could not load credentials from any providers\)/,
    );
    assert.match(result.detail, /AWS_PROFILE/);
    assert.doesNotMatch(result.detail, /more detail/);
  });

  it("fails on an expired session", async () => {
    const { client, sts } = setup();
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        awsError("ExpiredToken", { message: "The security token included in the request is expired" }),
      );
    const result = await checkAwsCredentials(client);
    assert.equal(result.ok, false);
    assert.match(result.detail, /ExpiredToken: The security token included in the request is expired/);
  });

  it("never echoes the key it was given", async () => {
    const client = new STSClient({
      region: "eu-west-1",
      credentials: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
    });
    const sts = mockClient(client);
    sts.on(GetCallerIdentityCommand).rejects(
      awsError("InvalidClientTokenId", {
        message: "The security token included in the request is invalid.",
      }),
    );
    const result = await checkAwsCredentials(client);
    assert.equal(result.ok, false);
    assert.doesNotMatch(result.detail, /AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI/);
  });
});
