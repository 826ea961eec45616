/**
 * Starting the Discord adapter with a wrong or missing configuration fails at once with a
 * sentence that says what to change.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.ts';
import { createEngine } from '../../../src/engine.ts';
import { ConfigError } from '../../../src/errors.ts';
import { startDiscord } from '../../../adapters/discord/index.ts';
import { resolveDiscordOptions } from '../../../adapters/discord/options.ts';
import { FakeDiscord } from '../../fakes/discord/fake-discord.ts';
import { environmentFor } from './harness.ts';

describe('Discord adapter options', () => {
  it("takes its settings from the configuration, Discord's own file hosts always allowed", async () => {
    const { allowedAttachmentHosts } = await import('../../../adapters/discord/options.ts');
    const options = resolveDiscordOptions(
      loadConfig({
        DISCORD_TOKEN: 't',
        DISCORD_APPLICATION_ID: '123456789',
        DISCORD_ATTACHMENT_HOSTS: 'files.example.org',
        DISCORD_MESSAGE_CONTENT: 'yes',
      }),
    );
    assert.equal(options.apiRoot, 'https://discord.com/api');
    assert.equal(options.messageContent, true);
    assert.deepEqual(allowedAttachmentHosts(options), [
      'cdn.discordapp.com',
      'media.discordapp.net',
      'files.example.org',
    ]);
  });

  it('says which variable is missing', () => {
    assert.throws(
      () => resolveDiscordOptions(loadConfig({})),
      (error: Error) => error instanceof ConfigError && /DISCORD_TOKEN/.test(error.message),
    );
    assert.throws(
      () => resolveDiscordOptions(loadConfig({}), { token: 't' }),
      (error: Error) => error instanceof ConfigError && /DISCORD_APPLICATION_ID/.test(error.message),
    );
  });

  it('fails to start with a token Discord refuses, instead of hanging', async () => {
    const fake = await new FakeDiscord().start();
    const engine = await createEngine(loadConfig(environmentFor(fake, { DISCORD_TOKEN: 'not-the-token' })));
    try {
      await assert.rejects(startDiscord(engine), /token/i);
    } finally {
      await engine.close();
      await fake.close();
    }
  });
});
