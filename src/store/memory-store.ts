/**
 * @module The `memory` conversation store: everything in this process's memory, the embedded
 * default. Lost when the process ends; use the `redis` store to keep state across restarts or to
 * share it between processes.
 */
import type { Element } from '../emotions.ts';
import type { ConversationKey } from '../turn.ts';
import {
  conversationId,
  emptyConversation,
  type Conversation,
  type ConversationStore,
  type ConversationStoreOptions,
  type EditRecord,
  type MessageLink,
  pinnedPictures,
  surplusPictures,
} from './conversation-store.ts';
import { pruneEdits } from './edit-pruning.ts';
import { MemoryPictureStore } from './memory-picture-store.ts';
import { refuseAsyncChange, requireWholeNumber, resolveStoreOptions } from './store-options.ts';
import { KeyedSerialiser } from './keyed-serialiser.ts';

export interface MemoryConversationStoreOptions extends ConversationStoreOptions {
  /**
   * How often expired conversations, message links and pictures are swept away, in milliseconds.
   * Expired entries are never returned in between (each read checks the time); the sweep only
   * frees their memory. The timer never keeps the process alive.
   * @defaultValue 60000
   */
  sweepIntervalMs?: number;
}

interface Expiring<T> {
  value: T;
  /** Milliseconds since the epoch after which the entry no longer exists. */
  expiresAt: number;
}

const OWNER = 'MemoryConversationStore';

/**
 * A `ConversationStore` in a `Map`: conversations with a time to live (checked on every read, and
 * swept on a timer), updates that run `change` on a deep copy and commit only when it returns,
 * serialised per conversation; message links that live as long as their conversation; pictures by
 * sha256 with their own time to live, refreshed whenever they are stored or read, kept within
 * `maxImageBytes`: the surplus pictures of long conversations go first, then the longest unused,
 * never the picture of a conversation's current edit or its original, nor one held for a render in
 * progress (`holdPictures`; a put that cannot make room
 * fails with `PictureStorageFull`).
 *
 * `linkMessage` also records the message id on the edit (`EditRecord.messageIds`), and every update
 * refreshes the time to live of the conversation's message links; links of edits dropped by
 * `maxEdits` are forgotten.
 */
export class MemoryConversationStore implements ConversationStore {
  readonly name = 'memory';
  /** The pictures (`MemoryPictureStore`), told which ones each conversation needs on every write; closed with this store. */
  readonly pictures: MemoryPictureStore;
  private readonly ttlMs: number;
  private readonly maxEdits: number;
  private readonly conversations = new Map<string, Expiring<Conversation>>();
  private readonly links = new Map<string, Expiring<MessageLink>>();
  private readonly picturesPerConversation: number;
  /** Updates of one conversation run one after another. */
  private readonly serialiser = new KeyedSerialiser();
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(options: MemoryConversationStoreOptions = {}) {
    const common = resolveStoreOptions(OWNER, options);
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    requireWholeNumber(OWNER, 'sweepIntervalMs', sweepIntervalMs, 1);
    this.ttlMs = common.ttlSeconds * 1000;
    this.maxEdits = common.maxEdits;
    this.picturesPerConversation = common.picturesPerConversation;
    this.pictures = new MemoryPictureStore({
      imageTtlSeconds: common.imageTtlSeconds,
      maxImageBytes: common.maxImageBytes,
    });
    this.sweepTimer = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweepTimer.unref();
  }

  async load(key: ConversationKey): Promise<Conversation | undefined> {
    this.assertOpen();
    const entry = this.liveConversation(conversationId(key));
    return entry ? draftOf(entry.value) : undefined;
  }

  async update<T>(key: ConversationKey, change: (conversation: Conversation) => T): Promise<T> {
    this.assertOpen();
    const id = conversationId(key);
    return this.serialise(id, () => {
      const stored = this.liveConversation(id);
      const draft = stored ? draftOf(stored.value) : emptyConversation(key);
      const result = change(draft);
      refuseAsyncChange(result);
      this.commit(id, draft);
      return result;
    });
  }

  async linkMessage(key: ConversationKey, editId: string, messageId: string): Promise<void> {
    this.assertOpen();
    const id = conversationId(key);
    return this.serialise(id, () => {
      // The message id on the edit; the commit writes its link with the others.
      const stored = this.liveConversation(id);
      const edit = stored?.value.edits[editId];
      if (!stored || !edit || edit.messageIds.includes(messageId)) return;
      const draft = draftOf(stored.value);
      draft.edits[editId] = { ...edit, messageIds: [...edit.messageIds, messageId] };
      this.commit(id, draft);
    });
  }

  async findMessage(platform: string, chat: string, messageId: string): Promise<MessageLink | undefined> {
    this.assertOpen();
    const entry = this.live(this.links, linkId(platform, chat, messageId));
    return entry ? structuredClone(entry.value) : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.conversations.clear();
    this.links.clear();
    await this.pictures.close();
  }

  /** Stores `draft` as the conversation, prunes it, and refreshes its message links. */
  private commit(id: string, draft: Conversation): void {
    const now = Date.now();
    draft.updatedAt = now;
    const dropped = pruneEdits(draft, this.maxEdits);
    const expiresAt = now + this.ttlMs;
    // Its own copy of the edit map, with every edit frozen, so nothing `change` returned can reach into the stored value.
    const edits: Record<string, EditRecord> = {};
    for (const editId in draft.edits) edits[editId] = frozenEdit(draft.edits[editId]!);
    this.conversations.set(id, { value: draftOf(draft, edits), expiresAt });
    this.pictures.markConversation(id, pinnedPictures(draft), surplusPictures(draft, this.picturesPerConversation));
    const { platform, chat } = draft.key;
    for (const edit of dropped) {
      for (const messageId of edit.messageIds) this.links.delete(linkId(platform, chat, messageId));
    }
    // The links are what the edits say: every message id of every edit, living as long as the conversation.
    for (const edit of Object.values(draft.edits)) {
      for (const messageId of edit.messageIds) {
        this.links.set(linkId(platform, chat, messageId), {
          value: { key: structuredClone(draft.key), editId: edit.id },
          expiresAt,
        });
      }
    }
  }

  /** Runs `task` after every earlier task of conversation `id` has settled. */
  private serialise<T>(id: string, task: () => T): Promise<T> {
    return this.serialiser.run(id, task);
  }

  /** The entry under `id` unless it expired (an expired one is deleted on the way). */
  private live<T>(map: Map<string, Expiring<T>>, id: string): Expiring<T> | undefined {
    const entry = map.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry;
    map.delete(id);
    return undefined;
  }

  /** The conversation under `id` unless it expired (an expired one is forgotten, with its pictures' marks). */
  private liveConversation(id: string): Expiring<Conversation> | undefined {
    const entry = this.live(this.conversations, id);
    if (!entry) this.forgetMarks(id);
    return entry;
  }

  private forgetMarks(id: string): void {
    this.pictures.markConversation(id, [], []);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.conversations) {
      if (entry.expiresAt <= now) {
        this.conversations.delete(id);
        this.forgetMarks(id);
      }
    }
    for (const [id, entry] of this.links) if (entry.expiresAt <= now) this.links.delete(id);
    this.pictures.sweep();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`${OWNER}: this store was closed; create a new one to keep using it.`);
  }
}

/**
 * A conversation to hand out, change or store: its own key, redo list and edit map (`edits`
 * when given, else a copy of the conversation's), sharing the edit records, which are frozen
 * once stored (see `frozenEdit`). Edits never change after they are
 * made, only new ones are added, so a load or update costs one copy of the edit map instead of
 * a copy of the whole history; code that tried to change a stored edit in place would throw.
 */
function draftOf(
  conversation: Conversation,
  edits: Record<string, EditRecord> = { ...conversation.edits },
): Conversation {
  return { ...conversation, key: { ...conversation.key }, redo: [...conversation.redo], edits };
}

/** The edit as stored: itself when already frozen, else a deep copy, frozen all through. */
function frozenEdit(edit: EditRecord): EditRecord {
  if (Object.isFrozen(edit)) return edit;
  const copy: EditRecord = { ...edit, messageIds: Object.freeze([...edit.messageIds]) as string[] };
  if (edit.elements) copy.elements = Object.freeze([...edit.elements]) as Element[];
  if (edit.plan) {
    const plan = { ...edit.plan, elements: Object.freeze([...edit.plan.elements]) as Element[] };
    if (edit.plan.sourceDistribution) plan.sourceDistribution = Object.freeze({ ...edit.plan.sourceDistribution });
    copy.plan = Object.freeze(plan);
  }
  return Object.freeze(copy);
}

function linkId(platform: string, chat: string, messageId: string): string {
  return [platform, chat, messageId].map((part) => encodeURIComponent(part)).join(':');
}
