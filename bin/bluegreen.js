#!/usr/bin/env node
"use strict";
// Plain ES5 up to the version check, so an old Node prints the message instead of a syntax error.
var major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  process.stderr.write(
    "bluegreen needs Node.js 22 or newer; this is Node.js " +
      process.versions.node +
      ".\n" +
      "Run it through npm so the project's pinned Node 24 comes first on PATH: `npx bluegreen ...` or `npm run validate`.\n",
  );
  process.exitCode = 2;
} else {
  // V8's code cache on disk: every run after the first skips compiling the CLI's modules again,
  // which is most of the start-up time of a short command such as `status` or `plan`.
  require("node:module").enableCompileCache();
  // The CLI is TypeScript run in place: tsx's CommonJS register API compiles it on require.
  require("tsx/cjs/api").register();
  require("../automation/cli/main.ts").main();
}
