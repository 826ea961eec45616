#!/usr/bin/env node
// Runs every test file under test/ (and adapters/**/test) with Node's own test runner and tsx.
// Usage: npm test [-- path-or-substring ...]   e.g. `npm test -- normaliser`
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = collect(join(root, 'test'), [])
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`No test file matches ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// One line per file and the failures in full on the terminal; the whole TAP in test-results/tap.txt.
mkdirSync(join(root, 'test-results'), { recursive: true });
const reporters = [
  '--test-reporter=./scripts/test-reporter.mjs',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  '--test-reporter-destination=test-results/tap.txt',
];
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...reporters, ...files],
  {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
);
process.exit(result.status ?? 1);
