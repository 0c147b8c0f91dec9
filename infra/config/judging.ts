/**
 * Which alarms judge a colour: the rule that keeps a rollout from promoting a new colour that
 * nothing watches. The config's cross-key rules refuse such a stack unless it says so with
 * `bluegreen:alarms.allowNone`, and the driver's preflight applies the same rule to the config it
 * was handed, so a config that never went through the schema is held to it too.
 */
import type { Colour } from "../../components/domain/traffic";
import type { BuiltInAlarm } from "./rollout";

/** What the rule reads of `bluegreen:alarms`: each built-in alarm's switch and the colour alarms. */
export type JudgedAlarms = Readonly<Record<BuiltInAlarm, { readonly enabled: boolean }>> & {
  readonly colourAlarms?: Readonly<Record<Colour, readonly string[]>>;
};

/**
 * The alarms that judge `colour`: the enabled built-in alarms among `platformAlarms` (the
 * platform's, from `platformProfile`) and, in Kubernetes gateway mode, the team's colour alarms.
 * `alarms.extra` are not among them: they watch the service as a whole, not a colour.
 */
export function judgingAlarms(
  platformAlarms: readonly BuiltInAlarm[],
  alarms: JudgedAlarms,
  colour: Colour,
): string[] {
  return [...platformAlarms.filter((name) => alarms[name].enabled), ...(alarms.colourAlarms?.[colour] ?? [])];
}

/** Why no alarm judges a colour, worded for the stack file's author. */
export function unjudgedReason(platform: string, platformAlarms: readonly BuiltInAlarm[]): string {
  return platformAlarms.length > 0
    ? `every built-in alarm of platform ${platform} (${platformAlarms.join(", ")}) is disabled`
    : `platform ${platform} has no built-in alarms and no colour alarms are named`;
}

/** The refusal of a stack with nothing judging the new colour, and the two ways out. */
export function unjudgedProblem(platform: string, platformAlarms: readonly BuiltInAlarm[]): string {
  return `no alarm judges the new colour: ${unjudgedReason(platform, platformAlarms)}, so a rollout would promote it to 100% whatever it does; enable at least one, or set bluegreen:alarms.allowNone: true to roll out with nothing judging it`;
}
