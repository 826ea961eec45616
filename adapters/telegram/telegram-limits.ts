/**
 * @module The Telegram Bot API limits this adapter respects, in one place
 * (https://core.telegram.org/bots/api, https://core.telegram.org/bots/faq).
 */

/** Largest file a bot may download through getFile and the file endpoint. */
export const DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024;
/** Largest picture sendPhoto accepts; a bigger one goes as a document. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** sendPhoto: width + height may not exceed this. */
export const PHOTO_MAX_DIMENSION_SUM = 10_000;
/** sendPhoto: the longer side may be at most this many times the shorter one. */
export const PHOTO_MAX_ASPECT_RATIO = 20;
/** Largest file a bot may upload with sendDocument. */
export const DOCUMENT_MAX_BYTES = 50 * 1024 * 1024;
/** Characters of a photo or document caption. */
export const CAPTION_MAX_CHARS = 1024;
/** Characters of a text message. */
export const TEXT_MAX_CHARS = 4096;
/** Bytes of an inline button's callback data. */
export const CALLBACK_DATA_MAX_BYTES = 64;
/** Characters of the notification text of answerCallbackQuery. */
export const CALLBACK_ANSWER_MAX_CHARS = 200;
/** A chat action shows for at most 5 s; it is sent again before it fades. */
export const CHAT_ACTION_SECONDS = 5;
/** About one message per second in a chat; the progress message is edited no faster. */
export const MIN_EDIT_INTERVAL_MS = 1000;
/** setMyCommands: command names are 1–32 characters of a-z, 0-9 and _. */
export const COMMAND_NAME_PATTERN = /^[a-z0-9_]{1,32}$/;
/** setMyCommands: descriptions are 1–256 characters. */
export const COMMAND_DESCRIPTION_MAX_CHARS = 256;
/** The webhook secret token: 1–256 characters of A-Z, a-z, 0-9, _ and -. */
export const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
/** getUpdates returns at most 100 updates per call. */
export const UPDATES_PER_CALL_MAX = 100;
/** Telegram's GroupAnonymousBot: the sender of messages written by anonymous group administrators. */
export const GROUP_ANONYMOUS_BOT_ID = 1087968824;

/** Whether a picture may go through sendPhoto, or must go as a document. */
export function fitsPhotoLimits(image: { bytes: Buffer; width: number; height: number }): boolean {
  const longer = Math.max(image.width, image.height);
  const shorter = Math.max(1, Math.min(image.width, image.height));
  return (
    image.bytes.length <= PHOTO_MAX_BYTES &&
    image.width + image.height <= PHOTO_MAX_DIMENSION_SUM &&
    longer / shorter <= PHOTO_MAX_ASPECT_RATIO
  );
}

/** Cuts a text to at most `max` characters (code points), ending with an ellipsis when cut. */
export function truncateText(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** Splits a long text into messages of at most `max` characters, at line breaks where possible. */
export function splitText(text: string, max: number = TEXT_MAX_CHARS): string[] {
  const parts: string[] = [];
  let rest = [...text];
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = max;
    parts.push(rest.slice(0, cut).join(''));
    rest = rest.slice(rest[cut] === '\n' ? cut + 1 : cut);
  }
  if (rest.length > 0) parts.push(rest.join(''));
  return parts;
}
