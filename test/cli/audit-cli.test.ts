import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { freePort } from '../helpers/redis-server.ts';

const root = new URL('../../', import.meta.url).pathname;

/** Runs the real `moodshift` command as a newcomer would, with only the given variables beside PATH. */
function moodshift(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/moodshift.js', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('moodshift audit without Redis', () => {
  it('lists --since, --scope and --limit in --help', () => {
    const help = moodshift(['--help']);
    assert.equal(help.code, 0);
    for (const flag of ['--since', '--scope', '--limit'])
      assert.match(help.stdout, new RegExp(`audit .*${flag}`), `${flag} is in --help`);
  });

  it('exits non-zero with one sentence when REDIS_URL is not set', () => {
    const result = moodshift(['audit', '--since', '2026-01-01']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '', 'nothing was exported');
    assert.match(result.stderr, /REDIS_URL is not set/);
  });

  it('exits non-zero with one sentence, not a stack trace, when Redis does not answer', async () => {
    const port = await freePort();
    const result = moodshift(['audit'], { REDIS_URL: `redis://127.0.0.1:${port}` });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '', 'nothing was exported');
    assert.match(
      result.stderr,
      new RegExp(`^Nothing exported: Redis at redis://127\\.0\\.0\\.1:${port} is not answering.*Start Redis`),
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
  });
});
