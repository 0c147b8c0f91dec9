import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The checks npm's warnings would make if .npmrc did not keep npm to errors, made against the
 * right Node: npm compares `engines` with the Node that runs npm, while this project runs on the
 * Node 24 its `node` devDependency installs.
 */

const ROOT = path.join(__dirname, "..", "..");

interface LockedPackage {
  readonly version?: string;
  readonly engines?: { readonly node?: string } | readonly string[];
  readonly hasInstallScript?: boolean;
  readonly optional?: boolean;
}

interface PackageJson {
  readonly engines: { readonly node: string };
  readonly devEngines: { readonly runtime: { readonly name: string; readonly version: string } };
  readonly allowScripts: Readonly<Record<string, boolean>>;
}

const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockedPackage>;
};
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as PackageJson;

// semver comes with npm's own dependency tree here (@pulumi/pulumi uses it); it ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const satisfies = require("semver/functions/satisfies") as (
  version: string,
  range: string,
  options?: { includePrerelease?: boolean },
) => boolean;

/** The package name of a lockfile path: `node_modules/a/node_modules/@b/c` -> `@b/c`. */
function nameOf(location: string): string {
  return location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length);
}

/** The Node the project's scripts and `npx bluegreen` run on: the locked `node` package. */
const runtime = lock.packages["node_modules/node"]?.version;

describe("npm: what its warnings would check, against the Node the project runs on", () => {
  it("the project runs on a Node its engines field accepts", () => {
    assert.ok(runtime, "package-lock.json locks the node package");
    assert.ok(satisfies(runtime, manifest.engines.node), `${runtime} against ${manifest.engines.node}`);
  });

  it("every locked package's engines.node accepts that Node", () => {
    const refusing = Object.entries(lock.packages)
      .filter(([location]) => location !== "")
      .flatMap(([location, locked]) => {
        const range = Array.isArray(locked.engines) ? undefined : (locked.engines as { node?: string })?.node;
        return range && runtime && !satisfies(runtime, range, { includePrerelease: true })
          ? [`${nameOf(location)}@${locked.version} needs node ${range}`]
          : [];
      });
    assert.deepEqual(refusing, [], `the project's Node is ${runtime}`);
  });

  it("every locked package with an install script is allowed or refused in allowScripts", () => {
    const undecided = Object.entries(lock.packages)
      .filter(([location, locked]) => location !== "" && locked.hasInstallScript === true)
      .map(([location]) => nameOf(location))
      .filter((name) => !(name in manifest.allowScripts));
    assert.deepEqual(undecided, []);
  });

  it("devEngines names the Node that runs npm, older than the runtime: npm checks that one, not engines", () => {
    assert.equal(manifest.devEngines.runtime.name, "node");
    assert.ok(runtime && satisfies(runtime, manifest.devEngines.runtime.version));
    assert.ok(satisfies("20.17.0", manifest.devEngines.runtime.version), "a Node 20 host still installs");
  });
});
