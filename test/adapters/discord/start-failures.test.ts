/**
 * `npm start` (adapters/main.ts) as a real process with a Discord token the fake refuses, and
 * with an API root nobody listens on: exit code 1 and one sentence, without a stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../helpers/redis-server.ts';
import { FakeDiscord } from '../../fakes/discord/fake-discord.ts';
import { environmentFor } from './harness.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function runBot(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'warn', PLATFORM_START_TIMEOUT_S: '3' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('Discord: npm start when Discord can not be used', { timeout: 120_000 }, () => {
  it('exits 1 saying Discord refused the token', async () => {
    const fake = await new FakeDiscord().start();
    try {
      const { code, output } = await runBot(
        environmentFor(fake, { DISCORD_TOKEN: 'not-the-token.of-this-bot.abcdefghijklmnop' }),
      );
      assert.equal(code, 1, output);
      assert.match(output, /Discord refused the bot token/, output);
      assert.doesNotMatch(output, /\n\s+at /, output);
    } finally {
      await fake.close();
    }
  });

  it('exits 1 saying it could not reach Discord', async () => {
    const fake = await new FakeDiscord().start();
    const port = await freePort();
    try {
      const { code, output } = await runBot(environmentFor(fake, { DISCORD_API_ROOT: `http://127.0.0.1:${port}/api` }));
      assert.equal(code, 1, output);
      assert.match(output, /Could not reach Discord at http:\/\/127\.0\.0\.1/, output);
      assert.doesNotMatch(output, /\n\s+at /, output);
    } finally {
      await fake.close();
    }
  });

  it('exits 1 naming the Message Content intent when Discord closes with 4014', async () => {
    const fake = await new FakeDiscord().start();
    fake.gateway.disallowedIntents = 1 << 15; // MESSAGE_CONTENT
    try {
      const { code, output } = await runBot(environmentFor(fake, { DISCORD_MESSAGE_CONTENT: 'true' }));
      assert.equal(code, 1, output);
      assert.match(output, /Message Content Intent.*Privileged Gateway Intents/, output);
      assert.doesNotMatch(output, /\n\s+at /, output);
    } finally {
      await fake.close();
    }
  });
});
