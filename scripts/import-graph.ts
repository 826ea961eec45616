/**
 * @module The import graph of the TypeScript sources (`src/`, `adapters/`): every relative import,
 * re-export and `import()` between them, read with the TypeScript parser, and its cycles.
 * `node --import tsx scripts/import-graph.ts` prints the cycles (exit 1 when there is one);
 * `test/import-graph.test.ts` keeps the graph free of them and adapters behind `src/index.ts`.
 *
 * An edge is `type` when it carries types only (`import type`, `export type`, or every name marked
 * `type`): erased when the code runs, so a cycle made of such edges alone costs nothing at run time.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface ImportEdge {
  from: string;
  to: string;
  /** Only types cross it. */
  typeOnly: boolean;
  /** An `import()` expression. */
  dynamic: boolean;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'public') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The relative imports between the `.ts` files under `dirs` (paths relative to the repository root). */
export function importEdges(dirs: readonly string[] = ['src', 'adapters'], root = ROOT): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of dirs.flatMap((dir) => sourceFiles(join(root, dir)))) {
    const source = ts.createSourceFile(
      file,
      readFileSync(file, 'utf8'),
      ts.ScriptTarget.Latest,
      false,
      ts.ScriptKind.TS,
    );
    const from = relative(root, file);
    const add = (specifier: ts.Expression | undefined, typeOnly: boolean, dynamic: boolean): void => {
      if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return;
      edges.push({ from, to: relative(root, resolve(dirname(file), specifier.text)), typeOnly, dynamic });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        const named =
          clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
        const typeOnly = Boolean(
          clause &&
          (clause.isTypeOnly || (!clause.name && named && named.length > 0 && named.every((e) => e.isTypeOnly))),
        );
        add(node.moduleSpecifier, typeOnly, false);
      } else if (ts.isExportDeclaration(node)) {
        const named =
          node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
        add(
          node.moduleSpecifier,
          node.isTypeOnly || Boolean(named && named.length > 0 && named.every((e) => e.isTypeOnly)),
          false,
        );
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        add(node.arguments[0], false, true);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return edges;
}

/** The cycles of the graph: each strongly connected component of more than one file (or a file importing itself), as a path. */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, new Set());
    next.get(from)!.add(to);
  }
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || next.get(node)?.has(node)) components.push(component.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) connect(node);
  return components;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const edges = importEdges();
  const files = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  const all = importCycles(edges);
  const runtime = importCycles(edges.filter((edge) => !edge.typeOnly));
  console.log(
    `${files.size} files, ${edges.length} imports (${edges.filter((e) => e.typeOnly).length} of types only, ${edges.filter((e) => e.dynamic).length} import())`,
  );
  console.log(`cycles: ${all.length} counting type-only imports, ${runtime.length} at run time`);
  for (const cycle of all)
    console.log(`  ${runtime.some((r) => r.join() === cycle.join()) ? 'run time' : 'types   '}: ${cycle.join(' , ')}`);
  process.exitCode = all.length > 0 ? 1 : 0;
}
