/**
 * An in-memory `StackHandle` for the adapter's tests: records every call and answers from plain
 * fields the test sets. No Pulumi CLI is involved.
 */
import type { OpMap, PreviewOptions, UpOptions } from "@pulumi/pulumi/automation";
import type { HistoryEntry, StackHandle, UpOutcome } from "../../../../automation/adapters/pulumi/handle";
import type { RawOutput } from "../../../../automation/adapters/pulumi/outputs";
import type { RawConfigValue } from "../../../../automation/adapters/pulumi/values";
import type { StackOutputs } from "../../../../components/domain";

/** Outputs a deployed ALB stack exports. */
export function albOutputs(overrides: Partial<StackOutputs> = {}): StackOutputs {
  return {
    service: "shop",
    platform: "ecs",
    revision: 3,
    stableColour: "blue",
    traffic: { blue: 100, green: 0 },
    slots: { blue: { version: "1.0.0" }, green: { version: "1.0.0" } },
    alarms: {
      blue: { composite: "shop-dev-blue-deploy", members: ["shop-dev-blue-errorRate"] },
      green: { composite: "shop-dev-green-deploy", members: ["shop-dev-green-errorRate"] },
      extra: [],
    },
    routing: {
      kind: "alb",
      loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/1",
      listenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2",
      testListenerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/3",
      targetGroupArns: {
        blue: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-blue/4",
        green: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-green/5",
      },
      testEndpoint: "http://shop.example:8443",
    },
    routingUrns: ["urn:pulumi:dev::bluegreen::aws:lb/listener:Listener::shop-listener"],
    ...overrides,
  };
}

/** Outputs as `Stack.outputs()` returns them: each value wrapped with its secret flag. */
export function rawOutputs(
  outputs: Record<string, unknown>,
  secretKeys: readonly string[] = [],
): Record<string, RawOutput> {
  return Object.fromEntries(
    Object.entries(outputs).map(([key, value]) => [key, { value, secret: secretKeys.includes(key) }]),
  );
}

/** Config as `pulumi config --json` prints it: structured values as JSON text plus objectValue. */
export function rawConfig(values: Record<string, unknown>, secretKeys: readonly string[] = []) {
  const config: Record<string, RawConfigValue> = {};
  for (const [key, value] of Object.entries(values)) {
    config[key] =
      typeof value === "string"
        ? { value, secret: secretKeys.includes(key) }
        : { value: JSON.stringify(value), objectValue: value, secret: secretKeys.includes(key) };
  }
  return config;
}

/** A stack error's text as the SDK's CommandResult renders it. */
export function commandText(stderr: string, code = 255): string {
  return `code: ${code}\n stdout: \n stderr: ${stderr}\n err?: \n`;
}

/** A scriptable `StackHandle`. */
export class FakeStackHandle implements StackHandle {
  outputsValue: Record<string, RawOutput> = rawOutputs({ ...albOutputs() });
  config: Record<string, RawConfigValue> = {};
  historyEntries: HistoryEntry[] = [];
  backendUrl = "https://api.pulumi.com";
  stacks: { name: string; updateInProgress?: boolean }[] = [{ name: "dev" }];
  upResult: UpOutcome = {
    summary: { resourceChanges: { same: 10 } },
    outputs: rawOutputs({ ...albOutputs() }),
  };
  previewSummary: OpMap = { same: 10 };
  /** Thrown by the next up() instead of answering. */
  upError?: Error;
  /** Runs during up(), to change history or wait for a signal. */
  duringUp?: (options: UpOptions) => Promise<void>;
  outputsError?: Error;

  readonly calls: string[] = [];
  readonly upCalls: UpOptions[] = [];
  readonly previewCalls: PreviewOptions[] = [];
  readonly configWrites: string[] = [];

  async outputs(): Promise<Record<string, RawOutput>> {
    this.calls.push("outputs");
    if (this.outputsError) throw this.outputsError;
    return this.outputsValue;
  }

  async getAllConfig(): Promise<Record<string, RawConfigValue>> {
    this.calls.push("getAllConfig");
    return this.config;
  }

  async setAllConfigJson(configJson: string): Promise<void> {
    this.calls.push("setAllConfigJson");
    this.configWrites.push(configJson);
    const document = JSON.parse(configJson) as Record<string, RawConfigValue>;
    this.config = { ...this.config, ...document };
  }

  async up(options: UpOptions): Promise<UpOutcome> {
    this.calls.push("up");
    this.upCalls.push(options);
    if (this.duringUp) await this.duringUp(options);
    if (this.upError) throw this.upError;
    return this.upResult;
  }

  async preview(options: PreviewOptions): Promise<{ changeSummary: OpMap }> {
    this.calls.push("preview");
    this.previewCalls.push(options);
    return { changeSummary: this.previewSummary };
  }

  async history(pageSize: number, page: number, showSecrets: boolean): Promise<HistoryEntry[]> {
    this.calls.push(`history(${pageSize},${page},${showSecrets})`);
    return this.historyEntries.slice(0, pageSize);
  }

  async whoAmI(): Promise<{ url?: string }> {
    this.calls.push("whoAmI");
    return { url: this.backendUrl };
  }

  async listStacks(): Promise<{ name: string; updateInProgress?: boolean }[]> {
    this.calls.push("listStacks");
    return this.stacks;
  }
}
