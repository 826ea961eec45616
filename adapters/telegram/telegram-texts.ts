/**
 * @module The words the Telegram adapter says itself, kept apart from the logic. Everything
 * about pictures and emotions comes from the engine (`src/messages.ts`); these are only about
 * Telegram things the engine never sees (stickers, albums, where an answer went).
 */
import { type Emotion, EMOTION_TABLE } from '../../src/index.ts';

export const ALBUM_NOTICE = 'You sent an album: I used its first picture.';

/** What the bot says to a sticker, video, voice message or other thing it can't edit. */
export function unsupportedMediaText(kind: string): string {
  return `I can't edit ${kind}. Please send a photo (or a picture as a file) and tell me how it should feel, for example "make it sadder".`;
}

export const PRIVATE_ANSWER_SENT = 'I sent you the answer in a private message.';

export const PICTURE_TOO_LARGE_TO_SEND = '(The picture is too large to send on Telegram.)';

export const UNKNOWN_BUTTON = 'This button is no longer available.';

/** The label of the button that picks another emotion. */
export function emotionButtonLabel(emotion: Emotion): string {
  return `${EMOTION_TABLE[emotion].emoji} ${emotion}`;
}
