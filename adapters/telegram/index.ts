/**
 * @module The Telegram adapter on grammY: turns Telegram messages and button presses into
 * engine `Turn`s and the engine's `Reply` values into Telegram messages.
 *
 * - Updates come by long polling through `@grammyjs/runner` (or a webhook when
 *   `TELEGRAM_WEBHOOK_URL` is set, checked with a secret token). Turns of one conversation run
 *   in order (`sequentialize`), different conversations in parallel.
 * - `stop()` stops taking updates, lets every turn in flight finish and send its answer, then
 *   confirms the updates it handled, so that none is lost or handled twice across a restart.
 * - Every Bot API call is retried on 429 (`retry_after`), 5xx and network errors
 *   (`@grammyjs/auto-retry`); an error in one update never stops the bot, and the person gets
 *   a short apology.
 * - Pictures are downloaded only from `${apiRoot}/file/bot<token>/<file_path>` after getFile,
 *   within Telegram's 20 MB download limit.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import {
  createConcurrentSink,
  createRunner,
  createSource,
  createUpdateFetcher,
  sequentialize,
  type RunnerHandle,
} from '@grammyjs/runner';
import { Bot, BotError, GrammyError, HttpError, type Api, type Context } from 'grammy';
import { stdSerializers } from 'pino';
import type { CallbackQuery, Chat, Message, Update, User } from 'grammy/types';
import {
  type Actor,
  APOLOGY,
  COMMAND_DESCRIPTIONS,
  ConfigError,
  type ConversationKey,
  decodeButton,
  downloadImage,
  type Engine,
  ErrorCode,
  formatBytes,
  type ImageAttachment,
  type Logger,
  type RunningAdapter,
  type Turn,
  type TurnScope,
  UserError,
} from '../../src/index.ts';
import { ModeratorCheck } from './moderator-check.ts';
import { resolvePersonArgument } from './moderator-commands.ts';
import { ProgressMessage } from './progress-message.ts';
import { readMessage, type BotIdentity, type TelegramFileRef } from './read-message.ts';
import { sendReplies, sendReply, type ReplyTarget } from './send-replies.ts';
import {
  CALLBACK_ANSWER_MAX_CHARS,
  COMMAND_DESCRIPTION_MAX_CHARS,
  COMMAND_NAME_PATTERN,
  DOWNLOAD_MAX_BYTES,
  GROUP_ANONYMOUS_BOT_ID,
  truncateText,
} from './telegram-limits.ts';
import {
  resolveTelegramOptions,
  type ResolvedTelegramOptions,
  type TelegramAdapterOptions,
} from './telegram-options.ts';
import { ALBUM_NOTICE, UNKNOWN_BUTTON } from './telegram-texts.ts';
import { createWebhookReceiver, type WebhookReceiver } from './webhook.ts';

export type { TelegramAdapterOptions } from './telegram-options.ts';

/** The running Telegram adapter. */
export interface TelegramAdapter extends RunningAdapter {
  /** The grammY bot (for tests and embedding). */
  readonly bot: Bot;
  /** `polling` or `webhook`. */
  readonly mode: 'polling' | 'webhook';
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
/** How long an album's id is remembered, so that its other pictures are skipped. */
const ALBUM_MEMORY_MS = 5 * 60_000;
/** How long the last getUpdates at stop, which confirms the handled updates, may take. */
const CONFIRM_TIMEOUT_MS = 5_000;
/** grammY types its signals with the abort-controller package's AbortSignal; Node's is the same at run time. */
type ApiSignal = NonNullable<Parameters<Api['getMe']>[0]>;
const apiSignal = (signal: AbortSignal): ApiSignal => signal as unknown as ApiSignal;

/**
 * Starts the Telegram bot for an engine. Options default from `engine.config`
 * (`TELEGRAM_BOT_TOKEN`, `TELEGRAM_API_ROOT`, `TELEGRAM_WEBHOOK_URL`, `TELEGRAM_WEBHOOK_SECRET`,
 * `TELEGRAM_WEBHOOK_PORT`). Resolves once the bot is receiving updates; throws a ConfigError
 * when Telegram refuses the token.
 */
export async function startTelegram(engine: Engine, options: TelegramAdapterOptions = {}): Promise<TelegramAdapter> {
  const resolved = resolveTelegramOptions(engine.config, options);
  const logger = engine.logger.child({ adapter: 'telegram' }, { serializers: { err: serializeTelegramError } });
  const bot = new Bot(resolved.token, { client: { apiRoot: resolved.apiRoot } });
  await initBot(bot, resolved.apiRoot, resolved.startTimeoutMs);
  // Installed after getMe, so that a wrong API root fails the start instead of retrying for ever.
  bot.api.config.use(
    autoRetry({ maxRetryAttempts: resolved.maxRetryAttempts, maxDelaySeconds: resolved.maxRetryDelaySeconds }),
  );
  const identity: BotIdentity = { id: bot.botInfo.id, username: bot.botInfo.username };
  const handlers = new TelegramHandlers(engine, bot.api, resolved, identity, logger);

  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<void>): Promise<void> => {
    inFlight.add(work);
    void work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  };
  const settle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  const webhook = resolved.webhookUrl
    ? createWebhookReceiver(
        bot,
        {
          url: resolved.webhookUrl,
          secret: resolved.webhookSecret,
          port: resolved.webhookPort,
          host: resolved.webhookHost,
        },
        track,
        logger,
      )
    : undefined;
  // By webhook, every update is answered first and handled in the background (webhook.ts).
  if (webhook) bot.use(webhook.middleware);
  // Button presses are answered before they wait their turn, so the button never spins while
  // an earlier edit of the same conversation runs.
  bot.on('callback_query', async (ctx, next) => {
    const known = decodeButton(ctx.callbackQuery.data ?? '') !== undefined;
    await ctx
      .answerCallbackQuery(known ? {} : { text: truncateText(UNKNOWN_BUTTON, CALLBACK_ANSWER_MAX_CHARS) })
      .catch((error: unknown) => logger.debug({ err: error }, 'telegram: answerCallbackQuery failed'));
    if (known) await next();
  });
  bot.use(sequentialize(conversationOf));
  bot.on('callback_query:data', (ctx) => handlers.onButton(ctx.callbackQuery));
  bot.on('message', (ctx) => handlers.onMessage(ctx.message));
  bot.catch(async (error) => {
    logger.error({ err: error.error, update: error.ctx.update.update_id }, 'telegram: update failed');
    const chat = error.ctx.chat;
    if (!chat) return;
    const answered = error.ctx.message?.message_id ?? error.ctx.msg?.message_id;
    await bot.api
      .sendMessage(chat.id, APOLOGY, {
        ...threadOf(error.ctx.msg),
        ...(answered !== undefined
          ? { reply_parameters: { message_id: answered, allow_sending_without_reply: true } }
          : {}),
      })
      .catch((sendError: unknown) => logger.warn({ err: sendError }, 'telegram: could not send the apology'));
  });

  if (resolved.registerCommands)
    await registerCommands(bot.api, logger, apiSignal(AbortSignal.timeout(resolved.startTimeoutMs)));

  const receiver = webhook
    ? await startWebhook(bot, webhook, resolved)
    : await startPolling(bot, resolved, track, logger);
  logger.info({ bot: identity.username, mode: receiver.mode, apiRoot: resolved.apiRoot }, 'telegram: started');

  let stopping: Promise<void> | undefined;
  return {
    name: 'telegram',
    bot,
    mode: receiver.mode,
    isReady: () => !stopping && receiver.isReceiving(),
    stop: () => {
      stopping ??= (async () => {
        await receiver.stopReceiving();
        await settle();
        await receiver.afterSettled();
        logger.info('telegram: stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Errors as log lines: a Bot API refusal by method, code and description, never its payload
 * (which holds the uploaded picture) nor the request URL (which holds the token).
 */
export function serializeTelegramError(error: unknown): unknown {
  if (error instanceof BotError) return serializeTelegramError(error.error);
  if (error instanceof GrammyError)
    return { type: 'GrammyError', method: error.method, error_code: error.error_code, description: error.description };
  if (error instanceof HttpError) return { type: 'HttpError', message: error.message, cause: String(error.error) };
  return error instanceof Error ? stdSerializers.err(error) : error;
}

/**
 * getMe, again after network trouble or a 5xx, but only within `timeoutMs` (grammY's own
 * `bot.init()` retries network errors for ever, so a start without a reachable API would hang
 * silently). A refused token or an unreachable API root fails the start with one sentence that
 * says what to check.
 */
async function initBot(bot: Bot, apiRoot: string, timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const seconds = Math.round(timeoutMs / 100) / 10;
  let problem = `no answer within ${seconds} s`;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        bot.botInfo = await bot.api.getMe(apiSignal(abort.signal));
        return;
      } catch (error) {
        if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404))
          throw new ConfigError(
            `Telegram refused the bot token (${error.error_code} from getMe at ${apiRoot}): copy TELEGRAM_BOT_TOKEN again from @BotFather, or check TELEGRAM_API_ROOT.`,
          );
        const transient =
          error instanceof HttpError ||
          (error instanceof GrammyError && (error.error_code === 429 || error.error_code >= 500));
        if (!transient) throw error;
        // The request URL in a network error holds the token: never print it.
        if (!abort.signal.aborted) problem = describeStartError(error).split(bot.token).join('<token>');
        if (abort.signal.aborted) break;
        await new Promise<void>((resolve) => {
          const wait = setTimeout(resolve, Math.min(1000 * attempt, 5000));
          abort.signal.addEventListener('abort', () => (clearTimeout(wait), resolve()), { once: true });
        });
        if (abort.signal.aborted) break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new ConfigError(
    `Could not reach the Telegram Bot API at ${apiRoot} within ${seconds} s (${problem}): check the network, DNS, proxy and firewall, and TELEGRAM_API_ROOT (leave it unset for https://api.telegram.org); PLATFORM_START_TIMEOUT_S sets how long to wait.`,
  );
}

/** The cause of a failed start call in a few words: the network error's code and message, or Telegram's answer. */
function describeStartError(error: HttpError | GrammyError): string {
  if (error instanceof GrammyError) return `${error.error_code} ${error.description}`;
  const cause = error.error as
    { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  const inner = cause?.cause ?? cause;
  const code = typeof inner?.code === 'string' ? inner.code : undefined;
  const message = typeof inner?.message === 'string' ? inner.message : String(inner ?? error.message);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** The key `sequentialize` orders turns by: one conversation (chat, topic, person). */
function conversationOf(ctx: Context): string | undefined {
  const chat = ctx.chat;
  if (!chat) return undefined;
  const thread = ctx.msg?.is_topic_message ? ctx.msg.message_thread_id : undefined;
  return `${chat.id}/${thread ?? ''}/${ctx.from?.id ?? ''}`;
}

function threadOf(message: Message | undefined): { message_thread_id?: number } {
  return message?.is_topic_message && message.message_thread_id !== undefined
    ? { message_thread_id: message.message_thread_id }
    : {};
}

/**
 * The command menus: the person commands for everyone, and every command, moderator tools
 * included (`/policy`, `/block`, `/unblock`, `/maxintensity`, `/words`, `/ratelimit`, `/ban`,
 * `/unban`, `/audit`), for the administrators of every group (scope `all_chat_administrators`).
 */
async function registerCommands(api: Api, logger: Logger, signal: ApiSignal): Promise<void> {
  const toBotCommand = (c: { command: string; description: string }) => ({
    command: c.command,
    description: truncateText(c.description, COMMAND_DESCRIPTION_MAX_CHARS),
  });
  // The engine's command table, with Telegram's own wording where a command works differently here.
  const valid = COMMAND_DESCRIPTIONS.filter((c) => COMMAND_NAME_PATTERN.test(c.command));
  try {
    await api.setMyCommands(valid.filter((c) => !c.moderator).map(toBotCommand), {}, signal);
    // Group administrators also see the moderator commands.
    await api.setMyCommands(valid.map(toBotCommand), { scope: { type: 'all_chat_administrators' } }, signal);
  } catch (error) {
    logger.warn({ err: error }, 'telegram: setMyCommands failed; the command menu may be out of date');
  }
}

// ------------------------------------------------------------------ receiving updates

interface Receiver {
  mode: 'polling' | 'webhook';
  isReceiving(): boolean;
  /** Stops taking new updates. */
  stopReceiving(): Promise<void>;
  /** After the work in flight has finished. */
  afterSettled(): Promise<void>;
}

type Track = (work: Promise<void>) => Promise<void>;

async function startPolling(
  bot: Bot,
  options: ResolvedTelegramOptions,
  track: Track,
  logger: Logger,
): Promise<Receiver> {
  // Long polling and a webhook exclude each other; keep pending updates.
  await bot.api.deleteWebhook({ drop_pending_updates: false }, apiSignal(AbortSignal.timeout(options.startTimeoutMs)));
  const fetchUpdates = createUpdateFetcher(bot, {
    fetch: { timeout: options.pollingTimeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] },
    silent: true,
  });
  let lastFetched: number | undefined;
  const source = createSource<Update>({
    supply: async (batchSize, signal) => {
      const updates = await fetchUpdates(batchSize, signal);
      if (updates.length > 0) lastFetched = updates[updates.length - 1]!.update_id;
      return updates;
    },
  });
  const sink = createConcurrentSink<Update, unknown>(
    { consume: (update) => track(bot.handleUpdate(update)) },
    async (error) => {
      try {
        await bot.errorHandler(error as Parameters<typeof bot.errorHandler>[0]);
      } catch (handlerError) {
        logger.error({ err: handlerError }, 'telegram: the error handler failed');
      }
    },
    { concurrency: options.maxConcurrentUpdates },
  );
  const runner: RunnerHandle = createRunner(source, sink);
  runner.start();
  runner
    .task()
    ?.catch((error: unknown) => logger.error({ err: error }, 'telegram: long polling stopped with an error'));
  return {
    mode: 'polling',
    isReceiving: () => runner.isRunning(),
    stopReceiving: async () => {
      await runner.stop()?.catch(() => {});
    },
    afterSettled: async () => {
      // Telegram forgets updates only when a later getUpdates names an offset past them.
      if (lastFetched === undefined) return;
      await bot.api
        // Bounded: with the API gone, auto-retry would retry this for ever and keep the process alive.
        .getUpdates(
          { offset: lastFetched + 1, limit: 1, timeout: 0 },
          apiSignal(AbortSignal.timeout(CONFIRM_TIMEOUT_MS)),
        )
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'telegram: could not confirm the last updates; they may come again'),
        );
    },
  };
}

async function startWebhook(bot: Bot, webhook: WebhookReceiver, options: ResolvedTelegramOptions): Promise<Receiver> {
  await webhook.start((url, secret) =>
    bot.api.setWebhook(
      url,
      { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] },
      apiSignal(AbortSignal.timeout(options.startTimeoutMs)),
    ),
  );
  return {
    mode: 'webhook',
    isReceiving: () => webhook.isReceiving(),
    stopReceiving: () => webhook.stopReceiving(),
    afterSettled: () => webhook.afterSettled(),
  };
}

// ------------------------------------------------------------------ turns

class TelegramHandlers {
  readonly #engine: Engine;
  readonly #api: Api;
  readonly #options: ResolvedTelegramOptions;
  readonly #bot: BotIdentity;
  readonly #logger: Logger;
  readonly #moderators: ModeratorCheck;
  /** Albums seen recently (`chat:media_group_id` → when), so that only their first picture is used. */
  readonly #albums = new Map<string, number>();

  constructor(engine: Engine, api: Api, options: ResolvedTelegramOptions, bot: BotIdentity, logger: Logger) {
    this.#engine = engine;
    this.#api = api;
    this.#options = options;
    this.#bot = bot;
    this.#logger = logger;
    this.#moderators = new ModeratorCheck(api, options.moderatorCacheMs, logger);
  }

  async onMessage(message: Message): Promise<void> {
    const reading = readMessage(message, this.#bot);
    if (reading.kind === 'ignore') return;
    const where = this.#where(message.chat, message.from, message.sender_chat, message, message.message_id);
    if (reading.kind === 'explain') {
      await sendReplies(this.#deps(), where.target, [{ kind: 'error', text: reading.text, actions: [], emotions: [] }]);
      return;
    }
    let notice: string | undefined;
    if (reading.mediaGroupId) {
      if (this.#seenAlbum(`${message.chat.id}:${reading.mediaGroupId}`)) return;
      notice = ALBUM_NOTICE;
    }
    const actor = await this.#actor(message.chat, message.from, message.sender_chat);
    // `/ban` as a reply bans the author of the replied-to message (see moderator-commands.ts).
    const person = resolvePersonArgument(reading.command, message, this.#bot);
    if (person.kind === 'explain' && actor.isModerator) {
      await sendReplies(this.#deps(), where.target, [
        { kind: 'info', text: person.text, actions: [], emotions: [], private: true },
      ]);
      return;
    }
    const turn: Turn = {
      key: where.key,
      ...(where.scope ? { scope: where.scope } : {}),
      messageId: String(message.message_id),
      ...(reading.replyTo !== undefined ? { replyTo: String(reading.replyTo) } : {}),
      text: reading.text,
      images: reading.image ? [this.#attachment(reading.image)] : [],
      actor,
      // The command its entity named, typed: the engine does not parse the text again.
      ...(person.kind === 'command' && person.command
        ? { command: person.command }
        : reading.command
          ? { command: reading.command }
          : {}),
      ...(message.from?.language_code ? { locale: message.from.language_code } : {}),
      ...(notice ? { notice } : {}),
    };
    await this.#run(turn, where.target, message.message_id);
  }

  /** A button press, already answered: acts on the edit of the message that carries the button. */
  async onButton(query: CallbackQuery): Promise<void> {
    const action = decodeButton(query.data ?? '');
    const message = query.message;
    if (!action || !message) return;
    // An old message Telegram no longer shows the bot (date 0) still names its chat and id.
    const accessible = message.date !== 0 ? (message as Message) : undefined;
    const where = this.#where(message.chat, query.from, undefined, accessible, message.message_id);
    const turn: Turn = {
      key: where.key,
      ...(where.scope ? { scope: where.scope } : {}),
      messageId: `callback:${query.id}`,
      replyTo: String(message.message_id),
      text: '',
      images: [],
      actor: await this.#actor(message.chat, query.from, undefined),
      action,
      ...(query.from.language_code ? { locale: query.from.language_code } : {}),
    };
    await this.#run(turn, where.target, message.message_id);
  }

  async #run(turn: Turn, target: ReplyTarget, replyTo: number): Promise<void> {
    const progress = new ProgressMessage(this.#api, {
      chatId: target.chatId,
      replyTo,
      threadId: target.threadId,
      delayMs: this.#options.statusMessageDelayMs,
      editIntervalMs: this.#options.statusEditIntervalMs,
      chatActionIntervalMs: this.#options.chatActionIntervalMs,
      logger: this.#logger,
    });
    if (turn.images.length > 0) progress.startChatAction();
    try {
      await this.#engine.editor.handle(turn, {
        progress: progress.onProgress,
        send: (reply) => sendReply(this.#deps(), target, reply),
      });
    } finally {
      await progress.finish();
    }
  }

  #deps() {
    return { api: this.#api, logger: this.#logger };
  }

  #where(
    chat: Chat,
    from: User | undefined,
    senderChat: Chat | undefined,
    message: Message | undefined,
    replyTo: number,
  ) {
    const isGroup = chat.type === 'group' || chat.type === 'supergroup';
    const threadId = message?.is_topic_message ? message.message_thread_id : undefined;
    const key: ConversationKey = {
      platform: 'telegram',
      chat: String(chat.id),
      ...(threadId !== undefined ? { thread: String(threadId) } : {}),
      user: String(from?.id ?? senderChat?.id ?? chat.id),
    };
    const scope: TurnScope | undefined = isGroup ? { server: String(chat.id) } : undefined;
    const personId = from && from.id !== GROUP_ANONYMOUS_BOT_ID && !from.is_bot ? from.id : undefined;
    const target: ReplyTarget = { chatId: chat.id, isGroup, personId, replyTo, threadId };
    return { key, scope, target };
  }

  async #actor(chat: Chat, from: User | undefined, senderChat: Chat | undefined): Promise<Actor> {
    return {
      id: String(from?.id ?? senderChat?.id ?? chat.id),
      name: actorName(chat, from, senderChat),
      isModerator: await this.#moderators.isModerator(chat, from, senderChat),
    };
  }

  #seenAlbum(key: string): boolean {
    const now = Date.now();
    for (const [album, at] of this.#albums) if (now - at > ALBUM_MEMORY_MS) this.#albums.delete(album);
    if (this.#albums.has(key)) return true;
    this.#albums.set(key, now);
    return false;
  }

  /** A picture fetched through getFile and the Bot API file endpoint under the configured API root, and nowhere else. */
  #attachment(file: TelegramFileRef): ImageAttachment {
    return {
      ...(file.declaredBytes !== undefined ? { declaredBytes: file.declaredBytes } : {}),
      ...(file.declaredType ? { declaredType: file.declaredType } : {}),
      ...(file.name ? { name: file.name } : {}),
      fetch: (maxBytes) => this.#download(file, maxBytes),
    };
  }

  async #download(file: TelegramFileRef, maxBytes: number): Promise<Buffer> {
    const limit = Math.min(maxBytes, DOWNLOAD_MAX_BYTES);
    const tooLarge = (actual: number | undefined) =>
      new UserError(ErrorCode.ImageTooLarge, {
        ...(actual !== undefined ? { actual: formatBytes(actual) } : {}),
        limit: formatBytes(limit),
      });
    if (file.declaredBytes !== undefined && file.declaredBytes > limit) throw tooLarge(file.declaredBytes);
    let filePath: string | undefined;
    try {
      const info = await this.#api.getFile(file.fileId);
      if (info.file_size !== undefined && info.file_size > limit) throw tooLarge(info.file_size);
      filePath = info.file_path;
    } catch (error) {
      if (error instanceof UserError) throw error;
      if (error instanceof GrammyError && /too big/i.test(error.description)) throw tooLarge(file.declaredBytes);
      throw new UserError(
        ErrorCode.ImageDownloadFailed,
        {},
        { cause: error instanceof HttpError ? error.message : error },
      );
    }
    if (!filePath) throw new UserError(ErrorCode.ImageDownloadFailed);
    // Only the Bot API's file endpoint, never a path on disk (a local-mode Bot API server answers
    // with one; this adapter reads over HTTP only, so such a download fails cleanly).
    const root = new URL(this.#options.apiRoot);
    const path = filePath.replace(/^\/+/, '').replace(/[?#]/g, (c) => encodeURIComponent(c));
    return downloadImage(`${this.#options.apiRoot}/file/bot${this.#options.token}/${path}`, {
      maxBytes: limit,
      allowedHosts: [root.host.toLowerCase()],
    });
  }
}

/** A person's name, or the chat's title for someone writing on behalf of a chat (anonymous administrators, channels). */
function actorName(chat: Chat, from: User | undefined, senderChat: Chat | undefined): string {
  const onBehalfOf = senderChat ?? (from?.id === GROUP_ANONYMOUS_BOT_ID ? chat : undefined);
  if (onBehalfOf) return onBehalfOf.title ?? 'Anonymous';
  const name = [from?.first_name, from?.last_name].filter(Boolean).join(' ');
  return name || from?.username || 'Someone';
}
