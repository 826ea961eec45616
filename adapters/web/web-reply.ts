/**
 * @module What the page receives: engine `Reply` values with their pictures replaced by URLs
 * of this session's own images (`/api/images/:editId`), and the HTTP status a turn's outcome
 * maps to.
 */
import { type Emotion, ErrorCode, type Reply, type ReplyAction } from '../../src/index.ts';

export interface WebImage {
  /** Where the page loads the picture from. */
  url: string;
  /** The same picture as a download (`Content-Disposition: attachment`). */
  downloadUrl: string;
  width: number;
  height: number;
  /** MIME type. */
  type: string;
  /** A file name for the download, e.g. `moodshift-sadness.jpg`. */
  name: string;
}

export interface WebReply {
  /** The web message id of this reply: send it as `replyTo` to act on this picture. */
  id: string;
  kind: Reply['kind'];
  text: string;
  actions: ReplyAction[];
  emotions: Emotion[];
  editId?: string;
  /** The emotion this picture shows, when it is an edit. */
  target?: Emotion;
  code?: string;
  private?: boolean;
  image?: WebImage;
  /** The original photo this edit was rendered from, for the before/after view. */
  original?: { editId: string; url: string };
}

export interface WebTurnResponse {
  turnId: string;
  /** The web message id given to the person's own message. */
  messageId: string;
  replies: WebReply[];
}

export function imageUrl(editId: string): string {
  return `/api/images/${encodeURIComponent(editId)}`;
}

/** The reply as the page shows it; `reply.edit` says what the picture shows and which original it came from. */
export function toWebReply(reply: Reply, id: string): WebReply {
  const edit = reply.editId ? reply.edit : undefined;
  const web: WebReply = {
    id,
    kind: reply.kind,
    text: reply.text,
    actions: reply.actions,
    emotions: reply.emotions,
  };
  if (reply.editId) web.editId = reply.editId;
  if (edit?.target) web.target = edit.target;
  if (reply.code) web.code = reply.code;
  if (reply.private) web.private = true;
  if (reply.image && reply.editId) {
    const url = imageUrl(reply.editId);
    web.image = {
      url,
      downloadUrl: `${url}?download=1`,
      width: reply.image.width,
      height: reply.image.height,
      type: reply.image.type,
      name: reply.image.name,
    };
    if (edit && edit.rootId !== reply.editId) web.original = { editId: edit.rootId, url: imageUrl(edit.rootId) };
  }
  return web;
}

/** The HTTP status of a turn's error code: 4xx for what the person can change, 5xx for us. */
export function statusForCode(code: string | undefined): 200 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503 {
  switch (code) {
    case undefined:
      return 200;
    case ErrorCode.ImageTooLarge:
    case ErrorCode.ImageTooManyPixels:
      return 413;
    case ErrorCode.ImageFormatNotAllowed:
      return 415;
    case ErrorCode.ImageCorrupt:
    case ErrorCode.ImageDownloadFailed:
    case ErrorCode.ImageHostNotAllowed:
    case ErrorCode.UnknownEmotion:
    case ErrorCode.BadCommand:
    case ErrorCode.NoImage:
      return 422;
    case ErrorCode.EditNotFound:
      return 404;
    case ErrorCode.NothingToUndo:
    case ErrorCode.NothingToRedo:
    case ErrorCode.NothingToRefine:
      return 409;
    case ErrorCode.EmotionBlocked:
    case ErrorCode.ElementBlocked:
    case ErrorCode.IntensityCapped:
    case ErrorCode.WordBlocked:
    case ErrorCode.Banned:
    case ErrorCode.NotModerator:
      return 403;
    case ErrorCode.RateLimited:
    case ErrorCode.TooManyJobs:
      return 429;
    case ErrorCode.TemporarilyUnavailable:
    case ErrorCode.RenderTimeout:
      return 503;
    default:
      return code === 'internal' ? 500 : 422;
  }
}
