/**
 * @module The Redis connection of the moderation backends: a `RedisConnection` (one policy for
 * retries, time-outs, readiness and shutdown, in `src/redis/redis-connection.ts`), opened and
 * checked once at start. The backends take that connection, or an ioredis client you own.
 */
import { Redis } from 'ioredis';
import { UnavailableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { RedisConnection, type RedisClient } from '../redis/redis-connection.ts';

export interface ModerationRedisOptions {
  /** How long to wait for a connection, and for each command, in milliseconds. @defaultValue 2000 */
  timeoutMs?: number;
  /** Longest wait between two reconnection attempts, in milliseconds. @defaultValue 2000 */
  maxReconnectDelayMs?: number;
  /** Where the start-up look at the server's settings is reported. @defaultValue a silent logger */
  logger?: Logger;
}

/** What the moderation backends accept as their Redis. */
export type ModerationRedis = RedisConnection | RedisClient;

/**
 * Opens the connection to `url` and waits until Redis answers; throws `UnavailableError` when it
 * does not within `timeoutMs` (moderation refuses to start on a Redis it cannot reach).
 */
export async function openModerationRedis(url: string, options: ModerationRedisOptions = {}): Promise<RedisConnection> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const connection = new RedisConnection({
    url,
    lazyConnect: true,
    unavailableAfterMs: timeoutMs,
    commandTimeoutMs: timeoutMs,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 2000,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  try {
    await waitForModerationRedis(connection, timeoutMs);
    return connection;
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** Waits up to `timeoutMs` (default 2000) for Redis to answer; an `UnavailableError` naming it otherwise. */
export async function waitForModerationRedis(connection: RedisConnection, timeoutMs = 2000): Promise<void> {
  try {
    await connection.ready('start moderation', timeoutMs);
  } catch (error) {
    throw new UnavailableError(
      `Redis at ${connection.redactedUrl} is not answering: ${(error as Error).message}`,
      'redis',
      { cause: error },
    );
  }
}

/**
 * {@link openModerationRedis} for one server, returning its ioredis client (the caller disconnects
 * it); a cluster URL is refused here: use `openModerationRedis`.
 */
export async function connectModerationRedis(url: string, options: ModerationRedisOptions = {}): Promise<Redis> {
  const connection = await openModerationRedis(url, options);
  if (connection.client instanceof Redis) return connection.client;
  await connection.close();
  throw new TypeError('connectModerationRedis opens one Redis server; for a Redis Cluster use openModerationRedis.');
}
