/**
 * Weight math moved to the domain (components/domain/traffic.ts), where the components share it.
 */
// re-export: importers move to components/domain
export {
  albTargetGroupWeights,
  lambdaAliasRouting,
  percentFromAlbWeights,
  percentFromAliasRouting,
  type AliasRouting,
} from "../components/domain/traffic";
