/**
 * `npm run try:telegram` and `npm run try:discord` start the real bot against the fake platform
 * servers and play a short conversation: each must finish every step, save the pictures, and exit 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function run(script: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

for (const platform of ['telegram', 'discord'] as const) {
  describe(`npm run try:${platform}`, () => {
    it('plays the scripted conversation against the fake server and exits 0', async () => {
      const { code, output } = await run(`scripts/try-${platform}.ts`);
      assert.equal(code, 0, output);
      assert.match(output, /→ sadness · moderate/);
      assert.match(output, /→ sadness · strong/, 'More made it stronger');
      assert.match(output, /→ contentment/, 'the follow-up changed the feeling');
      assert.match(output, /Done: the \w+ adapter answered every step/);
      assert.ok(existsSync(join(root, 'moodshift-output', `try-${platform}`)), 'the pictures folder exists');
      assert.equal((output.match(/picture saved as/g) ?? []).length, 4, output);
    });
  });
}
