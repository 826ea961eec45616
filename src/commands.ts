/**
 * @module Slash commands, the same words on every platform: `/help`, `/emotions`, `/undo`,
 * `/redo`, `/reset`, and for moderators `/policy`, `/block`, `/unblock`, `/audit` and the
 * other policy tools. Only this strict parser (never the normaliser or a language model)
 * can produce a moderator command, so free text can never change a policy.
 */

export const PERSON_COMMANDS = ['start', 'help', 'emotions', 'undo', 'redo', 'reset', 'retry', 'more', 'less'] as const;
/** The moderator commands, in the order help texts and platform menus show them. */
export const MODERATOR_COMMANDS = [
  'policy',
  'block',
  'unblock',
  'maxintensity',
  'words',
  'ratelimit',
  'ban',
  'unban',
  'audit',
  'pictures',
  'picturethreshold',
] as const;

export type PersonCommand = (typeof PERSON_COMMANDS)[number];
export type ModeratorCommandName = (typeof MODERATOR_COMMANDS)[number];

export type ParsedCommand =
  | { type: 'person'; name: PersonCommand; args: string[] }
  | { type: 'moderator'; name: ModeratorCommandName; args: string[] };

/**
 * Parses `/name arg…` (also `/name@botname arg…`, as Telegram sends in groups).
 * Returns undefined for anything that is not one of the known commands.
 */
export function parseCommand(text: string): ParsedCommand | undefined {
  const match = /^\s*\/([a-z_]+)(?:@[\w.]+)?(?:\s+([\s\S]*))?$/i.exec(text);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase();
  const args = (match[2] ?? '').trim().split(/\s+/).filter(Boolean);
  if ((PERSON_COMMANDS as readonly string[]).includes(name)) return { type: 'person', name: name as PersonCommand, args };
  if ((MODERATOR_COMMANDS as readonly string[]).includes(name))
    return { type: 'moderator', name: name as ModeratorCommandName, args };
  return undefined;
}

/** The commands to register with a platform (Telegram's setMyCommands), with short descriptions. */
export const COMMAND_DESCRIPTIONS: ReadonlyArray<{ command: string; description: string; moderator: boolean }> = [
  { command: 'start', description: 'What this bot does', moderator: false },
  { command: 'help', description: 'How to use the bot', moderator: false },
  { command: 'emotions', description: 'The emotions I can give a picture', moderator: false },
  { command: 'undo', description: 'Go back to the previous picture', moderator: false },
  { command: 'redo', description: 'Bring back what you undid', moderator: false },
  { command: 'reset', description: 'Back to the original photo', moderator: false },
  { command: 'policy', description: 'Moderators: show what is allowed here', moderator: true },
  { command: 'block', description: 'Moderators: block an emotion or element', moderator: true },
  { command: 'unblock', description: 'Moderators: allow an emotion or element again', moderator: true },
  { command: 'audit', description: 'Moderators: latest refusals and policy changes', moderator: true },
  { command: 'maxintensity', description: 'Moderators: cap how strong edits may be (low, medium, high, max)', moderator: true },
  { command: 'words', description: 'Moderators: add, remove or list blocked words and phrases', moderator: true },
  { command: 'ratelimit', description: 'Moderators: new edits allowed per person (and per chat) a minute', moderator: true },
  { command: 'ban', description: 'Moderators: stop a person using the bot here', moderator: true },
  { command: 'unban', description: 'Moderators: let a banned person use the bot again', moderator: true },
  { command: 'pictures', description: 'Moderators: check pictures for unsafe content here (block) or not (allow)', moderator: true },
  { command: 'picturethreshold', description: 'Moderators: the score at which a picture class (Porn, Hentai, Sexy, Drawing) is refused', moderator: true },
];

/**
 * Discord's two slash commands (Discord sets permissions per top-level command, never per
 * subcommand): `/mood` for everyone, `/moodmod` (the {@link MODERATOR_COMMANDS}) for moderators.
 */
export const DISCORD_PERSON_COMMAND = 'mood';
export const DISCORD_MODERATOR_COMMAND = 'moodmod';
/** `/mood`'s subcommands. */
export const DISCORD_PERSON_SUBCOMMANDS = ['edit', 'undo', 'redo', 'reset', 'help', 'emotions'] as const;

/** What each moderator command takes, as the help text shows it (the full usage comes with a wrong use). */
const MODERATOR_ARGUMENTS: Readonly<Record<ModeratorCommandName, string>> = {
  policy: '',
  block: '<emotion or element>',
  unblock: '<emotion or element>',
  maxintensity: '<low|medium|high|max>',
  words: 'add|remove|list <words>',
  ratelimit: '<per person> [per chat]',
  ban: '<user id>',
  unban: '<user id>',
  audit: '[how many]',
  pictures: '[block|allow]',
  picturethreshold: '<class> <0.05 to 1|off>',
};

/** The commands a person can type on one platform, written as they are typed there: what its help lists. */
export interface PlatformCommandList {
  /** For everyone. */
  person: readonly string[];
  /** Only for moderators (never shown to anyone else). */
  moderator: readonly string[];
}

/**
 * The commands of a platform (`turn.key.platform`). Discord has its slash commands; everywhere
 * else (the web chat, Telegram, the terminal) the {@link parseCommand} words are typed as they are,
 * `/start` only on Telegram, where it is what opening the bot sends.
 */
export function platformCommands(platform: string): PlatformCommandList {
  if (platform === 'discord') {
    return {
      person: DISCORD_PERSON_SUBCOMMANDS.map((name) => `/${DISCORD_PERSON_COMMAND} ${name}`),
      moderator: MODERATOR_COMMANDS.map((name) => `/${DISCORD_MODERATOR_COMMAND} ${name}`),
    };
  }
  const ban = platform === 'telegram' ? '(a reply to their message, or a user id)' : MODERATOR_ARGUMENTS.ban;
  return {
    person: PERSON_COMMANDS.filter((name) => name !== 'start' || platform === 'telegram').map((name) => `/${name}`),
    moderator: MODERATOR_COMMANDS.map((name) => {
      const args = name === 'ban' || name === 'unban' ? ban : MODERATOR_ARGUMENTS[name];
      return args ? `/${name} ${args}` : `/${name}`;
    }),
  };
}
