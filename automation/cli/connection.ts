/**
 * What connecting a stack takes: the contract between services.ts, which hands the commands the
 * driver's ports, and wiring.ts, which builds the real ones. It lives in neither, so services.ts
 * can load wiring.ts on demand without the two importing each other.
 */
import type { EventSink } from "../events";
import type { InspectableControlChannel } from "./control";
import type { CliIo } from "./io";
import type { LoadedStack } from "./stacks";

/** What a run needs to build its ports. */
export interface ConnectRequest {
  readonly stack: LoadedStack;
  readonly io: CliIo;
  readonly events: EventSink;
  readonly control: InspectableControlChannel;
  /**
   * The control table actions the command will use, which the preflight proves on a stack whose
   * control channel is its DynamoDB table (`CONTROL_TABLE_ACTIONS`). @default none proven
   */
  readonly controlActions?: readonly string[];
}
