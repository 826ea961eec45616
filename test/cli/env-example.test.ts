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

it('.env.example shows the default that src/config.ts uses for each variable that has one', () => {
  const source = readFileSync(join(root, 'src/config.ts'), 'utf8');
  const example = readFileSync(join(root, '.env.example'), 'utf8');
  const shown = new Map([...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
  const defaults = new Map<string, string>();
  // number(env, 'NAME', 8443, …), url(env, 'NAME', 'https://…', …), oneOf(env, 'NAME', [...] as const, 'tone', …), text(env, 'NAME') ?? 'x'
  for (const m of source.matchAll(/number\(env, '([A-Z0-9_]+)', ([0-9_.]+),/g))
    defaults.set(m[1]!, m[2]!.replaceAll('_', ''));
  for (const m of source.matchAll(/url\(env, '([A-Z0-9_]+)', '([^']+)'/g)) defaults.set(m[1]!, m[2]!);
  // oneOf reads its value case-insensitively ('MobileNetV2' is 'mobilenetv2').
  const caseless = new Set<string>();
  for (const m of source.matchAll(/oneOf\(env, '([A-Z0-9_]+)', \[[^\]]*\] as const, '([^']+)'/g)) {
    defaults.set(m[1]!, m[2]!);
    caseless.add(m[1]!);
  }
  for (const m of source.matchAll(/text\(env, '([A-Z0-9_]+)'\) \?\? '([^']+)'/g)) defaults.set(m[1]!, m[2]!);
  // A number read only when the variable is set (`=== undefined ? undefined : number(…)`) has no default.
  for (const m of source.matchAll(/\? undefined : number\(env, '([A-Z0-9_]+)'/g)) defaults.delete(m[1]!);
  assert.ok(defaults.size > 20, `found ${defaults.size} defaults in src/config.ts`);
  const wrong = [...defaults]
    .filter(([name, value]) => {
      const listed = shown.get(name);
      if (listed === undefined) return false;
      return caseless.has(name) ? listed.toLowerCase() !== value.toLowerCase() : listed !== value;
    })
    .map(([name, value]) => `${name}: .env.example shows '${shown.get(name)}', config uses '${value}'`);
  assert.deepEqual(wrong, []);
});
