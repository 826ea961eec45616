/**
 * @module Picks the conversation store from configuration: Redis when a URL is given
 * (`REDIS_URL`), the in-process memory store otherwise.
 */
import type { ConversationStore, ConversationStoreOptions } from './conversation-store.ts';
import { MemoryConversationStore } from './memory-store.ts';
import { RedisConversationStore } from './redis-store.ts';

export interface CreateConversationStoreOptions extends ConversationStoreOptions {
  /** A `redis://` URL; when present the store lives in Redis. @defaultValue none (the memory store) */
  redisUrl?: string;
  /** For the Redis store: put in front of every key. @defaultValue `moodshift:` */
  keyPrefix?: string;
}

/**
 * The `redis` store when `redisUrl` is set (it connects in the background; the first operation
 * waits briefly for the connection), else the `memory` store. Invalid options fail at once with a
 * `ConfigError` that says what to change.
 */
export function createConversationStore(options: CreateConversationStoreOptions = {}): ConversationStore {
  const { redisUrl, keyPrefix, ...common } = options;
  if (redisUrl !== undefined && redisUrl.trim() !== '') {
    return new RedisConversationStore({ ...common, redis: redisUrl.trim(), ...(keyPrefix === undefined ? {} : { keyPrefix }) });
  }
  return new MemoryConversationStore(common);
}
