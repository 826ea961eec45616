/**
 * @module The words moodshift says to people, kept apart from the logic.
 * Every `UserError` code has one message here; adapters never write their own.
 */
import { EMOTIONS, EMOTION_TABLE } from './emotions.ts';
import { ErrorCode, UserError } from './errors.ts';

type Details = Record<string, string | number>;

const userErrorMessages: Record<ErrorCode, (d: Details) => string> = {
  [ErrorCode.ImageTooLarge]: (d) =>
    `That file is too big (${d.actual ?? 'over the limit'}); the limit is ${d.limit}. Please send a smaller picture.`,
  [ErrorCode.ImageTooManyPixels]: (d) =>
    `That picture has too many pixels (${d.actual}); the limit is ${d.limit}. Please send a smaller picture.`,
  [ErrorCode.ImageFormatNotAllowed]: (d) =>
    `I can't edit ${d.format ? `${d.format} files` : 'that kind of file'}. Please send a JPEG, PNG, WebP, GIF or TIFF picture.`,
  [ErrorCode.ImageCorrupt]: () =>
    `That picture looks broken or incomplete, so I can't read it. Please send it again or try another one.`,
  [ErrorCode.ImageDownloadFailed]: () => `I couldn't download that picture. Please send it again.`,
  [ErrorCode.ImageHostNotAllowed]: () =>
    `I only take pictures uploaded to this chat, not links to other sites. Please attach the picture itself.`,
  [ErrorCode.NoImage]: () => `Send me a photo first, then tell me how it should feel (for example "make it sadder").`,
  [ErrorCode.NothingToUndo]: () => `There is nothing to undo.`,
  [ErrorCode.NothingToRedo]: () => `There is nothing to redo.`,
  [ErrorCode.NothingToRefine]: () =>
    `There is no edit to make stronger or weaker yet. Tell me a feeling first, for example "make it calmer".`,
  [ErrorCode.EditNotFound]: () =>
    `I can't find that picture any more (it may have expired). Please send the photo again.`,
  [ErrorCode.EmotionBlocked]: (d) => `A moderator has blocked ${d.emotion} in ${d.where ?? 'this chat'}. Try another feeling.`,
  [ErrorCode.ElementBlocked]: (d) => `A moderator has blocked ${d.element} edits in ${d.where ?? 'this chat'}.`,
  [ErrorCode.IntensityCapped]: (d) => `That is as strong as edits go in ${d.where ?? 'this chat'} (a moderator set the limit).`,
  [ErrorCode.WordBlocked]: (d) =>
    `I can't make that edit: a word in it is not allowed in ${d.where ?? 'this chat'}.`,
  [ErrorCode.RateLimited]: (d) => `You're going fast! Please try again in ${d.seconds} s.`,
  [ErrorCode.Banned]: (d) => `A moderator has stopped you from using the bot in ${d.where ?? 'this chat'}.`,
  [ErrorCode.NotModerator]: () => `Only moderators can use that command.`,
  [ErrorCode.UnknownEmotion]: (d) =>
    `"${d.word}" is not one of the emotions I know. Try one of: ${EMOTIONS.join(', ')}.`,
  [ErrorCode.BadCommand]: (d) => `${d.usage ? `Usage: ${d.usage}` : `I don't know that command.`} Type /help for the list.`,
  [ErrorCode.TooManyJobs]: (d) => `You already have ${d.limit} edits running. Please wait for one to finish.`,
  [ErrorCode.RenderTimeout]: () => `That edit took too long and was stopped. Press "Try again" to have another go.`,
  [ErrorCode.TemporarilyUnavailable]: () =>
    `The bot is temporarily unavailable. Nothing you sent is lost; please try again in a minute.`,
};

/** The short sentence a person sees for a UserError. */
export function userMessage(error: UserError): string {
  return userErrorMessages[error.code](error.details);
}

export const APOLOGY = `Sorry, something went wrong on my side. Please try again.`;

export function emotionListText(): string {
  return (
    'I can make a picture feel:\n' +
    EMOTIONS.map((e) => `${EMOTION_TABLE[e].emoji} ${e}: ${EMOTION_TABLE[e].meaning}`).join('\n')
  );
}

export function helpText(): string {
  return [
    'Send me a photo and tell me how it should feel: "make this sadder", "scarier", "a bit calmer".',
    'Then refine it: "more", "less", "undo", "redo", "try again", "start over", or another feeling.',
    'Reply to any of my pictures to continue from that one.',
    'Commands: /help, /emotions, /undo, /redo, /reset. Moderators: /policy, /block <emotion>, /unblock <emotion>, /audit.',
  ].join('\n');
}

export const ASK_FOR_FEELING = 'Got your picture! How should it feel? For example "sadder", "scarier" or "calmer".';

export function askBackText(): string {
  return `I didn't catch the feeling you want. Try for example "make it sadder" or "calmer". I know: ${EMOTIONS.join(', ')}.`;
}
