/**
 * A local stand-in for the Lambda API's alias calls (GetAlias, UpdateAlias), reached through the
 * SDK's endpoint override, so the guardian's real LambdaTrafficRouter and SDK client run against
 * it. It keeps one alias and checks UpdateAlias's RevisionId as Lambda does.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** The alias as Lambda returns it. */
export interface FakeAlias {
  FunctionVersion: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
  RevisionId: string;
}

/** A running fake with its one alias. */
export class FakeLambdaApi {
  readonly updates: FakeAlias[] = [];
  private server?: Server;
  private revision = 1;

  constructor(
    readonly functionName: string,
    readonly aliasName: string,
    public alias: FakeAlias,
  ) {}

  /** The endpoint URL once started. */
  get endpoint(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://local").pathname);
    if (path !== `/2015-03-31/functions/${this.functionName}/aliases/${this.aliasName}`) {
      return send(
        response,
        404,
        { Type: "User", Message: `no such alias ${path}` },
        "ResourceNotFoundException",
      );
    }
    if (request.method === "PUT") {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Partial<FakeAlias>;
      if (body.RevisionId !== undefined && body.RevisionId !== this.alias.RevisionId) {
        return send(
          response,
          412,
          { Type: "User", Message: "revision changed" },
          "PreconditionFailedException",
        );
      }
      this.revision += 1;
      this.alias = {
        FunctionVersion: body.FunctionVersion ?? this.alias.FunctionVersion,
        RoutingConfig: body.RoutingConfig ?? this.alias.RoutingConfig,
        RevisionId: `rev-${this.revision}`,
      };
      this.updates.push(this.alias);
    }
    send(response, 200, { Name: this.aliasName, ...this.alias });
  }
}

function send(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  response.writeHead(status, {
    "content-type": "application/json",
    ...(errorType ? { "x-amzn-errortype": errorType } : {}),
  });
  response.end(JSON.stringify(body));
}
