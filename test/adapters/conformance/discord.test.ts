/**
 * Discord (real discord.js against the fake Discord) runs the adapter conformance suite (see
 * `stories.ts`) on both of its surfaces: slash commands, and messages that mention the bot.
 */
import { describe } from 'node:test';
import { DISCORD_CAPABILITIES, discordDriver } from './discord-driver.ts';
import { runAdapterConformance } from './stories.ts';

// The file's own suite holds the shared stories, so that the test reporter files them under this file.
describe('Discord', () => {
  runAdapterConformance('discord (slash commands)', DISCORD_CAPABILITIES, (options) =>
    discordDriver({ ...options, surface: 'slash' }),
  );
  runAdapterConformance('discord (messages)', DISCORD_CAPABILITIES, (options) =>
    discordDriver({ ...options, surface: 'messages' }),
  );
});
