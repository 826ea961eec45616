/**
 * @module Reads a Telegram message the way the bot should understand it: whether it is for
 * the bot at all (in groups: only when mentioned, replied to, or commanded), its words without
 * the bot's @mention, the picture it carries (or the picture it replies to), and the things the
 * bot can't edit (stickers, videos, voice messages, other files).
 */
import type { Message, MessageEntity, PhotoSize } from 'grammy/types';
import { commandFrom, ErrorCode, type TurnCommand, UserError, userMessage } from '../../src/index.ts';
import { unsupportedMediaText } from './telegram-texts.ts';

/** Who the bot is, as getMe said. */
export interface BotIdentity {
  id: number;
  username: string;
}

/** A file a message carries, to be fetched only when the engine needs it. */
export interface TelegramFileRef {
  fileId: string;
  /** The size Telegram declares, in bytes. */
  declaredBytes?: number;
  declaredType?: string;
  name?: string;
}

export type MessageReading =
  /** Not for the bot (a group message that does not address it, a service message, another bot's command). */
  | { kind: 'ignore' }
  /** Something the bot can't edit; `text` says so. */
  | { kind: 'explain'; text: string }
  | {
      kind: 'turn';
      /** The words for the engine, without the bot's @mention. */
      text: string;
      /**
       * The command its `bot_command` entity names (at the start, for this bot), with the words
       * after it as arguments; absent for a command the table does not know, or none.
       */
      command?: TurnCommand;
      image?: TelegramFileRef;
      /** The message this one replies to, when it is a reply. */
      replyTo?: number;
      /** Part of an album (Telegram sends each picture of an album as its own message). */
      mediaGroupId?: string;
    };

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|tiff?|heic|heif|avif|bmp|svg)$/i;

export function readMessage(message: Message, bot: BotIdentity): MessageReading {
  const text = message.text ?? message.caption ?? '';
  const entities: MessageEntity[] = message.entities ?? message.caption_entities ?? [];
  const isPrivate = message.chat.type === 'private';

  const command = entities.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (command) {
    const addressee = text.slice(0, command.length).split('@')[1];
    if (addressee && addressee.toLowerCase() !== bot.username.toLowerCase()) return { kind: 'ignore' };
  }
  const ownMentions = entities.filter(
    (e) =>
      (e.type === 'mention' &&
        text.slice(e.offset, e.offset + e.length).toLowerCase() === `@${bot.username.toLowerCase()}`) ||
      (e.type === 'text_mention' && e.user.id === bot.id),
  );
  const repliesToBot = message.reply_to_message?.from?.id === bot.id;
  if (!isPrivate && !command && ownMentions.length === 0 && !repliesToBot) return { kind: 'ignore' };

  const words = withoutEntities(
    text,
    ownMentions.filter((e) => e.type === 'mention'),
  );
  const unsupported = unsupportedKind(message);
  if (unsupported) return { kind: 'explain', text: unsupported };

  let image = pictureOf(message);
  if (image === null) {
    const document = message.document!;
    return {
      kind: 'explain',
      text: userMessage(
        new UserError(ErrorCode.ImageFormatNotAllowed, describeFormat(document.mime_type, document.file_name)),
      ),
    };
  }
  // "@bot make this scary" as a reply to someone's photo edits that photo.
  const replied = message.reply_to_message;
  if (!image && !command && replied && !repliesToBot) image = pictureOf(replied) ?? undefined;

  if (!image && message.text === undefined && message.caption === undefined) return { kind: 'ignore' };
  // Telegram marks the command (`/block` or `/block@bot`): its name is read from the entity, its arguments are the words after it.
  const typed = command
    ? commandFrom(text.slice(1, command.length).split('@')[0]!, words.slice(command.length))
    : undefined;
  return {
    kind: 'turn',
    text: words,
    ...(typed ? { command: typed } : {}),
    image,
    replyTo: replied?.message_id,
    mediaGroupId: message.media_group_id,
  };
}

/** The picture a message carries; null for a file that is not a picture; undefined for none. */
function pictureOf(message: Message): TelegramFileRef | null | undefined {
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo.reduce((best: PhotoSize, size: PhotoSize) =>
      size.width * size.height > best.width * best.height ? size : best,
    );
    return { fileId: largest.file_id, declaredBytes: largest.file_size, declaredType: 'image/jpeg', name: 'photo.jpg' };
  }
  const document = message.document;
  if (document) {
    const looksLikeImage =
      document.mime_type?.startsWith('image/') ||
      ((!document.mime_type || document.mime_type === 'application/octet-stream') &&
        IMAGE_EXTENSIONS.test(document.file_name ?? '')) ||
      (!document.mime_type && !document.file_name);
    if (!looksLikeImage) return null;
    return {
      fileId: document.file_id,
      declaredBytes: document.file_size,
      declaredType: document.mime_type,
      name: document.file_name,
    };
  }
  return undefined;
}

function unsupportedKind(message: Message): string | undefined {
  if (message.sticker) return unsupportedMediaText('stickers');
  if (message.animation) return unsupportedMediaText('GIF animations sent as videos');
  if (message.video || message.video_note) return unsupportedMediaText('videos');
  if (message.voice) return unsupportedMediaText('voice messages');
  if (message.audio) return unsupportedMediaText('audio files');
  return undefined;
}

/** The details of ImageFormatNotAllowed for a document: `text`, `PDF`, the extension, or nothing. */
function describeFormat(mimeType: string | undefined, fileName: string | undefined): Record<string, string> {
  if (mimeType?.startsWith('text/')) return { format: 'text' };
  if (mimeType === 'application/pdf') return { format: 'PDF' };
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(fileName ?? '')?.[1];
  return extension ? { format: extension.toUpperCase() } : {};
}

/** The text with the given entities cut out, spaces tidied. Offsets are UTF-16 units, as in JavaScript. */
function withoutEntities(text: string, cut: MessageEntity[]): string {
  let result = text;
  for (const entity of [...cut].sort((a, b) => b.offset - a.offset)) {
    result = result.slice(0, entity.offset) + result.slice(entity.offset + entity.length);
  }
  return result
    .replace(/[ \t]+/g, ' ')
    .replace(/^[\s,:]+/, '')
    .trim();
}
