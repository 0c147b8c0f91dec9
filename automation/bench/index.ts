/**
 * `npm run bench`: what users feel of the driver, measured rather than timed in tests.
 *
 * 1. The wall time of a rehearsal of the SOP's default plan (25 virtual minutes).
 * 2. The virtual time from an alarm entering ALARM to the verified revert, per poll interval.
 * 3. The resources each update of a rollout touches (a traffic step: only the routing resources).
 * 4. How long `bluegreen undo` takes to put traffic back inside the rollback window and after it.
 * 5. How long Pulumi's Node.js language host takes to load the program, type-checked and
 *    transpile-only: what every update and preview of a real rollout pays before it starts.
 * 5. The guardian's own time from an alarm event to a verified revert, cold (./guardian.ts).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { stackFilePath, validateStackFile } from "../../infra/config/stackFile";
import type { BluegreenConfig } from "../../infra/config/validate";
import { runRollout } from "../rollout";
import type { EventSink, RolloutEvent } from "../events";
import { SimulatedWorld, VirtualClock, parseScenario } from "../rehearsal";
import { presetPlan } from "../../components/domain";
import { benchGuardian } from "./guardian";
import { undoTable } from "./undo";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const RUNS = 7;
/** Program loads per mode: each is a fresh process, and a type-checked one takes seconds. */
const LOAD_RUNS = 3;

function loadConfig(stack: string): BluegreenConfig {
  const result = validateStackFile(stackFilePath(PROJECT_DIR, stack));
  if (!result.ok) throw new Error(`stacks/Pulumi.${stack}.yaml is invalid`);
  return result.config;
}

function withDefaultPlan(config: BluegreenConfig, pollInterval: number): BluegreenConfig {
  return {
    ...config,
    rollout: { ...config.rollout, plan: presetPlan("sop"), planName: "sop", pollInterval },
  };
}

async function rehearse(config: BluegreenConfig, stack: string, scenarioText?: string) {
  const clock = new VirtualClock(0);
  const scenario = scenarioText ? parseScenario(scenarioText, "bench.json") : undefined;
  const world = new SimulatedWorld({ config, stackName: stack, clock, scenario });
  const events: RolloutEvent[] = [];
  const sink: EventSink = { emit: (event) => events.push(event) };
  const result = await runRollout(world.driverDeps(sink), {
    config,
    version: "9.9.9",
    resume: false,
    signal: world.signal,
  });
  return { result, events, world };
}

/**
 * Milliseconds to load infra/index.ts the way Pulumi's Node.js language host does (`cmd/run` in
 * @pulumi/pulumi): ts-node's `register({ transpileOnly, project: tsconfig.json })`, then `require`
 * of the entry point, in a fresh process so nothing is cached from an earlier load. Timed inside
 * the child: the process start is the same either way.
 */
function programLoadMs(transpileOnly: boolean): number {
  const script = [
    "const started = performance.now();",
    `require("ts-node").register({ transpileOnly: ${transpileOnly}, project: "tsconfig.json" });`,
    'require("./infra/index.ts");',
    "process.stdout.write(String(performance.now() - started));",
  ].join("\n");
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const child = spawnSync(process.execPath, ["-e", script], { cwd: PROJECT_DIR, env, encoding: "utf8" });
  if (child.status !== 0) {
    throw new Error(
      `loading infra/index.ts (transpileOnly: ${transpileOnly}) exited ${child.status}: ${child.stderr}`,
    );
  }
  return Number(child.stdout);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const lines: string[] = [];
  for (const stack of ["dev", "orders-dev"]) {
    const config = withDefaultPlan(loadConfig(stack), 10);
    const times: number[] = [];
    let outcome = "";
    let virtualSeconds = 0;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const { result, events } = await rehearse(config, stack);
      times.push(performance.now() - started);
      outcome = result.outcome;
      virtualSeconds = events[events.length - 1]?.elapsedSeconds ?? 0;
    }
    lines.push(
      `rehearsal of the default plan (${stack}, ${config.service.platform}): ${median(times).toFixed(1)} ms wall (median of ${RUNS}) for ${Math.round(virtualSeconds / 60)} virtual minutes, outcome ${outcome}`,
    );
  }

  const cliTimes: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const cli = spawnSync(
      process.execPath,
      [
        path.join(PROJECT_DIR, "bin/bluegreen.js"),
        "rehearse",
        "--stack",
        "dev",
        "--version",
        "2.0.0",
        "--json",
      ],
      {
        cwd: PROJECT_DIR,
        env: {
          ...process.env,
          BLUEGREEN_AUDIT_LOG: path.join(PROJECT_DIR, ".bluegreen", "bench-audit.ndjson"),
        },
        encoding: "utf8",
      },
    );
    cliTimes.push(performance.now() - started);
    if (cli.status !== 0) throw new Error(`bluegreen rehearse exited ${cli.status}: ${cli.stderr}`);
  }
  lines.push(
    `bluegreen rehearse --stack dev --version 2.0.0, end to end with process start: ${median(cliTimes).toFixed(0)} ms (median of 3)`,
  );

  lines.push(
    "",
    "| poll interval | alarm at | reverted at | alarm -> verified revert (virtual) |",
    "| --- | --- | --- | --- |",
  );
  const alarmAtSeconds = 12 * 60 + 3;
  for (const pollInterval of [5, 10, 30, 60]) {
    const config = withDefaultPlan(loadConfig("dev"), pollInterval);
    const scenario = JSON.stringify({ events: [{ at: `${alarmAtSeconds}s`, alarm: "*", state: "ALARM" }] });
    const { events, result } = await rehearse(config, "dev", scenario);
    const reverted = events.find((event) => event.type === "reverted");
    if (!reverted || result.outcome !== "rolled-back")
      throw new Error(`no revert at poll interval ${pollInterval}s`);
    lines.push(
      `| ${pollInterval}s | ${alarmAtSeconds}s | ${reverted.elapsedSeconds.toFixed(0)}s | ${(reverted.elapsedSeconds - alarmAtSeconds).toFixed(0)}s |`,
    );
  }

  const { world } = await rehearse(withDefaultPlan(loadConfig("dev"), 10), "dev");
  lines.push("", "| update | targeted | resources changed |", "| --- | --- | --- |");
  for (const update of world.updates()) {
    lines.push(
      `| ${update.message} | ${update.targets ? `${update.targets.length} URNs` : "whole stack"} | ${update.changed} |`,
    );
  }

  lines.push("", ...(await undoTable(loadConfig("dev"), "dev")));

  lines.push(
    "",
    `| program load (ts-node, as Pulumi's language host) | median of ${LOAD_RUNS} fresh processes |`,
    "| --- | --- |",
  );
  for (const [label, transpileOnly] of [
    ["type-checked", false],
    ["transpile-only", true],
  ] as const) {
    const times = Array.from({ length: LOAD_RUNS }, () => programLoadMs(transpileOnly));
    lines.push(`| ${label} | ${(median(times) / 1000).toFixed(1)} s |`);
  }

  // Loaded here, not at the top: the program brings @pulumi/aws, which the timings above do without.
  const { GUARDIAN_ENTRY_FILE } = await import("../../infra/program");
  const guardian = await benchGuardian(GUARDIAN_ENTRY_FILE);
  lines.push(
    "",
    `| guardian (one cold start, Node ${process.versions.node}) | ms |`,
    "| --- | --- |",
    `| bundle the handler (esbuild, ${(guardian.bundleBytes / 1024).toFixed(0)} KiB) | ${guardian.bundleMs.toFixed(0)} |`,
    `| require the bundle in a fresh process | ${guardian.requireMs.toFixed(0)} |`,
    `| alarm event -> verified revert (one invocation) | ${guardian.invokeMs.toFixed(0)} |`,
  );
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
