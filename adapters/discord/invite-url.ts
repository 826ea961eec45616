/**
 * @module `npm run discord:invite`: prints the URL that invites the bot to a server, with the
 * scopes `bot` and `applications.commands` and exactly the permissions the bot uses.
 */
import { config as loadDotenv } from 'dotenv';
import { type AppConfig, ConfigError, loadConfig } from '../../src/index.ts';

/** View Channel, Send Messages, Send Messages in Threads, Attach Files, Embed Links, Read Message History. */
export const INVITE_PERMISSIONS = (1n << 10n) | (1n << 11n) | (1n << 38n) | (1n << 15n) | (1n << 14n) | (1n << 16n);

export function inviteUrl(applicationId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=bot%20applications.commands&permissions=${INVITE_PERMISSIONS}`;
}

const isMain = process.argv[1] && /invite-url\.ts$/.test(process.argv[1]);
if (isMain) {
  loadDotenv({ quiet: true });
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(error.message + '\n');
    process.exit(1);
  }
  const id = config.discordApplicationId;
  if (!id) {
    process.stderr.write(
      'DISCORD_APPLICATION_ID is not set: copy the Application ID from https://discord.com/developers/applications into it (or into .env).\n',
    );
    process.exit(1);
  }
  process.stdout.write(inviteUrl(id) + '\n');
}
