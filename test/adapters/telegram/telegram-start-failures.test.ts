/**
 * `npm start` (adapters/main.ts) as a real process when Telegram can not be used: an API root
 * nobody listens on, and a token the Bot API refuses. Each ends with exit code 1 and one
 * sentence that says what to check, without a stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../helpers/redis-server.ts';
import { FakeBotApi } from '../../fakes/telegram/fake-bot-api.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function runBot(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', PLATFORM_START_TIMEOUT_S: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('Telegram: npm start when the Bot API can not be used', { timeout: 120_000 }, () => {
  it('exits 1 saying it could not reach the API root, without a stack trace', async () => {
    const port = await freePort();
    const apiRoot = `http://127.0.0.1:${port}`;
    const { code, output } = await runBot({
      TELEGRAM_BOT_TOKEN: '123456:TEST-token-for-the-fake-server',
      TELEGRAM_API_ROOT: apiRoot,
    });
    assert.equal(code, 1, output);
    assert.match(
      output,
      new RegExp(`Could not reach the Telegram Bot API at ${apiRoot.replace(/\./g, '\\.')}`),
      output,
    );
    assert.doesNotMatch(output, /TEST-token-for-the-fake-server/, 'the token must not be printed');
    assert.doesNotMatch(output, /\n\s+at /, output);
  });

  it('exits 1 saying Telegram refused the token when getMe answers 401', async () => {
    const fake = await FakeBotApi.start();
    try {
      const { code, output } = await runBot({
        TELEGRAM_BOT_TOKEN: '999999:not-the-token-of-this-bot',
        TELEGRAM_API_ROOT: fake.apiRoot,
      });
      assert.equal(code, 1, output);
      assert.match(output, /Telegram refused the bot token \(401/, output);
      assert.doesNotMatch(output, /\n\s+at /, output);
    } finally {
      await fake.close();
    }
  });
});

describe('Telegram: SIGTERM after the Bot API went away', { timeout: 120_000 }, () => {
  it('still ends the process', async () => {
    const fake = await FakeBotApi.start();
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LOG_LEVEL: 'info',
        SHUTDOWN_TIMEOUT_S: '3',
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await fake.waitFor(() => fake.callsOf('getUpdates').length > 0, 'the bot to poll', 60_000);
      await fake.close();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code, signal] = (await exited) as [number | null, string | null];
      assert.equal(signal, null, output);
      assert.ok(code === 0 || code === 1, `exit code ${code}\n${output}`);
      assert.match(output, /stopping: finishing the work in flight/, output);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
