import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { importCycles, importEdges } from '../scripts/import-graph.ts';

describe('the import graph of src/ and adapters/', () => {
  const edges = importEdges();

  it('reads imports, re-exports and import() of the real sources', () => {
    const from = (file: string) => edges.filter((edge) => edge.from === file);
    assert.ok(from('src/engine.ts').some((edge) => edge.to === 'src/editor.ts' && !edge.typeOnly));
    assert.ok(
      from('src/index.ts').some((edge) => edge.to === 'src/turn.ts'),
      'export * from',
    );
    assert.ok(
      from('adapters/main.ts').some((edge) => edge.to === 'adapters/web/index.ts' && edge.dynamic),
      'import()',
    );
  });

  it('has no cycle, at run time or through type imports', () => {
    assert.deepEqual(importCycles(edges.filter((edge) => !edge.typeOnly)), []);
    assert.deepEqual(importCycles(edges), []);
  });

  it('lets adapters reach the engine through src/index.ts alone, and the engine never reach an adapter', () => {
    const past = edges.filter(
      (edge) => edge.from.startsWith('adapters/') && edge.to.startsWith('src/') && edge.to !== 'src/index.ts',
    );
    assert.deepEqual(past, []);
    assert.deepEqual(
      edges.filter((edge) => edge.from.startsWith('src/') && edge.to.startsWith('adapters/')),
      [],
    );
  });

  it('finds a cycle, and tells one of types only from one at run time', () => {
    const root = mkdtempSync(join(tmpdir(), 'import-graph-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('src/a.ts', "import { b } from './b.ts';\nexport const a = b;\n");
      write('src/b.ts', "export const b = 1;\nexport async function later() { return import('./c.ts'); }\n");
      write('src/c.ts', "import type { X } from './d.ts';\nexport { a } from './a.ts';\nexport type Y = X;\n");
      write('src/d.ts', "import { type Y } from './c.ts';\nexport type X = Y | 1;\n");
      const found = importEdges(['src'], root);
      assert.deepEqual(importCycles(found), [['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts']]);
      assert.deepEqual(importCycles(found.filter((edge) => !edge.typeOnly)), [['src/a.ts', 'src/b.ts', 'src/c.ts']]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
