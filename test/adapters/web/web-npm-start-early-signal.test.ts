/**
 * `npm start` (adapters/main.ts) stopped with SIGTERM while it is still starting (issue 13): the
 * signal is taken from the first log line on, start-up finishes or is cut short, and the process
 * exits 0 on its own (not by the SHUTDOWN_TIMEOUT_S watchdog, which exits 1), with log lines
 * only, no stack trace, and no web chat left listening.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertNoStackTrace, spawnNpmStart } from './npm-start-process.ts';

it('stops cleanly on SIGTERM that comes while npm start is still starting', async () => {
  const web = spawnNpmStart();
  // The first log line: the engine (models, picture safety) and the web chat are still to come.
  await web.waitFor(/"moodshift starting"/);
  web.child.kill('SIGTERM');
  const { code, signal } = await web.exited;
  const output = web.output();
  assert.equal(signal, null, `killed by ${signal} instead of stopping:\n${output}`);
  assert.equal(code, 0, output);
  assert.match(output, /the signal came while starting/);
  assert.match(output, /"msg":"stopped"/);
  assert.doesNotMatch(output, /moodshift is running/, 'the web chat never opened for a process told to stop');
  assertNoStackTrace(output);
});
