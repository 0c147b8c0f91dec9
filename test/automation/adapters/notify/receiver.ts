/**
 * A real HTTP receiver on 127.0.0.1 for the webhook tests: records every request and answers as
 * told (a status, or never). Started in a test, closed after it.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as it arrived. */
export interface ReceivedPost {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

/** How the receiver answers: a status code, or "hang" to never answer. */
export type Answer = number | "hang";

/** A running receiver. */
export interface Receiver {
  /** The URL of a path on the receiver. */
  url(path: string): string;
  readonly posts: ReceivedPost[];
  /** Changes how later requests are answered. */
  answer(answer: Answer): void;
  close(): Promise<void>;
}

/** Starts a receiver on an ephemeral port of 127.0.0.1. */
export async function startReceiver(initial: Answer = 200): Promise<Receiver> {
  let answer = initial;
  const posts: ReceivedPost[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      posts.push({
        method: request.method ?? "",
        path: request.url ?? "",
        contentType: request.headers["content-type"] ?? "",
        body: Buffer.concat(chunks).toString("utf8"),
      });
      if (answer === "hang") return;
      response.writeHead(answer, { "content-type": "text/plain" });
      // Slack's error bodies name the problem; the adapter must not pass them on.
      response.end(answer === 200 ? "ok" : "invalid_token: hooks.example/T000/B000/secret-in-body");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    posts,
    answer(next) {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens: connections are refused. */
export async function refusedUrl(path: string): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}
