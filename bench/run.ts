/**
 * @module `npm run bench`: runs every `bench/*.bench.ts` one after another (the GPU benchmark
 * has its own script, `npm run bench:gpu`), each in its own process so that one's memory and
 * JIT state do not colour the next. `npm run bench -- tone` runs the ones whose name contains `tone`.
 * Each benchmark prints a table and one JSON line; the JSON lines are also collected in
 * `bench/results/latest.jsonl` (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('.', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.ts') && name !== 'gpu.bench.ts')
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();
const jsonLines: string[] = [];
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(run.stdout);
  for (const line of run.stdout.split('\n')) if (line.startsWith('{') && line.endsWith('}')) jsonLines.push(line);
  if (run.status !== 0) {
    failed++;
    console.error(`${file} exited with ${run.status}`);
  }
}
mkdirSync(join(dir, 'results'), { recursive: true });
writeFileSync(join(dir, 'results', 'latest.jsonl'), jsonLines.join('\n') + '\n');
process.exit(failed ? 1 : 0);
