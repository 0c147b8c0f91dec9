/**
 * HTTP pre-traffic checks: GET each configured path on the test endpoint and compare the status,
 * before the colour behind it gets any production traffic.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { RolloutConfig } from "../../../infra/config/schema";
import type { Readiness } from "../../ports";

/** The subset of `fetch` the check uses, so tests can answer without a network. */
export type FetchLike = (
  url: string,
  init: { readonly method: "GET"; readonly signal: AbortSignal; readonly redirect: "manual" },
) => Promise<{ readonly status: number; readonly body?: { cancel(): Promise<void> } | null }>;

/** What an HTTP check needs besides the config. */
export interface HttpCheckDeps {
  readonly fetch: FetchLike;
  /** Waits between attempts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A signal that aborts after `ms`; injected so tests can time a request out at will. */
  readonly timeoutSignal: (ms: number) => AbortSignal;
  /** The pause between two attempts at one path, in ms. */
  readonly retryDelayMs: number;
}

/**
 * Runs every configured path against `endpoint`. A path passes when one of its `attempts` answers
 * with the expected status; the check passes when every path does.
 */
export async function runHttpChecks(
  endpoint: string,
  check: RolloutConfig["preTrafficCheck"],
  deps: HttpCheckDeps,
  signal?: AbortSignal,
): Promise<Readiness> {
  const base = endpoint.replace(/\/+$/, "");
  const passed: string[] = [];
  for (const { path, expectStatus } of check.paths) {
    const url = `${base}${path}`;
    let last = "";
    let ok = false;
    for (let attempt = 1; attempt <= check.attempts && !ok; attempt += 1) {
      signal?.throwIfAborted();
      if (attempt > 1) await deps.sleep(deps.retryDelayMs, signal);
      const timeout = deps.timeoutSignal(check.timeout * 1_000);
      const requestSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        // Redirects are not followed: a 302 to a login page must not pass for the 200 of /health.
        const response = await deps.fetch(url, { method: "GET", signal: requestSignal, redirect: "manual" });
        await response.body?.cancel().catch(() => undefined);
        ok = response.status === expectStatus;
        last = `GET ${path} answered ${response.status}, expected ${expectStatus}`;
      } catch (error) {
        signal?.throwIfAborted();
        last = timeout.aborted
          ? `GET ${path} did not answer within ${check.timeout}s`
          : `GET ${path} failed: ${describeError(error)}`;
      }
      if (!ok && attempt === check.attempts) {
        return {
          ready: false,
          detail: `${last} (${check.attempts} attempt${check.attempts === 1 ? "" : "s"} on ${base})`,
        };
      }
    }
    passed.push(`${path} ${expectStatus}`);
  }
  return { ready: true, detail: `GET ${passed.join(", ")} on ${base}` };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause as { code?: unknown } | undefined;
    const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
    return `${error.message}${code}`;
  }
  return String(error);
}

/**
 * A FetchLike that connects to the URL's host (the load balancer) but presents `serviceHost` as
 * TLS SNI and Host header. An HTTPS test listener serves the service's certificate, which names
 * the service's domain, not the load balancer's DNS name; verification stays on.
 */
export function serviceHostFetch(serviceHost: string): FetchLike {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const client = target.protocol === "https:" ? https : http;
      const request = client.request(
        target,
        { method: init.method, headers: { host: serviceHost }, servername: serviceHost, signal: init.signal },
        (response) => {
          // Only the status matters; drain the body so the socket is released.
          response.resume();
          resolve({ status: response.statusCode ?? 0, body: null });
        },
      );
      request.on("error", reject);
      request.end();
    });
}
