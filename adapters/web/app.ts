/**
 * @module The web chat's HTTP application (Hono): the page's assets, `/healthz`, and a small
 * JSON API under `/api` that turns requests into `Turn` values for the engine's Editor.
 *
 * - `POST /api/turns`: a turn, as `multipart/form-data` (fields `text`, optional `image`,
 *   `replyTo`, `turnId`) or as JSON (`{ text?, replyTo?, turnId?, action?: { kind, emotion?, editId? } }`).
 *   Answers `{ turnId, messageId, replies }` when the turn is done; a refusal has a 4xx status.
 * - `GET /api/events`: server-sent events; `progress` events carry the `turnId` of the
 *   session's turns while they run.
 * - `GET /api/images/:editId`: a picture of the session's own conversation (`?download=1` to download).
 * - `GET /api/conversation`: the session's edit tree and what was said (`web-conversation.ts`).
 * - `GET /api/meta`: the emotions, button labels and limits the page shows.
 *
 * Every request but `/healthz` must name a host the chat answers to (`allowed-hosts.ts`, else
 * 421); a POST must come from the page (its `Origin`, else 403); sessions are signed cookies,
 * and new ones are limited per address (`session.ts`); moderator rights need this machine.
 */
import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import {
  APOLOGY,
  BUTTON_LABELS,
  commandText,
  describeProgress,
  ELEMENTS,
  EMOTION_TABLE,
  EMOTIONS,
  type Engine,
  ErrorCode,
  formatBytes,
  type ImageAttachment,
  namedCommand,
  type ReplyAction,
  type Turn,
  type TurnCommand,
  type TurnScope,
  UnavailableError,
  UserError,
  userMessage,
} from '../../src/index.ts';
import {
  isLoopbackAddress,
  isLoopbackName,
  parseAuthority,
  printableHost,
  type AllowedHosts,
} from './allowed-hosts.ts';
import type { Asset } from './assets.ts';
import {
  MultipartError,
  multipartBoundary,
  parseMultipart,
  type MultipartFile,
  type MultipartForm,
} from './multipart.ts';
import { ProgressHub } from './progress-hub.ts';
import { conversationKeyFor, NewSessionLimiter, newSessionId, SessionCookies } from './session.ts';
import { WEB_MESSAGES } from './web-messages.ts';
import { describeConversation } from './web-conversation.ts';
import { statusForCode, toWebReply, type WebReply, type WebTurnResponse } from './web-reply.ts';

/** Options of the web app once defaults are applied (see `WebAdapterOptions` in `index.ts`). */
export interface WebAppSettings {
  /** The listen address. */
  host: string;
  allowedHosts: AllowedHosts;
  sessionSecret?: string;
  newSessionsPerMinute: number;
  maxStreams: number;
  streamIdleMs: number;
  maxImageBytes: number;
  maxTextLength: number;
  moderatorCommands: boolean;
  heartbeatMs: number;
  maxStreamsPerSession: number;
  maxTurnsPerClient: number;
}

/** The moderation scope of the web chat: its own, so a block made here stays here. */
export const WEB_SCOPE: TurnScope = { server: 'local' };

/** Room for the form fields and multipart boundaries around the picture. */
const MULTIPART_MARGIN_BYTES = 64 * 1024;
/** A JSON turn holds a few short fields. */
const JSON_LIMIT_BYTES = 16 * 1024;
/** Ids the page sends: edit ids, web message ids and turn ids are short base64url strings. */
const ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const ACTION = z
  .object({
    kind: z.enum(['more', 'less', 'undo', 'redo', 'retry', 'emotion']),
    emotion: z.enum(EMOTIONS).optional(),
    editId: ID.optional(),
  })
  .refine((action) => action.kind !== 'emotion' || action.emotion !== undefined, {
    message: 'emotion needs an emotion',
  });

/**
 * A command as the JSON of a turn: the edit (`{ type: 'edit', emotion?, intensity?, element?,
 * feeling? }`) or any other command of the table by name, its arguments apart
 * (`{ type: 'command', name: 'words', args: ['add', 'a dark omen'], channelOnly? }`). It reaches the
 * engine as the typed command, nothing parsed from text; a moderator command still needs a moderator.
 */
const COMMAND = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('edit'),
    emotion: z.enum(EMOTIONS).optional(),
    intensity: z.enum(['low', 'medium', 'high']).optional(),
    element: z.enum(ELEMENTS).optional(),
    feeling: z.string().optional(),
  }),
  z.object({
    type: z.literal('command'),
    name: z.string().max(32),
    args: z.array(z.string()).max(64).optional(),
    channelOnly: z.boolean().optional(),
  }),
]);

const JSON_TURN = z.object({
  turnId: ID.optional(),
  text: z.string().optional(),
  replyTo: ID.optional(),
  action: ACTION.optional(),
  command: COMMAND.optional(),
});

interface TurnInput {
  turnId: string;
  text: string;
  replyTo?: string;
  action?: Turn['action'];
  command?: TurnCommand;
  image?: MultipartFile;
  notice?: string;
}

/** Headers a reverse proxy adds: a request carrying one did not come from a browser on this machine directly. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** A refusal the adapter makes before the engine sees the turn. */
class RequestRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 422 | 429,
    readonly code: string,
    readonly text: string,
  ) {
    super(text);
  }
}

export interface WebApp {
  app: Hono;
  /** Stops taking turns, waits for the turns in flight, and ends the event streams. */
  drain(): Promise<void>;
  readonly stopping: boolean;
}

function randomId(prefix: string): string {
  return prefix + randomBytes(9).toString('base64url');
}

export function createWebApp(engine: Engine, settings: WebAppSettings, assets: ReadonlyMap<string, Asset>): WebApp {
  const logger = engine.logger.child({ adapter: 'web' });
  const hub = new ProgressHub();
  const inFlight = new Set<Promise<unknown>>();
  const endStreams = new Set<() => void>();
  /** Turns in flight per network address: a new cookie per request must not buy unlimited renders. */
  const turnsPerClient = new Map<string, number>();
  const cookies = new SessionCookies(settings.sessionSecret);
  const newSessions = new NewSessionLimiter(settings.newSessionsPerMinute);
  /** Event streams open over all sessions (counted before the stream starts, so a burst cannot overshoot). */
  let openStreams = 0;
  let stopping = false;
  const app = new Hono();

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'blob:', 'data:'],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: 'DENY',
      // The chat is usually served over plain http on 127.0.0.1, where HSTS would do harm.
      strictTransportSecurity: false,
      permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
    }),
  );

  // Only the names of this machine and the configured ones: a site that rebinds its own name to
  // 127.0.0.1 would otherwise be same-origin with the chat. The request target counts too, since
  // an absolute-form target (`POST http://127.0.0.1/...`) is what the URL is built from.
  app.use('*', async (c, next) => {
    if (c.req.path !== '/healthz') {
      const header = c.req.header('host');
      const host = parseAuthority(header);
      const target = parseAuthority(new URL(c.req.url).host);
      if (!host || !target || !settings.allowedHosts.allows(host) || !settings.allowedHosts.allows(target)) {
        logger.debug(
          { host: printableHost(header), path: c.req.path },
          'refused a request for a host name the web chat does not answer to',
        );
        return c.json(
          { error: { code: 'host_not_allowed', message: WEB_MESSAGES.hostNotAllowed(printableHost(header)) } },
          421,
        );
      }
    }
    await next();
    return undefined;
  });

  // Only the page itself may change state: refuse requests another site makes the browser send.
  app.use('/api/*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !fromThePage(c, settings.allowedHosts)) {
      return c.json({ error: { code: 'cross_site', message: WEB_MESSAGES.crossSite } }, 403);
    }
    await next();
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    return undefined;
  });

  /**
   * The session the request's cookie names: signed by us, or (signed by another key, or not at
   * all) one whose conversation exists; that cookie is then signed again. Undefined otherwise.
   */
  async function readSession(c: Context): Promise<string | undefined> {
    const cookie = cookies.read(c);
    if (!cookie) return undefined;
    if (cookie.signed) return cookie.id;
    if (!(await engine.conversations.exists(conversationKeyFor(cookie.id)))) return undefined;
    cookies.set(c, cookie.id);
    return cookie.id;
  }

  /** The request's session, or a new one (its cookie set on the response) within the limit per address. */
  async function ensureSession(c: Context): Promise<string> {
    const existing = await readSession(c);
    if (existing) return existing;
    if (!newSessions.take(clientAddress(c))) {
      throw new RequestRefused(
        429,
        'too_many_new_sessions',
        WEB_MESSAGES.tooManyNewSessions(settings.newSessionsPerMinute),
      );
    }
    const id = newSessionId();
    cookies.set(c, id);
    return id;
  }

  app.get('/healthz', async (c) => {
    if (stopping) return c.json({ status: 'stopping' }, 503);
    try {
      await engine.conversations.ready();
    } catch (error) {
      const failing = error instanceof UnavailableError ? error.dependency : 'store';
      logger.debug({ err: error }, 'health check: the store does not answer');
      return c.json({ status: 'unavailable', failing: [failing] }, 503);
    }
    return c.json({ status: 'ok' });
  });

  for (const [path, asset] of assets) {
    app.get(path, async (c) => {
      if (path === '/') {
        try {
          await ensureSession(c);
        } catch (error) {
          if (error instanceof RequestRefused) return c.text(error.text, error.status);
          // The store is away: serve the page and leave the cookie alone, so no conversation is given up.
          if (!(error instanceof UnavailableError)) throw error;
        }
      }
      c.header('ETag', asset.etag);
      c.header('Cache-Control', 'no-cache');
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
      c.header('Content-Type', asset.contentType);
      return c.body(new Uint8Array(asset.body));
    });
  }

  app.get('/api/meta', (c) =>
    c.json({
      emotions: EMOTIONS.map((name) => ({
        name,
        emoji: EMOTION_TABLE[name].emoji,
        meaning: EMOTION_TABLE[name].meaning,
      })),
      actions: (Object.keys(BUTTON_LABELS) as ReplyAction[]).map((action) => ({
        action,
        label: BUTTON_LABELS[action],
      })),
      maxImageBytes: settings.maxImageBytes,
      maxImageSize: formatBytes(settings.maxImageBytes),
      maxTextLength: settings.maxTextLength,
      tooLargeMessage: userMessage(
        new UserError(ErrorCode.ImageTooLarge, { limit: formatBytes(settings.maxImageBytes) }),
      ),
    }),
  );

  app.get('/api/conversation', async (c) => {
    const sessionId = await readSession(c);
    const history = sessionId ? await engine.conversations.history(conversationKeyFor(sessionId)) : undefined;
    return c.json(describeConversation(history));
  });

  app.get('/api/images/:editId', async (c) => {
    const editId = c.req.param('editId');
    if (!ID.safeParse(editId).success) return notFound(c);
    const sessionId = await readSession(c);
    if (!sessionId) return notFound(c);
    // Only edits of the session's own conversation: an id from someone else's chat finds nothing.
    const picture = await engine.conversations.picture(conversationKeyFor(sessionId), editId);
    if (!picture) return notFound(c);
    const etag = `"${picture.tag}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, max-age=86400, immutable');
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    const image = await picture.read();
    if (!image) return notFound(c);
    c.header('Content-Type', image.type);
    c.header('Content-Disposition', `${c.req.query('download') ? 'attachment' : 'inline'}; filename="${image.name}"`);
    return c.body(new Uint8Array(image.bytes));
  });

  app.get('/api/events', async (c) => {
    if (stopping) return c.json({ error: { code: 'stopping', message: WEB_MESSAGES.stopping } }, 503);
    const sessionId = await ensureSession(c);
    if (hub.count(sessionId) >= settings.maxStreamsPerSession)
      return c.json({ error: { code: 'too_many_streams', message: WEB_MESSAGES.tooManyStreams } }, 429);
    if (openStreams >= settings.maxStreams) {
      logger.warn(
        { open: openStreams, limit: settings.maxStreams },
        'refused an event stream: the web chat has as many open as allowed',
      );
      return c.json({ error: { code: 'too_many_streams_overall', message: WEB_MESSAGES.tooManyStreamsOverall } }, 503);
    }
    openStreams += 1;
    c.header('Cache-Control', 'no-store');
    const response = streamSSE(c, async (stream) => {
      let end = (): void => {};
      const ended = new Promise<void>((resolve) => (end = resolve));
      // Ended when no progress came for a while: abandoned tabs give their place back; a live page reconnects.
      const idle = setTimeout(() => end(), settings.streamIdleMs);
      const send = (event: string, data: unknown): void => {
        if (stream.aborted || stream.closed) return end();
        stream.writeSSE({ event, data: JSON.stringify(data) }).catch(end);
      };
      const unsubscribe = hub.subscribe(sessionId, (event) => {
        idle.refresh();
        send('progress', event);
      });
      const heartbeat = setInterval(() => {
        if (stream.aborted || stream.closed) return end();
        stream.write(': keep-alive\n\n').catch(end);
      }, settings.heartbeatMs);
      endStreams.add(end);
      stream.onAbort(end);
      try {
        send('ready', {});
        await ended;
      } finally {
        clearTimeout(idle);
        clearInterval(heartbeat);
        unsubscribe();
        endStreams.delete(end);
        openStreams -= 1;
      }
    });
    // Node's server chooses the framing: chunked for HTTP/1.1, and for HTTP/1.0 (which has no
    // chunks) the bare stream ended by closing the connection. Hono's explicit header would force
    // chunks on a 1.0 client that cannot read them.
    response.headers.delete('Transfer-Encoding');
    if (httpVersion(c) === '1.0') response.headers.delete('Connection');
    return response;
  });

  const limitUpload = bodyLimit({
    maxSize: settings.maxImageBytes + MULTIPART_MARGIN_BYTES,
    onError: (c) =>
      refuse(
        c,
        413,
        ErrorCode.ImageTooLarge,
        userMessage(new UserError(ErrorCode.ImageTooLarge, { limit: formatBytes(settings.maxImageBytes) })),
      ),
  });
  const limitJson = bodyLimit({
    maxSize: JSON_LIMIT_BYTES,
    onError: (c) => refuse(c, 413, 'bad_request', WEB_MESSAGES.textTooLong(settings.maxTextLength)),
  });

  app.post(
    '/api/turns',
    async (c, next) => {
      if (stopping) return c.json({ error: { code: 'stopping', message: WEB_MESSAGES.stopping } }, 503);
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      if (type.startsWith('multipart/form-data')) return limitUpload(c, next);
      if (type.startsWith('application/json')) return limitJson(c, next);
      return refuse(c, 415, 'unsupported_content_type', WEB_MESSAGES.unsupportedContentType);
    },
    async (c) => {
      let sessionId: string;
      let input: TurnInput;
      try {
        sessionId = await ensureSession(c);
        input = await readTurn(c, settings);
      } catch (error) {
        if (error instanceof RequestRefused) return refuse(c, error.status, error.code, error.text);
        throw error;
      }
      const client = clientAddress(c);
      const running = turnsPerClient.get(client) ?? 0;
      if (running >= settings.maxTurnsPerClient) {
        return refuse(
          c,
          429,
          ErrorCode.TooManyJobs,
          userMessage(new UserError(ErrorCode.TooManyJobs, { limit: settings.maxTurnsPerClient })),
        );
      }
      turnsPerClient.set(client, running + 1);
      const work = runTurn(sessionId, input, settings.moderatorCommands && fromThisMachine(c));
      inFlight.add(work);
      try {
        const response = await work;
        const code = response.replies.find((reply) => reply.kind === 'error')?.code;
        return c.json(response, statusForCode(code));
      } finally {
        inFlight.delete(work);
        const left = (turnsPerClient.get(client) ?? 1) - 1;
        if (left > 0) turnsPerClient.set(client, left);
        else turnsPerClient.delete(client);
      }
    },
  );

  async function runTurn(sessionId: string, input: TurnInput, isModerator: boolean): Promise<WebTurnResponse> {
    const key = conversationKeyFor(sessionId);
    const messageId = randomId('m');
    const images: ImageAttachment[] = input.image ? [fileAttachment(input.image)] : [];
    const turn: Turn = {
      key,
      scope: WEB_SCOPE,
      messageId,
      text: input.text,
      images,
      actor: { id: key.user, name: `web visitor ${key.user.slice(0, 6)}`, isModerator },
    };
    if (input.replyTo) turn.replyTo = input.replyTo;
    if (input.action) turn.action = input.action;
    if (input.command) turn.command = input.command;
    if (input.notice) turn.notice = input.notice;
    // Every reply gets a web message id; a picture's leads back to its edit (the page sends it as `replyTo`).
    const ids: string[] = [];
    const replies = await engine.editor.handle(turn, {
      progress: (progress) =>
        hub.publish(sessionId, { turnId: input.turnId, progress, text: describeProgress(progress) }),
      send: async (reply) => {
        const id = randomId('r');
        ids.push(id);
        return reply.kind === 'edit' && reply.image ? id : undefined;
      },
    });
    try {
      // Kept in the conversation so that a reload shows the whole exchange again.
      await engine.conversations.record(turn, replies, ids);
    } catch (error) {
      logger.warn({ err: error }, 'could not keep the exchange for the page to show after a reload');
    }
    const webReplies: WebReply[] = replies.map((reply, index) => toWebReply(reply, ids[index]!));
    return { turnId: input.turnId, messageId, replies: webReplies };
  }

  app.notFound((c) => notFound(c));
  app.onError((error, c) => {
    if (error instanceof RequestRefused) return refuse(c, error.status, error.code, error.text);
    if (error instanceof UnavailableError) {
      // The same answer a turn gets: nothing is lost, try again in a minute.
      logger.warn(
        { dependency: error.dependency, path: c.req.path, reason: error.message },
        'web request failed: a dependency is not answering',
      );
      return refuse(
        c,
        503,
        ErrorCode.TemporarilyUnavailable,
        userMessage(new UserError(ErrorCode.TemporarilyUnavailable)),
      );
    }
    if (clientWentAway(c, error)) {
      logger.debug(
        { path: c.req.path, reason: error instanceof Error ? error.message : String(error) },
        'the client went away before its request was read',
      );
      return c.body(null, 400);
    }
    logger.error({ err: error, path: c.req.path }, 'web request failed');
    return c.json({ error: { code: 'internal', message: APOLOGY } }, 500);
  });

  return {
    app,
    get stopping() {
      return stopping;
    },
    async drain() {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      for (const end of [...endStreams]) end();
    },
  };
}

/** Reads the turn from a multipart form or JSON body, or throws `RequestRefused`. */
async function readTurn(c: Context, settings: WebAppSettings): Promise<TurnInput> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  let input: TurnInput;
  if (type.startsWith('multipart/form-data')) {
    const boundary = multipartBoundary(c.req.header('content-type') ?? '');
    if (!boundary) throw new RequestRefused(400, 'bad_request', WEB_MESSAGES.badRequest);
    let form: MultipartForm;
    try {
      form = parseMultipart(Buffer.from(await c.req.arrayBuffer()), boundary);
    } catch (error) {
      if (error instanceof MultipartError) throw new RequestRefused(400, 'bad_request', WEB_MESSAGES.badRequest);
      throw error;
    }
    const files = (form.files.get('image') ?? []).filter((file) => file.bytes.length > 0);
    input = { turnId: form.fields.get('turnId') ?? '', text: form.fields.get('text') ?? '' };
    const replyTo = form.fields.get('replyTo');
    if (replyTo) input.replyTo = replyTo;
    if (files[0]) input.image = files[0];
    if (files.length > 1) input.notice = WEB_MESSAGES.onePictureAtATime;
    for (const id of [input.turnId, input.replyTo].filter(Boolean)) {
      if (!ID.safeParse(id).success) throw new RequestRefused(400, 'bad_request', WEB_MESSAGES.badRequest);
    }
  } else {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new RequestRefused(400, 'bad_request', WEB_MESSAGES.badRequest);
    }
    const parsed = JSON_TURN.safeParse(body);
    if (!parsed.success) throw new RequestRefused(400, 'bad_request', WEB_MESSAGES.badRequest);
    input = { turnId: parsed.data.turnId ?? '', text: parsed.data.text ?? '' };
    if (parsed.data.replyTo) input.replyTo = parsed.data.replyTo;
    const command = parsed.data.command;
    if (command?.type === 'edit') {
      const { type, emotion, intensity, element } = command;
      const feeling = command.feeling?.trim();
      input.command = {
        type,
        ...(emotion ? { emotion } : {}),
        ...(intensity ? { intensity } : {}),
        ...(element ? { element } : {}),
        ...(feeling ? { feeling } : {}),
      };
      // The feeling is the person's words: shown in the chat, and what blocked words are checked against (never other text beside it).
      input.text = feeling ?? '';
    } else if (command) {
      input.command = namedCommand(command.name, command.args, command.channelOnly);
      if (!input.command) throw new RequestRefused(400, 'bad_request', WEB_MESSAGES.badRequest);
      input.text ||= commandText(input.command);
    }
    const action = parsed.data.action;
    if (action) {
      const editId = action.editId ? { editId: action.editId } : {};
      input.action =
        action.kind === 'emotion'
          ? { kind: 'emotion', emotion: action.emotion!, ...editId }
          : { kind: action.kind, ...editId };
    }
  }
  if (
    input.text.length > settings.maxTextLength ||
    (input.command && commandText(input.command).length > settings.maxTextLength)
  )
    throw new RequestRefused(422, 'text_too_long', WEB_MESSAGES.textTooLong(settings.maxTextLength));
  input.turnId ||= randomId('t');
  return input;
}

/** An uploaded file as the engine's attachment; the engine checks its bytes. */
function fileAttachment(file: MultipartFile): ImageAttachment {
  return {
    declaredBytes: file.bytes.length,
    declaredType: file.type || undefined,
    name: file.name || undefined,
    async fetch(maxBytes: number): Promise<Buffer> {
      if (file.bytes.length > maxBytes) {
        throw new UserError(ErrorCode.ImageTooLarge, {
          actual: formatBytes(file.bytes.length),
          limit: formatBytes(maxBytes),
        });
      }
      return file.bytes;
    },
  };
}

/** The peer's address (the proxy's, behind a reverse proxy: then the limit is for all clients together). */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function refuse(c: Context, status: 400 | 413 | 415 | 422 | 429 | 503, code: string, text: string): Response {
  const reply: WebReply = { id: randomId('r'), kind: 'error', text, code, actions: [], emotions: [] };
  const body: WebTurnResponse & { error: { code: string; message: string } } = {
    turnId: '',
    messageId: '',
    replies: [reply],
    error: { code, message: text },
  };
  return c.json(body, status);
}

/**
 * Whether the request comes from the chat's own page: an `Origin` that is the (already allowed)
 * `Host` or a name listed in `WEB_ALLOWED_HOSTS`, or, without `Origin`, `Sec-Fetch-Site:
 * same-origin`. Browsers send `Origin` with every POST, so a request with neither is a script's,
 * and a `Referer` alone proves nothing.
 */
function fromThePage(c: Context, allowedHosts: AllowedHosts): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = c.req.header('origin');
  if (origin === undefined) return site === 'same-origin';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.toLowerCase().replace(/\/$/, ''))
    return false;
  const from = parseAuthority(url.host);
  if (!from) return false;
  let host: string | undefined;
  try {
    host = new URL(`${url.protocol}//${c.req.header('host') ?? ''}`).host;
  } catch {
    host = undefined;
  }
  return url.host === host || allowedHosts.isListed(from);
}

/**
 * Whether the turn comes from a person at this machine: a loopback peer, a loopback `Host`,
 * request target and `Origin` (a rebinding site's name is not one), and no reverse proxy in between.
 */
function fromThisMachine(c: Context): boolean {
  if (!isLoopbackAddress(clientAddress(c))) return false;
  const host = parseAuthority(c.req.header('host'));
  const target = parseAuthority(new URL(c.req.url).host);
  if (!host || !target || !isLoopbackName(host.hostname) || !isLoopbackName(target.hostname)) return false;
  // A reverse proxy that sets no forwarding headers still shows: the browser's Origin is the public name.
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    const from = URL.canParse(origin) ? parseAuthority(new URL(origin).host) : undefined;
    if (!from || !isLoopbackName(from.hostname)) return false;
  }
  return PROXY_HEADERS.every((name) => c.req.header(name) === undefined);
}

/** The request's HTTP version (`1.0`, `1.1`, `2.0`), when Node's server tells it. */
function httpVersion(c: Context): string | undefined {
  const env = c.env as { incoming?: { httpVersion?: string } } | undefined;
  return env?.incoming?.httpVersion;
}

/** Whether the error is the client closing its connection (an upload aborted half-way): nothing to answer, nothing to fix. */
function clientWentAway(c: Context, error: unknown): boolean {
  const env = c.env as { incoming?: { aborted?: boolean; destroyed?: boolean; readableAborted?: boolean } } | undefined;
  const incoming = env?.incoming;
  if (!incoming || !(incoming.aborted || incoming.readableAborted || incoming.destroyed)) return false;
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  return (
    code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || name === 'AbortError' || message === 'aborted'
  );
}

function notFound(c: Context): Response {
  return c.json({ error: { code: 'not_found', message: WEB_MESSAGES.notFound } }, 404);
}
