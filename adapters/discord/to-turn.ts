/**
 * @module Discord events to engine `Turn`s: slash commands, button presses, menu picks and
 * messages. The conversation key is `{ platform: 'discord', chat: channelId, user: userId }`:
 * a thread has a channel id of its own on Discord, so a thread is a conversation of its own.
 * The moderation scope is the server and the channel, where a thread counts as its parent
 * channel (`moderationChannelId`): the rules a moderator set for #art hold in every thread of
 * #art, and a channel-only moderator command run in a thread changes #art's policy.
 */
import {
  GuildMember,
  PermissionFlagsBits,
  type Attachment,
  type ChatInputCommandInteraction,
  type Guild,
  type Message,
  type MessageComponentInteraction,
  type PermissionsBitField,
  type User,
} from 'discord.js';
import {
  type Actor,
  commandFrom,
  decodeButton,
  downloadImage,
  type EditCommand,
  type ImageAttachment,
  isElement,
  isEmotion,
  type ParsedCommand,
  type Turn,
  type TurnCommand,
} from '../../src/index.ts';
import {
  CHANNEL_ONLY_OPTION,
  INTENSITY_CHOICES,
  isModeratorSubcommand,
  type IntensityChoice,
  type ModeratorSubcommand,
} from './slash-commands.ts';

export const PLATFORM = 'discord';

/** What turning an event into a Turn needs to know about the deployment. */
export interface TurnContext {
  /** Hosts attachments may be downloaded from. */
  allowedHosts: readonly string[];
  /** A role name or id whose members moderate, besides Manage Server. */
  moderatorRole?: string;
}

/** The member as discord.js gives it: a cached `GuildMember`, or the raw API member of an uncached guild. */
type AnyMember = GuildMember | { roles: string[] } | null | undefined;

/**
 * Whether a person moderates the server the event happens in: Manage Server (or
 * Administrator, which implies it) in that channel, or the configured moderator role.
 * Nobody moderates a DM.
 */
export function isModerator(input: {
  guildId: string | null;
  permissions: Readonly<PermissionsBitField> | null | undefined;
  member: AnyMember;
  guild: Guild | null;
  moderatorRole?: string;
}): boolean {
  if (!input.guildId) return false;
  if (input.permissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  const role = input.moderatorRole;
  if (!role || !input.member) return false;
  const roleIds = input.member instanceof GuildMember ? [...input.member.roles.cache.keys()] : input.member.roles;
  return roleIds.some((id) => id === role || input.guild?.roles.cache.get(id)?.name === role);
}

function actorOf(user: User, moderator: boolean): Actor {
  return { id: user.id, name: user.globalName ?? user.username, isModerator: moderator };
}

/** What the moderation scope needs to know of the channel an event happened in. */
export interface EventChannel {
  isThread(): boolean;
  /** A thread's parent channel (text, announcement or forum channel); null when discord.js does not know it. */
  parentId?: string | null;
}

/**
 * The channel whose moderation rules apply to an event in `channelId`: the channel itself,
 * or for a thread (public, private or announcement) its parent channel.
 *
 * `channel` is discord.js's channel for the event (`interaction.channel`, `message.channel`).
 * For an interaction discord.js caches the partial channel the payload carries (the adapter
 * turns on `Partials.Channel`; Discord sends the partial with `guild_id`, and for a thread
 * `parent_id`), so even a thread the bot was never told of has its parent. For a message it
 * is the thread discord.js cached from GUILD_CREATE's `threads` or from THREAD_CREATE; a
 * thread it never heard of comes as a bare thread without a parent, which the adapter looks up
 * before it builds the turn. When the channel or the thread's parent is still unknown (the
 * look-up failed), the event's own channel id is the answer, so that thread gets only the
 * rules set for the thread itself (and the server's).
 */
export function moderationChannelId(channelId: string, channel: EventChannel | null | undefined): string {
  if (!channel?.isThread()) return channelId;
  return channel.parentId ?? channelId;
}

/**
 * `{ ageRestricted: true }` for a channel Discord marks age-restricted (NSFW), a thread by its
 * parent's mark; `{}` otherwise or when discord.js does not know (the stricter reading).
 */
export function ageRestriction(channel: unknown): { ageRestricted?: true } {
  const c = channel as
    { nsfw?: boolean; isThread?: () => boolean; parent?: { nsfw?: boolean } | null } | null | undefined;
  if (!c) return {};
  const marked = typeof c.isThread === 'function' && c.isThread() ? c.parent?.nsfw === true : c.nsfw === true;
  return marked ? { ageRestricted: true } : {};
}

/** An attachment the engine fetches lazily, only from the allowed hosts and within its size limit. */
export function toImageAttachment(attachment: Attachment, allowedHosts: readonly string[]): ImageAttachment {
  return {
    declaredBytes: attachment.size,
    declaredType: attachment.contentType ?? undefined,
    name: attachment.name,
    fetch: (maxBytes) => downloadImage(attachment.url, { maxBytes, allowedHosts }),
  };
}

/** Whether an attachment claims to be a picture (by type, else by file name). */
export function looksLikeImage(attachment: Attachment): boolean {
  if (attachment.contentType) return attachment.contentType.startsWith('image/');
  return /\.(jpe?g|png|webp|gif|tiff?|heic|avif|bmp|svg)$/i.test(attachment.name);
}

/** `/mood edit`'s options as the typed edit command: the picked emotion, intensity and element as they are, the feeling as the person wrote it. */
export function editCommand(options: CommandOptions): EditCommand {
  const feeling = options.getString('feeling')?.trim();
  const intensity = options.getString('intensity');
  const emotion = options.getString('emotion');
  const element = options.getString('element');
  return {
    type: 'edit',
    ...(emotion && isEmotion(emotion) ? { emotion } : {}),
    ...(intensity && (INTENSITY_CHOICES as readonly string[]).includes(intensity)
      ? { intensity: intensity as IntensityChoice }
      : {}),
    ...(element && isElement(element) ? { element } : {}),
    ...(feeling ? { feeling } : {}),
  };
}

/**
 * A `/mood …` or `/moodmod …` command as a Turn with its typed command: nothing is written out
 * as text for the engine to parse again. Its text is the feeling of `/mood edit` (the person's
 * own words, which blocked words are checked against), else empty.
 */
export function slashCommandTurn(interaction: ChatInputCommandInteraction, context: TurnContext): Turn {
  const subcommand = interaction.options.getSubcommand(false) ?? 'help';
  const images: ImageAttachment[] = [];
  let command: TurnCommand | undefined;
  let text = '';
  if (subcommand === 'edit') {
    const image = interaction.options.getAttachment('image');
    if (image) images.push(toImageAttachment(image, context.allowedHosts));
    command = editCommand(interaction.options);
    text = command.feeling ?? '';
  } else if (isModeratorSubcommand(subcommand)) {
    command = moderatorCommand(subcommand, interaction.options);
  } else {
    command = commandFrom(subcommand, '');
    // A subcommand the table does not know (an old registration) is read as typed text.
    if (!command) text = `/${subcommand}`;
  }
  return {
    key: { platform: PLATFORM, chat: interaction.channelId, user: interaction.user.id },
    scope: {
      server: interaction.guildId ?? undefined,
      channel: moderationChannelId(interaction.channelId, interaction.channel),
      ...ageRestriction(interaction.channel),
    },
    messageId: interaction.id,
    text,
    images,
    actor: actorOf(interaction.user, moderatorOfInteraction(interaction, context)),
    ...(command ? { command } : {}),
    locale: interaction.locale,
  };
}

/** The options of a slash command, as discord.js reads them (only the getters used here). */
export interface CommandOptions {
  getString(name: string): string | null;
  getInteger(name: string): number | null;
  getBoolean(name: string): boolean | null;
  getUser(name: string): Pick<User, 'id'> | null;
}

/**
 * A moderator subcommand's options as the typed moderator command the moderation engine runs:
 * `block emotion:fear element:facial` is `block` with `['fear', 'facial']`, `words text:"gore, a
 * dark omen"` keeps each phrase whole, a user is its id, numbers their digits, `channel_only:` the
 * `channelOnly` flag. A missing option is left out, so the engine answers with the command's usage.
 */
export function moderatorCommand(
  subcommand: ModeratorSubcommand,
  options: CommandOptions,
): Extract<ParsedCommand, { type: 'moderator' }> {
  const args: string[] = [];
  switch (subcommand) {
    case 'policy':
      break;
    case 'block':
    case 'unblock':
      for (const name of ['emotion', 'element']) {
        const value = options.getString(name);
        if (value) args.push(value);
      }
      break;
    case 'maxintensity': {
      const level = options.getString('level');
      if (level) args.push(level);
      break;
    }
    case 'words': {
      const action = options.getString('action');
      if (action) args.push(action);
      if (action !== 'list') args.push(...phrasesOf(options.getString('text') ?? ''));
      break;
    }
    case 'ratelimit':
      for (const name of ['per_person', 'per_chat']) {
        const value = options.getInteger(name);
        if (value !== null) args.push(String(value));
      }
      break;
    case 'ban':
    case 'unban': {
      const user = options.getUser('user');
      if (user) args.push(user.id);
      break;
    }
    case 'audit': {
      const count = options.getInteger('count');
      if (count !== null) args.push(String(count));
      break;
    }
    case 'pictures': {
      const rule = options.getString('rule');
      if (rule) args.push(rule);
      break;
    }
    case 'picturethreshold': {
      const name = options.getString('class');
      const score = options.getString('score');
      if (name) args.push(name);
      if (score?.trim()) args.push(score.trim());
      break;
    }
  }
  const channelOnly =
    subcommand !== 'policy' && subcommand !== 'audit' && options.getBoolean(CHANNEL_ONLY_OPTION) === true;
  return { type: 'moderator', name: subcommand, args, channelOnly };
}

/** Comma- or line-separated words and phrases, each whole, spaces tidied (quotes are the person's own). */
export function phrasesOf(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((phrase) => phrase.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

function moderatorOfInteraction(
  interaction: ChatInputCommandInteraction | MessageComponentInteraction,
  context: TurnContext,
): boolean {
  return isModerator({
    guildId: interaction.guildId,
    permissions: interaction.memberPermissions,
    member: interaction.member as AnyMember,
    guild: interaction.guild,
    moderatorRole: context.moderatorRole,
  });
}

/**
 * A button press or menu pick on one of the bot's pictures as a Turn: the action and the
 * edit come from the custom id (`src/buttons.ts`); `replyTo` is the message that carried
 * the component, so a press on someone else's picture still finds (and copies) that edit.
 * Returns undefined for components that are not ours.
 */
export function componentTurn(interaction: MessageComponentInteraction, context: TurnContext): Turn | undefined {
  const payload = interaction.isStringSelectMenu() ? interaction.values[0] : interaction.customId;
  const action = payload ? decodeButton(payload) : undefined;
  if (!action) return undefined;
  return {
    key: { platform: PLATFORM, chat: interaction.channelId, user: interaction.user.id },
    scope: {
      server: interaction.guildId ?? undefined,
      channel: moderationChannelId(interaction.channelId, interaction.channel),
      ...ageRestriction(interaction.channel),
    },
    messageId: interaction.id,
    replyTo: interaction.message.id,
    text: '',
    images: [],
    actor: actorOf(interaction.user, moderatorOfInteraction(interaction, context)),
    action,
    locale: interaction.locale,
  };
}

/**
 * A message for the bot (a DM, a mention, or a reply to one of its messages) as a Turn.
 * The bot's mention is taken out of the text; only picture attachments are passed on.
 */
export function messageTurn(message: Message, botUserId: string, context: TurnContext): Turn {
  const text = message.content
    .replace(new RegExp(`<@!?${botUserId}>`, 'g'), ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const pictures = [...message.attachments.values()].filter(looksLikeImage);
  // With no picture among the attachments the first file still goes to the engine, which refuses
  // it saying why ("I can't edit that kind of file"), as it does for `/mood edit` and on the other
  // platforms, instead of asking for a photo as if none had come.
  const chosen = pictures[0] ?? message.attachments.first();
  return {
    key: { platform: PLATFORM, chat: message.channelId, user: message.author.id },
    scope: {
      server: message.guildId ?? undefined,
      channel: moderationChannelId(message.channelId, message.channel),
      ...ageRestriction(message.channel),
    },
    messageId: message.id,
    replyTo: message.reference?.messageId,
    text,
    images: chosen ? [toImageAttachment(chosen, context.allowedHosts)] : [],
    actor: actorOf(
      message.author,
      isModerator({
        guildId: message.guildId,
        permissions: message.member?.permissions,
        member: message.member,
        guild: message.guild,
        moderatorRole: context.moderatorRole,
      }),
    ),
    notice: pictures.length > 1 ? 'I used the first of your pictures.' : undefined,
  };
}

/** Whether a message is meant for the bot: a DM, a mention of the bot, or a reply to one of its messages. */
export function isForBot(message: Message, botUserId: string): boolean {
  if (message.author.bot || message.system) return false;
  if (!message.guildId) return true;
  if (message.mentions.users.has(botUserId)) return true;
  return message.reference?.messageId !== undefined && message.mentions.repliedUser?.id === botUserId;
}
