/**
 * The stack-outputs contract moved to the domain (components/domain/outputs.ts): one schema the
 * program exports by and the driver reads with.
 */
// re-export: importers move to components/domain
export type {
  AlbRouting,
  ColourAlarms,
  GatewayRouting,
  LambdaRouting,
  Routing,
  StackOutputs,
} from "../components/domain";
