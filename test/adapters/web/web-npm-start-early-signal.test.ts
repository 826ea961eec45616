/**
 * `npm start` (adapters/main.ts) stopped with SIGTERM while it is still starting (issue 13): the
 * signal is taken from the first log line on, start-up finishes or is cut short, and the process
 * exits 0 on its own (not by the SHUTDOWN_TIMEOUT_S watchdog, which exits 1), with log lines
 * only, no stack trace, and no web chat left listening.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

it('stops cleanly on SIGTERM that comes while npm start is still starting', async () => {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'info',
      WEB_PORT: '0',
      WEB_HOST: '127.0.0.1',
      // Long enough that an exit 0 means the process finished by itself.
      SHUTDOWN_TIMEOUT_S: '30',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const sent = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'moodshift starting' line within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      const before = output;
      output += chunk.toString();
      // The first log line: the engine (models, picture safety) and the web chat are still to come.
      if (!before.includes('"moodshift starting"') && output.includes('"moodshift starting"')) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
  });
  await sent;
  const { code, signal } = await exited;
  assert.equal(signal, null, `killed by ${signal} instead of stopping:\n${output}`);
  assert.equal(code, 0, output);
  assert.match(output, /the signal came while starting/);
  assert.match(output, /"msg":"stopped"/);
  assert.doesNotMatch(output, /moodshift is running/, 'the web chat never opened for a process told to stop');
  assert.doesNotMatch(output, /\n\s+at /, output);
  for (const line of output.split('\n').filter((l) => l.trim())) {
    const parsed = JSON.parse(line) as { err?: { stack?: string } };
    assert.equal(parsed.err?.stack, undefined, `a log line carries a stack trace: ${line}`);
  }
});
