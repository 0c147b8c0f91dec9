/**
 * Getting the candidate ready before it gets any traffic: deploy the version to its slot, wait
 * until it can take traffic, and run the pre-traffic check. Each failure stops the rollout with
 * a cause the revert and the result name.
 */
import type { Readiness } from "../ports";
import type { RunContext } from "./context";
import { describeError, RolloutStop } from "./failures";
import { splitFor } from "../../components/domain";

/** Writes the candidate's slot (still at 0%) and runs a full update. */
export async function deployCandidate(run: RunContext): Promise<void> {
  const { candidate, stable } = run.prepared;
  const version = run.request.version;
  const what = `deploying ${version} to ${candidate}`;
  run.throwIfSignalled();
  try {
    await run.release.write({ traffic: splitFor(candidate, 0), slots: run.rolloutSlots(), stable });
  } catch (error) {
    throw new RolloutStop(
      "deploy-failed",
      `${what}: could not write the stack's release values: ${describeError(error)}`,
      run.now(),
    );
  }
  const update = await run.release.update({
    message: run.updateMessage(`deploy ${version} to ${candidate}`),
  });
  if (update.kind === "failed") {
    throw new RolloutStop("deploy-failed", `${what} failed: ${describeError(update.error)}`, run.now());
  }
  if (update.kind === "saved-despite-error") {
    run.warn(
      `the deploy update reported an error after it was saved (${describeError(update.error)}); the deployed outputs show ${candidate} on ${version}, so the rollout continues`,
    );
  }
  const changed = update.kind === "applied" ? update.changed : 0;
  run.emitter.emit({ type: "deployed", colour: candidate, version, changed });
  run.throwIfSignalled();
}

/** Waits for the candidate to be able to take traffic: it gets no weight before it can. */
export async function awaitReadiness(run: RunContext): Promise<void> {
  const { candidate } = run.prepared;
  const timeoutSeconds = run.config.rollout.operationTimeout;
  const deadline = run.now() + timeoutSeconds * 1000;
  for (;;) {
    run.throwIfSignalled();
    await run.operator.heartbeat();
    await run.operator.takeOutsideBake("while waiting for the candidate to become ready");
    let readiness: Readiness;
    try {
      readiness = await run.read(() => run.deps.router.readiness(candidate, run.signal));
    } catch (error) {
      run.throwIfSignalled();
      readiness = { ready: false, detail: `could not read readiness: ${describeError(error)}` };
    }
    if (readiness.ready) {
      run.emitter.emit({ type: "ready", colour: candidate, detail: readiness.detail });
      return;
    }
    const now = run.now();
    if (now >= deadline) {
      throw new RolloutStop(
        "not-ready",
        `${candidate} was not ready after ${timeoutSeconds}s (${readiness.detail}); it got no traffic`,
        now,
      );
    }
    await run.sleep(Math.min(run.pollSeconds * 1000, deadline - now));
  }
}

/** The configured check against the candidate before it gets any traffic. */
export async function checkBeforeTraffic(run: RunContext): Promise<void> {
  if (!run.config.rollout.preTrafficCheck.enabled) return;
  const { candidate } = run.prepared;
  run.throwIfSignalled();
  let check: Readiness;
  try {
    check = await run.read(() => run.deps.router.preTrafficCheck(candidate, run.signal));
  } catch (error) {
    run.throwIfSignalled();
    check = { ready: false, detail: describeError(error) };
  }
  run.emitter.emit({ type: "checked", colour: candidate, ok: check.ready, detail: check.detail });
  if (!check.ready) {
    throw new RolloutStop(
      "check-failed",
      `the pre-traffic check of ${candidate} failed (${check.detail}); it got no traffic`,
      run.now(),
    );
  }
}
