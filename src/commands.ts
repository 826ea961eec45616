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
];
