/**
 * @module The conversations as an adapter may see them (`engine.conversations`): whether one
 * exists, its history for a chat that keeps none of its own (the web chat shows it again after a
 * reload), the picture one of its edits shows, and whether the store answers. Adapters read
 * conversations only through this, never the store or its `EditRecord` values.
 */
import { FILE_EXTENSIONS, MIME_TYPES } from './image/image.ts';
import type {
  Conversation,
  ConversationExchange,
  ConversationStore,
  EditRecord,
  ExchangeReply,
} from './store/conversation-store.ts';
import type { Emotion } from './emotions.ts';
import type { ConversationKey, Reply, ReplyImage, Turn } from './turn.ts';

export type { ConversationExchange, ExchangeReply } from './store/conversation-store.ts';

/** Most exchanges a conversation keeps for the page; older ones are dropped first. */
export const MAX_EXCHANGES = 50;

/** One edit of a conversation's tree, without content hashes or plans. */
export interface HistoryEdit {
  id: string;
  /** The edit it was made from; absent for an original photo. */
  parent?: string;
  /** The original photo it was rendered from (its own id for an original photo). */
  rootId: string;
  target?: Emotion;
  source?: Emotion;
  intensity?: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The platform message ids that show this edit. */
  messageIds: string[];
}

/** A conversation as it can be shown again: its edit tree, oldest first, and what was said. */
export interface ConversationHistory {
  /** The current edit. */
  cursor?: string;
  /** Edits undone, most recent last. */
  redo: string[];
  /** Every edit, oldest first. */
  edits: HistoryEdit[];
  /** What was said, oldest first (the newest {@link MAX_EXCHANGES}), as `recordExchange` kept it. */
  exchanges: ConversationExchange[];
}

/** The picture one edit shows. */
export interface EditPicture {
  /** The same for the same picture, different for another (an HTTP entity tag, say). */
  tag: string;
  /** The picture, or undefined once it is no longer stored (evicted, or past its time to live). */
  read(): Promise<ReplyImage | undefined>;
}

/** The key `ready` reads to see that the store answers: no conversation ever has it. */
const HEALTH_PROBE_KEY: ConversationKey = { platform: 'web', chat: 'healthz-probe', user: 'healthz-probe' };

export class Conversations {
  readonly #store: ConversationStore;

  constructor(store: ConversationStore) {
    this.#store = store;
  }

  /** Whether the conversation exists (it has had a turn and has not expired). */
  async exists(key: ConversationKey): Promise<boolean> {
    return (await this.#store.load(key)) !== undefined;
  }

  /** The conversation's edit tree and exchanges, or undefined when there is none. */
  async history(key: ConversationKey): Promise<ConversationHistory | undefined> {
    const conversation = await this.#store.load(key);
    return conversation && historyOf(conversation);
  }

  /** The picture edit `editId` of this conversation shows; undefined for an edit it does not have. */
  async picture(key: ConversationKey, editId: string): Promise<EditPicture | undefined> {
    const conversation = await this.#store.load(key);
    // Only edits of this conversation: an id from someone else's chat finds nothing.
    const edit = conversation?.edits[editId];
    if (!edit) return undefined;
    return {
      tag: edit.imageHash,
      read: async () => {
        const blob = await this.#store.pictures.get(edit.imageHash);
        if (!blob) return undefined;
        return {
          bytes: blob.bytes,
          type: MIME_TYPES[blob.format],
          width: blob.width,
          height: blob.height,
          name: `moodshift-${edit.target ?? 'original'}.${FILE_EXTENSIONS[blob.format]}`,
        };
      },
    };
  }

  /**
   * Keeps one turn's exchange in its conversation, for a chat that keeps no history of its own:
   * the person's words or button, the photo they sent, and the replies as shown, `replyIds[i]`
   * being the platform message id of `replies[i]`. One write of the conversation.
   */
  async record(turn: Turn, replies: readonly Reply[], replyIds: readonly string[], now = Date.now()): Promise<void> {
    const exchange = exchangeOf(turn, replies, replyIds, now);
    await this.#store.update(turn.key, (conversation) => recordExchange(conversation, exchange));
  }

  /** Resolves when the store answers a read; throws what it throws (an `UnavailableError` when it is away). */
  async ready(): Promise<void> {
    await this.#store.load(HEALTH_PROBE_KEY);
  }
}

function historyOf(conversation: Conversation): ConversationHistory {
  const roots = new Map<string, string>();
  const rootOf = (edit: EditRecord): string => {
    const path: string[] = [];
    let node = edit;
    const seen = new Set<string>();
    while (node.parent && conversation.edits[node.parent] && !seen.has(node.id) && !roots.has(node.id)) {
      seen.add(node.id);
      path.push(node.id);
      node = conversation.edits[node.parent]!;
    }
    const root = roots.get(node.id) ?? node.id;
    for (const id of [...path, node.id]) roots.set(id, root);
    return root;
  };
  const edits = Object.values(conversation.edits)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((edit) => {
      const node: HistoryEdit = {
        id: edit.id,
        rootId: rootOf(edit),
        createdAt: edit.createdAt,
        messageIds: edit.messageIds,
      };
      if (edit.parent) node.parent = edit.parent;
      if (edit.target) node.target = edit.target;
      if (edit.source) node.source = edit.source;
      if (edit.intensity !== undefined) node.intensity = edit.intensity;
      return node;
    });
  const history: ConversationHistory = { redo: conversation.redo, edits, exchanges: conversation.exchanges ?? [] };
  if (conversation.cursor) history.cursor = conversation.cursor;
  return history;
}

/** The exchange of one turn, before it is kept: the replies with the platform message ids they were given. */
export function exchangeOf(
  turn: Turn,
  replies: readonly Reply[],
  replyIds: readonly string[],
  now = Date.now(),
): ConversationExchange {
  const exchange: ConversationExchange = {
    messageId: turn.messageId,
    at: now,
    text: turn.text,
    replies: replies.map((reply, index) => {
      const kept: ExchangeReply = {
        id: replyIds[index]!,
        kind: reply.kind,
        text: reply.text,
        actions: [...reply.actions],
        emotions: [...reply.emotions],
      };
      if (reply.editId) kept.editId = reply.editId;
      if (reply.code) kept.code = reply.code;
      if (reply.image)
        kept.image = {
          width: reply.image.width,
          height: reply.image.height,
          type: reply.image.type,
          name: reply.image.name,
        };
      return kept;
    }),
  };
  if (turn.action) {
    exchange.action =
      turn.action.kind === 'emotion' ? { kind: 'emotion', emotion: turn.action.emotion } : { kind: turn.action.kind };
  }
  return exchange;
}

/**
 * Adds `exchange` to the conversation (in place, for `ConversationStore.update`), naming the photo
 * the person sent with it, and keeps the newest {@link MAX_EXCHANGES}. Pure: it may run twice.
 */
export function recordExchange(conversation: Conversation, exchange: ConversationExchange): void {
  const photo = Object.values(conversation.edits).find(
    (edit) => !edit.parent && edit.messageIds.includes(exchange.messageId),
  );
  const kept = photo ? { ...exchange, photoEditId: photo.id } : exchange;
  // A new array: a store may share the old one with its stored value.
  conversation.exchanges = [...(conversation.exchanges ?? []), kept].slice(-MAX_EXCHANGES);
}
