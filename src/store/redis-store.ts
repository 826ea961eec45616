/**
 * @module The `redis` conversation store (ioredis): conversation state that survives restarts and
 * is shared by every process of the bot.
 *
 * Keys, under a configurable prefix (`moodshift:` by default), hash-tagged for Redis Cluster
 * (`src/redis/keys.ts`; each part URI-encoded):
 * - `conv:{<platform>:<chat>}:<thread>:<user>`: the conversation as one JSON value
 *   (deflate-compressed behind a 0x01 byte unless `compress` is false), with the conversation's
 *   time to live;
 * - `msg:{<platform>:<chat>}:<messageId>`: `<editId>:<conversationId>`, living as long as its
 *   conversation; the same tag as its conversation, so that both are written in one script;
 * - the pictures (`img:`, `imgs:` and `imgpin:` keys with the `{pictures}` tag) belong to
 *   `RedisPictureStore` (`redis-picture-store.ts`), which this store owns as `pictures`; this store
 *   writes only the pins below, with each conversation:
 * - `imgpin:{pictures}:<sha256>`: sorted set of the conversations whose current edit needs that
 *   picture, each scored by the millisecond its pin expires with the conversation, and of the holds
 *   of renders in progress (`hold:<uuid>`, scored by the end of their lease); a pinned picture
 *   is never evicted.
 *
 * On one Redis a conversation and its picture pins are written in one script. On a Redis Cluster
 * they sit in two slots: the pins a write needs are set before it and the ones it no longer needs
 * dropped after it, so a needed picture is never unpinned (a write that fails in between leaves an
 * extra pin, which expires with its score).
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConfigError, UnavailableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_KEY_PREFIX, requireKeyPrefix, storeKeys } from '../redis/keys.ts';
import { RedisConnection, type RedisClient } from '../redis/redis-connection.ts';
import type { ConversationKey } from '../turn.ts';
import {
  conversationId,
  emptyConversation,
  type Conversation,
  type ConversationStore,
  type ConversationStoreOptions,
  type MessageLink,
  pinnedPictures,
  surplusPictures,
} from './conversation-store.ts';
import { pruneEdits } from './edit-pruning.ts';
import { RedisPictureStore } from './redis-picture-store.ts';
import { runScript, storeCommand } from './redis-commands.ts';
import { refuseAsyncChange, requireWholeNumber, resolveStoreOptions } from './store-options.ts';
import { KeyedSerialiser } from './keyed-serialiser.ts';

export interface RedisConversationStoreOptions extends ConversationStoreOptions {
  /**
   * The Redis to use: a URL (`redis://`, `rediss://`, `redis+cluster://`; the store opens its own
   * `RedisConnection` with the shared policy and closes it on `close()`), a `RedisConnection` you
   * opened, or an ioredis client you own (the store never closes either; a client's own settings
   * for retries and timeouts apply).
   */
  redis: RedisConnection | RedisClient | string;
  /**
   * Where the start-up look at the server (no `maxmemory`, an evicting policy, keys still to
   * migrate) is reported, for a connection the store opens itself.
   * @defaultValue none: no look
   */
  logger?: Logger;
  /** Put in front of every key, so several bots (or tests) can share one Redis. @defaultValue `moodshift:` */
  keyPrefix?: string;
  /**
   * Store each conversation deflate-compressed (a typical one shrinks about five times, which is
   * what keeps it under 2 KB of Redis memory). `false` stores plain JSON, readable in `redis-cli`.
   * Either way the store reads both, so this can be switched at any time.
   * @defaultValue true
   */
  compress?: boolean;
  /**
   * How many times `update` reads, changes and tries to write a conversation that other processes
   * keep changing at the same moment, before it gives up with an `UnavailableError`.
   * @defaultValue 20
   */
  maxUpdateRetries?: number;
  /**
   * How long an operation waits for the connection to Redis to be (re)established before it fails
   * with `UnavailableError`, in milliseconds. Nothing is queued while Redis is away: the person
   * hears at once that the bot is busy instead of waiting on a dead connection.
   * @defaultValue 1000
   */
  unavailableAfterMs?: number;
  /**
   * For a client the store creates: the longest a single command may go unanswered (a Redis that
   * accepts connections but hangs), in milliseconds, before it fails with `UnavailableError`.
   * @defaultValue 2000
   */
  commandTimeoutMs?: number;
}

const OWNER = 'RedisConversationStore';
/** Conversations whose last value one store remembers (about 2 KB each, compressed). */
const LAST_SEEN_LIMIT = 1000;

/**
 * The picture marks of one conversation write (Lua, shared by the two scripts below). ARGV from
 * `first`: the pin key base (`…imgpin:{pictures}:`), the `imgs:lru` key, the conversation id, the
 * millisecond its pins expire, the time to live in seconds, and three counted lists of picture
 * hashes: pins to drop, pins to set, pictures to demote to the front of `imgs:lru` (surplus of a
 * long conversation).
 */
const pictureMarks = (first: string) => `
local m = ${first}
local pinBase, lru, conversation, pinExpiry, ttl = ARGV[m], ARGV[m + 1], ARGV[m + 2], ARGV[m + 3], ARGV[m + 4]
local i = m + 5
local n = tonumber(ARGV[i])
for j = 1, n do redis.call('ZREM', pinBase .. ARGV[i + j], conversation) end
i = i + n + 1
n = tonumber(ARGV[i])
for j = 1, n do
  local pin = pinBase .. ARGV[i + j]
  redis.call('ZADD', pin, pinExpiry, conversation)
  redis.call('EXPIRE', pin, ttl)
end
i = i + n + 1
n = tonumber(ARGV[i])
for j = 1, n do redis.call('ZADD', lru, 'XX', 0, ARGV[i + j]) end
`;

/**
 * Compare-and-set of one conversation. KEYS[1] is the conversation; KEYS[2 .. 1+ARGV[4]] are the
 * message links of its edits (every id in an edit's `messageIds`), written again with each value
 * so that the link index is always what the conversation says; the keys after those are links to
 * forget (all in the chat's hash slot). ARGV: sha1 of the value `change` was run on ('' when there
 * was none), the new value, the time to live in seconds, the number of links, then each link's
 * value (`<editId>:<conversationId>`) in the order of KEYS; then the picture marks
 * (`pictureMarks`; on a cluster their lists are empty and {@link PICTURE_MARKS} sets them apart).
 * Returns 1 when written, 0 when someone else wrote first.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if current then
  if redis.sha1hex(current) ~= ARGV[1] then return 0 end
elseif ARGV[1] ~= '' then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
local links = tonumber(ARGV[4])
for i = 1, links do redis.call('SET', KEYS[i + 1], ARGV[4 + i], 'EX', ARGV[3]) end
for i = links + 2, #KEYS do redis.call('DEL', KEYS[i]) end
${pictureMarks('5 + tonumber(ARGV[4])')}
return 1
`;
const COMPARE_AND_SET_SHA = createHash('sha1').update(COMPARE_AND_SET).digest('hex');

/** The picture marks alone, in the pictures' slot (a cluster). KEYS[1]: `imgs:{pictures}:lru`; ARGV: `pictureMarks('1')`. */
const PICTURE_MARKS = `${pictureMarks('1')}
return 1
`;
const PICTURE_MARKS_SHA = createHash('sha1').update(PICTURE_MARKS).digest('hex');

/**
 * A `ConversationStore` on Redis. `update` is optimistic: it reads the conversation, runs `change`
 * on it here in JavaScript, and writes the result only if nobody changed the conversation in the
 * meantime (a Lua compare-and-set on the value's sha1); otherwise it waits a few jittered
 * milliseconds and runs `change` again on the fresh value, up to `maxUpdateRetries` times. Updates
 * of one conversation from this process are also queued behind each other, so they never compete.
 *
 * When Redis cannot be reached, operations fail within about `unavailableAfterMs` (plus one command
 * timeout at worst) with `UnavailableError(…, 'redis')`, by the policy of `RedisConnection`; the
 * client keeps reconnecting, and the same store works again once Redis is back.
 * An `UnavailableError` from `update` when the connection dropped mid-write cannot say whether the
 * write landed: read the conversation again before acting on it.
 *
 * `linkMessage` also records the message id on the edit (`EditRecord.messageIds`), and every update
 * refreshes the time to live of the conversation's message links; links of edits dropped by
 * `maxEdits` are deleted in the same atomic write.
 */
export class RedisConversationStore implements ConversationStore {
  readonly name = 'redis';
  /** The pictures, on the same connection (`RedisPictureStore`); closed with this store. */
  readonly pictures: RedisPictureStore;
  private readonly connection: RedisConnection;
  private readonly ownsConnection: boolean;
  private readonly keys: ReturnType<typeof storeKeys>;
  private readonly ttlSeconds: number;
  private readonly maxEdits: number;
  private readonly picturesPerConversation: number;
  private readonly maxUpdateRetries: number;
  private readonly compress: boolean;
  private readonly serialiser = new KeyedSerialiser();
  /**
   * The value of each conversation (or null: none) as this process last read or wrote it (the most recent
   * {@link LAST_SEEN_LIMIT}), so that an update right after a load or another update writes
   * without reading it again; the compare-and-set still refuses it if anyone wrote in between.
   */
  private readonly lastSeen = new Map<string, Buffer | null>();
  private closed = false;

  constructor(options: RedisConversationStoreOptions) {
    const common = resolveStoreOptions(OWNER, options);
    const keyPrefix = requireKeyPrefix(OWNER, options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    const maxUpdateRetries = options.maxUpdateRetries ?? 20;
    const unavailableAfterMs = options.unavailableAfterMs ?? 1000;
    const commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    requireWholeNumber(OWNER, 'maxUpdateRetries', maxUpdateRetries, 1);
    requireWholeNumber(OWNER, 'unavailableAfterMs', unavailableAfterMs, 1);
    requireWholeNumber(OWNER, 'commandTimeoutMs', commandTimeoutMs, 1);
    this.ttlSeconds = common.ttlSeconds;
    this.maxEdits = common.maxEdits;
    this.picturesPerConversation = common.picturesPerConversation;
    this.keys = storeKeys(keyPrefix);
    this.maxUpdateRetries = maxUpdateRetries;
    this.compress = options.compress ?? true;

    const redis = options.redis;
    if (typeof redis === 'string') {
      // A bad URL fails here with a ConfigError that never repeats the value (it may hold a password).
      this.connection = new RedisConnection({
        url: redis,
        unavailableAfterMs,
        commandTimeoutMs,
        // Conversations are what a person waits on: reconnect quickly.
        maxReconnectDelayMs: 500,
        ...(options.logger ? { logger: options.logger } : {}),
      });
      this.ownsConnection = true;
      // The server's settings and keys still to migrate, in the background, once.
      if (options.logger) void this.connection.checkServer(60_000).catch(() => undefined);
    } else if (redis instanceof RedisConnection || isRedisClient(redis)) {
      this.connection = RedisConnection.wrap(redis, { unavailableAfterMs });
      this.ownsConnection = false;
    } else {
      throw new ConfigError(
        `${OWNER}: the redis option must be a redis:// URL, a RedisConnection or an ioredis client.`,
      );
    }
    this.pictures = new RedisPictureStore({
      redis: this.connection,
      keyPrefix,
      imageTtlSeconds: common.imageTtlSeconds,
      maxImageBytes: common.maxImageBytes,
    });
  }

  private get client(): RedisClient {
    return this.connection.client;
  }

  async load(key: ConversationKey): Promise<Conversation | undefined> {
    const storeKey = this.keys.conversation(key);
    const raw = await this.command('load a conversation', () => this.client.getBuffer(storeKey));
    this.remember(storeKey, raw);
    return raw === null ? undefined : decodeConversation(raw);
  }

  async update<T>(key: ConversationKey, change: (conversation: Conversation) => T): Promise<T> {
    const { result } = await this.serialise(conversationId(key), () => this.compareAndSet(key, change, true));
    return result as T;
  }

  async linkMessage(key: ConversationKey, editId: string, messageId: string): Promise<void> {
    // One write: the message id on the edit, and with it (in the same script) its link.
    await this.serialise(conversationId(key), () =>
      this.compareAndSet(
        key,
        (conversation) => {
          const edit = conversation.edits[editId];
          if (edit && !edit.messageIds.includes(messageId))
            conversation.edits[editId] = { ...edit, messageIds: [...edit.messageIds, messageId] };
        },
        false,
      ),
    );
  }

  async findMessage(platform: string, chat: string, messageId: string): Promise<MessageLink | undefined> {
    const raw = await this.command('find a message', () => this.client.get(this.keys.link(platform, chat, messageId)));
    return raw === null ? undefined : decodeLink(raw);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pictures.close();
    if (this.ownsConnection) await this.connection.close();
  }

  /**
   * Reads the conversation, runs `change` on it and writes it back if nobody else wrote in between;
   * retries on conflict. With `createIfMissing` false a missing conversation is left missing.
   */
  private async compareAndSet<T>(
    key: ConversationKey,
    change: (conversation: Conversation) => T,
    createIfMissing: boolean,
  ): Promise<{ result: T | undefined }> {
    const storeKey = this.keys.conversation(key);
    const cluster = this.connection.isCluster;
    for (let attempt = 1; attempt <= this.maxUpdateRetries; attempt += 1) {
      // The value this process last read or wrote saves a read; if someone wrote since, the write below fails and the next attempt reads.
      const raw =
        attempt === 1 && this.lastSeen.has(storeKey)
          ? this.lastSeen.get(storeKey)!
          : await this.command('read a conversation', () => this.client.getBuffer(storeKey));
      if (raw === null && !createIfMissing) return { result: undefined };
      const conversation = raw === null ? emptyConversation(key) : decodeConversation(raw);
      const pinsBefore = pinnedPictures(conversation);
      const surplusBefore = new Set(surplusPictures(conversation, this.picturesPerConversation));
      const result = change(conversation);
      refuseAsyncChange(result);
      conversation.updatedAt = Date.now();
      const dropped = pruneEdits(conversation, this.maxEdits);
      const { platform, chat } = conversation.key;
      const linked = Object.values(conversation.edits).flatMap((edit) =>
        edit.messageIds.map((messageId) => ({ editId: edit.id, messageId })),
      );
      const refresh = linked.map(({ messageId }) => this.keys.link(platform, chat, messageId));
      const forget = dropped.flatMap((edit) =>
        edit.messageIds.map((messageId) => this.keys.link(platform, chat, messageId)),
      );
      const pins = pinnedPictures(conversation);
      const demote = surplusPictures(conversation, this.picturesPerConversation).filter(
        (hash) => !surplusBefore.has(hash),
      );
      const marks = (drop: string[], set: string[], demoted: string[]) => [
        this.keys.pinBase,
        this.keys.lru,
        conversationId(key),
        String(Date.now() + this.ttlSeconds * 1000),
        String(this.ttlSeconds),
        ...counted(drop),
        ...counted(set),
        ...counted(demoted),
      ];
      // A cluster keeps the pictures in another slot: pin what this write needs before it.
      if (cluster && pins.length > 0) await this.markPictures(marks([], pins, []));
      const value = encodeConversation(conversation, this.compress);
      const written = await this.command('write a conversation', () =>
        this.runScript(
          COMPARE_AND_SET,
          COMPARE_AND_SET_SHA,
          [storeKey, ...refresh, ...forget],
          [
            raw === null ? '' : sha1(raw),
            value,
            String(this.ttlSeconds),
            String(refresh.length),
            ...linked.map(({ editId }) => encodeLink(key, editId)),
            ...(cluster ? marks([], [], []) : marks(pinsBefore, pins, demote)),
          ],
        ),
      );
      if (written !== 1) this.lastSeen.delete(storeKey);
      else this.remember(storeKey, value);
      if (written === 1) {
        const unpin = pinsBefore.filter((hash) => !pins.includes(hash));
        if (cluster && unpin.length + demote.length > 0) await this.markPictures(marks(unpin, [], demote));
        return { result };
      }
      // Someone else wrote first: wait a little (jittered, growing) and run `change` on their value.
      await sleep(Math.random() * Math.min(5 * 2 ** attempt, 100));
    }
    throw new UnavailableError(
      `${OWNER}: conversation ${conversationId(key)} was changed by other writers ${this.maxUpdateRetries} times in a row; try again (or raise maxUpdateRetries).`,
      'redis',
    );
  }

  /** `raw` null: the conversation was not there (a first update then writes without reading). */
  private remember(storeKey: string, raw: Buffer | null): void {
    this.lastSeen.delete(storeKey);
    this.lastSeen.set(storeKey, raw);
    if (this.lastSeen.size > LAST_SEEN_LIMIT) this.lastSeen.delete(this.lastSeen.keys().next().value!);
  }

  /** The picture marks apart from the conversation (a cluster: the pictures' slot). */
  private async markPictures(args: string[]): Promise<void> {
    await this.command('mark the pictures in use', () =>
      this.runScript(PICTURE_MARKS, PICTURE_MARKS_SHA, [this.keys.lru], args),
    );
  }

  private runScript(script: string, sha: string, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    return runScript(this.client, script, sha, keys, args);
  }

  private async command<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`${OWNER}: this store was closed; create a new one to keep using it.`);
    return storeCommand(this.connection, what, run);
  }

  /** Runs `task` after every earlier task of conversation `id` from this store has settled. */
  private serialise<T>(id: string, task: () => Promise<T>): Promise<T> {
    return this.serialiser.run(id, task);
  }
}

/** The first byte of a compressed conversation; plain JSON always starts with `{`. */
const DEFLATED = 0x01;

function encodeConversation(conversation: Conversation, compress: boolean): Buffer {
  const json = Buffer.from(JSON.stringify(conversation), 'utf8');
  return compress ? Buffer.concat([Buffer.of(DEFLATED), deflateRawSync(json)]) : json;
}

function decodeConversation(raw: Buffer): Conversation {
  const json = raw[0] === DEFLATED ? inflateRawSync(raw.subarray(1)) : raw;
  return JSON.parse(json.toString('utf8')) as Conversation;
}

/** `<editId>:<conversationId>`: a short value, since a busy chat has many links. */
function encodeLink(key: ConversationKey, editId: string): string {
  return `${encodeURIComponent(editId)}:${conversationId(key)}`;
}

function decodeLink(raw: string): MessageLink {
  if (raw.startsWith('{')) return JSON.parse(raw) as MessageLink;
  const [editId = '', platform = '', chat = '', thread = '', user = ''] = raw
    .split(':')
    .map((part) => decodeURIComponent(part));
  const key: ConversationKey = thread === '' ? { platform, chat, user } : { platform, chat, thread, user };
  return { key, editId };
}

/** A list as script arguments: its length, then its items. */
function counted(items: string[]): string[] {
  return [String(items.length), ...items];
}

function sha1(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex');
}

function isRedisClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { evalsha?: unknown }).evalsha === 'function' &&
    'status' in value
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
