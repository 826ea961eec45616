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
  type ImageBlob,
  type MessageLink,
} from './conversation-store.ts';
import { pruneEdits } from './edit-pruning.ts';
import { imageContentHash } from './image-hash.ts';
import { refuseAsyncChange, requireWholeNumber, resolveStoreOptions } from './store-options.ts';
import { KeyedSerialiser } from './keyed-serialiser.ts';

export interface MemoryConversationStoreOptions extends ConversationStoreOptions {
  /**
   * Most bytes of pictures kept at once. Beyond it the pictures read or stored longest ago are
   * dropped first (the picture just stored is always kept), so a busy bot cannot fill the heap.
   * @defaultValue 268435456 (256 MiB)
   */
  maxImageBytes?: number;
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
 * sha256 with their own time to live, refreshed whenever they are stored or read.
 *
 * `linkMessage` also records the message id on the edit (`EditRecord.messageIds`), and every update
 * refreshes the time to live of the conversation's message links; links of edits dropped by
 * `maxEdits` are forgotten.
 */
export class MemoryConversationStore implements ConversationStore {
  readonly name = 'memory';
  private readonly ttlMs: number;
  private readonly imageTtlMs: number;
  private readonly maxEdits: number;
  private readonly maxImageBytes: number;
  private readonly conversations = new Map<string, Expiring<Conversation>>();
  private readonly links = new Map<string, Expiring<MessageLink>>();
  /** In least-recently-used order: a read or store moves a picture to the end. */
  private readonly images = new Map<string, Expiring<ImageBlob>>();
  private imageBytes = 0;
  /** Updates of one conversation run one after another. */
  private readonly serialiser = new KeyedSerialiser();
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(options: MemoryConversationStoreOptions = {}) {
    const common = resolveStoreOptions(OWNER, options);
    const maxImageBytes = options.maxImageBytes ?? 256 * 1024 * 1024;
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    requireWholeNumber(OWNER, 'maxImageBytes', maxImageBytes, 1);
    requireWholeNumber(OWNER, 'sweepIntervalMs', sweepIntervalMs, 1);
    this.ttlMs = common.ttlSeconds * 1000;
    this.imageTtlMs = common.imageTtlSeconds * 1000;
    this.maxEdits = common.maxEdits;
    this.maxImageBytes = maxImageBytes;
    this.sweepTimer = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweepTimer.unref();
  }

  async load(key: ConversationKey): Promise<Conversation | undefined> {
    this.assertOpen();
    const entry = this.live(this.conversations, conversationId(key));
    return entry ? draftOf(entry.value) : undefined;
  }

  async update<T>(key: ConversationKey, change: (conversation: Conversation) => T): Promise<T> {
    this.assertOpen();
    const id = conversationId(key);
    return this.serialise(id, () => {
      const stored = this.live(this.conversations, id);
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
      this.links.set(linkId(key.platform, key.chat, messageId), {
        value: { key: structuredClone(key), editId },
        expiresAt: Date.now() + this.ttlMs,
      });
      const stored = this.live(this.conversations, id);
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

  async putImage(image: ImageBlob): Promise<string> {
    this.assertOpen();
    const hash = imageContentHash(image.bytes);
    const existing = this.liveImage(hash);
    const value = existing?.value ?? {
      bytes: Buffer.from(image.bytes),
      format: image.format,
      width: image.width,
      height: image.height,
    };
    if (existing) this.images.delete(hash);
    else this.imageBytes += value.bytes.length;
    this.images.set(hash, { value, expiresAt: Date.now() + this.imageTtlMs });
    this.evictImagesBeyondLimit(hash);
    return hash;
  }

  async getImage(hash: string): Promise<ImageBlob | undefined> {
    this.assertOpen();
    const entry = this.liveImage(hash);
    if (!entry) return undefined;
    this.images.delete(hash);
    this.images.set(hash, { value: entry.value, expiresAt: Date.now() + this.imageTtlMs });
    return { ...entry.value, bytes: Buffer.from(entry.value.bytes) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.conversations.clear();
    this.links.clear();
    this.images.clear();
    this.imageBytes = 0;
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
    const { platform, chat } = draft.key;
    for (const edit of dropped) {
      for (const messageId of edit.messageIds) this.links.delete(linkId(platform, chat, messageId));
    }
    for (const edit of Object.values(draft.edits)) {
      for (const messageId of edit.messageIds) {
        const link = this.live(this.links, linkId(platform, chat, messageId));
        if (link) link.expiresAt = expiresAt;
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

  private liveImage(hash: string): Expiring<ImageBlob> | undefined {
    const entry = this.images.get(hash);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry;
    this.forgetImage(hash, entry);
    return undefined;
  }

  private forgetImage(hash: string, entry: Expiring<ImageBlob>): void {
    this.images.delete(hash);
    this.imageBytes -= entry.value.bytes.length;
  }

  private evictImagesBeyondLimit(keep: string): void {
    for (const [hash, entry] of this.images) {
      if (this.imageBytes <= this.maxImageBytes) return;
      if (hash !== keep) this.forgetImage(hash, entry);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const map of [this.conversations, this.links]) {
      for (const [id, entry] of map) if (entry.expiresAt <= now) map.delete(id);
    }
    for (const [hash, entry] of this.images) if (entry.expiresAt <= now) this.forgetImage(hash, entry);
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
function draftOf(conversation: Conversation, edits: Record<string, EditRecord> = { ...conversation.edits }): Conversation {
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
