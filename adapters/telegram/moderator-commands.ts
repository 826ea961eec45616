/**
 * @module The person a Telegram moderator means by `/ban` and `/unban`. The engine bans by
 * user id, which Telegram users rarely know, so the adapter fills it in:
 * - `/ban` sent as a reply to someone's message bans the author of that message;
 * - `/ban` with a mention of a person without a username (a `text_mention`, which carries the
 *   user) bans that person;
 * - `/ban 123456` passes through unchanged.
 * A reply to an anonymous administrator (who writes as the group) is explained, not banned.
 *
 * An `@username` cannot be turned into an id through the Bot API, so `/ban @someone` is not
 * passed on as if it were an id (that would ban nobody while saying it had); moderators are
 * told to reply to a message of that person instead.
 */
import type { Message } from 'grammy/types';
import type { TurnCommand } from '../../src/index.ts';
import type { BotIdentity } from './read-message.ts';
import { GROUP_ANONYMOUS_BOT_ID } from './telegram-limits.ts';

/** What the adapter does with a message's command before the engine sees it. */
export type PersonArgument =
  /** Pass this command on (unchanged, or with the person's id filled in); undefined for a message without one. */
  | { kind: 'command'; command: TurnCommand | undefined }
  /** The moderator named a person by @username; `text` explains what to do instead. */
  | { kind: 'explain'; text: string };

/** What a moderator who wrote `/ban @username` is told. */
export function usernameHint(command: 'ban' | 'unban'): string {
  return (
    `I can't look people up by @username on Telegram. Reply to one of their messages with /${command}, ` +
    `or write /${command} followed by their numeric user id.`
  );
}

/** What a moderator who replies /ban to an anonymous administrator's message is told. */
export const ANONYMOUS_ADMIN_HINT =
  'That message was sent by an anonymous administrator, on behalf of the group: I can only ban people who write as themselves.';

/**
 * The id the engine knows a message's author by: the same one the adapter gives the actor of a
 * turn (the sender, else the chat it was sent on behalf of).
 */
export function authorIdOf(message: Pick<Message, 'from' | 'sender_chat' | 'chat'>): string {
  return String(message.from?.id ?? message.sender_chat?.id ?? message.chat.id);
}

/** Fills in the person of `/ban` and `/unban` (see the module notes); any other command is left alone. */
export function resolvePersonArgument(
  command: TurnCommand | undefined,
  message: Message,
  bot: BotIdentity,
): PersonArgument {
  if (command?.type !== 'moderator' || (command.name !== 'ban' && command.name !== 'unban'))
    return { kind: 'command', command };
  const name = command.name;
  const naming = (id: string): PersonArgument => ({ kind: 'command', command: { ...command, args: [id] } });
  const mentioned = (message.entities ?? []).find(
    (entity) => entity.type === 'text_mention' && entity.user.id !== bot.id,
  );
  if (mentioned?.type === 'text_mention') return naming(String(mentioned.user.id));
  if (command.args.length > 0) {
    return command.args.some((arg) => arg.startsWith('@'))
      ? { kind: 'explain', text: usernameHint(name) }
      : { kind: 'command', command };
  }
  const replied = message.reply_to_message;
  // A reply to the bot's own message (or to none) names nobody: the engine answers with the usage.
  if (!replied || replied.from?.id === bot.id) return { kind: 'command', command };
  // An anonymous administrator writes as the group: banning "them" would ban every anonymous administrator.
  if (replied.from?.id === GROUP_ANONYMOUS_BOT_ID || replied.sender_chat?.id === replied.chat.id) {
    return { kind: 'explain', text: ANONYMOUS_ADMIN_HINT };
  }
  return naming(authorIdOf(replied));
}
