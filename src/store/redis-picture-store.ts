/**
 * @module The `redis` picture store: pictures by content hash in Redis, within a byte budget, under
 * the keys that `src/redis/keys.ts` builds (all with the `{pictures}` hash tag, so every script
 * stays on one slot of a Redis Cluster):
 * - `img:{pictures}:<sha256>`: a hash with the fields `bytes`, `format`, `width`, `height`, with its
 *   own time to live;
 * - `imgs:{pictures}:lru` (sorted set: picture hash by the millisecond it was last stored or read;
 *   0 for the surplus pictures of long conversations), `imgs:{pictures}:size` (hash: picture hash to
 *   its byte count) and `imgs:{pictures}:bytes` (the running total): the budget, kept in the same
 *   Lua script as each put;
 * - `imgpin:{pictures}:<sha256>`: sorted set of the conversations whose current edit needs that
 *   picture (written by `RedisConversationStore` with each conversation), each scored by the
 *   millisecond its pin expires, and of the holds of renders in progress (`hold:<uuid>`, scored by
 *   the end of their lease); a pinned picture is never evicted.
 *
 * The render worker uses this store alone: it needs pictures, never conversations.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ConfigError, ErrorCode, UserError } from '../errors.ts';
import type { OutputFormat } from '../image/image.ts';
import { DEFAULT_KEY_PREFIX, requireKeyPrefix, storeKeys } from '../redis/keys.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import { DEFAULT_STORE_OPTIONS } from './conversation-store.ts';
import { imageContentHash, isImageContentHash } from './image-hash.ts';
import type { ImageBlob, PictureStore } from './picture-store.ts';
import { runScript, storeCommand, throwFirstTransactionError } from './redis-commands.ts';
import { requireWholeNumber } from './store-options.ts';

export interface RedisPictureStoreOptions {
  /**
   * The Redis to use: a URL (the store opens its own `RedisConnection` with the shared policy and
   * closes it on `close()`) or a `RedisConnection` you opened (the store never closes it).
   */
  redis: RedisConnection | string;
  /** Put in front of every key; the same as the conversation store's. @defaultValue `moodshift:` */
  keyPrefix?: string;
  /** How long a stored picture lives after it was last stored or read, in seconds. @defaultValue 7 days */
  imageTtlSeconds?: number;
  /** Most bytes of pictures kept at once, over all conversations (`MOODSHIFT_PICTURE_BUDGET_MB`). @defaultValue 512 MiB */
  maxImageBytes?: number;
}

const OWNER = 'RedisPictureStore';

/**
 * Stores one picture within the budget. KEYS: `img:{pictures}:<hash>`, `imgs:{pictures}:lru`,
 * `…:size`, `…:bytes`. ARGV: hash, bytes, format, width, height, time to live in seconds, budget in
 * bytes, now in milliseconds, the picture key base, the pin key base (all in the pictures' slot). A picture already stored only has its time to live and last use
 * refreshed. Otherwise, while the total would pass the budget, the pictures at the front of
 * `imgs:lru` (surplus ones, then the longest unused) are deleted unless a live pin holds them
 * (at most 1000 looked at per put). Returns 1 when stored, 0 when no room could be made.
 */
const PUT_IMAGE = `
local hash, bytes, ttl, budget, now, pictureBase, pinBase = ARGV[1], ARGV[2], ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9], ARGV[10]
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('ZADD', KEYS[2], 'XX', now, hash)
  return 1
end
local size = string.len(bytes)
local total = tonumber(redis.call('GET', KEYS[4]) or '0')
local stale = redis.call('HGET', KEYS[3], hash)
if stale then
  total = total - tonumber(stale)
  redis.call('HDEL', KEYS[3], hash)
  redis.call('ZREM', KEYS[2], hash)
end
if total < 0 then total = 0 end
local start, looked = 0, 0
while total + size > budget and looked < 1000 do
  local batch = redis.call('ZRANGE', KEYS[2], start, start + 99)
  if #batch == 0 then break end
  for _, other in ipairs(batch) do
    looked = looked + 1
    local pin = pinBase .. other
    redis.call('ZREMRANGEBYSCORE', pin, '-inf', now)
    local image = pictureBase .. other
    if redis.call('EXISTS', image) == 0 or redis.call('ZCARD', pin) == 0 then
      redis.call('DEL', image)
      total = total - tonumber(redis.call('HGET', KEYS[3], other) or '0')
      redis.call('HDEL', KEYS[3], other)
      redis.call('ZREM', KEYS[2], other)
    else
      start = start + 1
    end
    if total + size <= budget then break end
  end
end
if total < 0 then total = 0 end
if total + size > budget then
  redis.call('SET', KEYS[4], total)
  return 0
end
redis.call('HSET', KEYS[1], 'bytes', bytes, 'format', ARGV[3], 'width', ARGV[4], 'height', ARGV[5])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, hash)
redis.call('HSET', KEYS[3], hash, size)
redis.call('SET', KEYS[4], total + size)
return 1
`;
const PUT_IMAGE_SHA = createHash('sha1').update(PUT_IMAGE).digest('hex');

/**
 * Holds pictures for work in progress. KEYS: the pins (`imgpin:{pictures}:<hash>`) of the pictures
 * to hold; ARGV: the hold's member name, the millisecond it expires, the lease in seconds. A pin
 * key's time to live is only ever lengthened (it may also carry a conversation's pin).
 */
const HOLD_PICTURES = `
for _, pin in ipairs(KEYS) do
  redis.call('ZADD', pin, ARGV[2], ARGV[1])
  if redis.call('TTL', pin) < tonumber(ARGV[3]) then redis.call('EXPIRE', pin, ARGV[3]) end
end
return 1
`;
const HOLD_PICTURES_SHA = createHash('sha1').update(HOLD_PICTURES).digest('hex');

/** A `PictureStore` on Redis; when Redis cannot be reached, operations fail with `UnavailableError` by the policy of `RedisConnection`. */
export class RedisPictureStore implements PictureStore {
  readonly name = 'redis';
  readonly #connection: RedisConnection;
  readonly #ownsConnection: boolean;
  readonly #keys: ReturnType<typeof storeKeys>;
  readonly #imageTtlSeconds: number;
  readonly #maxImageBytes: number;
  #closed = false;

  constructor(options: RedisPictureStoreOptions) {
    this.#imageTtlSeconds = options.imageTtlSeconds ?? DEFAULT_STORE_OPTIONS.imageTtlSeconds;
    this.#maxImageBytes = options.maxImageBytes ?? DEFAULT_STORE_OPTIONS.maxImageBytes;
    requireWholeNumber(OWNER, 'imageTtlSeconds', this.#imageTtlSeconds, 1);
    requireWholeNumber(OWNER, 'maxImageBytes', this.#maxImageBytes, 1);
    this.#keys = storeKeys(requireKeyPrefix(OWNER, options.keyPrefix ?? DEFAULT_KEY_PREFIX));
    if (typeof options.redis === 'string') {
      this.#connection = new RedisConnection({ url: options.redis, maxReconnectDelayMs: 500 });
      this.#ownsConnection = true;
    } else if (options.redis instanceof RedisConnection) {
      this.#connection = options.redis;
      this.#ownsConnection = false;
    } else {
      throw new ConfigError(`${OWNER}: the redis option must be a redis:// URL or a RedisConnection.`);
    }
  }

  async put(image: ImageBlob): Promise<string> {
    const hash = imageContentHash(image.bytes);
    const key = this.#keys.picture(hash);
    // Already there: refreshing its time to live and last use is all; the bytes are not sent again.
    const refreshed = await this.#command('store a picture', () =>
      this.#connection.client.expire(key, this.#imageTtlSeconds),
    );
    if (refreshed === 1) {
      await this.#touch(hash);
      return hash;
    }
    const stored = await this.#command('store a picture', () =>
      runScript(
        this.#connection.client,
        PUT_IMAGE,
        PUT_IMAGE_SHA,
        [key, this.#keys.lru, this.#keys.sizes, this.#keys.bytes],
        [
          hash,
          Buffer.from(image.bytes),
          image.format,
          String(image.width),
          String(image.height),
          String(this.#imageTtlSeconds),
          String(this.#maxImageBytes),
          String(Date.now()),
          this.#keys.pictureBase,
          this.#keys.pinBase,
        ],
      ),
    );
    if (stored !== 1)
      throw new UserError(ErrorCode.PictureStorageFull, { needed: image.bytes.length, budget: this.#maxImageBytes });
    return hash;
  }

  async get(hash: string): Promise<ImageBlob | undefined> {
    if (!isImageContentHash(hash)) return undefined;
    const key = this.#keys.picture(hash);
    const replies = await this.#command('read a picture', () =>
      this.#connection.client
        .multi()
        .hgetallBuffer(key)
        .expire(key, this.#imageTtlSeconds)
        .exec()
        .then(throwFirstTransactionError),
    );
    const fields = replies[0] as Record<string, Buffer>;
    if (fields.bytes) await this.#touch(hash);
    if (!fields.bytes || !fields.format) return undefined;
    return {
      bytes: fields.bytes,
      format: fields.format.toString() as OutputFormat,
      width: Number(fields.width?.toString()),
      height: Number(fields.height?.toString()),
    };
  }

  async hold(hashes: string[], leaseSeconds: number): Promise<() => Promise<void>> {
    requireWholeNumber(OWNER, 'hold leaseSeconds', leaseSeconds, 1);
    const pins = [...new Set(hashes.filter((hash) => isImageContentHash(hash)))].map((hash) => this.#keys.pin(hash));
    if (pins.length === 0) return async () => undefined;
    const member = `hold:${randomUUID()}`;
    await this.#command('hold the pictures in use', () =>
      runScript(this.#connection.client, HOLD_PICTURES, HOLD_PICTURES_SHA, pins, [
        member,
        String(Date.now() + leaseSeconds * 1000),
        String(leaseSeconds),
      ]),
    );
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      // All pins share the {pictures} tag: one transaction, on a cluster too. A failed release leaves the hold to its lease.
      await this.#command('release the pictures in use', () => {
        const transaction = this.#connection.client.multi();
        for (const pin of pins) transaction.zrem(pin, member);
        return transaction.exec().then(throwFirstTransactionError);
      });
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsConnection) await this.#connection.close();
  }

  /**
   * Marks a picture as just used in `imgs:lru` (only when it is counted there). Best effort: a Redis
   * at `maxmemory` refuses the write, and reading a picture must still work then.
   */
  async #touch(hash: string): Promise<void> {
    await this.#connection.client.zadd(this.#keys.lru, 'XX', Date.now(), hash).catch(() => undefined);
  }

  #command<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error(`${OWNER}: this store was closed; create a new one to keep using it.`);
    return storeCommand(this.#connection, what, run);
  }
}
