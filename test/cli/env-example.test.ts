import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;

it('.env.example names every variable that src/config.ts reads', () => {
  const source = readFileSync(join(root, 'src/config.ts'), 'utf8');
  const read = new Set([...source.matchAll(/\(env, '([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!));
  assert.ok(read.size > 30, `found ${read.size} variables in src/config.ts`);
  const example = readFileSync(join(root, '.env.example'), 'utf8');
  const listed = new Set([...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
  const missing = [...read].filter((name) => !listed.has(name));
  assert.deepEqual(missing, [], `add these to .env.example with their defaults: ${missing.join(', ')}`);
  assert.ok(!/^[A-Z][A-Z0-9_]*=/m.test(example), 'every line stays commented out');
});
