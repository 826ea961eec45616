/**
 * @module The web chat's conversation as the page shows it again after a reload. The browser keeps
 * nothing, so each turn's exchange (the person's words or button, the photo they sent, the bot's
 * answers) is kept in the conversation's own record (`Conversation.exchanges`), and
 * `GET /api/conversation` hands back the edit tree with those exchanges, pictures as this
 * session's image URLs.
 */
import type { Emotion } from '../../src/emotions.ts';
import type { Conversation, ConversationExchange, EditRecord, ExchangeReply } from '../../src/store/conversation-store.ts';
import type { Reply, Turn } from '../../src/turn.ts';
import { imageUrl, rootOf, type WebReply } from './web-reply.ts';

/** Most exchanges a conversation keeps for the page; older ones are dropped first. */
export const MAX_EXCHANGES = 50;

/** The exchange of one turn, before it is kept: the replies with the web message ids they were given. */
export function exchangeOf(turn: Turn, replies: readonly Reply[], replyIds: readonly string[], now = Date.now()): ConversationExchange {
  const exchange: ConversationExchange = {
    messageId: turn.messageId,
    at: now,
    text: turn.text,
    replies: replies.map((reply, index) => {
      const kept: ExchangeReply = { id: replyIds[index]!, kind: reply.kind, text: reply.text, actions: [...reply.actions], emotions: [...reply.emotions] };
      if (reply.editId) kept.editId = reply.editId;
      if (reply.code) kept.code = reply.code;
      if (reply.image) kept.image = { width: reply.image.width, height: reply.image.height, type: reply.image.type, name: reply.image.name };
      return kept;
    }),
  };
  if (turn.action) {
    exchange.action = turn.action.kind === 'emotion' ? { kind: 'emotion', emotion: turn.action.emotion } : { kind: turn.action.kind };
  }
  return exchange;
}

/**
 * Adds `exchange` to the conversation (in place, for `ConversationStore.update`), naming the photo
 * the person sent with it, and keeps the newest {@link MAX_EXCHANGES}. Pure: it may run twice.
 */
export function recordExchange(conversation: Conversation, exchange: ConversationExchange): void {
  const photo = Object.values(conversation.edits).find((edit) => !edit.parent && edit.messageIds.includes(exchange.messageId));
  const kept = photo ? { ...exchange, photoEditId: photo.id } : exchange;
  // A new array: a store may share the old one with its stored value.
  conversation.exchanges = [...(conversation.exchanges ?? []), kept].slice(-MAX_EXCHANGES);
}

export interface WebTreeNode {
  id: string;
  parent?: string;
  target?: string;
  source?: string;
  intensity?: number;
  createdAt: number;
  imageUrl: string;
  /** The web message ids that show this edit (send one as `replyTo` to act on it). */
  messageIds: string[];
}

/** One exchange for the page: the person's message, then the bot's answers as `POST /api/turns` gave them. */
export interface WebExchange {
  messageId: string;
  at: number;
  text: string;
  action?: ConversationExchange['action'];
  /** The photo the person sent, while the conversation still has it. */
  photo?: { editId: string; url: string };
  replies: WebReply[];
}

export interface WebTree {
  cursor?: string;
  redo: string[];
  edits: WebTreeNode[];
  /** What was said, oldest first (the newest {@link MAX_EXCHANGES}). */
  exchanges: WebExchange[];
}

/** The session's conversation for the page: the edit tree oldest first (no content hashes or plans) and the exchanges. */
export function describeConversation(conversation: Conversation | undefined): WebTree {
  if (!conversation) return { redo: [], edits: [], exchanges: [] };
  const edits = Object.values(conversation.edits)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((edit) => {
      const node: WebTreeNode = { id: edit.id, createdAt: edit.createdAt, imageUrl: imageUrl(edit.id), messageIds: edit.messageIds };
      if (edit.parent) node.parent = edit.parent;
      if (edit.target) node.target = edit.target;
      if (edit.source) node.source = edit.source;
      if (edit.intensity !== undefined) node.intensity = edit.intensity;
      return node;
    });
  const exchanges = (conversation.exchanges ?? []).map((exchange) => webExchange(exchange, conversation));
  const tree: WebTree = { redo: conversation.redo, edits, exchanges };
  if (conversation.cursor) tree.cursor = conversation.cursor;
  return tree;
}

function webExchange(exchange: ConversationExchange, conversation: Conversation): WebExchange {
  const web: WebExchange = {
    messageId: exchange.messageId,
    at: exchange.at,
    text: exchange.text,
    replies: exchange.replies.map((reply) => webReply(reply, conversation)),
  };
  if (exchange.action) web.action = exchange.action;
  if (exchange.photoEditId && conversation.edits[exchange.photoEditId]) {
    web.photo = { editId: exchange.photoEditId, url: imageUrl(exchange.photoEditId) };
  }
  return web;
}

/** A kept answer as the page first received it; a picture whose edit was dropped since comes back as its caption alone. */
function webReply(reply: ExchangeReply, conversation: Conversation): WebReply {
  const edit: EditRecord | undefined = reply.editId ? conversation.edits[reply.editId] : undefined;
  const web: WebReply = { id: reply.id, kind: reply.kind, text: reply.text, actions: reply.actions, emotions: reply.emotions };
  if (reply.editId) web.editId = reply.editId;
  if (reply.code) web.code = reply.code;
  if (edit?.target) web.target = edit.target as Emotion;
  if (edit && reply.image) {
    const url = imageUrl(edit.id);
    web.image = { url, downloadUrl: `${url}?download=1`, ...reply.image };
    const root = rootOf(conversation, edit);
    if (root && root.id !== edit.id) web.original = { editId: root.id, url: imageUrl(root.id) };
  }
  return web;
}
