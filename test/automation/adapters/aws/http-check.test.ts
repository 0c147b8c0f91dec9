import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { serviceHostFetch } from "../../../../automation/adapters/aws/http-check";

describe("serviceHostFetch", () => {
  let server: http.Server;
  let seenHost: string | undefined;
  let port: number;

  before(async () => {
    server = http.createServer((request, response) => {
      seenHost = request.headers.host;
      response.statusCode = request.url === "/health" ? 204 : 404;
      response.end("body that is drained");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("connects to the load balancer but presents the service's host name", async () => {
    const fetchLike = serviceHostFetch("checkout.example.com");
    const response = await fetchLike(`http://127.0.0.1:${port}/health`, {
      method: "GET",
      signal: AbortSignal.timeout(5_000),
      redirect: "manual",
    });
    assert.equal(response.status, 204);
    assert.equal(seenHost, "checkout.example.com");
  });

  it("reports the status of a failing path", async () => {
    const response = await serviceHostFetch("checkout.example.com")(`http://127.0.0.1:${port}/missing`, {
      method: "GET",
      signal: AbortSignal.timeout(5_000),
      redirect: "manual",
    });
    assert.equal(response.status, 404);
  });
});
