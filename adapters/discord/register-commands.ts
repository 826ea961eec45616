/**
 * @module `npm run discord:commands`: registers moodshift's slash commands (`/mood` and
 * `/moodmod`, see `slash-commands.ts`) with Discord. Run it once after installing and after
 * each upgrade that changes the commands, never on every start (for example the upgrade that
 * gave `/moodmod` every moderation tool: `maxintensity`, `words`, `ratelimit`, `ban`, `unban`,
 * elements in `block`/`unblock`, and a count for `audit`; until it is run, Discord shows the
 * old options).
 *
 * With `DISCORD_GUILD_ID` the commands go to that one server and show up at once (good for
 * trying the bot); without it they are registered globally, for every server the bot is in.
 * Registration is a bulk overwrite: commands of this application that are no longer defined
 * disappear from that scope.
 */
import { REST, Routes } from 'discord.js';
import { fileURLToPath } from 'node:url';
import { slashCommandDefinitions } from './slash-commands.ts';

export interface RegisterCommandsOptions {
  /** `DISCORD_TOKEN`. */
  token: string;
  /** `DISCORD_APPLICATION_ID`. */
  applicationId: string;
  /** `DISCORD_API_ROOT`. @defaultValue `https://discord.com/api` */
  apiRoot?: string;
  /** `DISCORD_GUILD_ID`: one server instead of globally. @defaultValue globally */
  guildId?: string;
}

export interface RegisteredCommands {
  scope: 'guild' | 'global';
  /** The names Discord now lists, e.g. `['mood', 'moodmod']`. */
  names: string[];
}

export async function registerCommands(options: RegisterCommandsOptions): Promise<RegisteredCommands> {
  const rest = new REST({ api: options.apiRoot ?? 'https://discord.com/api' }).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const stored = (await rest.put(route, { body: slashCommandDefinitions() })) as Array<{ name: string }>;
  return { scope: options.guildId ? 'guild' : 'global', names: stored.map((command) => command.name) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { config: loadDotenv } = await import('dotenv');
  loadDotenv({ quiet: true });
  const { loadConfig, ConfigError } = await import('../../src/index.ts');
  try {
    const config = loadConfig();
    if (!config.discordToken || !config.discordApplicationId) {
      console.error(
        'Set DISCORD_TOKEN and DISCORD_APPLICATION_ID (and DISCORD_GUILD_ID to register in one server only).',
      );
      process.exit(1);
    }
    const result = await registerCommands({
      token: config.discordToken,
      applicationId: config.discordApplicationId,
      apiRoot: config.discordApiRoot,
      guildId: config.discordGuildId,
    });
    const where =
      result.scope === 'guild'
        ? `in server ${config.discordGuildId}`
        : 'globally (may take a while to show up everywhere)';
    console.log(`Registered /${result.names.join(', /')} ${where}.`);
  } catch (error) {
    console.error(
      error instanceof ConfigError
        ? `Cannot register the commands.\n${error.message}`
        : `Registering the commands failed: ${String(error)}`,
    );
    process.exit(1);
  }
}
