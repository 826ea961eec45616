/**
 * @module The two values that cross between an adapter and the engine: a `Turn` in, `Reply` values out.
 * Nothing here knows which platform it serves.
 */
import type { TurnCommand } from './commands.ts';
import type { Emotion } from './emotions.ts';

/** Identifies one conversation: one person in one chat (and thread, where the platform has them). */
export interface ConversationKey {
  /** `telegram`, `discord`, `web`, `cli`, … */
  platform: string;
  /** The chat, channel or DM id. */
  chat: string;
  /** A thread or topic inside the chat, if any. */
  thread?: string;
  /** The person. */
  user: string;
}

/** Where a turn happens, for moderation policies: global, then server/group, then channel. */
export interface TurnScope {
  /** Discord guild id or Telegram group id; absent in private chats and the web chat. */
  server?: string;
  /** The channel (Discord) or chat (Telegram); absent where there is none. */
  channel?: string;
  /**
   * The platform marks the channel age-restricted (Discord's NSFW flag, a thread's from its
   * parent). Only there may a Discord moderator allow pictures the outer scopes block.
   */
  ageRestricted?: boolean;
}

/** A picture attached to a turn. The bytes are fetched only when the engine needs them. */
export interface ImageAttachment {
  /** The size the platform declares, in bytes, checked before downloading. */
  declaredBytes?: number;
  /** The MIME type the platform declares (not trusted: the bytes are checked). */
  declaredType?: string;
  /** The file name, if any. */
  name?: string;
  /**
   * Downloads the bytes. Implementations enforce `maxBytes` while downloading and
   * throw a `UserError` (ImageTooLarge, ImageDownloadFailed, ImageHostNotAllowed).
   */
  fetch(maxBytes: number): Promise<Buffer>;
}

export interface Actor {
  id: string;
  name: string;
  /** Whether this person moderates the chat the turn happens in. */
  isModerator: boolean;
}

/** A button press on one of the bot's pictures. */
export type ButtonAction =
  { kind: 'more' | 'less' | 'undo' | 'redo' | 'retry' } | { kind: 'emotion'; emotion: Emotion };

/** One message (or button press) from a person, as the engine sees it. */
export interface Turn {
  key: ConversationKey;
  scope?: TurnScope;
  /** The platform's id of this message. */
  messageId: string;
  /** The platform message id this message replies to, if it is a reply. */
  replyTo?: string;
  text: string;
  images: ImageAttachment[];
  actor: Actor;
  /** A button press; `editId` names the edit whose message carried the button. */
  action?: ButtonAction & { editId?: string };
  /**
   * A command the platform already knows as one (Discord's slash options, Telegram's command
   * entity, the web's JSON): taken as it is, never parsed from `text`. Without it, typed text is
   * read by the strict command parser, then the normaliser (`commands.ts`).
   */
  command?: TurnCommand;
  /** BCP 47 language of the person, where the platform says. */
  locale?: string;
  /** Extra words for the reply when the adapter had to simplify (e.g. "I used the first picture of the album"). */
  notice?: string;
}

/** The actions the bot offers as buttons under an edited picture. */
export type ReplyAction = 'more' | 'less' | 'undo' | 'redo' | 'retry';

export interface ReplyImage {
  bytes: Buffer;
  /** MIME type: image/jpeg, image/png or image/webp. */
  type: string;
  width: number;
  height: number;
  /** A file name with the right extension, e.g. `moodshift-sadness.jpg`. */
  name: string;
}

/** The edit a reply shows, as an adapter may show it: no content hashes, no plan. */
export interface ReplyEdit {
  /** The edit's id (the reply's `editId`). */
  id: string;
  /** The feeling it was edited toward; absent for an original photo. */
  target?: Emotion;
  /** The feeling the picture read as before, when known. */
  source?: Emotion;
  /** How strongly, 0.1 to 1; absent for an original photo. */
  intensity?: number;
  /** The edit it was made from; absent for an original photo. */
  parentId?: string;
  /** The original photo it was rendered from (its own id for an original photo). */
  rootId: string;
  /** Steps from that original: 0 for the original photo, 1 for an edit of it, … */
  depth: number;
  /** Whether undo from it goes somewhere (it has a parent). */
  canUndo: boolean;
  /** Whether the conversation has an undone edit to redo. */
  canRedo: boolean;
}

/** One message from the engine to the person. */
export interface Reply {
  /**
   * `edit`: an edited (or restored) picture; `info`: help, lists, policy text;
   * `ask`: the bot needs something from the person; `error`: a refusal or failure.
   */
  kind: 'edit' | 'info' | 'ask' | 'error';
  text: string;
  image?: ReplyImage;
  /** Buttons to offer under the picture. */
  actions: ReplyAction[];
  /** Other emotions to offer (chips, a select menu). */
  emotions: Emotion[];
  /** The edit this reply shows; a reply to it or a button on it finds that edit again. */
  editId?: string;
  /** What that edit is and where it sits in the conversation's tree (present whenever `editId` is). */
  edit?: ReplyEdit;
  /** For `error`: the stable code of the UserError, when there is one. */
  code?: string;
  /** Whether the platform should show it only to the person (moderator tools, where supported). */
  private?: boolean;
}

/** Progress of work under way, reported while it runs. */
export type Progress =
  | { stage: 'queued'; position: number }
  | { stage: 'planning' }
  | { stage: 'rendering'; step: number; steps: number }
  | { stage: 'done' };

export type ProgressListener = (progress: Progress) => void;

/**
 * Shows one reply on the platform. Resolves the ids of the platform messages that show the reply's
 * edit (a reply to one of them, or a button on it, finds that edit again), or undefined when no
 * message should lead back to it (a private answer, a platform that gave no id).
 */
export type SendReply = (reply: Reply) => Promise<string | readonly string[] | undefined>;

/** How an adapter takes part in one turn (`Editor.handle`). */
export interface TurnIO {
  /** Progress of the work under way. */
  progress?: ProgressListener;
  /**
   * Called once per reply, in order, when the turn is done; the Editor links the messages it
   * resolves to the reply's edit. Without it, `handle` only returns the replies.
   */
  send?: SendReply;
}
