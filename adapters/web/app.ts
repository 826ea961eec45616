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
 * - `GET /api/conversation`: the session's edit tree.
 * - `GET /api/meta`: the emotions, button labels and limits the page shows.
 */
import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Engine } from '../../src/engine.ts';
import { BUTTON_LABELS } from '../../src/buttons.ts';
import { EMOTIONS, EMOTION_TABLE } from '../../src/emotions.ts';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { formatBytes } from '../../src/image/download.ts';
import { MIME_TYPES, FILE_EXTENSIONS } from '../../src/image/image.ts';
import { APOLOGY, userMessage } from '../../src/messages.ts';
import type { Conversation } from '../../src/store/conversation-store.ts';
import { describeProgress, type ImageAttachment, type ReplyAction, type Turn, type TurnScope } from '../../src/turn.ts';
import type { Asset } from './assets.ts';
import { MultipartError, multipartBoundary, parseMultipart, type MultipartFile, type MultipartForm } from './multipart.ts';
import { ProgressHub } from './progress-hub.ts';
import { conversationKeyFor, ensureSessionId, readSessionId } from './session.ts';
import { WEB_MESSAGES } from './web-messages.ts';
import { imageUrl, statusForCode, toWebReply, type WebReply, type WebTurnResponse } from './web-reply.ts';

/** Options of the web app once defaults are applied (see `WebAdapterOptions` in `index.ts`). */
export interface WebAppSettings {
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
  .refine((action) => action.kind !== 'emotion' || action.emotion !== undefined, { message: 'emotion needs an emotion' });

const JSON_TURN = z.object({
  turnId: ID.optional(),
  text: z.string().optional(),
  replyTo: ID.optional(),
  action: ACTION.optional(),
});

interface TurnInput {
  turnId: string;
  text: string;
  replyTo?: string;
  action?: Turn['action'];
  image?: MultipartFile;
  notice?: string;
}

/** A refusal the adapter makes before the engine sees the turn. */
class RequestRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 422,
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

  // Only the page itself may change state: refuse requests another site makes the browser send.
  app.use('/api/*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const site = c.req.header('sec-fetch-site');
      const origin = c.req.header('origin');
      if ((site && site !== 'same-origin' && site !== 'none') || (origin && origin !== new URL(c.req.url).origin)) {
        return c.json({ error: { code: 'cross_site', message: WEB_MESSAGES.crossSite } }, 403);
      }
    }
    await next();
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    return undefined;
  });

  app.get('/healthz', (c) => c.json({ status: stopping ? 'stopping' : 'ok' }, stopping ? 503 : 200));

  for (const [path, asset] of assets) {
    app.get(path, (c) => {
      if (path === '/') ensureSessionId(c);
      c.header('ETag', asset.etag);
      c.header('Cache-Control', 'no-cache');
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
      c.header('Content-Type', asset.contentType);
      return c.body(new Uint8Array(asset.body));
    });
  }

  app.get('/api/meta', (c) =>
    c.json({
      emotions: EMOTIONS.map((name) => ({ name, emoji: EMOTION_TABLE[name].emoji, meaning: EMOTION_TABLE[name].meaning })),
      actions: (Object.keys(BUTTON_LABELS) as ReplyAction[]).map((action) => ({ action, label: BUTTON_LABELS[action] })),
      maxImageBytes: settings.maxImageBytes,
      maxImageSize: formatBytes(settings.maxImageBytes),
      maxTextLength: settings.maxTextLength,
      tooLargeMessage: userMessage(new UserError(ErrorCode.ImageTooLarge, { limit: formatBytes(settings.maxImageBytes) })),
    }),
  );

  app.get('/api/conversation', async (c) => {
    const sessionId = readSessionId(c);
    const conversation = sessionId ? await engine.store.load(conversationKeyFor(sessionId)) : undefined;
    return c.json(describeTree(conversation));
  });

  app.get('/api/images/:editId', async (c) => {
    const sessionId = readSessionId(c);
    const editId = c.req.param('editId');
    if (!sessionId || !ID.safeParse(editId).success) return notFound(c);
    // Only edits of the session's own conversation: an id from someone else's chat finds nothing.
    const conversation = await engine.store.load(conversationKeyFor(sessionId));
    const edit = conversation?.edits[editId];
    if (!edit) return notFound(c);
    const etag = `"${edit.imageHash}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, max-age=86400, immutable');
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    const blob = await engine.store.getImage(edit.imageHash);
    if (!blob) return notFound(c);
    const name = `moodshift-${edit.target ?? 'original'}.${FILE_EXTENSIONS[blob.format]}`;
    c.header('Content-Type', MIME_TYPES[blob.format]);
    c.header('Content-Disposition', `${c.req.query('download') ? 'attachment' : 'inline'}; filename="${name}"`);
    return c.body(new Uint8Array(blob.bytes));
  });

  app.get('/api/events', (c) => {
    const sessionId = ensureSessionId(c);
    if (stopping) return c.json({ error: { code: 'stopping', message: WEB_MESSAGES.stopping } }, 503);
    if (hub.count(sessionId) >= settings.maxStreamsPerSession)
      return c.json({ error: { code: 'too_many_streams', message: WEB_MESSAGES.tooManyStreams } }, 429);
    c.header('Cache-Control', 'no-store');
    return streamSSE(c, async (stream) => {
      let end = (): void => {};
      const ended = new Promise<void>((resolve) => (end = resolve));
      const send = (event: string, data: unknown): void => {
        if (stream.aborted || stream.closed) return end();
        stream.writeSSE({ event, data: JSON.stringify(data) }).catch(end);
      };
      const unsubscribe = hub.subscribe(sessionId, (event) => send('progress', event));
      const heartbeat = setInterval(() => {
        if (stream.aborted || stream.closed) return end();
        stream.write(': keep-alive\n\n').catch(end);
      }, settings.heartbeatMs);
      endStreams.add(end);
      stream.onAbort(end);
      send('ready', {});
      await ended;
      clearInterval(heartbeat);
      unsubscribe();
      endStreams.delete(end);
    });
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
      const sessionId = ensureSessionId(c);
      let input: TurnInput;
      try {
        input = await readTurn(c, settings);
      } catch (error) {
        if (error instanceof RequestRefused) return refuse(c, error.status, error.code, error.text);
        throw error;
      }
      const client = clientAddress(c);
      const running = turnsPerClient.get(client) ?? 0;
      if (running >= settings.maxTurnsPerClient) {
        return refuse(c, 429, ErrorCode.TooManyJobs, userMessage(new UserError(ErrorCode.TooManyJobs, { limit: settings.maxTurnsPerClient })));
      }
      turnsPerClient.set(client, running + 1);
      const work = runTurn(sessionId, input);
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

  async function runTurn(sessionId: string, input: TurnInput): Promise<WebTurnResponse> {
    const key = conversationKeyFor(sessionId);
    const messageId = randomId('m');
    const images: ImageAttachment[] = input.image ? [fileAttachment(input.image)] : [];
    const turn: Turn = {
      key,
      scope: WEB_SCOPE,
      messageId,
      text: input.text,
      images,
      actor: { id: key.user, name: `web visitor ${key.user.slice(0, 6)}`, isModerator: settings.moderatorCommands },
    };
    if (input.replyTo) turn.replyTo = input.replyTo;
    if (input.action) turn.action = input.action;
    if (input.notice) turn.notice = input.notice;
    const replies = await engine.editor.handle(turn, (progress) =>
      hub.publish(sessionId, { turnId: input.turnId, progress, text: describeProgress(progress) }),
    );
    const ids = replies.map(() => randomId('r'));
    for (const [index, reply] of replies.entries()) {
      if (reply.kind !== 'edit' || !reply.editId || !reply.image) continue;
      try {
        await engine.editor.linkReply(key, reply.editId, ids[index]!);
      } catch (error) {
        // The picture is still shown; only replying to it by message id will not find it.
        logger.warn({ err: error, editId: reply.editId }, 'could not link a web reply to its edit');
      }
    }
    const conversation = replies.some((reply) => reply.editId) ? await engine.store.load(key) : undefined;
    const webReplies: WebReply[] = replies.map((reply, index) => toWebReply(reply, ids[index]!, conversation));
    return { turnId: input.turnId, messageId, replies: webReplies };
  }

  app.notFound((c) => notFound(c));
  app.onError((error, c) => {
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
    const action = parsed.data.action;
    if (action) {
      const editId = action.editId ? { editId: action.editId } : {};
      input.action =
        action.kind === 'emotion' ? { kind: 'emotion', emotion: action.emotion!, ...editId } : { kind: action.kind, ...editId };
    }
  }
  if (input.text.length > settings.maxTextLength)
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
        throw new UserError(ErrorCode.ImageTooLarge, { actual: formatBytes(file.bytes.length), limit: formatBytes(maxBytes) });
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

function refuse(c: Context, status: 400 | 413 | 415 | 422 | 429, code: string, text: string): Response {
  const reply: WebReply = { id: randomId('r'), kind: 'error', text, code, actions: [], emotions: [] };
  const body: WebTurnResponse & { error: { code: string; message: string } } = {
    turnId: '',
    messageId: '',
    replies: [reply],
    error: { code, message: text },
  };
  return c.json(body, status);
}

function notFound(c: Context): Response {
  return c.json({ error: { code: 'not_found', message: WEB_MESSAGES.notFound } }, 404);
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

export interface WebTree {
  cursor?: string;
  redo: string[];
  edits: WebTreeNode[];
}

/** The session's edit tree, oldest first, without content hashes or plans. */
function describeTree(conversation: Conversation | undefined): WebTree {
  if (!conversation) return { redo: [], edits: [] };
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
  const tree: WebTree = { redo: conversation.redo, edits };
  if (conversation.cursor) tree.cursor = conversation.cursor;
  return tree;
}
