/**
 * @module `npm run discord:invite`: prints the URL that invites the bot to a server, with the
 * scopes `bot` and `applications.commands` and exactly the permissions the bot uses.
 */
import { config as loadDotenv } from 'dotenv';

/** View Channel, Send Messages, Send Messages in Threads, Attach Files, Embed Links, Read Message History. */
export const INVITE_PERMISSIONS =
  (1n << 10n) | (1n << 11n) | (1n << 38n) | (1n << 15n) | (1n << 14n) | (1n << 16n);

export function inviteUrl(applicationId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=bot%20applications.commands&permissions=${INVITE_PERMISSIONS}`;
}

const isMain = process.argv[1] && /invite-url\.ts$/.test(process.argv[1]);
if (isMain) {
  loadDotenv({ quiet: true });
  const id = process.env.DISCORD_APPLICATION_ID?.trim();
  if (!id || !/^\d{5,25}$/.test(id)) {
    process.stderr.write(
      id
        ? `DISCORD_APPLICATION_ID="${id}" must be the numeric Application ID from https://discord.com/developers/applications.\n`
        : 'DISCORD_APPLICATION_ID is not set: copy the Application ID from https://discord.com/developers/applications into it (or into .env).\n',
    );
    process.exit(1);
  }
  process.stdout.write(inviteUrl(id) + '\n');
}
