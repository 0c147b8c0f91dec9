/**
 * The building blocks of the config schema: durations, whole numbers with ranges, patterns and
 * ARNs, each with a message that names the value and the expected form.
 */
import { z } from "zod";
import { arnPattern, describe } from "../../components/domain";
import { DURATION_PATTERN, parseDuration } from "./duration";

const DURATION_FORM = 'a duration such as "90s", "5m" or "1h30m"';

/** A duration written as text ("90s", "5m", "1h30m"), parsed to whole seconds. */
export function duration(range: { readonly min: number; readonly max: number }) {
  return z
    .string({ error: (issue) => `expected ${DURATION_FORM}, got ${describe(issue.input)}` })
    .regex(DURATION_PATTERN, { error: (issue) => `expected ${DURATION_FORM}, got ${describe(issue.input)}` })
    .transform((text, ctx) => {
      const seconds = parseDuration(text) ?? 0;
      if (seconds < range.min || seconds > range.max) {
        ctx.addIssue({
          code: "custom",
          message: `must be between ${range.min}s and ${range.max}s, got ${JSON.stringify(text)} (${seconds}s)`,
        });
        return z.NEVER;
      }
      return seconds;
    });
}

/** A whole number from `min` to `max`; `what` says what it counts, for messages. */
export function integer(what: string, min: number, max: number) {
  const message = (issue: { input?: unknown }) =>
    `expected ${what} (a whole number from ${min} to ${max}), got ${describe(issue.input)}`;
  return z.int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** Text that must match `pattern`; `form` describes it with an example, for messages. */
export function matching(pattern: RegExp, form: string) {
  const message = (issue: { input?: unknown }) => `expected ${form}, got ${describe(issue.input)}`;
  return z.string({ error: message }).regex(pattern, { error: message });
}

/** The ARN of a resource of an AWS service, such as `example`. */
export function arn(service: string, example: string) {
  return matching(arnPattern(service), `an ARN such as "${example}"`);
}

/** A port a listener, a target or a container can use. */
export function port() {
  return integer("a port", 1, 65_535);
}

/** A map of environment variable names to values. */
export function environment(name: RegExp) {
  return z.record(matching(name, "an environment variable name such as LOG_LEVEL"), z.string());
}
