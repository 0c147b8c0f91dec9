/**
 * The types of `dynalite`, which ships none: the factory of a DynamoDB API server on LevelDB
 * (in memory unless `path` is given), as the control table tests use it.
 */
declare module "dynalite" {
  import type { Server } from "node:http";

  /** Options of a dynalite server. */
  interface DynaliteOptions {
    /** How long a new table stays CREATING, in milliseconds. @default 500 */
    readonly createTableMs?: number;
    /** How long a deleted table stays DELETING, in milliseconds. @default 500 */
    readonly deleteTableMs?: number;
    /** Where LevelDB keeps the data. @default in memory */
    readonly path?: string;
  }

  /** A DynamoDB API server, not yet listening. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
