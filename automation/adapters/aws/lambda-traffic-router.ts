/**
 * The live split of a Lambda alias: its primary version and one additional weighted version, read
 * and written directly with the Lambda API.
 */
import {
  type FunctionConfiguration,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type LambdaClient,
  UpdateAliasCommand,
} from "@aws-sdk/client-lambda";
import { type RolloutConfig } from "../../../infra/config/schema";
import { markTransient } from "../../core/retry";
import type { Clock, Readiness, TrafficRouter } from "../../ports";
import type { TrafficRouterCommonOptions } from "../routerOptions";
import { SystemClock } from "../systemClock";
import { type Resolvable, resolveValue } from "./resolvable";
import {
  type Colour,
  type TrafficSplit,
  otherColour,
  type LambdaRouting,
  lambdaAliasRouting,
  percentFromAliasRouting,
} from "../../../components/domain";

/** What the router works on: the alias and each colour's version, and the colour a revert returns to. */
export interface LambdaRouterTarget {
  readonly routing: LambdaRouting;
  /**
   * The stable colour (the stack's `stableColour` output). Its version stays the alias's primary
   * and the other colour is the one additional version, exactly as the program writes the alias
   * for the same split, so a direct revert leaves nothing for the restoring update to change.
   */
  readonly stable: Colour;
}

/** Options of a `LambdaTrafficRouter`. */
export interface LambdaTrafficRouterOptions extends TrafficRouterCommonOptions {
  /** The Lambda client of the stack's account and region. */
  readonly client: LambdaClient;
  /**
   * The alias, the versions and the stable colour; pass a function that reads the stack outputs
   * when the router outlives a deploy, because a deploy publishes a new version for the candidate.
   */
  readonly target: Resolvable<LambdaRouterTarget>;
}

const MAX_ERROR_TEXT = 300;

/**
 * Steps traffic through the alias's routing config. Writes are conditional on the alias's
 * RevisionId, so a concurrent change is detected rather than overwritten: the write fails with a
 * transient error, and the driver's next attempt recomputes it from a fresh read.
 */
export class LambdaTrafficRouter implements TrafficRouter {
  private readonly client: LambdaClient;
  private readonly target: Resolvable<LambdaRouterTarget>;
  private readonly check: RolloutConfig["preTrafficCheck"];
  private readonly clock: Pick<Clock, "sleep">;
  private readonly timeoutSignal: (ms: number) => AbortSignal;
  private readonly checkRetryDelayMs: number;

  constructor(options: LambdaTrafficRouterOptions) {
    this.client = options.client;
    this.target = options.target;
    this.check = options.preTrafficCheck;
    this.clock = options.clock ?? new SystemClock();
    this.timeoutSignal = options.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms));
    this.checkRetryDelayMs = options.checkRetryDelayMs ?? 2_000;
  }

  /** The split the alias serves now. */
  async read(signal?: AbortSignal): Promise<TrafficSplit> {
    const { routing } = await resolveValue(this.target, signal);
    const alias = await this.getAlias(routing, signal);
    return percentFromAliasRouting(
      {
        functionVersion: alias.FunctionVersion ?? "(none)",
        additionalVersionWeights: alias.RoutingConfig?.AdditionalVersionWeights ?? {},
      },
      routing.versions,
    );
  }

  /**
   * Points the alias at the split: primary = the stable colour's version, the other colour as the
   * additional version (none at 0%). The update names the RevisionId just read; when another
   * writer changed the alias in between, it fails with a transient error that says so.
   */
  async write(split: TrafficSplit, signal?: AbortSignal): Promise<void> {
    const { routing, stable } = await resolveValue(this.target, signal);
    const desired = lambdaAliasRouting(split, stable, routing.versions);
    const alias = await this.getAlias(routing, signal);
    try {
      await this.client.send(
        new UpdateAliasCommand({
          FunctionName: routing.functionName,
          Name: routing.aliasName,
          FunctionVersion: desired.functionVersion,
          // An omitted RoutingConfig leaves the old weights in place: clearing the additional
          // version takes an explicit empty map.
          RoutingConfig: { AdditionalVersionWeights: { ...desired.additionalVersionWeights } },
          RevisionId: alias.RevisionId,
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      throw markTransient(
        new Error(
          `alias ${routing.aliasName} of ${routing.functionName} changed between read and write (PreconditionFailedException on its RevisionId); another process is writing it: stop it, then run again`,
          { cause: error },
        ),
      );
    }
  }

  /**
   * Ready when the colour's version is Active with a successful last update, and it shares the
   * execution role and dead-letter config with the other colour's version: an alias cannot split
   * traffic between versions that differ in either.
   */
  async readiness(colour: Colour, signal?: AbortSignal): Promise<Readiness> {
    const { routing } = await resolveValue(this.target, signal);
    const version = routing.versions[colour];
    const own = await this.configuration(routing, version, signal);
    const label = `${colour}'s version ${version} of ${routing.functionName}`;
    if (own.State !== "Active") {
      return {
        ready: false,
        detail: `${label} is ${own.State ?? "in an unknown state"}${own.StateReason ? `: ${own.StateReason}` : ""}`,
      };
    }
    if (own.LastUpdateStatus !== "Successful") {
      return {
        ready: false,
        detail: `${label} has last update status ${own.LastUpdateStatus ?? "unknown"}${own.LastUpdateStatusReason ? `: ${own.LastUpdateStatusReason}` : ""}`,
      };
    }
    const other = otherColour(colour);
    const otherVersion = routing.versions[other];
    if (otherVersion === version) return { ready: true, detail: `${label} is Active` };
    const theirs = await this.configuration(routing, otherVersion, signal);
    const otherLabel = `${other}'s version ${otherVersion}`;
    if (own.Role !== theirs.Role) {
      return {
        ready: false,
        detail: `${label} runs as role ${own.Role ?? "(none)"} but ${otherLabel} as ${theirs.Role ?? "(none)"}; an alias splits traffic only between versions with the same execution role: deploy both with the same role`,
      };
    }
    const ownDlq = own.DeadLetterConfig?.TargetArn;
    const theirDlq = theirs.DeadLetterConfig?.TargetArn;
    if (ownDlq !== theirDlq) {
      return {
        ready: false,
        detail: `${label} has dead-letter target ${ownDlq ?? "(none)"} but ${otherLabel} has ${theirDlq ?? "(none)"}; an alias splits traffic only between versions with the same dead-letter config: deploy both with the same one`,
      };
    }
    return {
      ready: true,
      detail: `${label} is Active, with the same role and dead-letter config as ${otherLabel}`,
    };
  }

  /**
   * Invokes the colour's version with the configured payload and waits for the answer; passes when
   * the function returns without FunctionError and with status 200.
   */
  async preTrafficCheck(colour: Colour, signal?: AbortSignal): Promise<Readiness> {
    const { routing } = await resolveValue(this.target, signal);
    const version = routing.versions[colour];
    const label = `${colour}'s version ${version} of ${routing.functionName}`;
    let last = "";
    for (let attempt = 1; attempt <= this.check.attempts; attempt += 1) {
      signal?.throwIfAborted();
      if (attempt > 1) await this.clock.sleep(this.checkRetryDelayMs, signal);
      const timeout = this.timeoutSignal(this.check.timeout * 1_000);
      const requestSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        const answer = await this.client.send(
          new InvokeCommand({
            FunctionName: routing.functionName,
            Qualifier: version,
            InvocationType: "RequestResponse",
            Payload: new TextEncoder().encode(this.check.payload),
          }),
          { abortSignal: requestSignal },
        );
        if (!answer.FunctionError && answer.StatusCode === 200) {
          return { ready: true, detail: `${label} answered the test invocation with status 200` };
        }
        last = answer.FunctionError
          ? `${label} failed the test invocation (${answer.FunctionError}): ${errorText(answer.Payload)}`
          : `${label} answered the test invocation with status ${answer.StatusCode ?? "unknown"}, expected 200`;
      } catch (error) {
        signal?.throwIfAborted();
        last = timeout.aborted
          ? `${label} did not answer the test invocation within ${this.check.timeout}s`
          : `invoking ${label} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
      }
    }
    return {
      ready: false,
      detail: `${last} (${this.check.attempts} attempt${this.check.attempts === 1 ? "" : "s"})`,
    };
  }

  private async getAlias(routing: LambdaRouting, signal?: AbortSignal) {
    return this.client.send(
      new GetAliasCommand({ FunctionName: routing.functionName, Name: routing.aliasName }),
      {
        abortSignal: signal,
      },
    );
  }

  private async configuration(
    routing: LambdaRouting,
    version: string,
    signal?: AbortSignal,
  ): Promise<FunctionConfiguration> {
    return this.client.send(
      new GetFunctionConfigurationCommand({ FunctionName: routing.functionName, Qualifier: version }),
      { abortSignal: signal },
    );
  }
}

function isPreconditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "PreconditionFailedException";
}

/** The error type and message of a failed invocation, short; the payload's stack trace is left out. */
function errorText(payload: Uint8Array | undefined): string {
  if (!payload || payload.length === 0) return "no error payload";
  const text = new TextDecoder().decode(payload);
  let summary = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) {
      const { errorType, errorMessage } = parsed as { errorType?: unknown; errorMessage?: unknown };
      if (typeof errorType === "string" || typeof errorMessage === "string") {
        summary = [errorType, errorMessage].filter((part) => typeof part === "string").join(": ");
      }
    }
  } catch {
    // Not JSON: the raw text is the best description there is.
  }
  return summary.length > MAX_ERROR_TEXT ? `${summary.slice(0, MAX_ERROR_TEXT)}...` : summary;
}
