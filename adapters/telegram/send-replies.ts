/**
 * @module Sends the engine's `Reply` values to Telegram: an edited picture as a photo (or as a
 * document when it exceeds the photo limits) replying to the person's message, with the
 * engine's caption and an inline keyboard (More, Less, Undo, Redo, Try again, and the other
 * emotions); text as messages of at most 4096 characters. `sendReply` resolves the id of the
 * message that shows the reply's edit, which the Editor links to it, so that replies and buttons
 * find it again, also after a restart.
 */
import { GrammyError, InlineKeyboard, InputFile, type Api } from 'grammy';
import type { Message } from 'grammy/types';
import { BUTTON_LABELS, encodeButton, type Logger, type Reply, type ReplyImage } from '../../src/index.ts';
import { CAPTION_MAX_CHARS, DOCUMENT_MAX_BYTES, fitsPhotoLimits, splitText, truncateText } from './telegram-limits.ts';
import { PICTURE_TOO_LARGE_TO_SEND, PRIVATE_ANSWER_SENT, emotionButtonLabel } from './telegram-texts.ts';

/** Where replies go. */
export interface ReplyTarget {
  chatId: number;
  /** Whether the chat is a group (then `private` replies go to the person's private chat). */
  isGroup: boolean;
  /** The person, for private replies; absent for anonymous administrators. */
  personId?: number;
  /** The message the replies answer. */
  replyTo?: number;
  threadId?: number;
}

export interface ReplySenderDeps {
  api: Api;
  logger: Logger;
}

/** Bot API descriptions of a photo it will not take as a photo. */
const PHOTO_REFUSED =
  /PHOTO_INVALID_DIMENSIONS|PHOTO_SAVE_FILE_INVALID|IMAGE_PROCESS_FAILED|PHOTO_EXT_INVALID|file is too big/i;

/** Sends every reply in order (answers the adapter makes itself; the Editor's come through {@link sendReply}). */
export async function sendReplies(deps: ReplySenderDeps, target: ReplyTarget, replies: Reply[]): Promise<void> {
  for (const reply of replies) await sendReply(deps, target, reply);
}

/**
 * Sends one reply. Resolves the id of the message that shows its edit, for the Editor to link:
 * the picture, or the last part of a text about a picture (a reply to the question acts on that
 * picture); undefined when the reply names no edit.
 */
export async function sendReply(deps: ReplySenderDeps, target: ReplyTarget, reply: Reply): Promise<string | undefined> {
  const shows = await sendOne(deps, target, reply);
  return reply.editId && shows ? String(shows.message_id) : undefined;
}

/** Sends one reply; resolves the message that shows it (the one to link), if any. */
async function sendOne(deps: ReplySenderDeps, target: ReplyTarget, reply: Reply): Promise<Message | undefined> {
  const { api } = deps;
  const keyboard = keyboardFor(reply);
  if (reply.image) {
    const image = reply.image;
    const common = {
      caption: truncateText(reply.text, CAPTION_MAX_CHARS),
      ...threadOf(target),
      ...replyParameters(target),
      ...(keyboard ? { reply_markup: keyboard } : {}),
    };
    let message = fitsPhotoLimits(image) ? await sendAsPhoto(deps, target.chatId, image, common) : undefined;
    if (!message) {
      if (image.bytes.length > DOCUMENT_MAX_BYTES) {
        deps.logger.warn({ bytes: image.bytes.length }, 'telegram: edited picture is over the 50 MB upload limit');
        return sendText(
          deps,
          target,
          { ...reply, image: undefined, text: `${reply.text}\n${PICTURE_TOO_LARGE_TO_SEND}` },
          undefined,
        );
      }
      message = await api.sendDocument(target.chatId, new InputFile(image.bytes, image.name), common);
    }
    return message;
  }
  if (reply.private && target.isGroup) return sendPrivately(deps, target, reply);
  return sendText(deps, target, reply, keyboard);
}

/** Sends a picture as a photo; undefined when Telegram refuses it as a photo (then it goes as a document). */
async function sendAsPhoto(
  deps: ReplySenderDeps,
  chatId: number,
  image: ReplyImage,
  options: Parameters<Api['sendPhoto']>[2],
): Promise<Message | undefined> {
  try {
    return await deps.api.sendPhoto(chatId, new InputFile(image.bytes, image.name), options);
  } catch (error) {
    // Telegram judged the photo differently than our limits did.
    if (!(error instanceof GrammyError && PHOTO_REFUSED.test(error.description))) throw error;
    deps.logger.info({ err: error }, 'telegram: photo refused; sending the picture as a document');
    return undefined;
  }
}

async function sendText(
  deps: ReplySenderDeps,
  target: ReplyTarget,
  reply: Reply,
  keyboard: InlineKeyboard | undefined,
): Promise<Message | undefined> {
  const parts = splitText(reply.text);
  const sent: Message[] = [];
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    const message = await deps.api.sendMessage(target.chatId, part, {
      ...threadOf(target),
      ...(index === 0 ? replyParameters(target) : {}),
      ...(last && keyboard ? { reply_markup: keyboard } : {}),
    });
    sent.push(message);
  }
  // An "ask" about a picture points at it: a reply to the question acts on that picture.
  return sent.at(-1);
}

/** Moderator answers go to the person's private chat; the group only hears where the answer went. Nothing to link. */
async function sendPrivately(deps: ReplySenderDeps, target: ReplyTarget, reply: Reply): Promise<Message | undefined> {
  if (target.personId !== undefined) {
    try {
      for (const part of splitText(reply.text)) await deps.api.sendMessage(target.personId, part);
      await deps.api.sendMessage(target.chatId, PRIVATE_ANSWER_SENT, {
        ...threadOf(target),
        ...replyParameters(target),
      });
      return undefined;
    } catch (error) {
      // 403: the person never started a private chat with the bot (or blocked it). Answer in the group.
      if (!(error instanceof GrammyError)) throw error;
      deps.logger.debug({ err: error }, 'telegram: private answer not possible; answering in the group');
    }
  }
  return sendText(deps, target, { ...reply, private: false }, undefined);
}

/** The inline keyboard for a reply: its actions, then the other emotions, four to a row. */
export function keyboardFor(reply: Reply): InlineKeyboard | undefined {
  if (!reply.editId) return undefined;
  const editId = reply.editId;
  const keyboard = new InlineKeyboard();
  const refine = reply.actions.filter((a) => a === 'more' || a === 'less');
  const walk = reply.actions.filter((a) => a !== 'more' && a !== 'less');
  for (const row of [refine, walk]) {
    if (row.length === 0) continue;
    for (const action of row) keyboard.text(BUTTON_LABELS[action], encodeButton({ kind: action }, editId));
    keyboard.row();
  }
  reply.emotions.forEach((emotion, index) => {
    keyboard.text(emotionButtonLabel(emotion), encodeButton({ kind: 'emotion', emotion }, editId));
    if (index % 4 === 3) keyboard.row();
  });
  const rows = keyboard.inline_keyboard.filter((row) => row.length > 0);
  return rows.length > 0 ? InlineKeyboard.from(rows) : undefined;
}

function threadOf(target: ReplyTarget): { message_thread_id?: number } {
  return target.threadId !== undefined ? { message_thread_id: target.threadId } : {};
}

function replyParameters(target: ReplyTarget): {
  reply_parameters?: { message_id: number; allow_sending_without_reply: boolean };
} {
  return target.replyTo !== undefined
    ? { reply_parameters: { message_id: target.replyTo, allow_sending_without_reply: true } }
    : {};
}
