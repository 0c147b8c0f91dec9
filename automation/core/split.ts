/**
 * Traffic splits moved to the domain (components/domain/traffic.ts), with the one validator.
 */
// re-export: importers move to components/domain
export {
  otherColour as other,
  formatSplit,
  isSplit,
  sameSplit,
  splitFor,
} from "../../components/domain/traffic";
