/**
 * @module The conversation store contract: per conversation a tree of edits, a cursor and
 * a redo list; platform message ids mapped to edits; and the conversations' pictures, in the
 * `PictureStore` it owns (`pictures`), stored once by content hash.
 * Backends: `memory-store.ts` (one process) and `redis-store.ts` (ioredis). Both pass
 * `test/store/conversation-store.conformance.ts`.
 */
import type { Element, Emotion } from '../emotions.ts';
import type { PictureStore } from './picture-store.ts';
import type { EditPlan } from '../planner/planner.ts';
import type { ButtonAction, ConversationKey, ReplyAction } from '../turn.ts';

export type { ImageBlob, PictureStore } from './picture-store.ts';

/** One node of a conversation's edit tree. A root node is an original photo as the person sent it. */
export interface EditRecord {
  id: string;
  /** The edit this one was made from (the node the person acted on); absent for a root. */
  parent?: string;
  /** Content hash of the original photo this edit is rendered from. Every edit renders from it. */
  originalHash: string;
  /** Content hash of the picture this node shows (equal to `originalHash` for a root). */
  imageHash: string;
  target?: Emotion;
  source?: Emotion;
  intensity?: number;
  elements?: Element[];
  instruction?: string;
  plan?: EditPlan;
  seed?: number;
  /** The platform message ids that show this edit. */
  messageIds: string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface Conversation {
  key: ConversationKey;
  /** Every edit of the conversation by id. */
  edits: Record<string, EditRecord>;
  /** The current edit: what text alone acts on. */
  cursor?: string;
  /** Edits undone, most recent last; `redo` moves the cursor back to the last one. Cleared by a new edit. */
  redo: string[];
  /** Milliseconds since the epoch of the last change. */
  updatedAt: number;
  /**
   * What was said, oldest first, for a chat that keeps no history of its own (the web chat shows
   * it again after a reload); platforms that keep their own messages leave it out.
   */
  exchanges?: ConversationExchange[];
}

/** One turn as the person saw it: their message and the bot's answers. Values: replace, never change in place. */
export interface ConversationExchange {
  /** The person's message id (`Turn.messageId`). */
  messageId: string;
  /** Milliseconds since the epoch. */
  at: number;
  /** What the person typed (may be empty). */
  text: string;
  /** The button the person pressed, when it was one. */
  action?: { kind: ButtonAction['kind']; emotion?: Emotion };
  /** The root edit of the photo the person sent with it. */
  photoEditId?: string;
  replies: ExchangeReply[];
}

/** One answer of the bot, as shown: its text, and for a picture the edit and the buttons it had. */
export interface ExchangeReply {
  /** The platform message id of the answer. */
  id: string;
  kind: 'edit' | 'info' | 'ask' | 'error';
  text: string;
  editId?: string;
  actions: ReplyAction[];
  emotions: Emotion[];
  code?: string;
  /** The picture it showed (the bytes are the edit's): size, MIME type and download name. */
  image?: { width: number; height: number; type: string; name: string };
}

export interface MessageLink {
  key: ConversationKey;
  editId: string;
}

export interface ConversationStore {
  readonly name: string;
  /** The conversation, or undefined when there is none (or it expired). */
  load(key: ConversationKey): Promise<Conversation | undefined>;
  /**
   * Reads, changes and writes one conversation atomically: two concurrent updates of one
   * conversation never lose either change. `change` receives the current conversation (an
   * empty one when there is none) and mutates it in place; it may run more than once when
   * another writer got there first, so it must have no side effects. Refreshes the time to live.
   * Edit records are values: to change one, put a changed copy in `edits` (a store may hand
   * them out frozen, as the memory store does, so that a long history is not copied per turn).
   */
  update<T>(key: ConversationKey, change: (conversation: Conversation) => T): Promise<T>;
  /**
   * Records that platform message `messageId` (in `key.chat`) shows `editId`: adds it to that
   * edit's `messageIds` (an update of one write). `EditRecord.messageIds` is the one source of
   * truth: every write of a conversation also writes the message index that `findMessage` reads
   * from it, atomically, so an `update` that adds a message id to an edit links it as well.
   */
  linkMessage(key: ConversationKey, editId: string, messageId: string): Promise<void>;
  /** Finds the edit a platform message shows, in any conversation of that chat. */
  findMessage(platform: string, chat: string, messageId: string): Promise<MessageLink | undefined>;
  /**
   * The pictures of every conversation (originals and edits), by content hash. A picture that a
   * conversation's current edit shows or renders from (see {@link pinnedPictures}) is never dropped
   * for the picture budget while the conversation lives.
   */
  readonly pictures: PictureStore;
  close(): Promise<void>;
}

export interface ConversationStoreOptions {
  /** How long a conversation lives after its last change, in seconds. @defaultValue 7 days */
  ttlSeconds?: number;
  /** How long a stored picture lives after it was last stored or read, in seconds. @defaultValue 7 days */
  imageTtlSeconds?: number;
  /** Most edits kept per conversation; the oldest ones off the cursor's path are dropped. @defaultValue 200 */
  maxEdits?: number;
  /**
   * Most bytes of pictures kept at once, over all conversations (`MOODSHIFT_PICTURE_BUDGET_MB`).
   * Beyond it the pictures used longest ago are dropped first, except those a conversation's
   * current edit needs. For Redis keep it well below `maxmemory` (Redis adds some overhead per
   * picture, and the queue and conversations need room too). @defaultValue 536870912 (512 MiB)
   */
  maxImageBytes?: number;
  /**
   * Most pictures one conversation keeps ahead of the others: when a conversation lists more, the
   * pictures of its older edits are the first to go once the budget is reached (before any other
   * conversation's pictures), so one person's long session cannot push everyone else's out
   * (`MOODSHIFT_PICTURES_PER_CONVERSATION`). @defaultValue 20
   */
  picturesPerConversation?: number;
}

export const DEFAULT_STORE_OPTIONS: Required<ConversationStoreOptions> = {
  ttlSeconds: 7 * 24 * 3600,
  imageTtlSeconds: 7 * 24 * 3600,
  maxEdits: 200,
  maxImageBytes: 512 * 1024 * 1024,
  picturesPerConversation: 20,
};

/**
 * The pictures a conversation cannot do without: what its current edit shows and the original
 * photo every edit renders from. Stores never evict these while the conversation lives.
 */
export function pinnedPictures(conversation: Conversation): string[] {
  const current = conversation.cursor === undefined ? undefined : conversation.edits[conversation.cursor];
  if (!current) return [];
  return current.imageHash === current.originalHash ? [current.imageHash] : [current.imageHash, current.originalHash];
}

/**
 * The pictures of a conversation beyond its newest `keep` ones (by edit age), pinned ones left out:
 * the first a store drops when it needs room.
 */
export function surplusPictures(conversation: Conversation, keep: number): string[] {
  const pinned = new Set(pinnedPictures(conversation));
  const newestFirst = Object.values(conversation.edits).sort((a, b) => b.createdAt - a.createdAt);
  const kept = new Set<string>();
  const surplus = new Set<string>();
  for (const edit of newestFirst) {
    for (const hash of [edit.imageHash, edit.originalHash]) {
      if (pinned.has(hash) || kept.has(hash) || surplus.has(hash)) continue;
      if (kept.size < keep) kept.add(hash);
      else surplus.add(hash);
    }
  }
  return [...surplus];
}

export function emptyConversation(key: ConversationKey, now = Date.now()): Conversation {
  return { key, edits: {}, redo: [], updatedAt: now };
}

/** The key a conversation is stored under: `platform:chat:thread:user`, each part escaped. */
export function conversationId(key: ConversationKey): string {
  return [key.platform, key.chat, key.thread ?? '', key.user].map((p) => encodeURIComponent(p)).join(':');
}
