/**
 * `npm start` (adapters/main.ts) as a real process when Discord's REST API answers but its
 * gateway can not be used, or when the REST API accepts connections and never answers (issue 13,
 * start-up that fails loudly): exit code 1 and one sentence a person can act on, no stack trace.
 * (start-failures.test.ts has the refused token on REST, an unreachable API root and close 4014;
 * start-failures-shards.test.ts the refusals with DISCORD_SHARDS.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../../helpers/redis-server.ts';
import { FakeDiscord } from '../../fakes/discord/fake-discord.ts';
import { environmentFor } from './harness.ts';
import { assertFailedWith, runBot } from './start-process.ts';

describe('Discord: npm start when the gateway or the REST API can not be used', { timeout: 400_000 }, () => {
  it('exits 1 saying Discord refused the token when the gateway closes with 4004', async () => {
    const fake = await new FakeDiscord().start();
    fake.gateway.refuseIdentify = true;
    try {
      assertFailedWith(
        await runBot(environmentFor(fake), { startTimeoutS: 60 }),
        /Discord refused the bot token: copy DISCORD_TOKEN again/,
      );
      assert.ok(fake.gateway.stats.connections > 0, 'the bot did reach the gateway');
    } finally {
      await fake.close();
    }
  });

  it('exits 1 saying it could not reach Discord when the gateway address has nobody listening', async () => {
    const fake = await new FakeDiscord().start();
    fake.gatewayUrl = `ws://127.0.0.1:${await freePort()}/gateway`;
    try {
      assertFailedWith(
        await runBot(environmentFor(fake)),
        /Could not reach Discord at http:\/\/127\.0\.0\.1:\d+\/api.*: check the network/,
      );
    } finally {
      await fake.close();
    }
  });

  it('exits 1 within PLATFORM_START_TIMEOUT_S saying it could not reach Discord when the gateway never says hello', async () => {
    const fake = await new FakeDiscord().start();
    fake.gateway.silent = true;
    try {
      assertFailedWith(
        await runBot(environmentFor(fake)),
        /Could not reach Discord at http:\/\/127\.0\.0\.1:\d+\/api within 3 s/,
      );
    } finally {
      await fake.close();
    }
  });

  it('exits 1 within PLATFORM_START_TIMEOUT_S saying it could not reach Discord when REST never answers', async () => {
    const fake = await new FakeDiscord().start();
    fake.hangRest = true;
    try {
      assertFailedWith(
        await runBot(environmentFor(fake)),
        /Could not reach Discord at http:\/\/127\.0\.0\.1:\d+\/api within 3 s/,
      );
      assert.ok(fake.requests.length > 0, 'the bot did call the REST API');
    } finally {
      await fake.close();
    }
  });
});
