/**
 * @module The web chat's conversation as the page shows it again after a reload. The browser keeps
 * nothing, so each turn's exchange (the person's words or button, the photo they sent, the bot's
 * answers) is kept with the conversation (`engine.conversations.record`), and
 * `GET /api/conversation` hands back its history (`engine.conversations.history`): the edit tree
 * with those exchanges, pictures as this session's image URLs.
 */
import type {
  ConversationExchange,
  ConversationHistory,
  Emotion,
  ExchangeReply,
  HistoryEdit,
} from '../../src/index.ts';
import { imageUrl, type WebReply } from './web-reply.ts';

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
  /** What was said, oldest first (the newest the engine keeps, `MAX_EXCHANGES`). */
  exchanges: WebExchange[];
}

/** The session's conversation for the page: the edit tree oldest first (no content hashes or plans) and the exchanges. */
export function describeConversation(history: ConversationHistory | undefined): WebTree {
  if (!history) return { redo: [], edits: [], exchanges: [] };
  const byId = new Map(history.edits.map((edit) => [edit.id, edit]));
  const edits = history.edits.map((edit) => {
    const node: WebTreeNode = {
      id: edit.id,
      createdAt: edit.createdAt,
      imageUrl: imageUrl(edit.id),
      messageIds: edit.messageIds,
    };
    if (edit.parent) node.parent = edit.parent;
    if (edit.target) node.target = edit.target;
    if (edit.source) node.source = edit.source;
    if (edit.intensity !== undefined) node.intensity = edit.intensity;
    return node;
  });
  const exchanges = history.exchanges.map((exchange) => webExchange(exchange, byId));
  const tree: WebTree = { redo: history.redo, edits, exchanges };
  if (history.cursor) tree.cursor = history.cursor;
  return tree;
}

function webExchange(exchange: ConversationExchange, edits: ReadonlyMap<string, HistoryEdit>): WebExchange {
  const web: WebExchange = {
    messageId: exchange.messageId,
    at: exchange.at,
    text: exchange.text,
    replies: exchange.replies.map((reply) => webReply(reply, edits)),
  };
  if (exchange.action) web.action = exchange.action;
  if (exchange.photoEditId && edits.has(exchange.photoEditId)) {
    web.photo = { editId: exchange.photoEditId, url: imageUrl(exchange.photoEditId) };
  }
  return web;
}

/** A kept answer as the page first received it; a picture whose edit was dropped since comes back as its caption alone. */
function webReply(reply: ExchangeReply, edits: ReadonlyMap<string, HistoryEdit>): WebReply {
  const edit = reply.editId ? edits.get(reply.editId) : undefined;
  const web: WebReply = {
    id: reply.id,
    kind: reply.kind,
    text: reply.text,
    actions: reply.actions,
    emotions: reply.emotions,
  };
  if (reply.editId) web.editId = reply.editId;
  if (reply.code) web.code = reply.code;
  if (edit?.target) web.target = edit.target as Emotion;
  if (edit && reply.image) {
    const url = imageUrl(edit.id);
    web.image = { url, downloadUrl: `${url}?download=1`, ...reply.image };
    if (edit.rootId !== edit.id && edits.has(edit.rootId))
      web.original = { editId: edit.rootId, url: imageUrl(edit.rootId) };
  }
  return web;
}
