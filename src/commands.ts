/**
 * @module The commands, one table for every platform: `/help`, `/emotions`, `/undo`, `/redo`,
 * `/reset`, …, for moderators `/policy`, `/block`, `/unblock`, `/audit` and the other policy
 * tools, and the edit itself (Discord's `/mood edit`). The table ({@link COMMAND_TABLE}) is what
 * the help text lists, what the strict parser reads (names and aliases), what the normaliser
 * reads a slash word as, and what every platform registers (Telegram's setMyCommands, Discord's
 * slash commands, the web chat's list).
 *
 * A command reaches the Editor as a {@link ParsedCommand} on `Turn.command`, built by the
 * platform from what it already knows is a command (Discord's options, Telegram's
 * `bot_command` entity, the web's JSON), or parsed here from typed text. Only those two ways
 * (never the normaliser or a language model) can produce a moderator command, so free text can
 * never change a policy.
 */
import type { Element, Emotion } from './emotions.ts';
import {
  INTENSITY,
  canonicalInstruction,
  type Intent,
  type IntensityLevel,
  type NormaliseContext,
  type Normaliser,
} from './intent.ts';

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
/** The edit itself as a command: `/mood edit` on Discord, `/edit sadder` (or `/mood sadder`) typed anywhere. */
export const EDIT_COMMAND = 'edit';

export type PersonCommand = (typeof PERSON_COMMANDS)[number];
export type ModeratorCommandName = (typeof MODERATOR_COMMANDS)[number];
export type CommandName = PersonCommand | ModeratorCommandName | typeof EDIT_COMMAND;

/** The intensity a person can pick for an edit (Discord's `intensity:` choice). */
export type EditIntensity = Extract<IntensityLevel, 'low' | 'medium' | 'high'>;

/**
 * An edit asked for as a command. With `emotion`, nothing is read from words: the target, the
 * intensity and the element are as given. Without it, `feeling` (the person's own words) is read
 * by the normaliser, and a picked `intensity` replaces whatever intensity the words said.
 */
export interface EditCommand {
  type: 'edit';
  emotion?: Emotion;
  intensity?: EditIntensity;
  element?: Element;
  /**
   * The person's words for the feeling (free text). The adapter gives them as the turn's `text`
   * too (and no other words): blocked words are checked against the text.
   */
  feeling?: string;
}

export type ParsedCommand =
  | { type: 'person'; name: PersonCommand; args: string[] }
  | {
      type: 'moderator';
      name: ModeratorCommandName;
      /** One item per argument, a phrase whole (quotes of typed text already taken off). */
      args: string[];
      /** Change the channel's policy instead of the server's (`channel` typed, Discord's `channel_only:`). */
      channelOnly: boolean;
    }
  | EditCommand;

/** A command on a `Turn`: what the platform or the strict parser made of it. */
export type TurnCommand = ParsedCommand;

/** The platforms that list commands; every other platform (the terminal) lists what the web does. */
export type CommandPlatform = 'telegram' | 'discord' | 'web';

export interface CommandEntry {
  audience: 'person' | 'moderator';
  /** One line for menus (Telegram's setMyCommands, Discord's subcommand description). */
  description: string;
  /** A platform's own wording for its menu, where the command works differently there. */
  descriptions?: Partial<Record<CommandPlatform, string>>;
  /** What it takes, as the help text shows it (the full usage comes with a wrong use). */
  usage: string;
  /** A platform's own usage in the help text. */
  usages?: Partial<Record<CommandPlatform, string>>;
  /** Other slash words for it (`/back` for `/undo`), read by the strict parser and the normaliser alike. */
  aliases: readonly string[];
  /** Where help and the platform's menu list it (every platform's parser takes it). */
  listed: readonly CommandPlatform[];
}

const ALL: readonly CommandPlatform[] = ['telegram', 'discord', 'web'];
const TYPED: readonly CommandPlatform[] = ['telegram', 'web'];
const moderator = (description: string, usage: string, extra: Partial<CommandEntry> = {}): CommandEntry => ({
  audience: 'moderator',
  description,
  usage,
  aliases: [],
  listed: ALL,
  ...extra,
});

/**
 * Every command, in the order help texts and menus show them (on Discord `/mood edit` comes first).
 * The type makes sure that every name above has its entry.
 */
export const COMMAND_TABLE: { readonly [N in CommandName]: CommandEntry } = {
  edit: {
    audience: 'person',
    description: 'Give a picture another feeling',
    usage: '<feeling>',
    aliases: ['mood', 'moodshift', 'shift', 'make'],
    listed: ['discord'],
  },
  start: { audience: 'person', description: 'What this bot does', usage: '', aliases: [], listed: ['telegram'] },
  undo: {
    audience: 'person',
    description: 'Go back to the previous picture',
    usage: '',
    aliases: ['back'],
    listed: ALL,
  },
  redo: { audience: 'person', description: 'Bring back what you undid', usage: '', aliases: [], listed: ALL },
  reset: {
    audience: 'person',
    description: 'Back to the original photo',
    usage: '',
    aliases: ['original'],
    listed: ALL,
  },
  help: { audience: 'person', description: 'How to use the bot', usage: '', aliases: ['commands'], listed: ALL },
  emotions: {
    audience: 'person',
    description: 'The emotions I can give a picture',
    usage: '',
    aliases: ['emotion', 'moods', 'feelings', 'list'],
    listed: ALL,
  },
  // Discord has buttons for these under every picture.
  retry: {
    audience: 'person',
    description: 'Another version of the same edit',
    usage: '',
    aliases: ['again', 'reroll'],
    listed: TYPED,
  },
  more: { audience: 'person', description: 'A stronger version of the edit', usage: '', aliases: [], listed: TYPED },
  less: { audience: 'person', description: 'A gentler version of the edit', usage: '', aliases: [], listed: TYPED },
  policy: moderator('Moderators: show what is allowed here', ''),
  block: moderator('Moderators: block an emotion or element', '<emotion or element>', {
    descriptions: { discord: 'Block an emotion or an element (pick one or both)' },
  }),
  unblock: moderator('Moderators: allow an emotion or element again', '<emotion or element>', {
    descriptions: { discord: 'Allow a blocked emotion or element again (pick one or both)' },
  }),
  maxintensity: moderator('Moderators: cap how strong edits may be (low, medium, high, max)', '<low|medium|high|max>', {
    descriptions: { discord: 'Cap how strong edits may be' },
  }),
  words: moderator('Moderators: add, remove or list blocked words and phrases', 'add|remove|list <words>', {
    descriptions: { discord: 'Add, remove or list blocked words and phrases' },
  }),
  ratelimit: moderator('Moderators: new edits allowed per person (and per chat) a minute', '<per person> [per chat]', {
    descriptions: { discord: 'How many new edits are allowed per minute (0 = no limit)' },
  }),
  ban: moderator('Moderators: stop a person using the bot here', '<user id>', {
    descriptions: { telegram: 'Moderators: reply to a message with /ban to stop its author using the bot here' },
    usages: { telegram: '(a reply to their message, or a user id)' },
  }),
  unban: moderator('Moderators: let a banned person use the bot again', '<user id>', {
    descriptions: {
      telegram: 'Moderators: reply to a message with /unban (or give a user id) to allow its author again',
    },
    usages: { telegram: '(a reply to their message, or a user id)' },
  }),
  audit: moderator('Moderators: latest refusals and policy changes', '[how many]'),
  pictures: moderator('Moderators: check pictures for unsafe content here (block) or not (allow)', '[block|allow]', {
    descriptions: { discord: 'Picture safety: check pictures here (block) or not (allow); leave out to see the rule' },
  }),
  picturethreshold: moderator(
    'Moderators: the score at which a picture class (Porn, Hentai, Sexy, Drawing) is refused',
    '<class> <0.05 to 1|off>',
    {
      descriptions: {
        discord: 'The score (0.05 to 1) at which a picture class is refused; "off" switches the class off',
      },
    },
  ),
};

const COMMAND_NAMES = Object.keys(COMMAND_TABLE) as CommandName[];

/** The command a slash word names, by its name or an alias (`back` → `undo`); undefined for any other word. */
export function commandNamed(word: string): CommandName | undefined {
  const lower = word.toLowerCase();
  return COMMAND_NAMES.find((name) => name === lower || COMMAND_TABLE[name].aliases.includes(lower));
}

export function isModeratorCommandName(name: string): name is ModeratorCommandName {
  return (MODERATOR_COMMANDS as readonly string[]).includes(name);
}

function isPersonCommand(name: string): name is PersonCommand {
  return (PERSON_COMMANDS as readonly string[]).includes(name);
}

/** Splits command arguments into words, keeping "quoted phrases" (straight, curly or single quotes) together. */
export function splitArguments(text: string): string[] {
  const parts: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+)/g)) {
    const part = (match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').trim();
    if (part) parts.push(part);
  }
  return parts;
}

/** The word that limits a moderator's change to the channel. */
const CHANNEL_WORD = /^(--)?channel$/i;

/**
 * The command a platform already knows the name of (Telegram's `bot_command` entity), with the
 * text after it as its arguments. Undefined when the name is no command of the table.
 */
export function commandFrom(word: string, argumentText: string): ParsedCommand | undefined {
  const name = commandNamed(word);
  if (name === undefined) return undefined;
  if (name === EDIT_COMMAND) {
    const feeling = argumentText.trim();
    // `/mood` alone asks how the bot works.
    return feeling ? { type: 'edit', feeling } : { type: 'person', name: 'help', args: [] };
  }
  if (isModeratorCommandName(name)) {
    const words = splitArguments(argumentText);
    return {
      type: 'moderator',
      name,
      args: words.filter((word) => !CHANNEL_WORD.test(word)),
      channelOnly: words.some((word) => CHANNEL_WORD.test(word)),
    };
  }
  if (isPersonCommand(name)) return { type: 'person', name, args: argumentText.trim().split(/\s+/).filter(Boolean) };
  return undefined;
}

/**
 * A command given by its name (or an alias) with its arguments already apart, as the web chat's
 * JSON sends it: nothing is parsed from text. Undefined for a name the table does not know, and
 * for the edit, which comes as an {@link EditCommand}.
 */
export function namedCommand(
  word: string,
  args: readonly string[] = [],
  channelOnly = false,
): ParsedCommand | undefined {
  const name = commandNamed(word);
  if (name === undefined || name === EDIT_COMMAND) return undefined;
  const kept = args.map((arg) => arg.trim()).filter(Boolean);
  if (isModeratorCommandName(name)) return { type: 'moderator', name, args: kept, channelOnly };
  return { type: 'person', name, args: kept };
}

/**
 * Parses typed text `/name arg…` (also `/name@botname arg…`, as Telegram sends in groups).
 * Returns undefined for anything that is not one of the known commands.
 */
export function parseCommand(text: string): ParsedCommand | undefined {
  const match = /^\s*\/([a-z_]+)(?:@[\w.]+)?(?:\s+([\s\S]*))?$/i.exec(text);
  if (!match) return undefined;
  return commandFrom(match[1]!, match[2] ?? '');
}

/** The typed text of a command (audit lines and logs): `/words add "a phrase" channel`. */
export function commandText(command: ParsedCommand): string {
  if (command.type === 'edit') return [`/${EDIT_COMMAND}`, command.feeling ?? command.emotion ?? ''].join(' ').trim();
  const args = command.args.map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg));
  if (command.type === 'moderator' && command.channelOnly) args.push('channel');
  return [`/${command.name}`, ...args].join(' ');
}

/** What a person command asks for. */
export function commandIntent(command: Extract<ParsedCommand, { type: 'person' }>): Intent {
  switch (command.name) {
    case 'start':
    case 'help':
      return { kind: 'help' };
    case 'emotions':
      return { kind: 'emotions' };
    case 'undo':
    case 'redo':
    case 'reset':
    case 'retry':
      return { kind: command.name };
    case 'more':
    case 'less':
      return { kind: 'refine', direction: command.name };
  }
}

/**
 * What an edit command asks for: the emotion as given, or the person's feeling words as the
 * normaliser reads them, at the intensity picked (which wins over an intensity the words name).
 */
export async function editIntent(
  command: EditCommand,
  normaliser: Normaliser,
  context: NormaliseContext,
): Promise<Intent> {
  const intensity = command.intensity ? INTENSITY[command.intensity] : undefined;
  const elements = command.element ? { elements: [command.element] } : {};
  if (command.emotion) {
    return {
      kind: 'edit',
      target: command.emotion,
      intensity: intensity ?? INTENSITY.medium,
      instruction: canonicalInstruction(command.emotion),
      ...elements,
    };
  }
  const intent = await normaliser.normalise(command.feeling ?? '', context);
  if (intent.kind !== 'edit') return intent;
  return { ...intent, ...(intensity !== undefined ? { intensity } : {}), ...elements };
}

/** The commands to register with Telegram (setMyCommands), with their descriptions. */
export const COMMAND_DESCRIPTIONS: ReadonlyArray<{ command: string; description: string; moderator: boolean }> =
  listedOn('telegram').map((name) => ({
    command: name,
    description: describeCommand(name, 'telegram'),
    moderator: COMMAND_TABLE[name].audience === 'moderator',
  }));

/** The names a platform lists (help and menus), in the table's order. */
export function listedOn(platform: CommandPlatform): CommandName[] {
  return COMMAND_NAMES.filter((name) => COMMAND_TABLE[name].listed.includes(platform));
}

/** A command's menu line on a platform. */
export function describeCommand(name: CommandName, platform: CommandPlatform): string {
  const entry = COMMAND_TABLE[name];
  return entry.descriptions?.[platform] ?? entry.description;
}

/**
 * Discord's two slash commands (Discord sets permissions per top-level command, never per
 * subcommand): `/mood` for everyone, `/moodmod` (the {@link MODERATOR_COMMANDS}) for moderators.
 */
export const DISCORD_PERSON_COMMAND = 'mood';
export const DISCORD_MODERATOR_COMMAND = 'moodmod';
/** `/mood`'s subcommands: the person commands the table lists on Discord. */
export const DISCORD_PERSON_SUBCOMMANDS = listedOn('discord').filter(
  (name) => COMMAND_TABLE[name].audience === 'person',
) as Array<typeof EDIT_COMMAND | PersonCommand>;

/** The commands a person can type on one platform, written as they are typed there: what its help lists. */
export interface PlatformCommandList {
  /** For everyone. */
  person: readonly string[];
  /** Only for moderators (never shown to anyone else). */
  moderator: readonly string[];
}

/** The platform whose list a platform (`turn.key.platform`) shows: the terminal and any other typed-text chat show the web's. */
function listingPlatform(platform: string): CommandPlatform {
  return platform === 'telegram' || platform === 'discord' ? platform : 'web';
}

/**
 * The commands of a platform (`turn.key.platform`), as its help lists them. Discord has its slash
 * commands; everywhere else the {@link parseCommand} words are typed as they are, `/start` only on
 * Telegram, where it is what opening the bot sends.
 */
export function platformCommands(platform: string): PlatformCommandList {
  const where = listingPlatform(platform);
  const names = listedOn(where);
  const of = (audience: CommandEntry['audience']) => names.filter((name) => COMMAND_TABLE[name].audience === audience);
  if (where === 'discord') {
    return {
      person: of('person').map((name) => `/${DISCORD_PERSON_COMMAND} ${name}`),
      moderator: of('moderator').map((name) => `/${DISCORD_MODERATOR_COMMAND} ${name}`),
    };
  }
  const typed = (name: CommandName) => {
    const entry = COMMAND_TABLE[name];
    const usage = entry.usages?.[where] ?? entry.usage;
    return usage ? `/${name} ${usage}` : `/${name}`;
  };
  return { person: of('person').map(typed), moderator: of('moderator').map(typed) };
}
