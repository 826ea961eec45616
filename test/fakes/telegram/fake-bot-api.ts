/**
 * @module A fake Telegram Bot API server for end-to-end tests: a small node:http server on
 * 127.0.0.1 that speaks the documented Bot API (https://core.telegram.org/bots/api) closely
 * enough that a real grammY bot runs against it unchanged, through `TELEGRAM_API_ROOT`.
 *
 * It implements getMe, logOut/close, deleteWebhook, setWebhook, getWebhookInfo, getUpdates
 * (long polling, offsets confirm updates), getFile and the file endpoint, sendPhoto,
 * sendDocument and editMessageMedia (multipart uploads), sendMessage, editMessageText,
 * editMessageReplyMarkup, editMessageCaption, deleteMessage, answerCallbackQuery,
 * sendChatAction, setMyCommands, getMyCommands and getChatMember. Anything else answers 404
 * as the real server does.
 *
 * A test injects what people do (`userSendsText`, `userSendsPhoto`, `userPressesButton`, …),
 * reads what the bot did (`calls`, `botMessages`, `waitFor`) and injects faults
 * (`failNext`: 429 with `retry_after`, 500, a dropped connection, any error answer).
 * It enforces the real server's limits where a bot could break them: 4096 characters of
 * text, 1024 of caption, 64 bytes of callback data, the photo size and dimension limits,
 * editing a message with the same content, deleting a missing message, answering an unknown
 * callback query, and writing first to a person who never wrote to the bot.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { multipartBoundary, parseMultipart, type UploadedFile } from './multipart.ts';

export interface FakeUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
  language_code?: string;
}

export interface FakeChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  first_name?: string;
  username?: string;
  is_forum?: boolean;
}

export interface FakePhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

export interface FakeDocument {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

export interface FakeEntity {
  type: string;
  offset: number;
  length: number;
  user?: FakeUser;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface ReplyMarkup {
  inline_keyboard?: InlineButton[][];
}

/** A message as the Bot API serialises it (the fields this fake fills in). */
export interface FakeMessage {
  message_id: number;
  date: number;
  chat: FakeChat;
  from?: FakeUser;
  sender_chat?: FakeChat;
  message_thread_id?: number;
  is_topic_message?: boolean;
  reply_to_message?: FakeMessage;
  media_group_id?: string;
  text?: string;
  entities?: FakeEntity[];
  caption?: string;
  caption_entities?: FakeEntity[];
  photo?: FakePhotoSize[];
  document?: FakeDocument;
  sticker?: {
    file_id: string;
    file_unique_id: string;
    width: number;
    height: number;
    is_animated: boolean;
    is_video: boolean;
    type: string;
    emoji?: string;
  };
  video?: { file_id: string; file_unique_id: string; width: number; height: number; duration: number };
  voice?: { file_id: string; file_unique_id: string; duration: number };
  reply_markup?: ReplyMarkup;
  edit_date?: number;
}

export interface FakeCallbackQuery {
  id: string;
  from: FakeUser;
  message?: FakeMessage;
  chat_instance: string;
  data?: string;
}

export interface FakeUpdate {
  update_id: number;
  message?: FakeMessage;
  callback_query?: FakeCallbackQuery;
}

/** One Bot API call the bot made, as the fake understood it. */
export interface RecordedCall {
  /** The method name as called (Bot API method names are case-insensitive; this is as sent). */
  method: string;
  /** Parameters from the query string, JSON, urlencoded or multipart body; uploads are `UploadedFile`s. */
  params: Record<string, unknown>;
  /** What the fake answered (`ok` false for errors and faults). */
  ok: boolean;
  /** The `result` of a successful call. */
  result?: unknown;
  /** The fault injected instead of a real answer, if any. */
  fault?: Fault;
  /** Order of arrival, from 1. */
  sequence: number;
}

/** What `failNext` makes the fake answer instead. */
export type Fault =
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'server_error'; status?: number }
  | { kind: 'drop_connection' }
  | { kind: 'error'; status: number; description: string };

export interface FailNextOptions {
  /** How many matching calls fail. @defaultValue 1 */
  times?: number;
  /** Only calls whose parameters pass this fail. @defaultValue every call of the method */
  when?: (params: Record<string, unknown>) => boolean;
}

export type ChatMemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

/** Who sends a message in a test, and where. */
export interface SendAs {
  /** @defaultValue the fake's default person (`fake.alice`) */
  user?: FakeUser;
  /** @defaultValue the person's private chat with the bot */
  chat?: FakeChat;
  /** The message this one replies to. */
  replyTo?: FakeMessage;
  /** A forum topic. */
  threadId?: number;
  /** Sent on behalf of a chat (anonymous group administrators send as the group). */
  senderChat?: FakeChat;
}

export interface FakeBotApiOptions {
  /** @defaultValue `123456:TEST-token-for-the-fake-server` */
  token?: string;
  /** @defaultValue `moodshift_test_bot` */
  botUsername?: string;
}

interface StoredMessage {
  message: FakeMessage;
  deleted: boolean;
}

interface PendingPoll {
  offset: number;
  limit: number;
  respond: (updates: FakeUpdate[]) => void;
  terminate: () => void;
}

interface PendingFault {
  method: string;
  fault: Fault;
  remaining: number;
  when?: (params: Record<string, unknown>) => boolean;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const TEXT_MAX = 4096;
const CAPTION_MAX = 1024;
const CALLBACK_DATA_MAX_BYTES = 64;
const JSON_PARAMS = new Set([
  'reply_markup',
  'reply_parameters',
  'commands',
  'scope',
  'media',
  'allowed_updates',
  'entities',
  'caption_entities',
  'link_preview_options',
]);
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);
/** Telegram's GroupAnonymousBot, the sender of messages by anonymous group administrators. */
export const GROUP_ANONYMOUS_BOT: FakeUser = {
  id: 1087968824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};

export class FakeBotApi {
  readonly token: string;
  readonly bot: FakeUser;
  /** Default people for tests. */
  readonly alice: FakeUser = { id: 1001, is_bot: false, first_name: 'Alice', username: 'alice', language_code: 'en' };
  readonly bob: FakeUser = { id: 1002, is_bot: false, first_name: 'Bob', username: 'bob', language_code: 'en' };
  /** Every Bot API call, in order of arrival. */
  readonly calls: RecordedCall[] = [];
  /** The webhook the bot set, if any. */
  webhook?: { url: string; secretToken?: string; allowedUpdates?: string[] };
  /** Commands per scope type (`default`, `all_chat_administrators`, …), as set by setMyCommands. */
  readonly commands = new Map<string, Array<{ command: string; description: string }>>();

  readonly #server: Server;
  readonly #events = new EventEmitter();
  readonly #updates: FakeUpdate[] = [];
  #nextUpdateId = 100_000;
  #confirmedBelow = 0;
  #poll?: PendingPoll;
  readonly #chats = new Map<number, { chat: FakeChat; nextMessageId: number; messages: Map<number, StoredMessage> }>();
  /** Chats that wrote to the bot first; a bot may not start a private chat. */
  readonly #openedChats = new Set<number>();
  readonly #files = new Map<string, { bytes: Buffer; path: string; uniqueId: string }>();
  readonly #filesByPath = new Map<string, Buffer>();
  readonly #members = new Map<string, ChatMemberStatus>();
  readonly #openQueries = new Map<string, { answered: boolean }>();
  readonly #faults: PendingFault[] = [];
  #deliveringWebhook = false;
  #closed = false;
  #port = 0;

  private constructor(options: FakeBotApiOptions) {
    this.token = options.token ?? '123456:TEST-token-for-the-fake-server';
    this.bot = {
      id: Number(this.token.split(':')[0]),
      is_bot: true,
      first_name: 'moodshift',
      username: options.botUsername ?? 'moodshift_test_bot',
    };
    this.#events.setMaxListeners(100);
    this.#server = createServer((req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          this.#json(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
      });
    });
  }

  /** Starts a fake on a free port of 127.0.0.1. */
  static async start(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
    const fake = new FakeBotApi(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  /** What to set as `TELEGRAM_API_ROOT`. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#poll?.respond([]);
    this.#poll = undefined;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- people and chats

  /** The private chat of a person with the bot. */
  privateChat(user: FakeUser = this.alice): FakeChat {
    return this.#chat({ id: user.id, type: 'private', first_name: user.first_name, username: user.username }).chat;
  }

  /** A group chat (a supergroup by default, as most groups are today). */
  group(
    id = -1001234567890,
    title = 'Test group',
    options: { isForum?: boolean; type?: 'group' | 'supergroup' } = {},
  ): FakeChat {
    return this.#chat({ id, type: options.type ?? 'supergroup', title, ...(options.isForum ? { is_forum: true } : {}) })
      .chat;
  }

  /** Sets a person's status in a group, as getChatMember reports it (default `member`). */
  setChatMember(chat: FakeChat, user: FakeUser, status: ChatMemberStatus): void {
    this.#members.set(`${chat.id}:${user.id}`, status);
  }

  // ---------------------------------------------------------------- what people do

  /** Queues an update (its `update_id` is assigned here) and wakes a waiting getUpdates or webhook. */
  sendUpdate(update: Omit<FakeUpdate, 'update_id'>): FakeUpdate {
    const full: FakeUpdate = { update_id: this.#nextUpdateId++, ...update };
    this.#updates.push(full);
    this.#wakePoll();
    void this.#deliverWebhook();
    return full;
  }

  /** A person writes text (entities for /commands and @mentions are filled in as Telegram does). */
  userSendsText(text: string, as: SendAs = {}): FakeMessage {
    return this.#userSends(as, { text, entities: entitiesOf(text) });
  }

  /** A person sends a compressed photo; the fake offers three sizes like Telegram, all with the same bytes. */
  async userSendsPhoto(
    bytes: Buffer,
    as: SendAs & { caption?: string; mediaGroupId?: string } = {},
  ): Promise<FakeMessage> {
    const { width, height } = await dimensions(bytes);
    const sizes: FakePhotoSize[] = [0.1, 0.4, 1].map((scale) => {
      const file = this.addFile(bytes, 'photos');
      return {
        ...file,
        width: Math.max(1, Math.round(width * scale)),
        height: Math.max(1, Math.round(height * scale)),
        file_size: scale === 1 ? bytes.length : Math.ceil(bytes.length * scale * scale),
      };
    });
    return this.#userSends(as, {
      photo: sizes,
      ...(as.caption !== undefined ? { caption: as.caption, caption_entities: entitiesOf(as.caption) } : {}),
      ...(as.mediaGroupId ? { media_group_id: as.mediaGroupId } : {}),
    });
  }

  /** A person sends a file (an uncompressed picture, a text file, …). */
  userSendsDocument(
    bytes: Buffer,
    as: SendAs & { fileName: string; mimeType?: string; caption?: string; declaredSize?: number },
  ): FakeMessage {
    const file = this.addFile(bytes, 'documents');
    return this.#userSends(as, {
      document: {
        ...file,
        file_name: as.fileName,
        ...(as.mimeType ? { mime_type: as.mimeType } : {}),
        file_size: as.declaredSize ?? bytes.length,
      },
      ...(as.caption !== undefined ? { caption: as.caption, caption_entities: entitiesOf(as.caption) } : {}),
    });
  }

  /** A person sends a sticker, a video or a voice message. */
  userSendsMedia(kind: 'sticker' | 'video' | 'voice', as: SendAs = {}): FakeMessage {
    const file = this.addFile(randomBytes(64), kind);
    switch (kind) {
      case 'sticker':
        return this.#userSends(as, {
          sticker: {
            ...file,
            width: 512,
            height: 512,
            is_animated: false,
            is_video: false,
            type: 'regular',
            emoji: '😀',
          },
        });
      case 'video':
        return this.#userSends(as, { video: { ...file, width: 640, height: 360, duration: 3 } });
      case 'voice':
        return this.#userSends(as, { voice: { ...file, duration: 2 } });
    }
  }

  /** A person presses an inline button of a bot message; returns the callback query id. */
  userPressesButton(message: FakeMessage, callbackData: string, as: { user?: FakeUser } = {}): string {
    const current = this.#stored(message.chat.id, message.message_id);
    const id = randomBytes(8).toString('hex');
    this.#openQueries.set(id, { answered: false });
    this.sendUpdate({
      callback_query: {
        id,
        from: as.user ?? this.alice,
        message: current?.message ?? message,
        chat_instance: `instance-${message.chat.id}`,
        data: callbackData,
      },
    });
    return id;
  }

  /** Stores a file as if someone uploaded it; returns its ids. Its bytes are served at the file endpoint. */
  addFile(bytes: Buffer, folder = 'documents'): { file_id: string; file_unique_id: string } {
    const fileId = `F${randomBytes(12).toString('base64url')}`;
    const uniqueId = `U${randomBytes(6).toString('base64url')}`;
    const path = `${folder}/file_${this.#files.size}${extensionOf(bytes)}`;
    this.#files.set(fileId, { bytes, path, uniqueId });
    this.#filesByPath.set(path, bytes);
    return { file_id: fileId, file_unique_id: uniqueId };
  }

  /** The bytes of a file the bot or a person uploaded. */
  fileBytes(fileId: string): Buffer {
    const file = this.#files.get(fileId);
    if (!file) throw new Error(`no file ${fileId}`);
    return file.bytes;
  }

  // ---------------------------------------------------------------- what the bot did

  /** Messages the bot sent to a chat and did not delete, oldest first, as they look now. */
  botMessages(chat: FakeChat): FakeMessage[] {
    return this.#allMessages(chat).filter((m) => m.from?.id === this.bot.id);
  }

  /** Every message of a chat that was not deleted, oldest first. */
  #allMessages(chat: FakeChat): FakeMessage[] {
    const state = this.#chats.get(chat.id);
    return state ? [...state.messages.values()].filter((s) => !s.deleted).map((s) => s.message) : [];
  }

  /** The id of the latest message in a chat (0 when none): bot answers to what comes next have larger ids. */
  lastMessageId(chat: FakeChat): number {
    return (this.#chats.get(chat.id)?.nextMessageId ?? 1) - 1;
  }

  /** Whether a message was deleted. */
  isDeleted(chat: FakeChat, messageId: number): boolean {
    return this.#stored(chat.id, messageId)?.deleted ?? false;
  }

  /** Calls of one method, in order. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method.toLowerCase() === method.toLowerCase());
  }

  /** Whether a callback query was answered. */
  wasAnswered(callbackQueryId: string): boolean {
    return this.#openQueries.get(callbackQueryId)?.answered ?? false;
  }

  /**
   * Waits until `probe` returns something other than undefined or false (checked at once and
   * after every call the bot makes), and returns it. Fails after `timeoutMs` with `what`.
   */
  async waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const now = probe();
    if (now !== undefined && now !== false) return now;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value !== undefined && value !== false) {
          cleanup();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the bot's last calls: ${this.#lastCalls()}`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#events.off('call', check);
      };
      this.#events.on('call', check);
    });
  }

  /** Waits for a bot message in a chat newer than message `after` and matching `match`. */
  async waitForBotMessage(
    chat: FakeChat,
    after: number,
    match: (m: FakeMessage) => boolean = () => true,
    what = 'a bot message',
    timeoutMs?: number,
  ): Promise<FakeMessage> {
    return this.waitFor(() => this.botMessages(chat).find((m) => m.message_id > after && match(m)), what, timeoutMs);
  }

  /** The next `count` calls of `method` fail with `fault` instead of being served. */
  failNext(method: string, fault: Fault, options: FailNextOptions = {}): void {
    this.#faults.push({ method: method.toLowerCase(), fault, remaining: options.times ?? 1, when: options.when });
  }

  /** Forgets every fault not yet used. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  #lastCalls(): string {
    return this.calls
      .slice(-8)
      .map((c) => `${c.method}${c.ok ? '' : ' (failed)'}`)
      .join(', ');
  }

  // ---------------------------------------------------------------- HTTP

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) return this.#serveFile(res, fileMatch[1]!, decodeURIComponent(fileMatch[2]!));
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return this.#json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token)
      return this.#json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = match[2]!;
    let params: Record<string, unknown>;
    try {
      params = await readParams(req, url);
    } catch (error) {
      return this.#json(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${String(error)}` });
    }
    const call: RecordedCall = { method, params, ok: false, sequence: this.calls.length + 1 };
    const fault = this.#takeFault(method, params);
    if (fault) {
      call.fault = fault;
      this.calls.push(call);
      this.#events.emit('call', call);
      return this.#answerFault(req, res, fault);
    }
    if (method.toLowerCase() === 'getupdates') {
      // Recorded when answered, so that waitFor sees the updates handed out.
      return this.#getUpdates(res, params, call);
    }
    try {
      const result = await this.#call(method.toLowerCase(), params);
      call.ok = true;
      call.result = result;
      this.calls.push(call);
      this.#json(res, 200, { ok: true, result });
    } catch (error) {
      this.calls.push(call);
      if (error instanceof ApiError) {
        this.#json(res, error.status, {
          ok: false,
          error_code: error.status,
          description: error.description,
          ...(error.parameters ? { parameters: error.parameters } : {}),
        });
      } else {
        this.#json(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
      }
    }
    this.#events.emit('call', call);
  }

  #takeFault(method: string, params: Record<string, unknown>): Fault | undefined {
    const index = this.#faults.findIndex((f) => f.method === method.toLowerCase() && (!f.when || f.when(params)));
    if (index < 0) return undefined;
    const pending = this.#faults[index]!;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.#faults.splice(index, 1);
    return pending.fault;
  }

  #answerFault(req: IncomingMessage, res: ServerResponse, fault: Fault): void {
    switch (fault.kind) {
      case 'rate_limit':
        return this.#json(res, 429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${fault.retryAfterSeconds}`,
          parameters: { retry_after: fault.retryAfterSeconds },
        });
      case 'server_error':
        return this.#json(res, fault.status ?? 500, {
          ok: false,
          error_code: fault.status ?? 500,
          description: 'Internal Server Error',
        });
      case 'error':
        return this.#json(res, fault.status, { ok: false, error_code: fault.status, description: fault.description });
      case 'drop_connection':
        req.socket.destroy();
        return;
    }
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  #serveFile(res: ServerResponse, token: string, path: string): void {
    const bytes = token === this.token ? this.#filesByPath.get(path) : undefined;
    if (!bytes) return this.#json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    res.end(bytes);
  }

  // ---------------------------------------------------------------- getUpdates and webhooks

  #getUpdates(res: ServerResponse, params: Record<string, unknown>, call: RecordedCall): void {
    const finish = (status: number, body: Record<string, unknown>) => {
      call.ok = status === 200;
      call.result = body.result;
      this.calls.push(call);
      if (!res.writableEnded && !res.destroyed) this.#json(res, status, body);
      this.#events.emit('call', call);
    };
    if (this.webhook) {
      return finish(409, {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    const offset = Number(params.offset ?? 0);
    if (offset > 0) this.#confirmBelow(offset);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutSeconds = Math.max(0, Number(params.timeout ?? 0));
    // A second long poll ends the first, as on the real server.
    if (this.#poll) {
      this.#poll.terminate();
      this.#poll = undefined;
    }
    const ready = this.#pendingUpdates(limit);
    if (ready.length > 0 || timeoutSeconds === 0 || this.#closed) return finish(200, { ok: true, result: ready });
    let timer: NodeJS.Timeout | undefined;
    const poll: PendingPoll = {
      offset,
      limit,
      respond: (updates) => {
        clearTimeout(timer);
        if (this.#poll === poll) this.#poll = undefined;
        finish(200, { ok: true, result: updates });
      },
      terminate: () => {
        clearTimeout(timer);
        finish(409, {
          ok: false,
          error_code: 409,
          description:
            'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        });
      },
    };
    this.#poll = poll;
    timer = setTimeout(() => poll.respond(this.#pendingUpdates(limit)), timeoutSeconds * 1000);
    // The bot gave up on this request (it stopped): nothing was handed out.
    res.on('close', () => {
      if (this.#poll === poll && !res.writableEnded) {
        clearTimeout(timer);
        this.#poll = undefined;
      }
    });
  }

  #confirmBelow(offset: number): void {
    this.#confirmedBelow = Math.max(this.#confirmedBelow, offset);
    while (this.#updates.length > 0 && this.#updates[0]!.update_id < this.#confirmedBelow) this.#updates.shift();
  }

  #pendingUpdates(limit: number): FakeUpdate[] {
    return this.#updates.filter((u) => u.update_id >= this.#confirmedBelow).slice(0, limit);
  }

  /** Updates queued and not yet confirmed by the bot (an offset past them, or a 2xx webhook answer). */
  get unconfirmedUpdates(): FakeUpdate[] {
    return this.#pendingUpdates(1000);
  }

  #wakePoll(): void {
    const poll = this.#poll;
    if (poll) {
      const ready = this.#pendingUpdates(poll.limit);
      if (ready.length > 0) poll.respond(ready);
    }
  }

  /** Pushes queued updates to the webhook one by one, retrying each until it gets a 2xx answer. */
  async #deliverWebhook(): Promise<void> {
    if (this.#deliveringWebhook) return;
    this.#deliveringWebhook = true;
    try {
      while (this.webhook && !this.#closed) {
        const next = this.#pendingUpdates(1)[0];
        if (!next) break;
        const { url, secretToken } = this.webhook;
        let delivered = false;
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(secretToken ? { 'x-telegram-bot-api-secret-token': secretToken } : {}),
            },
            body: JSON.stringify(next),
            signal: AbortSignal.timeout(10_000),
          });
          await response.arrayBuffer();
          delivered = response.ok;
        } catch {
          delivered = false;
        }
        if (delivered) this.#confirmBelow(next.update_id + 1);
        else await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      this.#deliveringWebhook = false;
    }
  }

  // ---------------------------------------------------------------- methods

  async #call(method: string, params: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case 'getme':
        return {
          ...this.bot,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        };
      case 'logout':
      case 'close':
        return true;
      case 'deletewebhook':
        this.webhook = undefined;
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true')
          this.#confirmBelow(this.#nextUpdateId);
        this.#wakePoll();
        return true;
      case 'setwebhook': {
        const url = requireString(params, 'url');
        const secretToken = params.secret_token === undefined ? undefined : String(params.secret_token);
        if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken))
          throw new ApiError(400, 'Bad Request: secret token contains unallowed characters');
        if (url === '') {
          this.webhook = undefined;
          return true;
        }
        this.webhook = { url, secretToken, allowedUpdates: params.allowed_updates as string[] | undefined };
        void this.#deliverWebhook();
        return true;
      }
      case 'getwebhookinfo':
        return {
          url: this.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: this.#pendingUpdates(1000).length,
        };
      case 'getfile': {
        const fileId = requireString(params, 'file_id');
        const file = this.#files.get(fileId);
        if (!file) throw new ApiError(400, 'Bad Request: invalid file_id');
        if (file.bytes.length > 20 * 1024 * 1024) throw new ApiError(400, 'Bad Request: file is too big');
        return { file_id: fileId, file_unique_id: file.uniqueId, file_size: file.bytes.length, file_path: file.path };
      }
      case 'sendmessage': {
        const chat = this.#writableChat(params.chat_id);
        const text = requireString(params, 'text');
        if (text.trim() === '') throw new ApiError(400, 'Bad Request: message text is empty');
        if ([...text].length > TEXT_MAX) throw new ApiError(400, 'Bad Request: message is too long');
        return this.#botSends(chat, params, { text });
      }
      case 'sendphoto':
        return this.#sendPhoto(params);
      case 'senddocument': {
        const chat = this.#writableChat(params.chat_id);
        const upload = this.#upload(params.document, 'document');
        if (upload.bytes.length > 50 * 1024 * 1024) throw new ApiError(400, 'Bad Request: file is too big');
        const caption = optionalCaption(params);
        const file = this.addFile(upload.bytes, 'documents');
        return this.#botSends(chat, params, {
          document: {
            ...file,
            file_name: upload.filename,
            mime_type: mimeOf(upload.bytes),
            file_size: upload.bytes.length,
          },
          ...caption,
        });
      }
      case 'editmessagetext': {
        const stored = this.#ownMessage(params, 'message to edit not found');
        const text = requireString(params, 'text');
        if (text.trim() === '') throw new ApiError(400, 'Bad Request: message text is empty');
        if ([...text].length > TEXT_MAX) throw new ApiError(400, 'Bad Request: MESSAGE_TOO_LONG');
        const markup = this.#markup(params);
        if (stored.message.text === text && JSON.stringify(stored.message.reply_markup) === JSON.stringify(markup))
          throw new ApiError(
            400,
            'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
          );
        stored.message.text = text;
        setMarkup(stored.message, markup);
        stored.message.edit_date = now();
        return stored.message;
      }
      case 'editmessagecaption': {
        const stored = this.#ownMessage(params, 'message to edit not found');
        Object.assign(stored.message, optionalCaption(params));
        setMarkup(stored.message, this.#markup(params));
        stored.message.edit_date = now();
        return stored.message;
      }
      case 'editmessagereplymarkup': {
        const stored = this.#ownMessage(params, 'message to edit not found');
        setMarkup(stored.message, this.#markup(params));
        stored.message.edit_date = now();
        return stored.message;
      }
      case 'editmessagemedia': {
        const stored = this.#ownMessage(params, 'message to edit not found');
        const media = params.media as { type?: string; media?: unknown; caption?: string } | undefined;
        if (!media || (media.type !== 'photo' && media.type !== 'document'))
          throw new ApiError(400, 'Bad Request: media type is not supported here');
        const upload = this.#upload(media.media, media.type);
        const file = this.addFile(upload.bytes, media.type === 'photo' ? 'photos' : 'documents');
        delete stored.message.photo;
        delete stored.message.document;
        if (media.type === 'photo') {
          await checkPhotoLimits(upload.bytes);
          const { width, height } = await dimensions(upload.bytes);
          stored.message.photo = [{ ...file, width, height, file_size: upload.bytes.length }];
        } else {
          stored.message.document = {
            ...file,
            file_name: upload.filename,
            mime_type: mimeOf(upload.bytes),
            file_size: upload.bytes.length,
          };
        }
        if (media.caption !== undefined) stored.message.caption = media.caption;
        setMarkup(stored.message, this.#markup(params));
        stored.message.edit_date = now();
        return stored.message;
      }
      case 'deletemessage': {
        const stored = this.#stored(Number(params.chat_id), Number(params.message_id));
        if (!stored || stored.deleted) throw new ApiError(400, 'Bad Request: message to delete not found');
        if (stored.message.from?.id !== this.bot.id && stored.message.chat.type === 'private')
          throw new ApiError(400, "Bad Request: message can't be deleted for everyone");
        stored.deleted = true;
        return true;
      }
      case 'answercallbackquery': {
        const id = requireString(params, 'callback_query_id');
        const query = this.#openQueries.get(id);
        if (!query || query.answered)
          throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        if (params.text !== undefined && [...String(params.text)].length > 200)
          throw new ApiError(400, 'Bad Request: MESSAGE_TOO_LONG');
        query.answered = true;
        return true;
      }
      case 'sendchataction': {
        this.#writableChat(params.chat_id);
        if (!CHAT_ACTIONS.has(String(params.action)))
          throw new ApiError(400, 'Bad Request: wrong parameter action in request');
        return true;
      }
      case 'setmycommands': {
        const commands = params.commands as Array<{ command: string; description: string }> | undefined;
        if (!Array.isArray(commands) || commands.length > 100)
          throw new ApiError(400, 'Bad Request: commands must be an array of at most 100');
        for (const c of commands) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw new ApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
          if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256)
            throw new ApiError(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
        }
        const scope = (params.scope as { type?: string } | undefined)?.type ?? 'default';
        this.commands.set(scope, commands);
        return true;
      }
      case 'getmycommands': {
        const scope = (params.scope as { type?: string } | undefined)?.type ?? 'default';
        return this.commands.get(scope) ?? [];
      }
      case 'getchatmember': {
        const chatId = Number(params.chat_id);
        const userId = Number(params.user_id);
        const state = this.#chats.get(chatId);
        if (!state) throw new ApiError(400, 'Bad Request: chat not found');
        const status =
          state.chat.type === 'private' ? 'member' : (this.#members.get(`${chatId}:${userId}`) ?? 'member');
        return {
          status,
          user: { id: userId, is_bot: false, first_name: `User ${userId}` },
          ...(status === 'administrator' || status === 'creator' ? { is_anonymous: false } : {}),
          ...(status === 'administrator' ? { can_be_edited: false, can_manage_chat: true } : {}),
        };
      }
      default:
        throw new ApiError(404, 'Not Found: method not found');
    }
  }

  async #sendPhoto(params: Record<string, unknown>): Promise<FakeMessage> {
    const chat = this.#writableChat(params.chat_id);
    const upload = this.#upload(params.photo, 'photo');
    await checkPhotoLimits(upload.bytes);
    const caption = optionalCaption(params);
    const { width, height } = await dimensions(upload.bytes);
    const file = this.addFile(upload.bytes, 'photos');
    return this.#botSends(chat, params, {
      photo: [{ ...file, width, height, file_size: upload.bytes.length }],
      ...caption,
    });
  }

  /** The bytes of an upload parameter: an uploaded file (multipart) or the file_id of a known file. */
  #upload(value: unknown, what: string): UploadedFile {
    if (isUploadedFile(value)) return value;
    if (typeof value === 'string' && this.#files.has(value)) {
      return { filename: what, contentType: 'application/octet-stream', bytes: this.#files.get(value)!.bytes };
    }
    if (typeof value === 'string' && /^https?:/.test(value))
      throw new ApiError(400, 'Bad Request: failed to get HTTP URL content');
    throw new ApiError(400, `Bad Request: there is no ${what} in the request`);
  }

  #markup(params: Record<string, unknown>): ReplyMarkup | undefined {
    const markup = params.reply_markup as ReplyMarkup | undefined;
    if (!markup) return undefined;
    for (const row of markup.inline_keyboard ?? []) {
      for (const button of row) {
        if (!button.text) throw new ApiError(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
        if (
          button.callback_data !== undefined &&
          (Buffer.byteLength(button.callback_data) > CALLBACK_DATA_MAX_BYTES || button.callback_data === '')
        )
          throw new ApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
      }
    }
    return markup;
  }

  #botSends(chat: FakeChat, params: Record<string, unknown>, content: Partial<FakeMessage>): FakeMessage {
    const state = this.#chats.get(chat.id)!;
    const replyTo = this.#replyTarget(chat, params);
    const threadId = params.message_thread_id === undefined ? undefined : Number(params.message_thread_id);
    const message: FakeMessage = {
      message_id: state.nextMessageId++,
      date: now(),
      chat,
      from: this.bot,
      ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
      ...(replyTo ? { reply_to_message: shallow(replyTo) } : {}),
      ...content,
    };
    setMarkup(message, this.#markup(params));
    state.messages.set(message.message_id, { message, deleted: false });
    return message;
  }

  #replyTarget(chat: FakeChat, params: Record<string, unknown>): FakeMessage | undefined {
    const parameters = params.reply_parameters as
      { message_id?: number; allow_sending_without_reply?: boolean } | undefined;
    const id =
      parameters?.message_id ??
      (params.reply_to_message_id === undefined ? undefined : Number(params.reply_to_message_id));
    if (id === undefined) return undefined;
    const stored = this.#stored(chat.id, Number(id));
    if (stored && !stored.deleted) return stored.message;
    const allowWithout = parameters?.allow_sending_without_reply ?? params.allow_sending_without_reply === true;
    if (!allowWithout) throw new ApiError(400, 'Bad Request: message to be replied not found');
    return undefined;
  }

  #ownMessage(params: Record<string, unknown>, notFound: string): StoredMessage {
    const stored = this.#stored(Number(params.chat_id), Number(params.message_id));
    if (!stored || stored.deleted) throw new ApiError(400, `Bad Request: ${notFound}`);
    if (stored.message.from?.id !== this.bot.id) throw new ApiError(400, "Bad Request: message can't be edited");
    return stored;
  }

  #writableChat(chatId: unknown): FakeChat {
    const id = Number(chatId);
    const state = this.#chats.get(id);
    if (!state) throw new ApiError(400, 'Bad Request: chat not found');
    if (state.chat.type === 'private' && !this.#openedChats.has(id))
      throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user");
    return state.chat;
  }

  #chat(chat: FakeChat): { chat: FakeChat; nextMessageId: number; messages: Map<number, StoredMessage> } {
    let state = this.#chats.get(chat.id);
    if (!state) {
      state = { chat, nextMessageId: 1, messages: new Map() };
      this.#chats.set(chat.id, state);
    }
    return state;
  }

  #stored(chatId: number, messageId: number): StoredMessage | undefined {
    return this.#chats.get(chatId)?.messages.get(messageId);
  }

  #userSends(as: SendAs, content: Partial<FakeMessage>): FakeMessage {
    const user = as.user ?? this.alice;
    const chat = as.chat ?? this.privateChat(user);
    const state = this.#chat(chat);
    this.#openedChats.add(chat.id);
    const message: FakeMessage = {
      message_id: state.nextMessageId++,
      date: now(),
      chat,
      from: user,
      ...(as.senderChat ? { sender_chat: as.senderChat } : {}),
      ...(as.threadId !== undefined ? { message_thread_id: as.threadId, is_topic_message: true } : {}),
      ...(as.replyTo
        ? { reply_to_message: shallow(this.#stored(chat.id, as.replyTo.message_id)?.message ?? as.replyTo) }
        : {}),
      ...content,
    };
    state.messages.set(message.message_id, { message, deleted: false });
    this.sendUpdate({ message });
    return message;
  }
}

// -------------------------------------------------------------------- helpers

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const contentType = req.headers['content-type'] ?? '';
  if (body.length === 0) return decodeJsonParams(params);
  if (/^application\/json/i.test(contentType)) {
    Object.assign(params, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    return params;
  }
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = value;
    return decodeJsonParams(params);
  }
  const boundary = multipartBoundary(contentType);
  if (!boundary) throw new Error(`unsupported content type ${contentType}`);
  const { fields, files } = parseMultipart(body, boundary);
  Object.assign(params, fields);
  decodeJsonParams(params);
  // `attach://name` values point at file parts; a file part named like the parameter is the parameter.
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const file = files[value.slice('attach://'.length)];
      if (!file) throw new Error(`${value} names no file part`);
      return file;
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object' && !isUploadedFile(value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  for (const [key, value] of Object.entries(params)) params[key] = resolve(value);
  for (const [name, file] of Object.entries(files)) if (!(name in params)) params[name] = file;
  return params;
}

/** In query strings, urlencoded and multipart bodies, object parameters arrive as JSON text. */
function decodeJsonParams(params: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') continue;
    if (JSON_PARAMS.has(key)) {
      try {
        params[key] = JSON.parse(value);
      } catch {
        throw new Error(`can't parse ${key} JSON object`);
      }
    } else if (value === 'true' || value === 'false') {
      params[key] = value === 'true';
    }
  }
  return params;
}

function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).bytes);
}

function requireString(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (value === undefined || value === null) throw new ApiError(400, `Bad Request: parameter "${name}" is required`);
  return String(value);
}

function optionalCaption(params: Record<string, unknown>): { caption?: string } {
  if (params.caption === undefined) return {};
  const caption = String(params.caption);
  if ([...caption].length > CAPTION_MAX) throw new ApiError(400, 'Bad Request: message caption is too long');
  return { caption };
}

function setMarkup(message: FakeMessage, markup: ReplyMarkup | undefined): void {
  if (markup?.inline_keyboard && markup.inline_keyboard.length > 0) message.reply_markup = markup;
  else delete message.reply_markup;
}

/** Telegram's photo limits: at most 10 MB, width + height at most 10000, sides at most 20:1. */
async function checkPhotoLimits(bytes: Buffer): Promise<void> {
  if (bytes.length > PHOTO_MAX_BYTES) throw new ApiError(400, 'Bad Request: PHOTO_INVALID_DIMENSIONS');
  let size: { width: number; height: number };
  try {
    size = await dimensions(bytes);
  } catch {
    throw new ApiError(400, 'Bad Request: IMAGE_PROCESS_FAILED');
  }
  const ratio = Math.max(size.width, size.height) / Math.max(1, Math.min(size.width, size.height));
  if (size.width + size.height > 10_000 || ratio > 20) throw new ApiError(400, 'Bad Request: PHOTO_INVALID_DIMENSIONS');
}

async function dimensions(bytes: Buffer): Promise<{ width: number; height: number }> {
  const meta = await sharp(bytes).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0 };
}

function extensionOf(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return '.jpg';
  if (bytes.subarray(0, 4).toString('latin1') === '\x89PNG') return '.png';
  if (bytes.subarray(8, 12).toString('latin1') === 'WEBP') return '.webp';
  return '';
}

function mimeOf(bytes: Buffer): string {
  switch (extensionOf(bytes)) {
    case '.jpg':
      return 'image/jpeg';
    case '.png':
      return 'image/png';
    case '.webp':
      return 'image/webp';
    default:
      return 'application/octet-stream';
  }
}

function shallow(message: FakeMessage): FakeMessage {
  const copy = { ...message };
  delete copy.reply_to_message;
  return copy;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Entities Telegram adds: a bot command at the start, @mentions anywhere. Offsets and lengths
 * are in UTF-16 code units, which is what JavaScript string indices count.
 */
function entitiesOf(text: string): FakeEntity[] | undefined {
  const entities: FakeEntity[] = [];
  const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const mention of text.matchAll(/@[A-Za-z0-9_]{3,}/g)) {
    if (command && mention.index < command[0].length) continue;
    entities.push({ type: 'mention', offset: mention.index, length: mention[0].length });
  }
  return entities.length > 0 ? entities : undefined;
}
