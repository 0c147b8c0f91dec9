/**
 * How the CLI echoes what the user typed: the domain's cut rule, which the config schema's
 * messages follow too, so a flag and a stack file key echo a value the same way.
 */
export { ECHO_LIMIT, cutInput, describeInput, quoteInput } from "../components/domain/echo";
