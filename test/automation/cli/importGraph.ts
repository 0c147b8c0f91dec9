/**
 * The import graph of the automation sources, read with the TypeScript parser, and the rules the
 * layout keeps: output never reaches into the CLI, the core takes only types from outside itself,
 * and no CLI module sits on an import cycle.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/** One module a source file names: `import`, `export ... from`, `require()` or `import()`. */
export interface ImportEdge {
  /** The repository-relative path of the module, or the bare specifier of a package. */
  readonly target: string;
  /** Erased at compile time: `import type`, or only `type` specifiers, or `typeof import()`. */
  readonly typeOnly: boolean;
}

/** Source texts by repository-relative path (`automation/cli/main.ts`). */
export type Sources = ReadonlyMap<string, string>;

/** Every `.ts` file under `dir` of the repository at `root`, read into memory. */
export function readSources(root: string, ...dirs: string[]): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        sources.set(child, fs.readFileSync(path.join(root, child), "utf8"));
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return sources;
}

/** The modules `file` imports, resolved against the other sources. */
export function importsOf(file: string, text: string, sources: Sources): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean): void => {
    if (specifier !== undefined && ts.isStringLiteralLike(specifier)) {
      edges.push({ target: resolve(file, specifier.text, sources), typeOnly });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, importIsTypeOnly(node.importClause));
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause !== undefined && ts.isNamedExports(node.exportClause);
      add(
        node.moduleSpecifier,
        node.isTypeOnly ||
          (named &&
            node.exportClause.elements.length > 0 &&
            node.exportClause.elements.every((e) => e.isTypeOnly)),
      );
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    ) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function importIsTypeOnly(clause: ts.ImportClause | undefined): boolean {
  // `import "x"` runs the module for its side effects.
  if (clause === undefined) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

/** A relative specifier as the repository path of a source (`./x` -> `dir/x.ts` or `dir/x/index.ts`). */
function resolve(file: string, specifier: string, sources: Sources): string {
  if (!specifier.startsWith(".")) return specifier;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  const candidates = [base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find((candidate) => sources.has(candidate)) ?? `${base}.ts`;
}

const under = (dir: string) => (file: string) => file.startsWith(`${dir}/`);
const isCli = under("automation/cli");
const isOutput = under("automation/output");
const isCore = under("automation/core");
const isDomain = under("components/domain");
/** Packages the domain may use: it describes data and rules, so a schema library is all it needs. */
const DOMAIN_PACKAGES = new Set(["zod"]);

/** Every break of the layout rules, one line each; empty when the sources keep them. */
export function layoutViolations(sources: Sources): string[] {
  const violations: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, text] of sources) {
    const edges = importsOf(file, text, sources);
    graph.set(
      file,
      edges.map((edge) => edge.target).filter((target) => sources.has(target)),
    );
    for (const edge of edges) {
      if (isOutput(file) && isCli(edge.target)) {
        violations.push(`${file} imports ${edge.target}: output must not depend on the CLI`);
      }
      if (isCore(file) && !isCore(edge.target) && !isDomain(edge.target) && !edge.typeOnly) {
        violations.push(`${file} imports ${edge.target} for more than types: the core stays pure`);
      }
      if (isDomain(file) && !isDomain(edge.target) && !DOMAIN_PACKAGES.has(edge.target)) {
        violations.push(`${file} imports ${edge.target}: the domain imports nothing but zod`);
      }
    }
  }
  for (const cycle of cycles(graph)) {
    if (cycle.some(isCli)) violations.push(`import cycle through the CLI: ${cycle.join(" -> ")}`);
  }
  return violations;
}

/** The strongly connected components with a cycle in them (Tarjan), each sorted. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return found;
}
