/**
 * `npm start` (adapters/main.ts) with DISCORD_SHARDS as a real process when Discord refuses the
 * bot (issue 13, start-up that fails loudly): exit code 1 and the one sentence the shard sent
 * (not discord.js' "Shard 0's process exited before its Client became ready"), no stack trace,
 * and no shard process left behind (discord.js respawns a shard that died before it was ready).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeDiscord } from '../../fakes/discord/fake-discord.ts';
import { environmentFor } from './harness.ts';
import { assertFailedWith, noProcessLeft, runBot } from './start-process.ts';

describe(
  'Discord: npm start with DISCORD_SHARDS when Discord refuses the bot',
  {
    timeout: 400_000,
    skip: process.platform === 'linux' ? false : 'SKIPPED: reads /proc to find shard processes left behind',
  },
  () => {
    it('exits 1 saying Discord refused the token, and leaves no shard process behind', async () => {
      const fake = await new FakeDiscord().start();
      try {
        const run = await runBot(
          environmentFor(fake, { DISCORD_SHARDS: '1', DISCORD_TOKEN: 'not-the-token.of-this-bot.abcdefghijklmnop' }),
          { startTimeoutS: 60 },
        );
        assertFailedWith(run, /moodshift cannot start\.\nDiscord refused the bot token: copy DISCORD_TOKEN again/);
        await noProcessLeft(fake);
      } finally {
        await fake.close();
      }
    });

    it('exits 1 naming the Message Content intent on close 4014, and leaves no shard process behind', async () => {
      const fake = await new FakeDiscord().start();
      fake.gateway.disallowedIntents = 1 << 15; // MESSAGE_CONTENT
      try {
        const run = await runBot(environmentFor(fake, { DISCORD_SHARDS: '1', DISCORD_MESSAGE_CONTENT: 'true' }), {
          startTimeoutS: 60,
        });
        assertFailedWith(run, /Message Content Intent.*Privileged Gateway Intents/);
        await noProcessLeft(fake);
      } finally {
        await fake.close();
      }
    });

    it('leaves no shard process behind when npm start is ended while its shard is still starting', async () => {
      const fake = await new FakeDiscord().start();
      fake.gateway.silent = true; // the shard waits for Hello, up to its 60 s start limit
      try {
        const run = await runBot(environmentFor(fake, { DISCORD_SHARDS: '1' }), {
          startTimeoutS: 60,
          whileRunning: (child) => {
            // Connections to the gateway are not change events of the fake: look until one came, then kill the manager.
            void (async () => {
              for (let waited = 0; fake.gateway.stats.connections === 0 && waited < 90_000; waited += 50)
                await new Promise((resolve) => setTimeout(resolve, 50));
              child.kill('SIGKILL');
            })();
          },
        });
        assert.equal(run.signal, 'SIGKILL', run.output);
        assert.ok(fake.gateway.stats.connections > 0, `the shard never reached the gateway:\n${run.output}`);
        await noProcessLeft(fake);
      } finally {
        await fake.close();
      }
    });
  },
);
