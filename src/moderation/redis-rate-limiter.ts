/**
 * @module Rate limits in Redis, shared by every process: a sliding window log per key (a sorted
 * set of attempt times), checked and counted atomically by one Lua script using Redis's clock.
 * Keys: `<prefix>rate:{rate}:<limit key>`; the one hash tag keeps the keys one script checks
 * together in one slot of a Redis Cluster.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { rateKey } from '../redis/keys.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import type { RateLimit, RateLimiter, RateLimitVerdict } from './rate-limiter.ts';
import type { ModerationRedis } from './redis-connection.ts';

export interface RedisRateLimiterOptions {
  /** The connection (from `openModerationRedis`), or an ioredis client; the caller closes it. */
  client: ModerationRedis;
  /** Prefix of every key. @defaultValue `moodshift:` */
  keyPrefix?: string;
}

/**
 * KEYS: one sorted set per limit. ARGV[1]: window in ms; ARGV[2]: a unique member for this
 * attempt; ARGV[3…]: the limits, in the order of KEYS (0 = no limit).
 * Returns {0, 0} when allowed (and counted), or {index of the refusing key (1-based), ms to wait}.
 */
const CONSUME_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local refused, wait = 0, 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i + 2])
  if limit > 0 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local count = redis.call('ZCARD', key)
    if count >= limit then
      local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
      local ms = tonumber(oldest[2]) + window - now
      if refused == 0 or ms > wait then refused, wait = i, ms end
    end
  end
end
if refused > 0 then return {refused, wait} end
for i, key in ipairs(KEYS) do
  if tonumber(ARGV[i + 2]) > 0 then
    redis.call('ZADD', key, now, ARGV[2])
    redis.call('PEXPIRE', key, window)
  end
end
return {0, 0}
`;

type ConsumingRedis = Redis & {
  moderationConsume(numberOfKeys: number, ...args: Array<string | number>): Promise<[number, number]>;
};

export class RedisRateLimiter implements RateLimiter {
  readonly name = 'redis';
  readonly #redis: RedisConnection;
  readonly #prefix: string;

  constructor(options: RedisRateLimiterOptions) {
    if (!options?.client) throw new TypeError('RedisRateLimiter needs options.client, a connected ioredis client.');
    this.#redis = RedisConnection.wrap(options.client);
    const client = this.#redis.client as ConsumingRedis;
    // defineCommand sends EVALSHA, falling back to EVAL once per connection.
    if (typeof client.moderationConsume !== 'function') {
      client.defineCommand('moderationConsume', { lua: CONSUME_SCRIPT });
    }
    this.#prefix = options.keyPrefix ?? 'moodshift:';
  }

  async consume(limits: RateLimit[], windowMs: number): Promise<RateLimitVerdict> {
    const active = limits.filter((limit) => limit.limit > 0);
    if (active.length === 0) return { allowed: true };
    const keys = active.map((limit) => rateKey(this.#prefix, limit.key));
    const [refused, wait] = await this.#redis.run('check the rate limit', (client) =>
      (client as ConsumingRedis).moderationConsume(
        keys.length,
        ...keys,
        Math.round(windowMs),
        randomUUID(),
        ...active.map((limit) => limit.limit),
      ),
    );
    if (refused === 0) return { allowed: true };
    return { allowed: false, key: active[refused - 1]!.key, retryAfterMs: Math.max(1, wait) };
  }

  async close(): Promise<void> {}
}
