import assert from "node:assert/strict";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { STSClient } from "@aws-sdk/client-sts";
import { awsClient } from "../../../../automation/adapters/aws/clients";

describe("awsClient: every SDK client makes one attempt per call", () => {
  const clients = [
    { name: "CloudWatch", build: () => awsClient(CloudWatchClient, "eu-west-1") },
    { name: "ELBv2", build: () => awsClient(ElasticLoadBalancingV2Client, "eu-west-1") },
    { name: "Lambda", build: () => awsClient(LambdaClient, "eu-west-1") },
    { name: "STS", build: () => awsClient(STSClient, "eu-west-1") },
  ];
  for (const { name, build } of clients) {
    it(`${name}: the stack's region and maxAttempts 1`, async () => {
      const client = build();
      assert.equal(await client.config.region(), "eu-west-1");
      assert.equal(await client.config.maxAttempts(), 1);
    });
  }

  it("a failing call reaches the service once: the SDK does not retry under the driver", async () => {
    let requests = 0;
    const requestHandler = {
      handle: async () => {
        requests += 1;
        return { response: { statusCode: 503, headers: {}, body: Buffer.from("") } };
      },
    };
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "test-only" };
    /** CloudWatch answering 503 to every request, built as `awsClient` builds it. */
    class Unavailable extends CloudWatchClient {
      constructor(config: { region: string; maxAttempts: number }) {
        super({ ...config, credentials, requestHandler });
      }
    }

    await assert.rejects(awsClient(Unavailable, "eu-west-1").send(new DescribeAlarmsCommand({})));
    assert.equal(requests, 1, "one attempt with awsClient");

    requests = 0;
    await assert.rejects(
      new Unavailable({ region: "eu-west-1", maxAttempts: 3 }).send(new DescribeAlarmsCommand({})),
    );
    assert.equal(requests, 3, "the SDK would have retried a 503 on its own");
  });
});
