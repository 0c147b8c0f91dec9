/**
 * `bluegreen:control`: how operators reach the driver of a rollout. The stack's DynamoDB control
 * table by default, so `bluegreen abort`, `promote` and `status` work from any machine with AWS
 * credentials; plain files in a directory the driver and the operator share, for a stack that
 * cannot have the table.
 */
import { z } from "zod";
import { describe } from "../../components/domain/traffic";
import { documented } from "./fields";

/** The control channels a stack can choose. */
export const CONTROL_CHANNELS = ["dynamodb", "file"] as const;

/** A control channel's name. */
export type ControlChannelKind = (typeof CONTROL_CHANNELS)[number];

/** `bluegreen:control` */
export const controlSchema = z.strictObject({
  channel: documented(
    z
      .enum(CONTROL_CHANNELS, {
        error: (issue) => `expected one of ${CONTROL_CHANNELS.join(", ")}, got ${describe(issue.input)}`,
      })
      .prefault("dynamodb"),
    "`dynamodb`: the program declares the stack's control table (`bluegreen-<service>-<stack>`, on-demand) and operators reach the run from anywhere with AWS credentials; `file`: no table, requests and heartbeats are files under `BLUEGREEN_CONTROL_DIR` (default `.bluegreen/control/`), shared only by processes that share that directory",
  ),
});

/** `bluegreen:control` after validation. */
export type ControlConfig = z.output<typeof controlSchema>;
