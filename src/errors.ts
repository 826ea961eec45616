/**
 * @module The named errors of moodshift.
 *
 * `UserError`: something the person can fix (a broken picture, a blocked emotion). It carries
 * a stable `code`; the words shown to the person live in `messages.ts`, keyed by that code.
 * `ConfigError`: the operator's configuration is wrong; the message says what to change.
 * `UnavailableError`: a part we depend on (Redis, a GPU host) is not answering right now.
 * Anything else is a bug: the person gets a short apology and the log gets the details.
 */

export enum ErrorCode {
  ImageTooLarge = 'image_too_large',
  ImageTooManyPixels = 'image_too_many_pixels',
  ImageFormatNotAllowed = 'image_format_not_allowed',
  ImageCorrupt = 'image_corrupt',
  /** A picture that would take too long to decode (too many JPEG scans, or its decode ran out of time). */
  ImageTooSlow = 'image_too_slow',
  /** The same person already has a picture being read; one at a time. */
  ImageBusy = 'image_busy',
  ImageDownloadFailed = 'image_download_failed',
  ImageHostNotAllowed = 'image_host_not_allowed',
  NoImage = 'no_image',
  NothingToUndo = 'nothing_to_undo',
  NothingToRedo = 'nothing_to_redo',
  NothingToRefine = 'nothing_to_refine',
  EditNotFound = 'edit_not_found',
  EmotionBlocked = 'emotion_blocked',
  ElementBlocked = 'element_blocked',
  IntensityCapped = 'intensity_capped',
  WordBlocked = 'word_blocked',
  RateLimited = 'rate_limited',
  Banned = 'banned',
  NotModerator = 'not_moderator',
  UnknownEmotion = 'unknown_emotion',
  BadCommand = 'bad_command',
  TooManyJobs = 'too_many_jobs',
  RenderTimeout = 'render_timeout',
  TemporarilyUnavailable = 'temporarily_unavailable',
  /** The picture store is at its budget (or Redis at `maxmemory`) and nothing could be freed. */
  PictureStorageFull = 'picture_storage_full',
  /** An edit's picture (or its original) is no longer stored: evicted or past its time to live. */
  PictureExpired = 'picture_expired',
  /** The picture-safety classifier read the picture at or above a threshold of this scope's picture rule. */
  PictureBlocked = 'picture_blocked',
  /** The picture rule blocks, and the classifier failed or ran out of time: refused, fail closed. */
  PictureUnchecked = 'picture_unchecked',
}

/** An input the person got wrong, or a refusal they should understand. Never a bug. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: ErrorCode,
    /** Values the message for this code is filled with (an emotion, a size limit, seconds to wait). */
    readonly details: Record<string, string | number> = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}${Object.keys(details).length ? ' ' + JSON.stringify(details) : ''}`, options);
  }
}

/** The operator's configuration is wrong. The message names the setting and what to change. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A dependency (Redis, a GPU worker, a model server) is not answering. Try again later. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  constructor(
    message: string,
    readonly dependency: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
