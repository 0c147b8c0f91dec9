/**
 * Traffic splits moved to the domain (components/domain/split.ts), with the one validator.
 */
// re-export: importers move to components/domain
export { otherColour as other } from "../../components/domain/colour";
// re-export: importers move to components/domain
export { formatSplit, isSplit, sameSplit, splitFor } from "../../components/domain/split";
