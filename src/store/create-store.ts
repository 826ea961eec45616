/**
 * @module Picks the conversation store from configuration: Redis when a URL (`REDIS_URL`) or a
 * shared `RedisConnection` is given, the in-process memory store otherwise.
 */
import type { Logger } from '../logger.ts';
import type { RedisConnection } from '../redis/redis-connection.ts';
import type { ConversationStore, ConversationStoreOptions } from './conversation-store.ts';
import { MemoryConversationStore } from './memory-store.ts';
import { RedisConversationStore } from './redis-store.ts';

export interface CreateConversationStoreOptions extends ConversationStoreOptions {
  /** A `redis://` (or `redis+cluster://`) URL; when present the store lives in Redis. @defaultValue none (the memory store) */
  redisUrl?: string;
  /** A Redis connection to share (the caller closes it); used instead of `redisUrl`. @defaultValue none */
  redis?: RedisConnection;
  /** For the Redis store: put in front of every key. @defaultValue `moodshift:` */
  keyPrefix?: string;
  /** For a Redis store that opens its own connection: where the start-up look at the server is reported. @defaultValue none */
  logger?: Logger;
}

/**
 * The `redis` store when `redis` or `redisUrl` is set (it connects in the background; the first
 * operation waits briefly for the connection), else the `memory` store. Invalid options fail at
 * once with a `ConfigError` that says what to change.
 */
export function createConversationStore(options: CreateConversationStoreOptions = {}): ConversationStore {
  const { redisUrl, redis, keyPrefix, logger, ...common } = options;
  const target = redis ?? (redisUrl !== undefined && redisUrl.trim() !== '' ? redisUrl.trim() : undefined);
  if (target !== undefined) {
    return new RedisConversationStore({
      ...common,
      redis: target,
      ...(keyPrefix === undefined ? {} : { keyPrefix }),
      ...(logger === undefined ? {} : { logger }),
    });
  }
  return new MemoryConversationStore(common);
}
